"""Hostile mail through real servers: Dovecot in, aiosmtpd out, `mailbot once` as a process.

What reaches the SMTP server is what would reach the Internet: nothing to a
third party, nothing of an attacker's words, no forward of a forged or
cross-customer request, addresses that need SMTPUTF8 sent with it (or not at
all), a real bounce honoured and a forged one ignored, and the messages built
to stall intake decided within seconds.
"""

from __future__ import annotations

import re
import sqlite3
import time

import pytest

from mailbot.paths import SAMPLES_DIR
from tests import hostile
from tests.conftest import _make
from tests.servers import SmtpServer
from tests.support import BOT, import_sample_directory, run_mailbot, write_imap_settings

ROUTING = '[routing]\ncontracts_team = "equipe.contrats@cf.canon.fr"\n'


def once(settings):
    started = time.monotonic()
    result = run_mailbot(settings, "once", timeout=300)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - started


@pytest.fixture
def servers(dovecot, smtp_server, tmp_path):
    settings = write_imap_settings(tmp_path, dovecot, smtp_server.port, more=ROUTING)
    import_sample_directory(settings)
    return dovecot, smtp_server, settings, tmp_path


def everything(received) -> str:
    message = received.message
    return "\n".join([*(f"{k}: {v}" for k, v in message.items()),
                      *(message.get_body((kind,)).get_content() for kind in ("plain", "html"))])


def test_relay_spoofing_and_cross_customer_requests_reach_nobody_they_should_not(servers):
    dovecot, smtp, settings, _ = servers
    for raw in (hostile.relay(), hostile.spoofed_customer("fail"), hostile.forged_authentication_results(),
                hostile.spoofed_customer("pass"), hostile.cross_customer_move(), hostile.cross_customer_termination(),
                hostile.quoted_local_part(), hostile.encoded_reply_to()):
        dovecot.append(BOT, "INBOX", raw)
    once(settings)
    time.sleep(0.3)
    recipients = [rcpt for m in smtp.messages for rcpt in m.rcpt_tos]
    assert hostile.VICTIM not in recipients
    assert not any("thirdparty" in r or "evil.example" in r and r != hostile.ATTACKER for r in recipients), recipients
    assert hostile.SALES_CONTACT not in recipients and hostile.ACCOUNT_MANAGER not in recipients
    # the encoded Reply-To's message is a customer's P.O change: acknowledged to the From, forwarded
    assert sorted(recipients) == sorted([hostile.ATTACKER, "p.martin@intrus.example", hostile.CUSTOMER,
                                         "equipe.contrats@cf.canon.fr"])
    [ack] = [m for m in smtp.messages if m.rcpt_tos == [hostile.ATTACKER]]
    assert ack.mail_from == "" and ack.message["Auto-Submitted"] == "auto-replied"
    for theirs in ("URGENT", "canon-payments", "BC-2027-0042", hostile.CONTRACT):
        assert theirs not in everything(ack), theirs
    [forward] = [m for m in smtp.messages if m.rcpt_tos == ["equipe.contrats@cf.canon.fr"]]
    assert forward.message["Reply-To"] is None, "answering the forward must not write to anyone outside"
    text = forward.message.get_body(("plain",)).get_content()
    assert text.index("Expéditeur authentifié") < text.index("Récapitulatif"), "stated at the top"
    assert re.search(r"Expéditeur authentifié :\s+oui \(DMARC valide pour\s+gaudemard-tp.fr", text), text
    assert re.search(r"Expéditeur dans l'annuaire :\s+oui, client 1052290", text), text


def test_a_forged_bounce_silences_nobody_a_real_one_quoting_our_message_does(servers):
    dovecot, smtp, settings, tmp = servers
    dovecot.append(BOT, "INBOX", (SAMPLES_DIR / "invoice_by_email.eml").read_bytes())
    once(settings)
    [reply] = smtp.wait_for(2)[:1]
    assert reply.rcpt_tos == [hostile.CUSTOMER]
    dovecot.append(BOT, "INBOX", hostile.forged_bounce())
    once(settings)
    db = sqlite3.connect(tmp / "var" / "mailbot.db")
    assert db.execute("select count(*) from suppressed").fetchone()[0] == 0
    dovecot.append(BOT, "INBOX", hostile.bounce_of(str(reply.message["Message-ID"]), hostile.CUSTOMER))
    once(settings)
    assert [r[0] for r in db.execute("select address from suppressed")] == [hostile.CUSTOMER]
    db.close()


def test_messages_built_to_stall_intake_are_decided_in_seconds(servers):
    dovecot, smtp, settings, tmp = servers
    for raw in (hostile.pipes_html(), hostile.meter_line(), hostile.spaces_then_x(), hostile.many_parts()):
        dovecot.append(BOT, "INBOX", raw)
    elapsed = once(settings)
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert dovecot.uids(BOT, "INBOX") == []
    assert dovecot.uids(BOT, "Bot/Quarantine") == []
    db = sqlite3.connect(tmp / "var" / "mailbot.db")
    assert db.execute("select count(*), max(length(analysis)) from messages").fetchone()[0] == 4
    assert db.execute("select max(length(analysis)) from messages").fetchone()[0] <= 64_000
    db.close()


def test_a_non_ascii_address_goes_out_with_smtputf8(servers):
    dovecot, smtp, settings, _ = servers
    dovecot.append(BOT, "INBOX", hostile.non_ascii_customer())
    once(settings)
    replies = [m for m in smtp.wait_for(2) if m.message["Auto-Submitted"] == "auto-replied"]
    assert [m.rcpt_tos for m in replies] == [["josé.garcía@gaudemard-tp.fr"]]
    assert "SMTPUTF8" in replies[0].mail_options


def test_without_smtputf8_a_non_ascii_address_goes_to_review_and_sending_goes_on(dovecot, tmp_path):
    with _make(SmtpServer, smtputf8=False) as smtp:
        settings = write_imap_settings(tmp_path, dovecot, smtp.port, more=ROUTING)
        import_sample_directory(settings)
        dovecot.append(BOT, "INBOX", hostile.non_ascii_customer())
        dovecot.append(BOT, "INBOX", (SAMPLES_DIR / "invoice_by_email.eml").read_bytes())
        elapsed = once(settings)
        assert elapsed < 30
        time.sleep(0.3)
        assert all(r.isascii() for m in smtp.messages for r in m.rcpt_tos)
        assert hostile.CUSTOMER in [r for m in smtp.messages for r in m.rcpt_tos], "the other reply went"
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    failed = db.execute("select case_ref, last_error from outbox where state = 'failed'").fetchall()
    assert len(failed) == 1 and "SMTPUTF8" in failed[0][1]
    assert db.execute("select state from cases where ref = ?", [failed[0][0]]).fetchone()[0] == "in_review"
    db.close()
