"""A person corrects a reading, and the bot answers and routes it as if it had read it right.

Table-driven checks of what a person may type (corrections.py), then the
correction through the real processor on Maildir (decisions.Decisions.correct
via review.Review), then `mailbot review correct` as a person runs it.
"""

from __future__ import annotations

import email
import email.policy
import json

import pytest

from mailbot.decide import cases
from mailbot.app import App
from mailbot.service.corrections import CorrectionError, parse_assignments, parse_value
from mailbot.service.decisions import Decisions
from mailbot.service.review import Review
from tests.conversations import CONTRACT, CONTRACTS_TEAM, CONVERSATIONS, DIRECTORY_CSV, first_message
from tests.support import AUTHSERV_ID, maildir_bot, run_mailbot
from tests.test_cases import Bot

PO = next(c for c in CONVERSATIONS if c.situation == "po_change")


@pytest.mark.parametrize("name, text, value", [
    ("contract_number", " CT-2025-05512 ", "CT-2025-05512"),
    ("po_number", "BC 2027  0815", "BC 2027 0815"),
    ("serial_numbers", "PW345-0070011, CW3800-0007120;X1", ["PW345-0070011", "CW3800-0007120", "X1"]),
    ("serial_numbers", "", []),
    ("effective_date", "01/02/2027", "2027-02-01"),
    ("effective_date", "2027-02-01", "2027-02-01"),
    ("new_address_postcode", "42000", "42000"),
    ("new_email", "factures@valmont-print.fr", "factures@valmont-print.fr"),
    ("siren", "732 829 320", "732829320"),
    ("kbis", "oui", True),
    ("kbis", "", False),
    ("po_number", "", None),
])
def test_a_typed_value_is_kept_in_the_extractors_shape(name, text, value):
    assert parse_value(name, text) == value


@pytest.mark.parametrize("name, text, says", [
    ("effective_date", "31/02/2027", "not a date"),
    ("effective_date", "le 1er février", "not a date"),
    ("new_address_postcode", "4200", "five digits"),
    ("new_email", "Paul <p@x.fr>", "not a plain e-mail address"),
    ("siren", "732829321", "not a valid SIREN"),
    ("po_number", "BC-1; DROP TABLE", "not a number or reference"),
    ("kbis", "maybe", "yes or no"),
    ("meter_readings", "1234", "not a field a person can correct"),
])
def test_a_value_the_reading_cannot_take_is_refused_naming_the_field(name, text, says):
    with pytest.raises(CorrectionError, match=says) as refused:
        parse_value(name, text)
    assert str(refused.value).startswith(name)


def test_assignments_need_field_equals_value():
    assert parse_assignments(["po_number=BC-1", "kbis=non"]) == {"po_number": "BC-1", "kbis": False}
    with pytest.raises(CorrectionError, match="FIELD=VALUE"):
        parse_assignments(["po_number BC-1"])


