"""End to end, each of the nine situations, through Dovecot and SMTP.

For every situation of the seed: the customer's incomplete request arrives in
the bot's IMAP inbox; `mailbot once` sends exactly one precise request for
information; the customer answers it (threaded, quoting our message, as mail
clients do) with the missing number; the next `mailbot once` merges the
answer into the case, which is now complete: exactly one acknowledgement to
the customer and one forward to the colleague who acts (sales contact,
account manager, contracts team), with the customer's two messages attached.
Bank details need nothing: one answer with the bank guidance, no forward.

The servers and the two passes run once for the module; each situation's
expectations are a test of their own.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import pytest

from tests.conftest import _make
from tests.conversations import (CONTRACTS_TEAM, CONVERSATIONS, CUSTOMER, Conversation, answer_message,
                                 first_message)
from tests.conversations import DIRECTORY_CSV
from tests.servers import Dovecot, SmtpServer
from tests.support import BOT, run_mailbot, write_imap_settings

LABEL_WORDS = {  # a word of each missing item's French label (situations.toml [fields])
    "contract_number": "numéro de contrat", "serial_numbers": "numéro de série",
    "customer_number": "numéro de client", "new_email": "non nominative",
}


def mailbot(settings, *args):
    result = run_mailbot(settings, *args)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """Both passes over the nine conversations; what the SMTP server got after each."""
    tmp = tmp_path_factory.mktemp("e2e")
    dovecot = _make(Dovecot, tmp / "dovecot")
    dovecot.start()
    try:
        with _make(SmtpServer) as smtp:
            settings = write_imap_settings(
                tmp, dovecot, smtp.port, more=f'[routing]\ncontracts_team = "{CONTRACTS_TEAM}"\n')
            (tmp / "directory.csv").write_text(DIRECTORY_CSV, encoding="utf-8")
            mailbot(settings, "directory", "import", str(tmp / "directory.csv"))

            firsts = {}
            for conv in CONVERSATIONS:
                raw, message_id = first_message(conv)
                firsts[conv.situation] = message_id
                dovecot.append(BOT, "INBOX", raw)
            mailbot(settings, "once")
            first_pass = list(smtp.messages)
            smtp.clear()

            answers = {}
            for conv in CONVERSATIONS:
                request = _only(first_pass, conv, firsts)
                if conv.missing:
                    raw, message_id = answer_message(conv, request.message)
                    answers[conv.situation] = message_id
                    dovecot.append(BOT, "INBOX", raw)
            mailbot(settings, "once")
            second_pass = list(smtp.messages)
            folders = {folder: len(dovecot.uids(BOT, folder))
                       for folder in [f"Bot/Processed/{c.situation}" for c in CONVERSATIONS]
                       + ["INBOX", "Bot/Review", "Bot/Quarantine"]}
            db = sqlite3.connect(tmp / "var" / "mailbot.db")
            db.row_factory = sqlite3.Row
            cases = {r["situation"]: dict(r) for r in db.execute("select * from cases")}
            db.close()
            yield {"firsts": firsts, "answers": answers, "first": first_pass, "second": second_pass,
                   "folders": folders, "cases": cases}
    finally:
        dovecot.kill()


def _only(received, conv: Conversation, firsts):
    """The one message of the pass that answers this conversation's first message."""
    mine = [m for m in received if m.message["In-Reply-To"] == firsts[conv.situation]]
    assert len(mine) == 1, f"{conv.situation}: expected one reply, got {len(mine)}"
    return mine[0]


def _case_messages(received, ref):
    return [m for m in received if ref in str(m.message["Subject"])]


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


@pytest.mark.parametrize("conv", CONVERSATIONS, ids=lambda c: c.situation)
def test_first_message_gets_exactly_the_request_for_what_is_missing(flow, conv):
    reply = _only(flow["first"], conv, flow["firsts"])
    message = reply.message
    assert reply.rcpt_tos == [CUSTOMER]
    assert reply.mail_from == ""  # null envelope sender: bounces never come back to the bot
    assert message["Auto-Submitted"] == "auto-replied"
    ref = str(message["X-Mailbot-Case"])
    assert f"[Réf. {ref}]" in str(message["Subject"])
    text, html = _text(message), _html(message)
    if not conv.missing:
        assert "BNP Paribas" in text and "BNP Paribas" in html
        return
    for key in conv.missing:
        assert LABEL_WORDS[key] in text, f"{key} not asked for:\n{text}"
    assert "2e page de votre facture" in text or key == "new_email"
    assert "0 820 12 40 40" in text


def test_first_pass_sends_one_message_per_conversation_and_nothing_else(flow):
    assert len(flow["first"]) == len(CONVERSATIONS)
    assert {m.rcpt_tos[0] for m in flow["first"]} == {CUSTOMER}


@pytest.mark.parametrize("conv", [c for c in CONVERSATIONS if c.missing], ids=lambda c: c.situation)
def test_answer_completes_the_case_acknowledgement_and_forward(flow, conv):
    request = _only(flow["first"], conv, flow["firsts"]).message
    ref = str(request["X-Mailbot-Case"])
    got = _case_messages(flow["second"], ref)
    by_recipient = defaultdict(list)
    for m in got:
        by_recipient[m.rcpt_tos[0]].append(m)
    expected = {CUSTOMER} | ({conv.forward_to} if conv.forward_to else set())
    assert set(by_recipient) == expected, [(m.rcpt_tos, str(m.message["Subject"])) for m in got]
    assert all(len(v) == 1 for v in by_recipient.values()), "exactly one message each"

    ack = by_recipient[CUSTOMER][0].message
    assert ack["In-Reply-To"] == flow["answers"][conv.situation]  # threaded under the customer's answer
    assert ack["Auto-Submitted"] == "auto-replied"
    assert f"[Réf. {ref}]" in str(ack["Subject"])
    text = _text(ack)
    assert "il nous manque" not in text, text
    if conv.situation in ("meter_read_request", "automatic_meter_reads"):
        assert "meterreads.oce.com" in text

    case = flow["cases"][conv.situation]
    if conv.forward_to is None:
        assert case["state"] == "closed"
        return
    assert case["state"] == "routed"
    forward = by_recipient[conv.forward_to][0].message
    assert forward["Auto-Submitted"] == "auto-generated"
    assert forward["Reply-To"] is None, "answering the forward must not write to the customer"
    assert CUSTOMER in forward.get_body(("plain",)).get_content(), "the forward says how to answer the customer"
    attached = [part for part in forward.iter_attachments() if part.get_content_type() == "message/rfc822"]
    assert len(attached) == 2, "the customer's request and answer are attached"
    assert {str(p.get_content()["Message-ID"]).strip() for p in attached} == {
        flow["firsts"][conv.situation], flow["answers"][conv.situation]}
    summary = _text(forward)
    assert ref in summary
    assert "Imprimerie Valmont" in summary


def test_second_pass_sends_only_acknowledgements_and_forwards(flow):
    expected = sum(1 + (c.forward_to is not None) for c in CONVERSATIONS if c.missing)
    assert len(flow["second"]) == expected


def test_each_message_is_filed_in_its_situation_folder(flow):
    folders = flow["folders"]
    assert folders["INBOX"] == 0 and folders["Bot/Review"] == 0 and folders["Bot/Quarantine"] == 0
    for conv in CONVERSATIONS:
        assert folders[f"Bot/Processed/{conv.situation}"] == (2 if conv.missing else 1), conv.situation
