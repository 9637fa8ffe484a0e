"""The whole path against real servers: Dovecot IMAP in, aiosmtpd SMTP out.

These tests run the real `mailbot` command (a subprocess, as an operator
would) or the real daemon loop in-process, never a mock of IMAP or SMTP.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.read.analyze import analyze
from mailbot.app import App
from mailbot.config import load_settings
from mailbot.service.daemon import assemble, run
from mailbot.paths import SAMPLES_DIR
from tests.support import (AUTHSERV_ID, BOT, another_request, import_sample_directory, mailbot_env, run_mailbot,
                           start_daemon, stop_daemon, wait_until, write_imap_settings)

OWN = ("contrats.service.wfps@cf.canon.fr",)


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / f"{name}.eml").read_bytes()


def with_message_id(raw: bytes, message_id: str, subject_suffix: str = "") -> bytes:
    """The same mail as another request under another Message-ID (and optionally a tagged subject)."""
    raw = another_request(raw, message_id)
    if subject_suffix:
        raw = re.sub(rb"(?mi)^(Subject:.*)$", lambda m: m.group(1) + subject_suffix.encode(), raw, count=1)
    return raw


def write_settings(tmp_path: Path, dovecot, smtp, **mailbox) -> Path:
    """IMAP and SMTP settings, with the sample directory imported: it knows the samples' senders.
    Keyword arguments are [mailbox] keys."""
    settings = write_imap_settings(tmp_path, dovecot, smtp.port, **mailbox)
    import_sample_directory(settings)
    return settings


def mailbot(settings: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return run_mailbot(settings, *args, timeout=timeout)


def replies_by_parent(smtp) -> dict[str, int]:
    """How many replies each customer message got (forwards to colleagues are not replies)."""
    counts: dict[str, int] = {}
    for received in smtp.messages:
        if received.message["Auto-Submitted"] != "auto-replied":
            continue
        parent = received.message["In-Reply-To"]
        counts[parent] = counts.get(parent, 0) + 1
    return counts


# -- one reply, threaded, exactly once -------------------------------------------


def test_po_change_gets_exactly_one_threaded_reply(dovecot, smtp_server, tmp_path):
    raw = sample("po_change")
    original = message_from_bytes(raw, policy=policy.default)
    dovecot.append(BOT, "INBOX", raw)
    settings = write_settings(tmp_path, dovecot, smtp_server)

    result = mailbot(settings, "once")
    assert result.returncode == 0, result.stderr
    assert "po_change" in result.stdout and "acknowledge" in result.stdout

    [reply] = smtp_server.wait_for(1)
    assert reply.mail_from == ""  # empty envelope sender
    assert reply.rcpt_tos == [original["From"].addresses[0].addr_spec]
    msg = reply.message
    assert msg["In-Reply-To"] == original["Message-ID"]
    assert original["Message-ID"] in msg["References"]
    assert msg["Auto-Submitted"] == "auto-replied"
    assert re.search(r"\[Réf\. WFPS-\d{4}-\d{6}\]", msg["Subject"]), msg["Subject"]
    assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None
    assert dovecot.uids(BOT, "INBOX") == []
    # Complete, but these settings name no [routing] contracts_team: its case waits for a person, and
    # so does the mail, in the review folder.
    assert dovecot.count_under(BOT, "Bot/Review") == 1

    again = mailbot(settings, "once")
    assert again.returncode == 0, again.stderr
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1


def test_automated_messages_get_no_reply(dovecot, smtp_server, tmp_path):
    for name in ("out_of_office", "delivery_report"):
        dovecot.append(BOT, "INBOX", sample(name))
    settings = write_settings(tmp_path, dovecot, smtp_server)

    result = mailbot(settings, "once")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ignore") == 2, result.stdout
    time.sleep(0.5)
    assert smtp_server.messages == []
    assert dovecot.count_under(BOT, "Bot/Processed") == 2


def test_the_same_message_id_twice_is_answered_once(dovecot, smtp_server, tmp_path):
    raw = sample("invoice_by_email")
    dovecot.append(BOT, "INBOX", raw)
    dovecot.append(BOT, "INBOX", raw)  # e.g. sent to two of our addresses
    settings = write_settings(tmp_path, dovecot, smtp_server)

    assert mailbot(settings, "once").returncode == 0
    smtp_server.wait_for(2)
    time.sleep(0.3)
    assert [m.message["Auto-Submitted"] for m in smtp_server.messages] == ["auto-replied", "auto-generated"]
    assert dovecot.uids(BOT, "INBOX") == []


# -- failures ----------------------------------------------------------------------


def test_a_message_that_crashes_is_quarantined_and_the_next_is_answered(dovecot, smtp_server, tmp_path,
                                                                       monkeypatch):
    bad = with_message_id(sample("po_change"), "crash-1@test", subject_suffix=" CRASH-ME")
    good = with_message_id(sample("contract_termination"), "good-1@test")
    dovecot.append(BOT, "INBOX", bad)
    dovecot.append(BOT, "INBOX", good)
    monkeypatch.setenv("MAILBOT_TEST_IMAP_PW", "botpw")
    settings = load_settings(write_settings(tmp_path, dovecot, smtp_server))

    def fragile_analyze(raw: bytes, **kwargs):
        if b"CRASH-ME" in raw:
            raise UnicodeDecodeError("utf-8", raw[:1], 0, 1, "parser exploded")
        return analyze(raw, **kwargs)

    service = assemble(App.build(settings), fragile_analyze)
    store = service.store
    try:
        run(service, threading.Event(), once=True)
    finally:
        service.sender.close()

    smtp_server.wait_for(2)  # the reply, and the forward to the sales contact
    [reply] = [m for m in smtp_server.messages if m.message["Auto-Submitted"] == "auto-replied"]
    assert reply.message["In-Reply-To"] == "<good-1@test>"
    quarantined = dovecot.fetch_all(BOT, "Bot/Quarantine")
    assert len(quarantined) == 1 and b"CRASH-ME" in quarantined[0]
    row = store.db.execute("select state, error, id, json_extract(analysis, '$.message_id') from messages "
                           "where error like '%parser exploded%'").fetchone()
    assert row[0] == "quarantined" and row[3] == "<crash-1@test>"  # kept to find it in the quarantine folder
    store.close()

    requeued = mailbot(write_settings(tmp_path, dovecot, smtp_server), "requeue", str(row[2]))
    assert requeued.returncode == 0, requeued.stderr
    assert "1 quarantined message(s) moved back" in requeued.stdout
    assert dovecot.uids(BOT, "Bot/Quarantine") == [] and len(dovecot.uids(BOT, "INBOX")) == 1
    again = mailbot(write_settings(tmp_path, dovecot, smtp_server), "once")
    assert again.returncode == 0, again.stderr
    smtp_server.wait_for(3)
    replies = [m for m in smtp_server.messages if m.message["Auto-Submitted"] == "auto-replied"]
    assert replies[1].message["In-Reply-To"] == "<crash-1@test>", "answered once the analysis works"


def test_sigkill_mid_batch_then_restart_loses_nothing_and_repeats_nothing(dovecot, smtp_server, tmp_path):
    names = sorted(p.stem for p in SAMPLES_DIR.glob("*.eml"))
    raws = [with_message_id(sample(names[i % len(names)]), f"bulk-{i}@test") for i in range(500)]
    dovecot.multiappend(BOT, "INBOX", raws)
    expected = {f"<bulk-{i}@test>" for i, raw in enumerate(raws)
                if analyze(raw, own_addresses=OWN, authserv_id=AUTHSERV_ID).action in ("acknowledge", "request_info")}
    settings = write_settings(tmp_path, dovecot, smtp_server)
    log = tmp_path / "daemon.log"

    first = start_daemon(settings, log)
    try:
        wait_until(lambda: len(smtp_server.messages) >= 10, 60, "the first replies")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert len(smtp_server.messages) < len(expected), "the kill came too late to test anything"

    second = start_daemon(settings, log)
    try:
        wait_until(lambda: dovecot.uids(BOT, "INBOX") == [], 90, "the inbox to be drained")
        wait_until(lambda: set(replies_by_parent(smtp_server)) >= expected, 30, "every reply")
        time.sleep(0.5)
    finally:
        assert stop_daemon(second) == 0, log.read_text()
    counts = replies_by_parent(smtp_server)
    assert set(counts) == expected
    assert [parent for parent, n in counts.items() if n > 1] == []
    ids = [m.message["Message-ID"] for m in smtp_server.messages]  # forwards included
    assert len(ids) == len(set(ids)), "nothing sent twice"
    moved = sum(dovecot.count_under(BOT, f) for f in ("Bot/Processed", "Bot/Review", "Bot/Quarantine"))
    assert moved == len(raws)


def test_daemon_reconnects_after_dovecot_is_killed_and_restarted(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server)
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    try:
        dovecot.append(BOT, "INBOX", with_message_id(sample("po_change"), "before@test"))
        smtp_server.wait_for(1, timeout=20)
        time.sleep(0.5)  # the daemon is idling again
        dovecot.kill()
        time.sleep(1.0)
        dovecot.restart()
        dovecot.append(BOT, "INBOX", with_message_id(sample("contract_termination"), "after@test"))
        replies = smtp_server.wait_for(2, timeout=45)
        assert replies[1].message["In-Reply-To"] == "<after@test>"
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()
    assert "reconnecting in" in log.read_text()


def test_daemon_waits_for_a_server_that_is_down_at_start(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server)
    dovecot.kill()
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    try:
        wait_until(lambda: "reconnecting in" in log.read_text(), 20, "a logged retry")
        assert daemon.poll() is None, "the daemon must not crash when the server is down"
        dovecot.restart()
        dovecot.append(BOT, "INBOX", sample("equipment_move"))
        smtp_server.wait_for(1, timeout=45)
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()


def test_sigterm_stops_the_daemon_cleanly(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server)
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    wait_until(lambda: "connected to" in log.read_text(), 20, "the daemon to connect")
    started = time.monotonic()
    assert stop_daemon(daemon) == 0
    assert time.monotonic() - started < 15  # one IDLE check interval, plus a loaded CI machine
    assert "Traceback" not in log.read_text()


# -- bad settings -------------------------------------------------------------------


def test_unknown_key_exits_2_naming_it(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[mailbox]\nkind = "imap"\nhots = "x"\n', encoding="utf-8")
    result = mailbot(settings, "once")
    assert result.returncode == 2
    assert "mailbox.hots" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_secret_exits_2_naming_the_variable(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server)
    env = {k: v for k, v in mailbot_env().items() if k != "MAILBOT_TEST_IMAP_PW"}
    result = run_mailbot(settings, "once", env=env, timeout=30)
    assert result.returncode == 2
    assert "mailbox.password_env" in result.stderr and "MAILBOT_TEST_IMAP_PW" in result.stderr
    assert "Traceback" not in result.stderr


def test_refused_login_exits_2_naming_the_server(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server)
    env = mailbot_env(MAILBOT_TEST_IMAP_PW="wrong")
    result = run_mailbot(settings, "once", env=env, timeout=30)
    assert result.returncode == 2
    assert f"{dovecot.host}:{dovecot.port}" in result.stderr and "login refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_ledger_records_each_decision_with_its_evidence(dovecot, smtp_server, tmp_path):
    dovecot.append(BOT, "INBOX", sample("po_change_missing_contract"))
    settings = write_settings(tmp_path, dovecot, smtp_server)
    assert mailbot(settings, "once").returncode == 0
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    state, action, analysis = db.execute("select state, action, analysis from messages").fetchone()
    assert (state, action) == ("done", "request_info")
    assert "contract_number" in json.loads(analysis)["missing"]
    assert json.loads(analysis)["evidence"]
    (outbox_state,) = db.execute("select state from outbox").fetchone()
    assert outbox_state == "sent"


# -- the SMTP edge ----------------------------------------------------------------


def test_replies_wait_in_the_outbox_while_smtp_is_down(dovecot, smtp_server, tmp_path, monkeypatch):
    monkeypatch.setenv("MAILBOT_TEST_IMAP_PW", "botpw")
    settings = load_settings(write_settings(tmp_path, dovecot, smtp_server))
    smtp_server.stop()
    dovecot.append(BOT, "INBOX", sample("po_change"))
    service = assemble(App.build(settings), analyze)
    store = service.store
    try:
        run(service, threading.Event(), once=True)
        assert store.outbox_counts() == {"pending": 1}
        assert dovecot.uids(BOT, "INBOX") == [], "intake goes on while SMTP is down"
        smtp_server.start()
        again = assemble(App.build(settings), analyze)
        run(again, threading.Event(), once=True)
        again.close()
        assert store.outbox_counts() == {"sent": 1}
    finally:
        service.close()
    smtp_server.wait_for(1)
    time.sleep(0.3)
    assert len(smtp_server.messages) == 1


def with_smtp_login(settings: Path) -> None:
    text = settings.read_text(encoding="utf-8").replace(
        '[smtp]\n', '[smtp]\nusername = "bot-smtp"\npassword_env = "MAILBOT_TEST_SMTP_PW"\n')
    settings.write_text(text, encoding="utf-8")


def test_smtp_login_comes_from_the_environment(dovecot, smtp_with_login, tmp_path, monkeypatch):
    settings = write_settings(tmp_path, dovecot, smtp_with_login)
    with_smtp_login(settings)
    dovecot.append(BOT, "INBOX", sample("po_change"))
    monkeypatch.setenv("MAILBOT_TEST_SMTP_PW", "smtppw")
    result = mailbot(settings, "once")
    assert result.returncode == 0, result.stderr
    [reply] = smtp_with_login.wait_for(1)
    assert reply.login == "bot-smtp"


def test_refused_smtp_login_exits_2_naming_the_server(dovecot, smtp_with_login, tmp_path, monkeypatch):
    settings = write_settings(tmp_path, dovecot, smtp_with_login)
    with_smtp_login(settings)
    monkeypatch.setenv("MAILBOT_TEST_SMTP_PW", "wrong")
    result = mailbot(settings, "once")
    assert result.returncode == 2
    assert f"127.0.0.1:{smtp_with_login.port}" in result.stderr and "smtp.username" in result.stderr
    assert "Traceback" not in result.stderr


def _platform_notice() -> bytes:
    """A purchasing platform's notice from a no-reply address, for the buyer of its Reply-To."""
    msg = EmailMessage()
    msg["From"] = "Plateforme achats <ne-pas-repondre@achats.ch-vienne.fr>"
    msg["Reply-To"] = "claire.morel@ch-vienne.fr"
    msg["To"] = "contrats.service.wfps@cf.canon.fr"
    msg["Subject"] = "Commande CHV/2027/00871 – CANON FRANCE"
    msg["Message-ID"] = "<platform-1@achats.ch-vienne.fr>"
    msg.set_content("Une nouvelle commande vous a été adressée.\nN° de commande : CHV/2027/00871\nContrat Canon "
                    "n° 54-220-118, à compter du 1er juillet 2027.\n\nCe message est généré automatiquement.")
    return msg.as_bytes()


