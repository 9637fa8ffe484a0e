"""The ledger and outbox: what makes a crash harmless, checked without servers."""

from datetime import datetime, timezone

import pytest

from mailbot.store import DECIDED, DONE, FAILED, PENDING, SENT, MessageKey, Store, migrations

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
KEY = MessageKey("imap://bot@host/INBOX", 42, "7")


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "var" / "m.db")
    yield s
    s.close()


def test_migrations_are_recorded_and_not_run_twice(tmp_path):
    path = tmp_path / "m.db"
    Store(path).close()
    again = Store(path)
    assert [m.name for m in migrations.applied(again.db)] == ["m001_ledger_cases_outbox",
                                                          "m002_loop_safety", "m003_directory",
                                                          "m004_cases_across_messages",
                                                          "m005_hostile_mail", "m006_number_keys",
                                                          "m007_fingerprints", "m008_actions", "m009_people", "m010_digests"]
    assert again.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    again.close()


def test_a_key_is_recorded_once(store):
    with store.transaction():
        store.record(KEY, now=NOW, state=DECIDED, destination="processed", message_id="<a@b>")
    with pytest.raises(Exception):
        with store.transaction():
            store.record(KEY, now=NOW, state=DECIDED, destination="processed", message_id="<a@b>")
    assert list(store.states([KEY, MessageKey(KEY.mailbox, 42, "8")])) == [KEY]


def test_same_uid_under_another_uidvalidity_is_another_message(store):
    with store.transaction():
        store.record(KEY, now=NOW, state=DONE, destination="processed")
    assert store.states([MessageKey(KEY.mailbox, 43, "7")]) == {}


def test_a_message_id_already_decided_is_found(store):
    assert store.seen_message_id("<a@b>") is None
    with store.transaction():
        store.record(KEY, now=NOW, state=DECIDED, destination="processed", message_id="<a@b>",
                     case_ref="WFPS-2026-000001")
    assert store.seen_message_id("<a@b>")["case_ref"] == "WFPS-2026-000001"
    assert store.seen_message_id(None) is None


def test_case_references_follow_each_other(store):
    with store.transaction():
        first = store.open_case(prefix="WFPS", year=2026, situation="po_change", sender="a@b",
                                message_id="<1@b>", now=NOW)
        second = store.open_case(prefix="WFPS", year=2026, situation="po_change", sender="a@b",
                                 message_id="<2@b>", now=NOW)
    assert (first, second) == ("WFPS-2026-000001", "WFPS-2026-000002")


