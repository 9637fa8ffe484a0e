"""The ordinary bad days of a real mail system, against the real servers of the suite (issue #11).

Faults are injected the way they happen: the directory behind Dovecot is down
(its first passdb answers "temporary failure": NO [UNAVAILABLE]), the session
is kicked (`doveadm kick`), the server process is frozen (SIGSTOP), the SMTP
relay answers AUTH with 454. A bad moment is retried and never stops intake;
only refused credentials stop mailbot (exit 2).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time

import pytest

from mailbot.mail.senders import CREDENTIALS_REFUSED
from mailbot.mail.sources.imap import credentials_refused, server_name
from tests.support import BOT, mailbot_env, run_mailbot, start_daemon, stop_daemon, wait_until
from tests.test_daemon_imap import sample, with_message_id, with_smtp_login, write_settings


@pytest.mark.parametrize("refusal, final", [
    ("login failed: b'[AUTHENTICATIONFAILED] Authentication failed.'", True),
    ("login failed: b'Authentication failed.'", True),  # no code: as before RFC 5530
    ("login failed: b'[UNAVAILABLE] Temporary authentication failure. [vm:2026-12-05]'", False),
    ("login failed: b'[LIMIT] Maximum number of connections from user+IP exceeded'", False),
    ("login failed: b'[INUSE] Mailbox in use'", False),
    ("login failed: b'[SERVERBUG] Internal error'", False),
])
def test_which_login_refusals_are_final(refusal, final):
    assert credentials_refused(refusal) is final


def test_only_535_refuses_smtp_credentials():
    assert CREDENTIALS_REFUSED == 535


def test_a_directory_outage_at_start_is_waited_out_not_blamed_on_the_password(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server)
    dovecot.auth_unavailable()
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    try:
        wait_until(lambda: "[UNAVAILABLE]" in log.read_text() and "reconnecting in" in log.read_text(), 30,
                   "a logged retry naming the server's [UNAVAILABLE]")
        assert daemon.poll() is None, log.read_text()
        dovecot.auth_unavailable(False)
        dovecot.append(BOT, "INBOX", sample("po_change"))
        smtp_server.wait_for(1, timeout=60)
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()
    assert "login refused" not in log.read_text()


def test_a_session_dropped_while_the_directory_is_down_does_not_stop_the_daemon(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server)
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    try:
        wait_until(lambda: "connected to" in log.read_text(), 30, "the daemon to connect")
        dovecot.auth_unavailable()
        dovecot.doveadm("kick", BOT)
        wait_until(lambda: "[UNAVAILABLE]" in log.read_text(), 30, "a failed reconnection")
        time.sleep(3)  # the old behaviour exited 2 within 3 s
        assert daemon.poll() is None, log.read_text()
        dovecot.auth_unavailable(False)
        dovecot.append(BOT, "INBOX", with_message_id(sample("po_change"), "after-outage@test"))
        [reply] = smtp_server.wait_for(1, timeout=60)
        assert reply.message["In-Reply-To"] == "<after-outage@test>"
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()


def test_once_gives_up_with_status_1_while_the_directory_stays_down(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server)
    dovecot.auth_unavailable()
    result = run_mailbot(settings, "once", timeout=90)
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("mailbot: error:") and "[UNAVAILABLE]" in last and "gave up after" in last
    assert "Traceback" not in result.stderr


def test_a_454_from_the_relay_keeps_replies_waiting_and_intake_going(dovecot, smtp_with_login, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_with_login)
    with_smtp_login(settings)
    env_password = {"MAILBOT_TEST_SMTP_PW": "smtppw"}
    smtp_with_login.auth_unavailable = True
    dovecot.append(BOT, "INBOX", sample("po_change"))
    first = run_mailbot(settings, "once", env=mailbot_env(**env_password), timeout=90)
    assert first.returncode == 0, first.stderr
    assert "454" in first.stderr and "smtp.username" not in first.stderr
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    assert db.execute("select count(*) from messages where state = 'done'").fetchone() == (1,)
    [(state, error)] = db.execute("select state, last_error from outbox where kind != 'forward'").fetchall()
    assert state == "pending" and "454" in error
    assert smtp_with_login.messages == []

    smtp_with_login.auth_unavailable = False
    second = run_mailbot(settings, "once", env=mailbot_env(**env_password), timeout=90)
    assert second.returncode == 0, second.stderr
    smtp_with_login.wait_for(1, timeout=20)
    rows = db.execute("select state, last_error from outbox").fetchall()
    assert all(state == "sent" and not error for state, error in rows), rows


def test_a_454_while_running_does_not_stop_the_daemon(dovecot, smtp_with_login, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_with_login)
    with_smtp_login(settings)
    smtp_with_login.auth_unavailable = True
    log = tmp_path / "daemon.log"
    with open(log, "ab") as out:
        daemon = subprocess.Popen([sys.executable, "-m", "mailbot", "-v", "--settings", str(settings), "run"],
                                  stdout=out, stderr=subprocess.STDOUT,
                                  env=mailbot_env(MAILBOT_TEST_SMTP_PW="smtppw"))
    try:
        wait_until(lambda: "connected to" in log.read_text(), 30, "the daemon to connect")
        dovecot.append(BOT, "INBOX", sample("po_change"))
        wait_until(lambda: "will retry" in log.read_text(), 30, "the reply left pending")
        time.sleep(2)
        assert daemon.poll() is None, log.read_text()
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()
    assert "454" in log.read_text() and "smtp.username" not in log.read_text()


def _session_pids(dovecot) -> list[int]:
    """The pids of the imap processes serving the bot (`doveadm who`: "user n imap (pid pid) (ip)")."""
    return [int(p) for line in dovecot.doveadm("who").splitlines() if line.startswith(BOT)
            for p in re.findall(r"\d+", line.split("(", 1)[1].split(")", 1)[0])]


def test_a_frozen_server_is_noticed_within_60_seconds(dovecot, smtp_server, tmp_path):
    """SIGSTOP on the imap process serving the idle session: it sends nothing, its socket stays open
    (the kernel still ACKs), as with a frozen server or an index rebuilt under the session."""
    import signal

    settings = write_settings(tmp_path, dovecot, smtp_server, timeout_seconds=30)  # the default
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    frozen: list[int] = []
    try:
        wait_until(lambda: "connected to" in log.read_text(), 30, "the daemon to connect")
        time.sleep(1.0)  # idling
        frozen = wait_until(lambda: _session_pids(dovecot), 10, "the session's imap process")
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        stopped = time.monotonic()
        wait_until(lambda: "reconnecting in" in log.read_text(), 70, "the silent connection to be noticed")
        noticed = time.monotonic() - stopped
        assert noticed < 60, f"noticed after {noticed:.1f} s"
        dovecot.append(BOT, "INBOX", with_message_id(sample("po_change"), "after-freeze@test"))
        [reply] = smtp_server.wait_for(1, timeout=60)
        assert reply.message["In-Reply-To"] == "<after-freeze@test>"
        print(f"frozen server noticed after {noticed:.1f} s")
    finally:
        for pid in frozen:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert stop_daemon(daemon) == 0, log.read_text()


# -- the server's hierarchy: separator and personal namespace -----------------------------


@pytest.mark.parametrize("configured, prefix, separator, expected", [
    ("Bot/Processed", "", "/", "Bot/Processed"),
    ("Bot/Processed/po_change", "", ".", "Bot.Processed.po_change"),
    ("Bot.Processed/po_change", "", ".", "Bot.Processed.po_change"),
    ("Bot/Review", "INBOX.", ".", "INBOX.Bot.Review"),
    ("INBOX", "INBOX.", ".", "INBOX"),
    ("INBOX/Contrats", "INBOX.", ".", "INBOX.Contrats"),
    ("Bot/Processed", "", None, "Bot/Processed"),  # a flat server: the name as written
])
def test_server_names(configured, prefix, separator, expected):
    assert server_name(configured, prefix, separator) == expected


@pytest.fixture
def dotted_dovecot(dovecot_root, request):
    """A Dovecot whose hierarchy separator is "." and whose personal folders may sit under a prefix."""
    from tests.servers import Dovecot

    server = Dovecot(dovecot_root, separator=".", prefix=getattr(request, "param", ""))
    server.start()
    yield server
    server.kill()


@pytest.mark.parametrize("dotted_dovecot, processed, expected", [
    ("", "Bot/Processed", "Bot.Processed.equipment_move"),
    ("", "Bot.Processed", "Bot.Processed.equipment_move"),
    ("INBOX.", "Bot/Processed", "INBOX.Bot.Processed.equipment_move"),
], indirect=["dotted_dovecot"])
def test_folders_follow_the_servers_separator_and_namespace(dotted_dovecot, smtp_server, tmp_path, processed,
                                                            expected):
    settings = write_settings(tmp_path, dotted_dovecot, smtp_server, processed_folder=processed)
    dotted_dovecot.append(BOT, "INBOX", sample("equipment_move"))  # complete, forwarded to its sales contact
    result = run_mailbot(settings, "once", timeout=90)
    assert result.returncode == 0, result.stderr
    assert len(dotted_dovecot.uids(BOT, expected)) == 1
    assert dotted_dovecot.uids(BOT, "INBOX") == []
    client = dotted_dovecot.client(BOT)
    names = {name for _, _, name in client.list_folders()}
    client.logout()
    prefix = "INBOX." if expected.startswith("INBOX.") else ""
    # every folder a message may go to was made at connect, before anything was decided
    assert {f"{prefix}Bot.Review", f"{prefix}Bot.Quarantine", f"{expected[:-len('equipment_move')]}po_change"} <= names


def test_a_folder_the_server_refuses_stops_before_anything_is_decided(dovecot, smtp_server, tmp_path):
    settings = write_settings(tmp_path, dovecot, smtp_server, review_folder="~Bot/Review")
    dovecot.append(BOT, "INBOX", sample("po_change"))
    result = run_mailbot(settings, "once", timeout=90)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("mailbot: error: mailbox.review_folder:") and "~Bot/Review" in line
    assert smtp_server.messages == [] and len(dovecot.uids(BOT, "INBOX")) == 1
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    assert db.execute("select count(*) from messages").fetchone() == (0,)


def test_a_message_without_message_id_is_answered_once_across_a_uidvalidity_change(dovecot, smtp_server,
                                                                                    tmp_path):
    raw = re.sub(rb"(?mi)^Message-ID:.*\r?\n", b"", sample("po_change"), count=1)
    assert b"message-id" not in raw.lower()
    settings = write_settings(tmp_path, dovecot, smtp_server)
    settings.write_text(settings.read_text().replace("[mailbox]\n", '[mailbox]\nfolder = "Contrats"\n', 1))
    client = dovecot.client(BOT)
    client.create_folder("Contrats")
    client.logout()
    dovecot.append(BOT, "Contrats", raw)
    assert run_mailbot(settings, "once", timeout=90).returncode == 0
    smtp_server.wait_for(1, timeout=20)
    sent = len(smtp_server.messages)
    before = dovecot.uidvalidity(BOT, "Contrats")

    # The folder is renumbered (deleted and made again) and holds the same message, under a new UID.
    client = dovecot.client(BOT)
    client.delete_folder("Contrats")
    client.create_folder("Contrats")
    client.logout()
    dovecot.append(BOT, "Contrats", raw)
    assert dovecot.uidvalidity(BOT, "Contrats") != before
    result = run_mailbot(settings, "once", timeout=90)
    assert result.returncode == 0, result.stderr
    time.sleep(1.0)
    assert len(smtp_server.messages) == sent, "answered again"
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    rows = db.execute("select error, case_ref from messages order by id").fetchall()
    assert len(rows) == 2 and rows[1][0].startswith("duplicate of ledger row") and rows[0][1] == rows[1][1]
    assert db.execute("select count(*) from cases").fetchone() == (1,)


def test_a_stop_between_the_move_and_the_ledger_update_is_repaired_at_start(dovecot, smtp_server, tmp_path):
    """The state a SIGKILL leaves between the MOVE and the ledger update: the messages are in their
    folders, their rows still say "decided". The next start records them as filed, sends nothing."""
    settings = write_settings(tmp_path, dovecot, smtp_server)
    for n in range(3):
        dovecot.append(BOT, "INBOX", with_message_id(sample("po_change"), f"moved-{n}@test"))
    assert run_mailbot(settings, "once", timeout=90).returncode == 0
    smtp_server.wait_for(3, timeout=20)
    time.sleep(0.5)
    sent = len(smtp_server.messages)
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    with db:
        db.execute("update messages set state = 'decided'")
    result = run_mailbot(settings, "-v", "once", timeout=90)
    assert result.returncode == 0, result.stderr
    assert "3 decided message(s) had already left" in result.stderr
    assert db.execute("select state, count(*) from messages group by state").fetchall() == [("done", 3)]
    time.sleep(0.5)
    assert len(smtp_server.messages) == sent


# -- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs for the database (mounting needs root, as CI runs; nothing is skipped)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"the full-disk tests mount a small tmpfs, as root: {done.stderr.strip()}"
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk) -> object:
    """Fill ``disk`` to the last byte; returns the filler file (delete it to free the space)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 1):  # big writes, then the last bytes one by one
            try:
                while os.write(fd, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def settings_on(disk, tmp_path, dovecot, smtp):
    from tests.support import import_sample_directory, write_imap_settings

    settings = write_imap_settings(tmp_path, dovecot, smtp.port)
    settings.write_text(settings.read_text().replace('path = "var/mailbot.db"', f'path = "{disk}/mailbot.db"'))
    import_sample_directory(settings)
    return settings


def test_a_full_disk_at_start_is_one_line_and_status_3(dovecot, smtp_server, tmp_path, small_disk):
    settings = settings_on(small_disk, tmp_path, dovecot, smtp_server)
    (small_disk / "mailbot.db").unlink()  # a fresh database, on a disk with no room for it
    for extra in small_disk.glob("mailbot.db-*"):
        extra.unlink()
    fill(small_disk)
    dovecot.append(BOT, "INBOX", sample("po_change"))
    result = run_mailbot(settings, "once", timeout=90)
    assert result.returncode == 3, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"mailbot: error: database {small_disk}/mailbot.db: "), line
    assert len(dovecot.uids(BOT, "INBOX")) == 1 and smtp_server.messages == []