@pytest.mark.parametrize("raw", [sample("other_toner_order"), _platform_notice()], ids=["unsure", "no-reply platform"])
def test_unsure_messages_go_to_review_without_reply(dovecot, smtp_server, tmp_path, raw):
    """… and a no-reply platform's notice too: neither it nor the buyer named only in its Reply-To gets a word."""
    dovecot.append(BOT, "INBOX", raw)
    result = mailbot(write_settings(tmp_path, dovecot, smtp_server), "once")
    assert result.returncode == 0, result.stderr
    assert "review" in result.stdout
    assert len(dovecot.uids(BOT, "Bot/Review")) == 1 and dovecot.uids(BOT, "INBOX") == []
    time.sleep(0.3)
    assert smtp_server.messages == []


def test_without_move_the_copy_delete_expunge_path_is_used(dovecot, smtp_server, tmp_path, monkeypatch):
    from mailbot.mail.sources.imap import ImapSource

    connect = ImapSource.connect

    def connect_without_move(self):
        connect(self)
        self.can_move = False  # as on a server that does not offer MOVE (RFC 6851)

    monkeypatch.setattr(ImapSource, "connect", connect_without_move)
    monkeypatch.setenv("MAILBOT_TEST_IMAP_PW", "botpw")
    for name in ("po_change", "out_of_office"):
        dovecot.append(BOT, "INBOX", sample(name))
    service = assemble(App.build(load_settings(write_settings(tmp_path, dovecot, smtp_server))), analyze)
    try:
        run(service, threading.Event(), once=True)
    finally:
        service.close()
    assert dovecot.uids(BOT, "INBOX") == []
    # the out-of-office reply filed as processed; the complete P.O change (no contracts_team) for review
    assert dovecot.count_under(BOT, "Bot/Processed") == 1 and dovecot.count_under(BOT, "Bot/Review") == 1
    assert len(smtp_server.wait_for(1)) == 1