def test_a_rolled_back_decision_leaves_no_reply_behind(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            row = store.record(KEY, now=NOW, state=DECIDED, destination="processed")
            store.queue(message_row=row, case_ref="R", kind="acknowledge", recipients=["a@b"],
                        raw=b"x", state=PENDING, now=NOW)
            raise RuntimeError("crash before commit")
    assert store.pending() == [] and store.states([KEY]) == {}


def test_outbox_sent_once_and_gives_up_after_failures(store):
    with store.transaction():
        row = store.record(KEY, now=NOW, state=DECIDED, destination="processed")
        first = store.queue(message_row=row, case_ref="R", kind="acknowledge", recipients=["a@b"],
                            raw=b"reply", state=PENDING, now=NOW)
    [pending] = store.pending()
    assert (pending.id, pending.recipients, pending.raw) == (first, ["a@b"], b"reply")
    store.mark_failed(first, "SMTPServerDisconnected")
    assert store.pending()[0].attempts == 1
    store.mark_sent(first, NOW)
    assert store.pending() == [] and store.outbox_counts() == {SENT: 1}

    other = MessageKey(KEY.mailbox, 42, "9")
    with store.transaction():
        row2 = store.record(other, now=NOW, state=DECIDED, destination="processed")
        second = store.queue(message_row=row2, case_ref="R2", kind="acknowledge", recipients=["c@d"],
                             raw=b"r2", state=PENDING, now=NOW)
    store.mark_failed(second, "550 no such user", give_up=True)
    assert store.pending() == [] and store.outbox_counts()[FAILED] == 1


def _keys(store):
    return sorted(r[0] for r in store.db.execute("select uid from messages"))


def test_a_transaction_inside_another_is_a_savepoint(store):
    def record(uid):
        store.record(MessageKey(KEY.mailbox, 42, uid), now=NOW, state=DECIDED, destination="review")

    with store.transaction():
        record("a")
        with pytest.raises(RuntimeError):
            with store.transaction():  # a method that writes several rows, called within a caller's
                record("b")
                raise RuntimeError("the inner step fails")
        with store.transaction():
            record("c")
    assert _keys(store) == ["a", "c"]  # the inner failure undid its own row only

    with pytest.raises(RuntimeError):
        with store.transaction():
            record("d")
            with store.transaction():
                record("e")
            raise RuntimeError("the outer step fails")
    assert _keys(store) == ["a", "c"]  # released savepoints go with their transaction
    assert not store.db.conn.in_transaction


def test_an_outbox_row_needs_no_incoming_message(store, tmp_path):
    """A digest or a reply written by a person answers no ledger row; it is sent like the others."""
    from mailbot.mail.outbox import flush

    class Sink:
        sent: list[bytes] = []

        def send(self, raw, recipients, commit):
            commit()
            self.sent.append(raw)

    with store.transaction():
        first = store.queue(message_row=None, case_ref=None, kind="digest", recipients=["manager@cf.canon.fr"],
                            raw=b"digest 1", state=PENDING, now=NOW)
        second = store.queue(message_row=None, case_ref=None, kind="digest", recipients=["other@cf.canon.fr"],
                             raw=b"digest 2", state=PENDING, now=NOW)
    sink = Sink()
    assert flush(store, sink, lambda: NOW)
    assert sink.sent == [b"digest 1", b"digest 2"]
    assert [store.outbox_row(i).state for i in (first, second)] == [SENT, SENT]


def test_a_database_made_by_the_previous_release_opens_and_works(tmp_path):
    """The release before the decision chain: its rows have no chain, and everything still reads them."""
    import gzip
    import sqlite3
    from pathlib import Path

    from mailbot.paths import SAMPLES_DIR
    from tests.support import run_mailbot

    var = tmp_path / "var"
    var.mkdir()
    old = sqlite3.connect(var / "mailbot.db")
    old.executescript(gzip.decompress((Path(__file__).parent / "fixtures" / "release-baf0c73.sql.gz")
                                      .read_bytes()).decode())
    old.close()
    settings = tmp_path / "settings.toml"
    settings.write_text('[mailbox]\npath = "var/mail"\n[smtp]\npath = "var/outbox"\n[database]\npath = '
                        '"var/mailbot.db"\n[routing]\ncontracts_team = "equipe.contrats@cf.canon.fr"\n'
                        '[analysis]\nworkers = 0\n', encoding="utf-8")
    reopened = Store(var / "mailbot.db")
    assert [m.name for m in migrations.applied(reopened.db)][-1] == "m010_digests"
    assert reopened.db.execute("select count(*) from messages").fetchone()[0] == 13
    reopened.close()

    queue = run_mailbot(settings, "review", "list")
    assert queue.returncode == 0, queue.stderr
    assert "why: " in queue.stdout and "why: read by nobody" not in queue.stdout  # old rows' reasons still read
    explained = run_mailbot(settings, "explain", "1")
    assert explained.returncode == 0, explained.stderr
    assert "decided before the decision chain was recorded" in explained.stdout

    mail = var / "mail" / "new"
    mail.mkdir(parents=True)
    again = (SAMPLES_DIR / "po_change.eml").read_bytes().replace(b"Message-ID: <", b"Message-ID: <again.")
    assert b"<again." in again
    (mail / "again.eml").write_bytes(again)
    assert run_mailbot(settings, "once").returncode == 0
    new = run_mailbot(settings, "explain", "14")
    assert new.returncode == 0, new.stderr
    assert new.stdout.splitlines()[-1].startswith("final action: ") and "duplicate" not in new.stdout.splitlines()[-1]
