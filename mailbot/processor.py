"""One pass over the mailbox: decide each new message once, reply once, move it.

The order of effects is what makes a crash harmless:

1. the decision, the case and the reply are written in ONE transaction;
2. the reply is sent, then marked sent;
3. the message is moved out of the inbox, then marked done.

A restart after 1 sends the stored reply and moves the message without
analysing it again; after 2 it only moves it; after 3 the message is gone from
the inbox. The only window for a repeated reply is between the SMTP server's
acceptance and the next commit (microseconds); replies carry a stable
Message-ID so such a twin can be recognised downstream.

A message that raises anywhere is recorded with its error and moved to the
quarantine folder; the pass goes on with the next one.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from email.policy import SMTP
from typing import Callable

from mailbot.analysis import Analysis
from mailbot.replies import Bot, build_reply
from mailbot.sources import Incoming, Source
from mailbot.senders import SendRefused, Sender
from mailbot.store import (DECIDED, DONE, DRAFT, DUPLICATE, PENDING, QUARANTINED, SHADOW,
                           MessageKey, Store)

log = logging.getLogger("mailbot.processor")

OUTBOX_STATE = {"auto": PENDING, "draft": DRAFT, "shadow": SHADOW}
ROLE_OF_ACTION = {"acknowledge": "processed", "request_info": "processed",
                  "ignore": "processed", "review": "review"}
MAX_SEND_ATTEMPTS = 5


@dataclass
class Outcome:
    """What happened to one message, for the one-line report."""

    label: str
    situation: str
    action: str
    case_ref: str | None
    state: str
    error: str | None = None

    def line(self) -> str:
        ref = self.case_ref or "-"
        tail = f"  ({self.state}: {self.error})" if self.error else (
            f"  ({self.state})" if self.state not in (DONE, DECIDED) else "")
        return f"{self.label:<32} {self.situation:<24} {self.action:<13} {ref}{tail}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Processor:
    """Ties a source, the pure analysis, the store and a sender together."""

    def __init__(self, *, source: Source, store: Store, sender: Sender, settings, rules,
                 analyze: Callable[..., Analysis], clock: Callable[[], datetime] = utcnow,
                 on_outcome: Callable[[Outcome], None] | None = None):
        self.source = source
        self.store = store
        self.sender = sender
        self.settings = settings
        self.rules = rules
        self.analyze = analyze
        self.clock = clock
        self.on_outcome = on_outcome or (lambda outcome: None)
        self.mode = settings.bot.mode
        self.bot = Bot(settings.bot.address, settings.bot.display_name)
        self.batch_size = settings.mailbox.batch_size
        self.stopping = lambda: False

    # -- one pass --------------------------------------------------------------

    def run_once(self) -> int:
        """Handle everything waiting now; returns how many messages were handled."""
        self.flush_outbox()
        keys = self.source.waiting()
        known = self.store.states(keys)
        for key, row in known.items():
            if row["state"] != DONE and row["destination"]:
                self._finish(key, row["id"], row["destination"])
        new = [k for k in keys if k not in known]
        handled = 0
        for start in range(0, len(new), self.batch_size):
            for incoming in self.source.fetch(new[start:start + self.batch_size]):
                if self.stopping():
                    return handled
                self.handle(incoming)
                handled += 1
        return handled

    def handle(self, incoming: Incoming) -> Outcome:
        try:
            outcome = self._decide(incoming)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the rest
            outcome = self._quarantine(incoming, exc)
        self.on_outcome(outcome)
        return outcome

    # -- steps -----------------------------------------------------------------

    def _decide(self, incoming: Incoming) -> Outcome:
        analysis = self.analyze(incoming.raw, own_addresses=self.settings.own_addresses)
        now = self.clock()
        earlier = self.store.seen_message_id(analysis.message_id)
        if earlier is not None:
            with self.store.db.atomic():
                row_id = self.store.record(incoming.key, now=now, state=DECIDED,
                                           destination="processed", message_id=analysis.message_id,
                                           analysis={**analysis.as_dict(), "action": "ignore"},
                                           case_ref=earlier["case_ref"],
                                           error=f"duplicate of ledger row {earlier['id']}")
            self._finish(incoming.key, row_id, "processed", final=DUPLICATE)
            return Outcome(incoming.label, analysis.situation, "ignore", earlier["case_ref"], DUPLICATE)

        role = ROLE_OF_ACTION.get(analysis.action, "review")
        replying = analysis.action in ("acknowledge", "request_info") and bool(
            analysis.reply_to or analysis.sender)
        year = (analysis.received or now).year
        with self.store.db.atomic():
            case_ref = None
            if analysis.action != "ignore":
                case_ref = self.store.open_case(
                    prefix=self.settings.bot.reference_prefix, year=year,
                    situation=analysis.situation, sender=analysis.sender,
                    message_id=analysis.message_id, now=now)
            row_id = self.store.record(incoming.key, now=now, state=DECIDED, destination=role,
                                       message_id=analysis.message_id,
                                       analysis=analysis.as_dict(), case_ref=case_ref)
            if replying:
                domain = self.bot.address.rpartition("@")[2]
                reply = build_reply(analysis, case_ref=case_ref, rules=self.rules, bot=self.bot,
                                    now=now, message_id=f"<{case_ref}.{row_id}@{domain}>")
                self.store.queue(message_row=row_id, case_ref=case_ref, kind=analysis.action,
                                 recipients=[str(a.addr_spec) for a in reply["To"].addresses],
                                 raw=reply.as_bytes(policy=SMTP), state=OUTBOX_STATE[self.mode], now=now)
        self.flush_outbox(row_id)
        self._finish(incoming.key, row_id, role)
        return Outcome(incoming.label, analysis.situation, analysis.action, case_ref, DONE)

    def _quarantine(self, incoming: Incoming, exc: Exception) -> Outcome:
        error = f"{type(exc).__name__}: {exc}"
        log.error("quarantining %s: %s\n%s", incoming.label, error, traceback.format_exc())
        try:
            with self.store.db.atomic():
                row_id = self.store.record(incoming.key, now=self.clock(), state=DECIDED,
                                           destination="quarantine", error=error)
            self._finish(incoming.key, row_id, "quarantine", final=QUARANTINED)
        except Exception:  # noqa: BLE001 - the store or source is broken: retried next pass
            log.exception("could not quarantine %s; it stays in the inbox", incoming.label)
            raise
        return Outcome(incoming.label, "-", "quarantine", None, QUARANTINED, error)

    def _finish(self, key: MessageKey, row_id: int, role: str, final: str = DONE) -> None:
        """Move the message to its folder, then record that it is there."""
        if self.mode != "shadow":
            self.source.move(key, role)
        self.store.set_state(row_id, final, self.clock())

    def flush_outbox(self, message_row: int | None = None) -> None:
        """Send what waits in the outbox; a failure leaves it for the next pass."""
        for row in self.store.pending(message_row):
            try:
                self.sender.send(row.raw, row.recipients)
            except SendRefused:
                raise
            except Exception as exc:  # noqa: BLE001 - SMTP trouble must not stop intake
                give_up = row.attempts + 1 >= MAX_SEND_ATTEMPTS
                log.warning("reply %s not sent (%s)%s", row.id, exc,
                            "; giving up" if give_up else "; will retry")
                self.store.mark_failed(row.id, f"{type(exc).__name__}: {exc}", give_up=give_up)
                if message_row is None:
                    return  # the server is in trouble: try the rest next pass
                continue
            self.store.mark_sent(row.id, self.clock())