def big_request(message_id: str) -> bytes:
    """A request whose copy in the case's history needs a megabyte of database."""
    raw = with_message_id(sample("po_change"), message_id)
    head, _, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    padding = b"\n".join(b"x" * 76 for _ in range(14000))
    return re.sub(rb"(?mi)^Content-Type:.*$", b"Content-Type: text/plain; charset=utf-8", head, count=1) + \
        b"\n\n" + body + b"\n\n" + padding + b"\n"


def test_a_disk_that_fills_while_running_is_waited_out_and_nothing_is_lost(dovecot, smtp_server, tmp_path,
                                                                           small_disk):
    settings = settings_on(small_disk, tmp_path, dovecot, smtp_server)
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    try:
        wait_until(lambda: "connected to" in log.read_text(), 30, "the daemon to connect")
        filler = fill(small_disk)
        dovecot.append(BOT, "INBOX", big_request("full-disk@test"))
        wait_until(lambda: "trying again in" in log.read_text(), 30, "the full disk to be noticed")
        assert f"database {small_disk}/mailbot.db" in log.read_text()
        time.sleep(2)
        assert daemon.poll() is None, log.read_text()
        assert smtp_server.messages == [] and len(dovecot.uids(BOT, "INBOX")) == 1
        filler.unlink()  # the operator frees the disk
        [reply] = smtp_server.wait_for(1, timeout=90)
        assert reply.message["In-Reply-To"] == "<full-disk@test>"
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()
    assert "Traceback" not in log.read_text()
    db = sqlite3.connect(small_disk / "mailbot.db")
    assert db.execute("select state, count(*) from messages group by state").fetchall() == [("done", 1)]


