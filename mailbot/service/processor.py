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

What happens to each message is decided by the decision chain (chain.py:
duplicate, trust, limits, routing and the rest, gate by gate) inside the
deciding transaction, and made real by decisions.py (ledger row, case, reply
and forward, suppressions, alerts).

Analysis runs in worker processes within a time budget (workers.py): a
message that overruns it is quarantined with the reason.

Held replies (the global brake, limits.py) are released, oldest first, at
the start of a pass, as far as the hourly count allows; reminders go to
customers silent for ``reminder_days``.
"""

from __future__ import annotations

import logging
import sqlite3
import traceback
from datetime import datetime, timedelta
from typing import Callable

from mailbot.decide import cases, chain
from mailbot.app import App
from mailbot.read.analysis import Analysis
from mailbot.read.mime import message_id_of
from mailbot.service.decisions import BRAKE, Decisions, Outcome, situation_folder
from mailbot.decide.directory import customers_of_sender
from mailbot.decide.limits import HOLD, REVIEW
from mailbot.mail.outbox import Outbox
from mailbot.mail.sources import Incoming, Source
from mailbot.store import DECIDED, DONE, HELD, PENDING, QUARANTINED, MessageKey, Store
from mailbot.service.workers import Analyses, InProcess, Overrun, Result

log = logging.getLogger("mailbot.service.processor")


class UnreadableMessage(Exception):
    """The source could not give the message's bytes."""


class AnalysisOverrun(Exception):
    """The analysis did not finish within its budget (or its worker died)."""


def situation_folders(settings, rules) -> list[str]:
    """Every situation's destination, checked or made when the mailbox is connected."""
    return [situation_folder(sid) for sid in rules.situations] if settings.mailbox.situation_folders else []


