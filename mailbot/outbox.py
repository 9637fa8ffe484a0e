"""Sending what the outbox table holds: in order, once, and never in intake's way.

A reply is durable once its row is committed with the decision. It is marked
sent the moment the SMTP server accepts it; a server in trouble leaves it
pending for a later pass (30 s later, so an absent server costs one timeout
per half-minute, not one per message); a permanent refusal (5xx) or five
failed attempts give up on that reply and leave it in the table for review.
"""

from __future__ import annotations

import logging
import smtplib
import time
from datetime import datetime, timezone
from typing import Callable

from mailbot.senders import NotAccepted, SendRefused, Sender, Unconfirmed
from mailbot.store import Store

log = logging.getLogger("mailbot.outbox")

MAX_SEND_ATTEMPTS = 5
RETRY_SECONDS = 30.0


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer or refused recipients: sending the same bytes again will fail again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return (isinstance(exc, (smtplib.SMTPResponseException, NotAccepted))
            and 500 <= exc.smtp_code < 600)


def flush(store: Store, sender: Sender, clock: Callable[[], datetime]) -> bool:
    """Send every pending reply, oldest first; False when the server is in trouble."""
    while True:
        rows = store.pending(limit=100)
        if not rows:
            return True
        for row in rows:
            try:
                sender.send(row.raw, row.recipients,
                            commit=lambda: store.mark_sent(row.id, clock()))
            except SendRefused:
                raise
            except Unconfirmed as exc:
                log.error("reply %s: %s; left as unconfirmed, not resent", row.id, exc)
                store.mark_unconfirmed(row.id, str(exc))
                return False
            except Exception as exc:  # noqa: BLE001 - SMTP trouble must not stop intake
                permanent = is_permanent(exc)
                give_up = permanent or row.attempts + 1 >= MAX_SEND_ATTEMPTS
                log.warning("reply %s not sent (%s: %s)%s", row.id, type(exc).__name__, exc,
                            "; giving up" if give_up else "; will retry")
                store.mark_failed(row.id, f"{type(exc).__name__}: {exc}", give_up=give_up)
                if permanent:
                    continue  # this reply is refused; the others may go
                return False


class Outbox:
    """Sends pending replies; after a failure, waits before knocking again.

    Sending happens on the intake thread, right after each batch's decisions
    are committed: on a second thread the "sent" mark would wait for the GIL
    behind the analysis of other messages, widening the window in which a
    crash repeats a reply from microseconds to milliseconds.
    """

    def __init__(self, store: Store, sender: Sender, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] | None = None):
        self.store = store
        self.sender = sender
        self.monotonic = clock
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.retry_at = 0.0

    def flush(self) -> None:
        if self.monotonic() < self.retry_at:
            return
        if flush(self.store, self.sender, self.now):
            self.retry_at = 0.0
        else:
            self.retry_at = self.monotonic() + RETRY_SECONDS

    def seconds_to_retry(self) -> float | None:
        """How long until replies left pending should be tried again (None: nothing waits)."""
        if not self.retry_at:
            return None
        return max(0.0, self.retry_at - self.monotonic())