def test_the_daemon_gives_up_with_local_problem_when_the_disk_stays_full(tmp_path, small_disk, monkeypatch):
    import threading

    from mailbot.service import daemon as daemon_module
    from mailbot.read.analyze import analyze
    from mailbot.app import App
    from mailbot.config import load_settings
    from mailbot.store import LocalProblem

    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'[mailbox]\npath = "mail"\npoll_seconds = 1\n[smtp]\npath = "outbox"\n'
                             f'[database]\npath = "{small_disk}/mailbot.db"\n[analysis]\nworkers = 0\n')
    service = daemon_module.assemble(App.build(load_settings(settings_file)), analyze)
    inbox = tmp_path / "mail" / "new"
    inbox.mkdir(parents=True)
    fill(small_disk)
    (inbox / "1.big").write_bytes(big_request("stays-full@test"))
    monkeypatch.setattr(daemon_module, "LOCAL_ATTEMPTS", 2)
    started = time.monotonic()
    try:
        with pytest.raises(LocalProblem, match=r"database .*mailbot\.db: .*gave up after 2 attempts"):
            daemon_module.run(service, threading.Event())
    finally:
        service.close()
    assert time.monotonic() - started < 30
    assert (inbox / "1.big").exists()  # still waiting in the inbox: nothing decided was lost