def only_a_pdf(raw: bytes) -> bytes:
    """The customer's request, its text replaced by an attached PDF the bot cannot read."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message.set_content("")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="bon_de_commande.pdf")
    return bytes(message)


@pytest.fixture
def bot(tmp_path):
    b = Bot(tmp_path)
    yield b
    b.close()


def review_as(bot, actor: str) -> Review:
    app = App.build(bot.settings, rules=bot.processor.app.rules, model=bot.processor.app.model, clock=bot.clock)
    return Review(bot.store, actor=actor, clock=bot.clock, decisions=Decisions(app, bot.store))


def test_a_corrected_reading_is_answered_and_routed_once(bot):
    bot.receive(only_a_pdf(first_message(PO)[0]))
    [row] = bot.store.db.execute("select id, case_ref from messages").fetchall()
    row_id, ref = row
    assert bot.case(ref).state == cases.IN_REVIEW and bot.sent() == []

    done = review_as(bot, "claire").correct(row_id, situation="po_change", fields={
        "contract_number": CONTRACT, "po_number": "BC-2027-0815", "effective_date": "2027-03-01"})
    assert (done.refused, done.action, done.reply, done.forward_to) == ("", "acknowledge", "acknowledge",
                                                                         CONTRACTS_TEAM)
    case = bot.case(ref)
    assert case.state == cases.ROUTED and case.situation == "po_change"
    assert case.fields["po_number"] == "BC-2027-0815"
    kinds = [r[0] for r in bot.store.db.execute("select kind from outbox where message_row = ? order by id",
                                                [row_id])]
    assert kinds == ["acknowledge", "forward"]
    analysis = json.loads(bot.store.db.execute("select analysis from messages where id = ?", [row_id]).fetchone()[0])
    assert analysis["action"] == "acknowledge" and analysis["decided_by"]["gate"] == "completeness"
    assert any(e["stage"] == "review" and e["name"] == "corrected" for e in analysis["evidence"])
    assert [(a["actor"], a["action"]) for a in bot.store.actions(f"message {row_id}")] == [("claire", "correct")]

    again = review_as(bot, "marc").correct(row_id, situation="po_change", fields={"po_number": "BC-9"})
    assert "already handled (correct by claire" in again.refused
    assert len(bot.store.db.execute("select id from outbox").fetchall()) == 2  # nothing queued twice
    bot.processor.run_once()
    sent = {m["To"].addresses[0].addr_spec: m for m in bot.sent()}
    assert sorted(sent) == [CONTRACTS_TEAM, "paul.martin@valmont-print.fr"]
    assert "BC-2027-0815" in sent[CONTRACTS_TEAM].get_body(("plain",)).get_content()


def test_a_correction_still_asks_for_what_is_missing(bot):
    bot.receive(only_a_pdf(first_message(PO)[0]))
    row_id, ref = bot.store.db.execute("select id, case_ref from messages").fetchone()
    done = review_as(bot, "claire").correct(row_id, situation="po_change", fields={"po_number": "BC-2027-0815"})
    assert (done.action, done.reply) == ("request_info", "request_info")
    assert bot.case(ref).state == cases.AWAITING


def test_a_correction_does_not_lift_a_doubt_about_the_sender(bot):
    stranger = only_a_pdf(first_message(PO)[0].replace(b"paul.martin@valmont-print.fr", b"x@elsewhere.example"))
    bot.receive(stranger)
    row_id, ref = bot.store.db.execute("select id, case_ref from messages").fetchone()
    done = review_as(bot, "claire").correct(row_id, situation="po_change", fields={
        "contract_number": CONTRACT, "po_number": "BC-2027-0815", "effective_date": "2027-03-01"})
    assert done.action == "review" and "not in the customer directory" in done.reason
    assert done.reply is None and bot.case(ref).state == cases.IN_REVIEW


def test_what_cannot_be_corrected_is_refused_with_the_reason(bot):
    bot.receive(first_message(PO)[0])  # asked for the contract number: awaiting, not in review
    row_id, ref = bot.store.db.execute("select id, case_ref from messages").fetchone()
    review = review_as(bot, "claire")
    assert "not in review" in review.correct(row_id, situation="po_change").refused
    assert "no message 99" in review.correct(99, situation="po_change").refused
    bot.receive(only_a_pdf(first_message(PO)[0]))
    row_id = bot.store.db.execute("select max(id) from messages").fetchone()[0]
    assert "not one of" in review.correct(row_id, situation="nonsense").refused


def test_review_correct_on_the_command_line(tmp_path):
    raw = only_a_pdf(first_message(PO)[0])
    settings, _ = maildir_bot(tmp_path, f'[routing]\ncontracts_team = "{CONTRACTS_TEAM}"\n'
                              f'[trust]\nauthserv_id = "{AUTHSERV_ID}"\n', DIRECTORY_CSV, {"m1": raw})
    bad = run_mailbot(settings, "review", "correct", "1", "--set", "effective_date=31/02/2027")
    assert bad.returncode == 2 and "effective_date: '31/02/2027' is not a date" in bad.stderr
    done = run_mailbot(settings, "review", "correct", "1", "--situation", "po_change", "--set",
                       f"contract_number={CONTRACT}", "--set", "po_number=BC-2027-0815", "--set",
                       "effective_date=01/03/2027")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("message 1 (case WFPS-") and "decided again: acknowledge" in done.stdout
    assert f"forward to {CONTRACTS_TEAM} queued" in done.stdout
    twice = run_mailbot(settings, "review", "correct", "1", "--set", "po_number=BC-2")
    assert twice.returncode == 1 and "already handled" in twice.stderr
    assert run_mailbot(settings, "once").returncode == 0
    sent = list((tmp_path / "var" / "outbox" / "new").iterdir())
    assert len(sent) == 2
