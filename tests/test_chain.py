"""The decision chain (chain.py): one ordered list of gates, each verdict recorded with its code.

Pure tables for the reading's gates; then the processor on Maildir: every
decision carries its chain, `mailbot explain` prints it, and rewording every
verdict's text changes nothing of what the bot does (no code reads a reason).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from mailbot.decide import chain
from mailbot.read.analysis import Analysis, Evidence, empty_fields
from mailbot.read.rules import load_rules
from tests.conversations import CONTRACTS_TEAM, CONVERSATIONS, DIRECTORY_CSV, answer_message, first_message
from tests.support import AUTHSERV_ID, maildir_bot, reading_decision, run_mailbot
from tests.test_cases import Bot

RULES = load_rules()
PARIS = ZoneInfo("Europe/Paris")
CONV = {c.situation: c for c in CONVERSATIONS}
GATE_NAMES = [gate.__name__ for gate in chain.GATES]


def fields(**values):
    return {**empty_fields(), **values}


COMPLETE_PO = fields(contract_number="CT-1", po_number="BC-1")
READINGS = [
    # (situation, fields, confidence, automated, fraud, expected action, deciding gate, its code)
    ("po_change", COMPLETE_PO, 0.9, False, (), "acknowledge", "completeness", "complete"),
    ("po_change", fields(po_number="BC-1"), 0.9, False, (), "request_info", "completeness", "missing"),
    ("po_change", COMPLETE_PO, 0.3, False, (), "review", "confidence", "low_confidence"),
    ("po_change", fields(po_number="BC-1"), 0.3, False, (), "review", "confidence", "low_confidence"),
    ("po_change", COMPLETE_PO, 0.9, True, (), "ignore", "automated", "automated"),
    ("other", fields(), 1.0, False, (), "review", "situation", "other"),
    ("other", fields(), 1.0, True, (), "ignore", "automated", "automated"),
    ("bank_details_check", fields(), 0.9, False, ("iban",), "review", "fraud", "iban"),
    ("bank_details_check", fields(), 0.9, False, ("iban", "bank_change_claim"), "review", "fraud", "iban"),
    ("other", fields(), 0.2, False, ("bank_change_claim",), "review", "situation", "other"),
]


@pytest.mark.parametrize("situation, given, confidence, automated, fraud, action, gate, code", READINGS)
def test_the_reading_gates_decide_and_say_which_gate_did(situation, given, confidence, automated, fraud,
                                                         action, gate, code):
    analysis = reading_decision(situation, given, RULES, confidence=confidence, automated=automated, fraud=fraud)
    assert analysis.action == action
    assert (analysis.decided_by["gate"], analysis.decided_by["code"]) == (gate, code)
    # every gate of the reading, in the policy's order (a gate may give several verdicts: fraud)
    assert list(dict.fromkeys(v["gate"] for v in analysis.chain)) == [g.__name__ for g in chain.READING]


def test_after_an_ignore_the_other_gates_are_recorded_as_not_run():
    analysis = reading_decision("po_change", COMPLETE_PO, RULES, automated=True)
    after = [v for v in analysis.chain if v["gate"] not in ("readable", "automated")]
    assert after and all(v["code"] == chain.NOT_RUN for v in after)


@pytest.mark.parametrize("situation, given, confidence, automated, fraud, action, gate, code", READINGS)
def test_the_action_does_not_depend_on_the_order_of_the_gates(situation, given, confidence, automated, fraud,
                                                              action, gate, code):
    """A gate may only make the action safer: the safe choice wins whatever the order."""
    for order in itertools.permutations(chain.READING):
        analysis = Analysis(situation=situation, fields=dict(given), confidence=confidence, automated=automated,
                            evidence=[Evidence("extract", name) for name in fraud])
        chain.run(chain.Message(analysis, RULES, PARIS), order)
        assert analysis.action == action, [g.__name__ for g in order]


def test_a_late_request_is_still_answered_and_the_lead_time_gate_says_late():
    from datetime import datetime, timezone

    analysis = reading_decision("po_change", {**COMPLETE_PO, "effective_date": "2027-01-01"}, RULES,
                                received=datetime(2026, 12, 15, 15, 0, tzinfo=timezone.utc))
    late = next(v for v in analysis.chain if v["gate"] == "lead_time")
    assert (analysis.action, analysis.lead_time_ok, late["code"], late["action"]) == (
        "acknowledge", False, "late", None)
    assert late["details"] == {"effective": "2027-01-01", "months": 1}


# -- the processor --------------------------------------------------------------------------


def stored(bot: Bot) -> list[dict]:
    return [json.loads(row[0]) for row in bot.store.db.execute("select analysis from messages order by id")]


def test_every_decision_records_the_whole_chain_in_order(tmp_path):
    bot = Bot(tmp_path)
    try:
        raw, _ = first_message(CONV["po_change"])
        bot.receive(raw)
        [analysis] = stored(bot)
        assert [v["gate"] for v in analysis["chain"]] == GATE_NAMES
        assert analysis["action"] == "request_info"
        assert (analysis["decided_by"]["gate"], analysis["decided_by"]["code"]) == ("completeness", "missing")
        routing = next(v for v in analysis["chain"] if v["gate"] == "routing")
        assert routing["code"] == "not_applicable"  # only a complete case goes to a colleague
    finally:
        bot.close()


def test_a_joined_answer_shows_the_case_and_the_route_in_its_chain(tmp_path):
    bot = Bot(tmp_path)
    try:
        raw, _ = first_message(CONV["po_change"])
        bot.receive(raw)
        request = bot.sent()[-1]
        answer, _ = answer_message(CONV["po_change"], request)
        bot.receive(answer)
        analysis = stored(bot)[-1]
        by_gate = {v["gate"]: v for v in analysis["chain"]}
        assert by_gate["threading"]["code"] == "joined" and by_gate["threading"]["details"]["how"] == "In-Reply-To"
        assert by_gate["routing"]["code"] == "routed"
        assert by_gate["routing"]["details"]["to"] == CONV["po_change"].forward_to
        assert analysis["action"] == "acknowledge"
    finally:
        bot.close()


def reworded(gates):
    """The same gates, every verdict's text replaced: what the bot does must not change."""
    def wrap(gate):
        def same(m):
            found = gate(m)
            verdicts = [found] if isinstance(found, chain.Verdict) else list(found)
            return [replace(v, text=f"#{i}" if v.text else "") for i, v in enumerate(verdicts)]
        same.__name__ = gate.__name__
        return same
    return tuple(wrap(g) for g in gates)


