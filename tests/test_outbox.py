"""How a failed send counts: give up, retry later, or use an attempt."""

import smtplib
import time

import pytest

from mailbot.mail.outbox import verdict
from mailbot.mail.senders import NotAccepted


@pytest.mark.parametrize("exc, kind", [
    (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), "permanent"),
    (smtplib.SMTPRecipientsRefused({"a@x": (450, b"greylisted"), "b@x": (550, b"no")}), "transient"),
    (smtplib.SMTPDataError(554, b"content rejected"), "permanent"),
    (smtplib.SMTPSenderRefused(451, b"try later", "<>"), "transient"),
    (NotAccepted(552, "too big"), "permanent"),
    (NotAccepted(421, "closing"), "transient"),
    (NotAccepted(0, "connection lost before the end of data"), "attempt"),
    (ConnectionRefusedError(111, "refused"), "transient"),
    (smtplib.SMTPServerDisconnected("gone"), "transient"),
    (TimeoutError("timed out"), "transient"),
    (ValueError("something else"), "attempt"),
])
def test_verdict(exc, kind):
    assert verdict(exc) == kind


class Killed(BaseException):
    """The process dies here (a SIGKILL): nothing after this point runs."""


def test_a_stop_between_the_record_and_the_end_of_data_is_flagged_never_lost_silently(tmp_path, smtp_server):
    """The window bench/faults.py found: the reply recorded, the final dot not yet written. The
    server discards the transaction; the row must say "unconfirmed" (a person checks), not "sent"."""
    from datetime import datetime, timezone

    from mailbot.config import load_settings
    from mailbot.mail.outbox import flush
    from mailbot.mail.senders import SmtpSender
    from mailbot.store import DECIDED, IN_FLIGHT, PENDING, SENT, UNCONFIRMED, MessageKey, Store

    now = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
    store = Store(tmp_path / "mailbot.db")
    with store.transaction():
        row = store.record(MessageKey("m", 1, "1"), now=now, state=DECIDED, destination="processed")
        reply = store.queue(message_row=row, case_ref="R", kind="acknowledge", recipients=["a@example.test"],
                            raw=b"From: bot@example.test\r\nSubject: r\r\n\r\nreply\r\n", state=PENDING, now=now)
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[smtp]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {smtp_server.port}\ntls = "none"\n')
    sender = SmtpSender(load_settings(settings))
    real_in_flight = store.mark_in_flight

    def record_then_die(outbox_id, when):
        real_in_flight(outbox_id, when)
        raise Killed

    store.mark_in_flight = record_then_die
    with pytest.raises(Killed):
        flush(store, sender, lambda: now)
    sender._drop()  # the kernel closes the dead process's socket
    store.mark_in_flight = real_in_flight
    [(state, error)] = store.db.execute("select state, last_error from outbox where id = ?", [reply]).fetchall()
    assert (state, error) == (UNCONFIRMED, IN_FLIGHT)

    assert flush(store, sender, lambda: now)  # the restart: nothing pending, nothing sent again
    time.sleep(0.3)
    assert smtp_server.messages == []
    sender.close()

    with store.transaction():
        row2 = store.record(MessageKey("m", 1, "2"), now=now, state=DECIDED, destination="processed")
        second = store.queue(message_row=row2, case_ref="R2", kind="acknowledge", recipients=["b@example.test"],
                             raw=b"From: bot@example.test\r\nSubject: r\r\n\r\nreply\r\n", state=PENDING, now=now)
    assert flush(store, sender, lambda: now)
    smtp_server.wait_for(1)
    assert store.db.execute("select state, last_error from outbox where id = ?", [second]).fetchone() == (SENT, None)
    sender.close()
    store.close()
