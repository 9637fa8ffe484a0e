"""One pass over the mailbox: decide each new message once, reply once, move it.

The order of effects is what makes a crash harmless:

1. the decision and the reply are written in ONE transaction;
2. the batch's replies are sent from the outbox table (each marked sent just before
   SMTP's final dot);
3. the batch's messages are moved out of the inbox, then marked done.

A restart after 1 sends the stored replies and moves the messages without
analysing them again; after 2 it only moves them. A reply the SMTP server
cannot take now stays pending and never holds up intake. A Message-ID
already decided is not decided again (the same mail delivered twice). A reply
is marked sent just before SMTP's final dot (see senders.py), so a crash never
repeats it; replies also carry a stable Message-ID.

A message that raises anywhere is recorded with its error and moved to the
quarantine folder; the pass goes on with the next one.

Trust (directory.py): before a reply is queued, in the same transaction, a
sensitive situation (``sensitive = true`` in situations.toml) from a sender
whose domain is not in the customer directory, or with no directory loaded,
and any message whose numbers disagree with the directory (a serial not on
the contract given, a contract of another customer), goes to review with the
reason; every outcome is recorded as evidence (stage "trust").

Loop safety (limits.py, bounces.py) is checked against the database in the
transaction that would queue the reply: an address that bounced, or one
answered ``per_sender`` times already, or a case answered ``per_case`` times,
sends the message to review instead (the reason is in the analysis); past
``per_hour`` replies in the last hour the reply is queued "held" and an alert
is recorded, while reading and deciding go on. Held replies are released,
oldest first, at the start of a pass, as far as the hourly count allows.
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from mailbot import bounces, directory
from mailbot.analysis import Analysis, Evidence
from mailbot.limits import HOLD, REPLY, REVIEW, Limits, Usage, Verdict, judge
from mailbot.outbox import Outbox
from mailbot.replies import Bot, build_reply
from mailbot.sources import Incoming, Source
from mailbot.store import (DECIDED, DONE, DRAFT, DUPLICATE, HELD, OUTGOING, PENDING, QUARANTINED,
                           SHADOW, MessageKey, Store, StoreDirectory)

log = logging.getLogger("mailbot.processor")

OUTBOX_STATE = {"auto": PENDING, "draft": DRAFT, "shadow": SHADOW}
ROLE_OF_ACTION = {"acknowledge": "processed", "request_info": "processed",
                  "ignore": "processed", "review": "review"}
REPLY_ACTIONS = ("acknowledge", "request_info")
BRAKE = "brake"  # the alert kind of the global brake
HOUR = timedelta(hours=1)


@dataclass
class Outcome:
    """What happened to one message: the one-line report, and where it goes."""

    label: str
    situation: str
    action: str
    case_ref: str | None
    state: str
    key: MessageKey | None = None
    row_id: int | None = None
    role: str = "processed"
    error: str | None = None
    held: bool = False  # the reply waits in the outbox: the global brake is on

    def line(self) -> str:
        ref = self.case_ref or "-"
        tail = f"  ({self.state}: {self.error})" if self.error else (
            f"  ({self.state})" if self.state not in (DONE, DECIDED) else
            "  (reply held: sending stopped)" if self.held else "")
        return f"{self.label:<32} {self.situation:<24} {self.action:<13} {ref}{tail}"


class UnreadableMessage(Exception):
    """The source could not give the message's bytes."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Processor:
    """Ties a source, the pure analysis, the store and the outbox together."""

    def __init__(self, *, source: Source, store: Store, outbox: Outbox, settings, rules,
                 analyze: Callable[..., Analysis], clock: Callable[[], datetime] = utcnow,
                 on_outcome: Callable[[Outcome], None] | None = None):
        self.source = source
        self.store = store
        self.outbox = outbox
        self.settings = settings
        self.rules = rules
        self.analyze = analyze
        self.clock = clock
        self.on_outcome = on_outcome or (lambda outcome: None)
        self.mode = settings.bot.mode
        self.bot = Bot(settings.bot.address, settings.bot.display_name)
        self.batch_size = settings.mailbox.batch_size
        self.limits = Limits.from_settings(settings.limits)
        # What the limits count: what goes out without a person, and in shadow
        # or draft mode also this mode's own rows, so they show what auto would do.
        self.counted = tuple(dict.fromkeys((*OUTGOING, OUTBOX_STATE[self.mode])))
        self.stopping = lambda: False
        self.directory = StoreDirectory(store)

    # -- one pass --------------------------------------------------------------

    def run_once(self) -> int:
        """Handle everything waiting now; returns how many new messages were handled."""
        self.release_held()
        self.outbox.flush()
        keys = self.source.waiting()
        known = self.store.states(keys)
        self._finish([Outcome("", "", "", row["case_ref"],
                              QUARANTINED if row["destination"] == "quarantine" else DONE,
                              key, row["id"], row["destination"])
                      for key, row in known.items() if row["state"] == DECIDED and row["destination"]])
        new = [k for k in keys if k not in known]
        handled = 0
        for start in range(0, len(new), self.batch_size):
            outcomes = []
            for incoming in self.source.fetch(new[start:start + self.batch_size]):
                if self.stopping():
                    break
                outcomes.append(self.handle(incoming))
            if any(o.action in REPLY_ACTIONS for o in outcomes):
                self.outbox.flush()
            self._finish(outcomes)
            handled += len(outcomes)
            if self.stopping():
                break
        return handled

    def handle(self, incoming: Incoming) -> Outcome:
        """Decide one message and commit the decision; it is moved by the caller."""
        try:
            outcome = self._decide(incoming)
        except sqlite3.Error:
            raise  # the store is in trouble, not the message: do not quarantine it
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the rest
            outcome = self._quarantine(incoming, exc)
        self.on_outcome(outcome)
        return outcome

    # -- steps -----------------------------------------------------------------

    def _decide(self, incoming: Incoming) -> Outcome:
        if incoming.error is not None:
            raise UnreadableMessage(incoming.error)
        analysis = self.analyze(incoming.raw, own_addresses=self.settings.own_addresses,
                                timezone=self.settings.bot.timezone, arrived=incoming.internaldate)
        now = self.clock()
        earlier = self.store.seen_message_id(analysis.message_id)
        if earlier is not None:
            role = earlier["destination"] or "processed"  # a copy goes where the original went
            with self.store.transaction():
                row_id = self.store.record(incoming.key, now=now, state=DECIDED, destination=role,
                                           message_id=analysis.message_id,
                                           analysis={**analysis.as_dict(), "action": "ignore"},
                                           case_ref=earlier["case_ref"],
                                           error=f"duplicate of ledger row {earlier['id']}")
            return Outcome(incoming.label, analysis.situation, "ignore", earlier["case_ref"],
                           DUPLICATE, incoming.key, row_id, role)

        replying = analysis.action in REPLY_ACTIONS and bool(analysis.reply_to or analysis.sender)
        alert = None
        with self.store.transaction():
            if analysis.automated and bounces.is_bounce(analysis.reasons):
                self._suppress_bounced(incoming.raw, analysis, now)
            case_ref = None
            if analysis.action != "ignore":
                case_ref = self.store.open_case(
                    prefix=self.settings.bot.reference_prefix, year=(analysis.received or now).year,
                    situation=analysis.situation, sender=analysis.sender,
                    message_id=analysis.message_id, now=now)
            state = OUTBOX_STATE[self.mode]
            if replying:
                replying = self._check_trust(analysis)
            if replying:
                verdict, alert = self._check_limits(analysis.reply_to or analysis.sender, case_ref, now)
                if verdict.outcome != REPLY:
                    analysis.reasons.append(verdict.reason)
                    analysis.evidence.append(Evidence("limits", verdict.rule, detail=verdict.reason))
                if verdict.outcome == REVIEW:
                    analysis.action, replying = "review", False
                elif verdict.outcome == HOLD:
                    state = HELD
            role = ROLE_OF_ACTION.get(analysis.action, "review")
            row_id = self.store.record(incoming.key, now=now, state=DECIDED, destination=role,
                                       message_id=analysis.message_id,
                                       analysis=analysis.as_dict(), case_ref=case_ref)
            if replying:
                domain = self.bot.address.rpartition("@")[2]
                reply = build_reply(analysis, case_ref=case_ref, rules=self.rules, bot=self.bot,
                                    now=now, message_id=f"<{case_ref}.{analysis.action}@{domain}>")
                self.store.queue(message_row=row_id, case_ref=case_ref, kind=analysis.action,
                                 recipients=reply.recipients, raw=reply.raw, state=state, now=now)
        if alert:  # logged once per trip (the open alert row remembers it across restarts)
            log.error("%s; new replies are held in the outbox until the count drops", alert)
        return Outcome(incoming.label, analysis.situation, analysis.action, case_ref, DONE,
                       incoming.key, row_id, role, held=replying and state == HELD)

    # -- trust -------------------------------------------------------------------

    def _check_trust(self, analysis: Analysis) -> bool:
        """The trust rule and the cross-check (directory.check), read in the
        deciding transaction; False when the message goes to review instead."""
        sensitive = self.rules.situation(analysis.situation).sensitive
        verdict = directory.check(self.directory, sensitive=sensitive,
                                  addresses=(analysis.sender, analysis.reply_to), fields=analysis.fields)
        analysis.evidence.extend(verdict.evidence)
        if not verdict.review:
            return True
        analysis.reasons.extend(verdict.review)
        analysis.action = "review"
        return False

    # -- loop safety -------------------------------------------------------------

    def _check_limits(self, address: str, case_ref: str | None, now: datetime) -> tuple[Verdict, str | None]:
        """The limits' verdict on one reply, from the database, and the brake's
        alert when this reply trips it (None when it was already on)."""
        store, limits = self.store, self.limits
        suppression = store.suppression(address, now)
        usage = Usage(
            to_address=store.replies_to(address, now - timedelta(hours=limits.per_sender_hours),
                                        self.counted),
            in_case=store.replies_in_case(case_ref, now - timedelta(hours=24), self.counted) if case_ref else 0,
            last_hour=store.replies_since(now - HOUR),
            suppressed=(f"bounced on {suppression['created_at'][:10]} ({suppression['reason']}), "
                        f"not written to until {suppression['until'][:10]}" if suppression else None))
        verdict = judge(limits, usage, address=address, case_ref=case_ref,
                        brake=OUTBOX_STATE[self.mode] == PENDING)
        if verdict.outcome == HOLD:
            message = f"sending stopped: {usage.last_hour} replies in the last hour (limit {limits.per_hour})"
            if store.open_alert(BRAKE, message, now):
                return verdict, message
        return verdict, None

    def _suppress_bounced(self, raw: bytes, analysis: Analysis, now: datetime) -> None:
        """A bounce for an address we wrote to: do not write to it for bounce_block_days."""
        named = bounces.failed_recipients(raw, self.settings.own_addresses)
        until = now + timedelta(days=self.limits.bounce_block_days)
        for address in self.store.wrote_to(named):
            self.store.suppress(address, reason=f"delivery report {analysis.message_id or '(no Message-ID)'}",
                                until=until, message_id=analysis.message_id, now=now)
            note = f"bounce: {address} not written to until {until.date().isoformat()}"
            analysis.reasons.append(note)
            analysis.evidence.append(Evidence("limits", "bounce", text=address, detail=note))
            log.warning("%s", note)

    def release_held(self) -> int:
        """Held replies become pending again, oldest first, as far as the hourly limit allows.

        When none is left held and the hourly count is under the limit, the
        brake's alert is closed. Returns how many were released.
        """
        if OUTBOX_STATE[self.mode] != PENDING:
            return 0
        store = self.store
        if not store.count_state(HELD) and not store.open_alerts(BRAKE):
            return 0  # the usual case: two indexed reads, no write lock
        now = self.clock()
        with store.transaction():
            sent = store.replies_since(now - HOUR)
            released = store.release_held(self.limits.per_hour - sent)
            cleared = 0
            if not store.count_state(HELD) and sent + released < self.limits.per_hour:
                cleared = store.clear_alerts(BRAKE, now)
        if released:
            log.warning("%d held reply(ies) released (%d sent in the last hour, limit %d)",
                        released, sent, self.limits.per_hour)
        if cleared:
            log.warning("sending resumed: the hourly count is under %d again", self.limits.per_hour)
        return released

    def _quarantine(self, incoming: Incoming, exc: Exception) -> Outcome:
        error = f"{type(exc).__name__}: {exc}"
        log.error("quarantining %s: %s\n%s", incoming.label, error, traceback.format_exc())
        with self.store.transaction():
            row_id = self.store.record(incoming.key, now=self.clock(), state=DECIDED,
                                       destination="quarantine", error=error)
        return Outcome(incoming.label, "-", "quarantine", None, QUARANTINED, incoming.key, row_id,
                       "quarantine", error)

    def _finish(self, outcomes: list[Outcome]) -> None:
        """Move decided messages to their folders, then record that they are there."""
        if not outcomes:
            return
        if self.mode != "shadow":
            for role in ("processed", "review", "quarantine"):
                keys = [o.key for o in outcomes if o.role == role]
                if keys:
                    self.source.move(keys, role)
        for final in {o.state for o in outcomes}:
            self.store.set_states([o.row_id for o in outcomes if o.state == final], final,
                                  self.clock())