def behaviour(tmp_path, monkeypatch, reword: bool) -> list[tuple]:
    """Run a mixed day (every conversation and its answer, a stranger citing a case, an IBAN) and
    say what the bot did: per message its action and folder; per outbox row its kind, state and
    recipients; per case its state."""
    if reword:
        monkeypatch.setattr(chain, "GATES", reworded(chain.GATES))
    bot = Bot(tmp_path)
    try:
        for conv in CONVERSATIONS:
            raw, _ = first_message(conv)
            bot.receive(raw)
            mine = [m for m in bot.sent() if "request_info" in str(m["Message-ID"])]
            if mine:
                answer, _ = answer_message(conv, mine[-1])
                bot.receive(answer)
        stranger = first_message(CONV["po_change"])[0].replace(b"paul.martin@valmont-print.fr",
                                                               b"x@elsewhere.example")
        bot.receive(stranger)
        bank = first_message(CONV["po_change"])[0].replace(
            b"merci de faire", b"nos RIB changent, IBAN FR76 3000 6000 0112 3456 7890 189, merci de faire")
        bot.receive(bank)
        db: sqlite3.Connection = bot.store.db.conn
        return [("messages", *r) for r in db.execute("select action, destination, state from messages order by id")] + [
            ("outbox", *r) for r in db.execute("select kind, state, recipients from outbox order by id")] + [
            ("cases", *r) for r in db.execute("select situation, state from cases order by ref")]
    finally:
        bot.close()


def test_rewording_every_reason_changes_nothing_the_bot_does(tmp_path, monkeypatch):
    plain = behaviour(tmp_path / "plain", monkeypatch, reword=False)
    assert ("messages", "review", "review", "done") in plain  # the stranger and the IBAN reached a person
    assert any(row[:2] == ("outbox", "forward") for row in plain)
    assert plain == behaviour(tmp_path / "reworded", monkeypatch, reword=True)


# -- mailbot explain ------------------------------------------------------------------------


def test_explain_prints_the_recorded_chain_of_a_ledger_row_and_decides_a_file_now(tmp_path):
    raw, _ = first_message(CONV["po_change"])
    settings, _ = maildir_bot(tmp_path, f'[routing]\ncontracts_team = "{CONTRACTS_TEAM}"\n'
                              f'[trust]\nauthserv_id = "{AUTHSERV_ID}"\n', DIRECTORY_CSV, {"m1": raw})
    shown = run_mailbot(settings, "explain", "1")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("message 1: Nouveau numéro de commande 2027")
    assert [line.split()[1] for line in lines[1:-1]] == GATE_NAMES
    assert "completeness" in lines[1 + GATE_NAMES.index("completeness")] and "-> request_info" in shown.stdout
    assert lines[-1] == "final action: request_info (set by completeness: missing)"

    eml = tmp_path / "again.eml"
    eml.write_bytes(raw)
    now = run_mailbot(settings, "explain", str(eml))
    assert now.returncode == 0, now.stderr
    assert "decided now against" in now.stdout
    assert "duplicate" in now.stdout and now.stdout.splitlines()[-1] == (
        "final action: ignore (set by duplicate: duplicate)")  # the same Message-ID was decided before
    assert "(not run)" in now.stdout

    missing = run_mailbot(settings, "explain", "999")
    assert missing.returncode == 2 and "no message 999" in missing.stderr
    neither = run_mailbot(settings, "explain", str(tmp_path / "nothing.eml"))
    assert neither.returncode == 2 and "neither a ledger id nor a file" in neither.stderr