@pytest.mark.parametrize("exc, local", [
    (sqlite3.OperationalError("database or disk is full"), True),
    (sqlite3.OperationalError("attempt to write a readonly database"), True),
    (sqlite3.DatabaseError("file is not a database"), True),
    (sqlite3.IntegrityError("UNIQUE constraint failed"), False),  # a bug of ours, not the machine's
    (OSError(28, "No space left on device"), True),
    (OSError(30, "Read-only file system"), True),
    (PermissionError(13, "Permission denied"), True),
    (ConnectionRefusedError(111, "Connection refused"), False),
    (TimeoutError("timed out"), False),
])
def test_what_is_a_local_problem(exc, local):
    from mailbot.store import is_local_problem

    assert is_local_problem(exc) is local


def test_a_read_only_maildir_is_a_local_problem_not_a_reconnection(tmp_path, small_disk):
    """The Maildir inbox on a file system remounted read-only: `once` stops with status 3 naming it,
    instead of "reconnecting" forever; the decision is kept and the next start files the message."""
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[mailbox]\npath = "{small_disk}/mail"\n[smtp]\npath = "outbox"\n'
                        f'[database]\npath = "var/mailbot.db"\n[analysis]\nworkers = 0\n')
    inbox = small_disk / "mail" / "new"
    inbox.mkdir(parents=True)
    (inbox / "po_change").write_bytes(sample("po_change"))
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        result = run_mailbot(settings, "once", timeout=90)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert result.returncode == 3, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("mailbot: error: local problem: ") and "Read-only file system" in line, line
    assert "reconnecting" not in result.stderr
    again = run_mailbot(settings, "once", timeout=90)
    assert again.returncode == 0, again.stderr
    assert list(inbox.iterdir()) == []
