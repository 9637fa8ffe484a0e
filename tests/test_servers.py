"""The test servers themselves: what integration tests rely on."""

import os
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient.exceptions import IMAPClientError

from tests import servers
from tests.servers import Dovecot, ServerUnavailable, SmtpServer

BOT, CUSTOMER, ALICE = "bot@example.test", "customer@example.test", "alice@example.test"

VACATION = 'require ["vacation","vacation-seconds"]; vacation :seconds 1 :subject "Absent" "Je suis absent.";'


def mail(subject, sender=ALICE, to=CUSTOMER, body="Bonjour,\n") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = f"<{subject.replace(' ', '.')}@example.test>"
    msg.set_content(body)
    return msg.as_bytes()


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return text[text.rindex(")") + 2] != "Z"


def subjects(raws: list[bytes]) -> list[str]:
    return [line.split(b":", 1)[1].strip().decode()
            for raw in raws for line in raw.splitlines() if line.startswith(b"Subject:")]


# --- Dovecot ------------------------------------------------------------------------

def test_append_returns_a_uid_that_search_finds(dovecot):
    first = dovecot.append(BOT, "INBOX", mail("one"))
    second = dovecot.append(BOT, "INBOX", mail("two"))

    assert second == first + 1
    assert dovecot.uids(BOT) == [first, second]
    with dovecot.client(BOT) as c:
        c.select_folder("INBOX", readonly=True)
        assert c.search(["SUBJECT", "two"]) == [second]
    assert dovecot.uids(CUSTOMER) == []  # mailboxes are per user


def test_append_creates_the_folder_and_multiappend_keeps_order(dovecot):
    assert dovecot.uids(BOT, "Bot/Processed") == []  # missing folder: no error

    assert dovecot.append(BOT, "Bot/Processed", mail("moved")) == 1
    assert dovecot.multiappend(BOT, "Backlog", [mail(f"m{i}") for i in range(5)]) == [1, 2, 3, 4, 5]
    assert subjects(dovecot.fetch_all(BOT, "Backlog")) == ["m0", "m1", "m2", "m3", "m4"]


def test_kill_is_a_crash_and_restart_keeps_mail_and_uidvalidity(dovecot):
    uid = dovecot.append(BOT, "INBOX", mail("survivor"))
    validity = dovecot.uidvalidity(BOT)
    session = dovecot.client(BOT)
    session.select_folder("INBOX")
    tree = dovecot.pids()
    assert len(tree) > 3  # master, log, config, auth, imap-login, imap...

    dovecot.kill()

    assert not [pid for pid in tree if alive(pid)]
    assert dovecot.pid_file.exists()
    # A SIGKILLed master can linger as a zombie, so the stale pid may still exist:
    dovecot.pid_file.write_text(f"{os.getpid()}\n")
    with pytest.raises(IMAPClientError):  # the open session saw its server die
        session.noop()
    session.shutdown()
    with pytest.raises(ConnectionRefusedError):
        dovecot.client(BOT)

    dovecot.restart()

    assert dovecot.uids(BOT) == [uid]
    assert dovecot.uidvalidity(BOT) == validity
    assert subjects(dovecot.fetch_all(BOT)) == ["survivor"]


def test_stop_ends_every_process(dovecot_root):
    with Dovecot(dovecot_root) as d:
        d.append(BOT, "INBOX", mail("x"))
        tree = d.pids()
        d.stop()
        assert not d.running
        assert not [pid for pid in tree if alive(pid)]


def test_deliver_runs_sieve_and_passes_the_null_sender(dovecot, smtp_server):
    dovecot.submission_port = smtp_server.port  # where Sieve sends its replies
    dovecot.sieve_put(CUSTOMER, "absent", VACATION)

    dovecot.deliver(CUSTOMER, mail("bounce"), sender="")  # vacation never answers <>
    assert smtp_server.messages == []
    dovecot.deliver(CUSTOMER, mail("question"), sender=ALICE)  # returns once Sieve has sent

    [reply] = smtp_server.messages
    assert (reply.mail_from, reply.rcpt_tos, reply.message["Subject"]) == ("", [ALICE], "Absent")
    assert subjects(dovecot.fetch_all(CUSTOMER)) == ["bounce", "question"]


def test_a_missing_dovecot_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(servers, "_which", lambda name: None)
    with pytest.raises(ServerUnavailable, match="apt-get install -y dovecot-imapd dovecot-sieve"):
        Dovecot(tmp_path)


# --- SMTP ---------------------------------------------------------------------------

def test_smtp_server_records_envelope_and_message(smtp_server):
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.sendmail(BOT, [ALICE, "x@elsewhere.test"], mail("reply", sender=BOT, to=ALICE))
        client.sendmail("", ["postmaster@elsewhere.test"], mail("bounce"))

    first, bounce = smtp_server.wait_for(2)
    assert (first.mail_from, first.rcpt_tos) == (BOT, [ALICE, "x@elsewhere.test"])
    assert first.message["Subject"] == "reply" and b"Bonjour," in first.raw
    assert (bounce.mail_from, bounce.rcpt_tos) == ("", ["postmaster@elsewhere.test"])

    with pytest.raises(AssertionError, match="expected 3 message"):
        smtp_server.wait_for(3, timeout=0.2)
    smtp_server.clear()
    assert smtp_server.messages == []


def test_smtp_login_is_required_and_checked():
    with SmtpServer(auth=(BOT, "botpw")) as server:
        with smtplib.SMTP(server.host, server.port, timeout=10) as client:
            with pytest.raises(smtplib.SMTPSenderRefused) as refused:
                client.sendmail(BOT, [ALICE], mail("anonymous"))
            assert refused.value.smtp_code == 530
        with smtplib.SMTP(server.host, server.port, timeout=10) as client:
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login(BOT, "wrong")
            client.login(BOT, "botpw")
            client.sendmail(BOT, [ALICE], mail("logged in"))

        [received] = server.wait_for(1)
        assert received.login == BOT


def test_delivering_smtp_puts_local_recipients_mail_in_their_inbox(dovecot, delivering_smtp):
    with smtplib.SMTP(delivering_smtp.host, delivering_smtp.port, timeout=10) as client:
        client.sendmail(BOT, [CUSTOMER, "someone@elsewhere.test"], mail("Votre demande", sender=BOT))

    delivering_smtp.wait_delivered()
    assert subjects(dovecot.fetch_all(CUSTOMER)) == ["Votre demande"]
    assert dovecot.uids(BOT) == [] and dovecot.uids(ALICE) == []
    [received] = delivering_smtp.messages
    assert received.rcpt_tos == [CUSTOMER, "someone@elsewhere.test"]


def test_sieve_vacation_answers_back_through_the_smtp_server(dovecot, delivering_smtp):
    dovecot.sieve_put(CUSTOMER, "absent", VACATION)

    with smtplib.SMTP(delivering_smtp.host, delivering_smtp.port, timeout=10) as client:
        client.sendmail(ALICE, [CUSTOMER], mail("Changement de P.O"))

    original, reply = delivering_smtp.wait_for(2)
    assert original.mail_from == ALICE
    assert (reply.mail_from, reply.rcpt_tos) == ("", [ALICE])
    assert reply.message["Auto-Submitted"].startswith("auto-replied")
    assert reply.message["Subject"] == "Absent"
    assert reply.message["In-Reply-To"] == original.message["Message-ID"]
    delivering_smtp.wait_delivered()
    assert subjects(dovecot.fetch_all(CUSTOMER)) == ["Changement de P.O"]
    assert subjects(dovecot.fetch_all(ALICE)) == ["Absent"]  # the reply was delivered too
