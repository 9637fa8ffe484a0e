"""Sending what the outbox table holds: in order, once, and never in intake's way.

A reply is durable once its row is committed with the decision. It is marked
sent just before the SMTP server can accept it (see senders.py); a server in
trouble (connection refused or lost, a 4xx answer) leaves it
pending for a later pass (30 s later, so an absent server costs one timeout
per half-minute, not one per message), however long the outage; a permanent
refusal (5xx) or five failures of another kind give up on that reply and leave
it in the table, state "failed", for a person.
"""

from __future__ import annotations

import logging
import smtplib
import time
from datetime import datetime, timezone
from typing import Callable

from mailbot.decide.cases import AWAITING, COMPLETE, IN_REVIEW, ROUTED
from mailbot.mail.senders import NeedsSmtpUtf8, NotAccepted, SendRefused, Sender, Unconfirmed
from mailbot.store import Store

log = logging.getLogger("mailbot.mail.outbox")

MAX_SEND_ATTEMPTS = 5
RETRY_SECONDS = 30.0


def verdict(exc: Exception) -> str:
    """How a failed send counts.

    "permanent": a 5xx answer, or every recipient refused with a 5xx: the same
    bytes will fail again, give up now. "transient": the server is away or
    busy (connection refused or lost, 4xx such as greylisting): keep the reply
    pending as long as it takes, without using up attempts. "attempt": anything
    else counts towards MAX_SEND_ATTEMPTS.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return "permanent" if codes and all(500 <= c < 600 for c in codes) else "transient"
    if isinstance(exc, (smtplib.SMTPResponseException, NotAccepted)):
        if 500 <= exc.smtp_code < 600:
            return "permanent"
        if 400 <= exc.smtp_code < 500:
            return "transient"
    if isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
        return "transient"
    return "attempt"


def flush(store: Store, sender: Sender, clock: Callable[[], datetime]) -> bool:
    """Send every pending reply, oldest first; False when the server is in trouble."""
    while True:
        rows = store.pending(limit=100)
        if not rows:
            return True
        for row in rows:
            try:
                sender.send(row.raw, row.recipients,
                            commit=lambda: store.mark_in_flight(row.id, clock()))
                store.mark_sent(row.id, clock())
            except SendRefused:
                raise
            except Unconfirmed as exc:
                log.error("reply %s: %s; left as unconfirmed, not resent", row.id, exc)
                store.mark_unconfirmed(row.id, str(exc))
                return False
            except NeedsSmtpUtf8 as exc:  # this message only: the others may go
                log.error("reply %s: %s; its case goes to review", row.id, exc)
                store.mark_failed(row.id, f"{type(exc).__name__}: {exc}", give_up=True)
                if row.case_ref:
                    with store.transaction():
                        store.move_case(row.case_ref, IN_REVIEW, f"reply not sent: {exc}", clock(),
                                        only_from=(AWAITING, COMPLETE, ROUTED))
            except Exception as exc:  # noqa: BLE001 - SMTP trouble must not stop intake
                kind = verdict(exc)
                error = f"{type(exc).__name__}: {exc}"
                if kind == "transient":
                    log.warning("reply %s not sent (%s); will retry", row.id, error)
                    store.mark_failed(row.id, error, count=False)
                    return False
                give_up = kind == "permanent" or row.attempts + 1 >= MAX_SEND_ATTEMPTS
                log.warning("reply %s not sent (%s)%s", row.id, error,
                            "; giving up" if give_up else "; will retry")
                store.mark_failed(row.id, error, give_up=give_up)
                if kind != "permanent":
                    return False
                # a permanent refusal concerns this reply only: the others may still go


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