def test_mail_arriving_during_a_pass_is_answered_without_waiting_for_idle(dovecot, smtp_server, tmp_path):
    names = ("po_change", "contract_termination", "equipment_move")
    dovecot.multiappend(BOT, "INBOX", [with_message_id(sample(names[i % 3]), f"early-{i}@test")
                                       for i in range(120)])
    settings = write_settings(tmp_path, dovecot, smtp_server)
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    try:
        smtp_server.wait_for(1, timeout=60)  # the first batch is being answered: a pass is running
        dovecot.append(BOT, "INBOX", with_message_id(sample("po_change"), "late@test"))
        wait_until(lambda: "<late@test>" in replies_by_parent(smtp_server), 30,
                   "the reply to the mail that arrived mid-pass (IDLE renews only every 600 s)")
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()


@pytest.mark.timing
def test_mail_whose_announcement_a_pass_consumed_is_seen_before_idling(dovecot, smtp_server, tmp_path, monkeypatch):
    """A message can arrive while a pass handles nothing new (right after a reconnection): its EXISTS
    comes in the answer of another command, and IDLE would not announce it again for 600 s."""
    import threading
    import time

    from mailbot.config import load_settings
    from mailbot.mail.sources.imap import ImapSource

    monkeypatch.setenv("MAILBOT_TEST_IMAP_PW", "botpw")
    source = ImapSource(load_settings(write_settings(tmp_path, dovecot, smtp_server)))
    source.connect()
    try:
        assert source.waiting() == []
        dovecot.append(BOT, "INBOX", with_message_id(sample("po_change"), "consumed@test"))
        source.client.noop()  # a command of the pass: the EXISTS comes, and goes, with its answer
        started = time.monotonic()
        source.wait(timeout=30, stop=threading.Event())
        assert time.monotonic() - started < 5
        assert len(source.waiting()) == 1
    finally:
        source.close()