class Processor:
    """Ties a source, the pure analysis, the store and the outbox together."""

    def __init__(self, *, app: App, source: Source, store: Store, outbox: Outbox, analyze: Callable[..., Analysis],
                 on_outcome: Callable[[Outcome], None] | None = None, analyses: Analyses | None = None):
        self.app = app
        self.source = source
        self.store = store
        self.outbox = outbox
        self.settings = settings = app.settings
        self.analyses = analyses or InProcess(analyze, app.analysis_options())
        self.clock = app.clock
        self.on_outcome = on_outcome or (lambda outcome: None)
        self.batch_size = settings.mailbox.batch_size
        self.stopping = lambda: False
        self.decisions = Decisions(app, store)
        self.directory = self.decisions.directory
        self.limits = self.decisions.limits
        self.reconciled = False  # decided rows matched with the inbox, at start and after each reconnection

    # -- one pass --------------------------------------------------------------

    def run_once(self) -> int:
        """Handle everything waiting now; returns how many new messages were handled."""
        self.release_held()
        self.follow_up()
        self.send_digests()
        self.outbox.flush()
        keys = self.source.waiting()
        if not self.reconciled:
            self._reconcile(keys)
        known = self.store.states(keys)
        self._finish([Outcome("", "", "", row["case_ref"],
                              QUARANTINED if row["destination"] == "quarantine" else DONE,
                              key, row["id"], row["destination"])
                      for key, row in known.items() if row["state"] == DECIDED and row["destination"]])
        new = [k for k in keys if k not in known]
        handled = 0
        for start in range(0, len(new), self.batch_size):
            outcomes = []
            batch = self.source.fetch(new[start:start + self.batch_size])
            for incoming, result in self.analyses.map(batch, stopping=self.stopping):
                if self.stopping():
                    break
                outcomes.append(self.handle(incoming, result))
            if any(o.queued for o in outcomes):
                self.outbox.flush()
            self._finish(outcomes)
            handled += len(outcomes)
            if self.stopping():
                break
        return handled

    def _reconcile(self, keys: list[MessageKey]) -> None:
        """Repair at start (and after a reconnection): a row still "decided" whose message has left the
        watched folder was moved (a stop between the MOVE and the ledger update, or a person filed it):
        it is done. A decided message still there is moved by the pass, as always."""
        waiting = set(keys)
        stale = [row["id"] for row in self.store.decided_rows(self.source.name) if row["key"] not in waiting]
        if stale:
            self.store.set_states(stale, DONE, self.clock())
            log.warning("%d decided message(s) had already left %s: recorded as filed", len(stale),
                        self.source.name)
        self.reconciled = True

    def handle(self, incoming: Incoming, result: Result) -> Outcome:
        """Decide one analysed message and commit the decision; it is moved by the caller."""
        try:
            outcome = self._decide(incoming, result)
        except sqlite3.Error:
            raise  # the store is in trouble, not the message: do not quarantine it
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the rest
            outcome = self._quarantine(incoming, exc)
        self.on_outcome(outcome)
        return outcome

    # -- steps -----------------------------------------------------------------

    def _decide(self, incoming: Incoming, analysis: Result) -> Outcome:
        if incoming.error is not None:
            raise UnreadableMessage(incoming.error)
        if isinstance(analysis, Overrun):
            raise AnalysisOverrun(analysis.why)
        if isinstance(analysis, Exception):
            raise analysis
        return self.decisions.decide(incoming.key, incoming.label, incoming.raw, analysis)










    # -- reminders ---------------------------------------------------------------

    def send_digests(self) -> int:
        """Queue the managers' digests that are due (service/digests.py); a digest that cannot be built
        is logged and tried again at the next pass, and never stops intake."""
        from mailbot.service.digests import send_due

        try:
            return send_due(self.store, self.settings, self.app.rules, self.clock())
        except sqlite3.Error:
            raise  # the store is in trouble: the daemon's local-problem handling decides
        except Exception:  # noqa: BLE001 - the digest is no reason to stop answering customers
            log.exception("digests not queued this pass")
            return 0

    def follow_up(self) -> tuple[int, int]:
        """One reminder to each case waiting for the customer reminder_days,
        then review for those still silent review_days after it. Returns (reminded, reviewed).

        The clock starts when our request actually went out: a request still
        waiting as a draft, a shadow row, or discarded, is not reminded. A case
        whose reminder cannot be written goes to review instead of stopping intake.
        """
        now = self.clock()
        days = self.settings.cases
        due = self.store.cases_awaiting(now - timedelta(days=days.reminder_days), reminded=False)
        silent = self.store.cases_awaiting(now - timedelta(days=days.review_days), reminded=True)
        reminded = 0
        for ref in due:
            try:
                with self.store.transaction():
                    reminded += self._remind(ref, now)
            except sqlite3.OperationalError:
                raise  # the database is in trouble, not the case
            except Exception as exc:  # noqa: BLE001 - one case must not stop intake
                log.error("case %s: reminder failed (%s: %s); the case goes to review", ref, type(exc).__name__, exc)
                with self.store.transaction():
                    self._to_review(ref, f"reminder failed: {type(exc).__name__}: {exc}", now)
        for ref in silent:
            with self.store.transaction():
                self._to_review(ref, f"no answer {days.review_days} day(s) after the reminder", now)
            log.warning("case %s: no answer after the reminder, now in review", ref)
        return reminded, len(silent)

    def _to_review(self, ref: str, why: str, now: datetime) -> None:
        self.store.move_case(ref, cases.IN_REVIEW, why, now, only_from=(cases.AWAITING,))

    def _remind(self, ref: str, now: datetime) -> int:
        """Queue the reminder of one case (inside a transaction); 1 when queued."""
        case = self.store.case(ref)
        if case is None or case.state != cases.AWAITING or case.reminded_at or not case.snapshot:
            return 0  # another process reminded it meanwhile, or the customer answered
        row = case.snapshot["row"]
        if not self.store.request_went_out(ref, row):
            return 0
        analysis = cases.from_snapshot(case.snapshot)
        address = case.snapshot.get("recipient")
        if not address or not customers_of_sender(self.directory, address):
            self._to_review(ref, "reminder not sent: the customer's address is not (or no longer) one the "
                                 "directory knows", now)
            return 0
        state = chain.outbox_state(self.decisions.context(now), analysis)
        verdict = self.decisions.check_limits(address, ref, now, brake=state == PENDING)
        if verdict.outcome == REVIEW:
            self._to_review(ref, f"reminder not sent: {verdict.reason}", now)
            return 0
        self.decisions.queue_reply(analysis, ref, "reminder", row, HELD if verdict.outcome == HOLD else state, now, address)
        self.store.update_case(ref, now, reminded_at=now)
        self.store.case_event(ref, "reminder", {"to": address, "missing": analysis.missing}, now)
        log.info("case %s: reminder queued to %s", ref, address)
        return 1

    # -- loop safety -------------------------------------------------------------




    def release_held(self) -> int:
        """Held replies become pending again, oldest first, as far as the hourly limit allows.

        When none is left held and the hourly count is under the limit, the
        brake's alert is closed. Returns how many were released.
        """
        store = self.store
        if not store.count_state(HELD) and not store.open_alerts(BRAKE):
            return 0  # the usual case: two indexed reads, no write lock
        now = self.clock()
        with store.transaction():
            sent = store.replies_since(now - timedelta(hours=1))
            released = store.release_held(self.limits.per_hour - sent)
            cleared = 0
            if not store.count_state(HELD) and sent + released < self.limits.per_hour:
                cleared = store.clear_alerts(BRAKE, now)
        if released:  # the usual path of approved drafts too: information, not a warning
            log.info("%d held reply(ies) released (%d sent in the last hour, limit %d)",
                        released, sent, self.limits.per_hour)
        if cleared:
            log.warning("sending resumed: the hourly count is under %d again", self.limits.per_hour)
        return released

    def _quarantine(self, incoming: Incoming, exc: Exception) -> Outcome:
        error = f"{type(exc).__name__}: {exc}"
        log.error("quarantining %s: %s\n%s", incoming.label, error, traceback.format_exc())
        with self.store.transaction():
            # The Message-ID is kept in the analysis only: a copy put back in the inbox is no duplicate.
            found = message_id_of(incoming.raw) if incoming.raw else None
            row_id = self.store.record(incoming.key, now=self.clock(), state=DECIDED, destination="quarantine",
                                       error=error, analysis={"message_id": found} if found else None)
        return Outcome(incoming.label, "-", "quarantine", None, QUARANTINED, incoming.key, row_id,
                       "quarantine", error)

    def _finish(self, outcomes: list[Outcome]) -> None:
        """Move decided messages to their folders, then record that they are there."""
        if not outcomes:
            return
        # Shadow mode (of the bot, or of a message's situation) decides and records, moves nothing.
        moving = [o for o in outcomes if self.settings.mode_of(o.situation) != "shadow"]
        for destination in dict.fromkeys(o.role for o in moving):
            self.source.move([o.key for o in moving if o.role == destination], destination)
        for final in {o.state for o in outcomes}:
            self.store.set_states([o.row_id for o in outcomes if o.state == final], final,
                                  self.clock())
