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

Trust (trust.py): before a reply is queued, in the same transaction, the
directory and our MTA's verdict decide where a reply may go (the From
address, a Reply-To only of the same sender) and what goes to a person: a
sender outside the directory (who gets at most a neutral acknowledgement,
under caps of its own that drop rather than hold), a forged or, for a
sensitive change, unauthenticated sender, numbers of another customer, a new
invoice address outside the customer's domains. Every finding is recorded as
evidence (stage "trust") with its code.

Analysis runs in worker processes within a time budget (workers.py): a
message that overruns it is quarantined with the reason.

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
import secrets
import sqlite3
import traceback
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Callable

from mailbot import cases, chain, trust
from mailbot.app import App
from mailbot.analysis import FRAUD_SIGNALS, Analysis, Evidence
from mailbot.directory import customers_of_sender
from mailbot.limits import DROP, HOLD, REVIEW, Limits, Verdict, judge
from mailbot.lookups import StoreContext
from mailbot.outbox import Outbox
from mailbot.replies import Bot, build_neutral, build_reply
from mailbot.routing import Route, build_forward
from mailbot.sources import Incoming, Source
from mailbot.store import (DECIDED, DONE, DRAFT, DUPLICATE, HELD, NEUTRAL_ACK, PENDING, QUARANTINED,
                           SHADOW, MessageKey, Store, StoreDirectory)
from mailbot.terminal import shorten, shorten_address
from mailbot.workers import Analyses, InProcess, Overrun, Result

log = logging.getLogger("mailbot.processor")

ROLE_OF_ACTION = {"acknowledge": "processed", "request_info": "processed",
                  "ignore": "processed", "review": "review"}
REPLY_ACTIONS = chain.REPLY_ACTIONS
BRAKE = "brake"  # the alert kind of the global brake
UNKNOWN_CAP = "unknown_cap"  # the alert kind of the hourly cap on acknowledgements to unknown senders


# What the one-line report of a message shows of its sender, subject and review reason.
SENDER_WIDTH, SUBJECT_WIDTH, REASON_WIDTH, ERROR_WIDTH = 32, 40, 110, 160
# The trust rule's findings that send a message to a person (trust.py's codes).
TRUST_REVIEW_CODES = frozenset({
    trust.FROM_NOT_PLAIN, trust.NO_DIRECTORY, trust.SENDER_UNKNOWN, trust.AUTH_FAILED, trust.UNAUTHENTICATED,
    trust.CONTRACT_OF_ANOTHER, trust.SERIAL_OF_ANOTHER, trust.CUSTOMER_NUMBER_OF_ANOTHER,
    trust.SERIAL_NOT_ON_CONTRACT, trust.NUMBERS_OF_KNOWN_CUSTOMER, trust.NEW_EMAIL_FOREIGN,
    trust.NEW_EMAIL_LOOKALIKE})
# The limits (limits.py) whose verdict sends a message to review (the others hold or drop a reply).
LIMIT_REVIEW_RULES = ("suppressed", "per_sender", "per_case")


# Which gate's finding a person reads first when several sent a message to them (chain.py's gates).
REASON_ORDER = ("readable", "sender", "cross_check", "suppression", "rate_limits", "threading", "routing", "fraud")


def review_reason(analysis: dict[str, Any]) -> str:
    """Why a message went to a person, in one sentence, from its analysis (``Analysis.as_dict()``,
    or as the ledger stores it): the finding of the gate a person reads first (REASON_ORDER),
    else the verdict that set the action. A row decided before the chain existed has no chain:
    its evidence and reasons are read as they were then."""
    chain_ = [v for v in analysis.get("chain") or [] if isinstance(v, dict)]
    if not chain_:
        return _review_reason_before_chain(analysis)
    hits = [v for v in chain_ if v.get("action") == "review" or (v.get("gate"), v.get("code")) ==
            ("routing", "no_recipient")]
    for gate in REASON_ORDER:
        if hit := next((v for v in hits if v.get("gate") == gate), None):
            return str(hit.get("text") or hit.get("code"))
    decided = analysis.get("decided_by") or (hits[0] if hits else {})
    return str(decided.get("text") or decided.get("code") or "")


def _review_reason_before_chain(analysis: dict[str, Any]) -> str:
    """review_reason for a ledger row without a chain: the structured evidence first (nothing could
    be read, the trust rule's findings, a limit, a case cited by a stranger, nobody to forward to, a
    fraud signal); else the decision's reason (the last one when the message continued a case; else
    the first, after the late-notice note)."""
    evidence = [e for e in analysis.get("evidence") or [] if isinstance(e, dict)]

    def found(stage: str, names) -> dict[str, Any] | None:
        return next((e for e in evidence if e.get("stage") == stage and e.get("name") in names), None)

    if e := found("parse", ("unreadable", "internal_error")):
        return e.get("detail", "") if e.get("name") == "unreadable" else f"internal error: {e.get('detail', '')}"
    for stage, names in (("trust", TRUST_REVIEW_CODES), ("limits", LIMIT_REVIEW_RULES), ("case", ("not_joined",))):
        if e := found(stage, names):
            return e.get("detail") or e.get("name", "")
    if e := found("route", ("no_recipient",)):
        return f"complete, but nobody to forward it to: {e.get('detail', '')}"
    if e := found("extract", FRAUD_SIGNALS):
        return f"possible fraud: {e.get('name')} ({e.get('detail', '')})"
    reasons = [str(r) for r in analysis.get("reasons") or []]
    if not reasons:
        return ""
    if found("case", ("joined",)):
        return reasons[-1]
    return reasons[1] if analysis.get("lead_time_ok") is False and len(reasons) > 1 else reasons[0]


def is_garbage(analysis: Analysis) -> bool:
    """Not a customer's mail at all: nothing could be read (an empty or binary file, text that is not
    an e-mail) and there is no sender. It goes to a person without opening a case. Real mail from a
    real sender whose body cannot be read (only a PDF attached) is not garbage: it opens a case."""
    return analysis.has("parse", "unreadable") and not (analysis.sender or "").strip()


@dataclass
class Outcome:
    """What happened to one message: the line of the report, and where it goes."""

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
    queued: bool = False  # a reply was queued (sent once the batch is decided)
    sender: str = ""
    subject: str = ""
    reason: str = ""  # why a person reads it (review_reason), for a review

    def line(self) -> str:
        """One line: message, situation, action, case, sender, subject (and the state when it is
        not the usual); for a review, a second indented line with the reason."""
        ref = self.case_ref or "-"
        tail = f"  ({self.state}: {shorten(self.error, ERROR_WIDTH)})" if self.error else (
            f"  ({self.state})" if self.state not in (DONE, DECIDED) else
            "  (reply held: sending stopped)" if self.held else "")
        sender = shorten_address(self.sender, SENDER_WIDTH) or "-"
        subject = shorten(self.subject, SUBJECT_WIDTH)
        subject = f'"{subject}"' if subject else "-"
        text = (f"{self.label:<24} {self.situation:<22} {self.action:<12} {ref:<16} {sender:<{SENDER_WIDTH}} "
                f"{subject}{tail}")
        if self.reason:
            text += f"\n    why: {shorten(self.reason, REASON_WIDTH)}"
        return text


class UnreadableMessage(Exception):
    """The source could not give the message's bytes."""


class AnalysisOverrun(Exception):
    """The analysis did not finish within its budget (or its worker died)."""


def situation_folder(situation: str) -> str:
    """The destination of processed mail of one situation (with [mailbox] situation_folders)."""
    return f"processed/{situation}"


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
        self.rules = app.rules
        self.analyses = analyses or InProcess(analyze, app.analysis_options())
        self.clock = app.clock
        self.on_outcome = on_outcome or (lambda outcome: None)
        self.bot = Bot(settings.bot.address, settings.bot.display_name)
        self.batch_size = settings.mailbox.batch_size
        self.limits = Limits.from_settings(settings.limits)
        self.tz = app.tz
        self.stopping = lambda: False
        self.directory = StoreDirectory(store)
        self.reconciled = False  # decided rows matched with the inbox, at start and after each reconnection

    # -- one pass --------------------------------------------------------------

    def run_once(self) -> int:
        """Handle everything waiting now; returns how many new messages were handled."""
        self.release_held()
        self.follow_up()
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

    def _context(self, now: datetime, raw: bytes = b"") -> StoreContext:
        return StoreContext(store=self.store, settings=self.settings, rules=self.rules, now=now, raw=raw,
                            directory=self.directory, limits=self.limits)

    def _decide(self, incoming: Incoming, analysis: Result) -> Outcome:
        """The decision chain (chain.py) in the deciding transaction, then its effects: the ledger
        row, the case, the reply and forward, suppressions and alerts."""
        if incoming.error is not None:
            raise UnreadableMessage(incoming.error)
        if isinstance(analysis, Overrun):
            raise AnalysisOverrun(analysis.why)
        if isinstance(analysis, Exception):
            raise analysis
        now = self.clock()
        context = self._context(now, incoming.raw)
        with self.store.transaction():
            m = chain.decide(analysis, self.rules, self.tz, context)
            if m.earlier is not None:
                return self._duplicate(incoming, m, context.identity, now)
            if analysis.bounce:
                self._suppress_bounced(analysis, now)
            self._alerts(m, now)
            case_ref = m.thread.ref if m.thread else None
            if case_ref is None and is_garbage(analysis):  # nothing of a customer's: a person, no case
                analysis.evidence.append(Evidence("case", "not_opened", detail="nothing could be read and "
                                                  "there is no sender: no case is opened"))
            elif analysis.action != "ignore" and case_ref is None:
                case_ref = self.store.open_case(
                    prefix=self.settings.bot.reference_prefix, year=(analysis.received or now).year,
                    situation=analysis.situation, sender=analysis.sender,
                    message_id=analysis.message_id, now=now)
            # Complete with nobody to forward it to: its case waits for a person, and so does the mail.
            role = "review" if m.to_person else self._destination(analysis)
            row_id = self.store.record(incoming.key, now=now, state=DECIDED, destination=role,
                                       message_id=analysis.message_id, fingerprint=context.identity,
                                       analysis=analysis.as_dict(), case_ref=case_ref)
            if m.reply:
                self._queue_reply(analysis, case_ref, m.reply, row_id, m.outbox_state, now, m.trust.recipient,
                                  handled_by=m.route.handled_by if m.route is not None else None)
            if case_ref is not None:
                self._keep_case(case_ref, m, row_id, incoming.raw, now)
        return Outcome(incoming.label, analysis.situation, analysis.action, case_ref, DONE,
                       incoming.key, row_id, role, held=m.reply is not None and m.outbox_state == HELD,
                       queued=m.reply is not None, sender=analysis.sender, subject=analysis.subject,
                       reason=review_reason(analysis.as_dict()) if analysis.action == "review" or m.to_person
                       else "")

    def _duplicate(self, incoming: Incoming, m: chain.Message, identity: str | None, now: datetime) -> Outcome:
        """The same message decided before: recorded, and filed where the original went."""
        analysis, earlier = m.analysis, m.earlier
        role = earlier["destination"] or "processed"
        row_id = self.store.record(incoming.key, now=now, state=DECIDED, destination=role,
                                   message_id=analysis.message_id, fingerprint=identity,
                                   analysis=analysis.as_dict(), case_ref=earlier["case_ref"],
                                   error=f"duplicate of ledger row {earlier['id']}")
        return Outcome(incoming.label, analysis.situation, "ignore", earlier["case_ref"],
                       DUPLICATE, incoming.key, row_id, role, sender=analysis.sender,
                       subject=analysis.subject)

    def _alerts(self, m: chain.Message, now: datetime) -> None:
        """The alerts the chain's limits call for: the brake (once per trip; the open alert row
        remembers it across restarts), and the hourly cap on acknowledgements to unknown senders."""
        store = self.store
        if m.brake is not None and m.outbox_state == HELD:
            self._open_brake(m.brake, now)
        cap = m.unknown_cap
        if cap is not None and cap.outcome == DROP:
            if cap.rule == "unknown_per_hour" and store.open_alert(UNKNOWN_CAP, cap.reason, now):
                log.warning("%s; further ones are dropped until the hourly count drops", cap.reason)
        elif cap is not None and store.open_alerts(UNKNOWN_CAP):
            store.clear_alerts(UNKNOWN_CAP, now)

    def _queue_reply(self, analysis: Analysis, case_ref: str, kind: str, row_id: int, state: str,
                     now: datetime, recipient: str, handled_by: str | None = None) -> None:
        """Build the reply of ``kind`` to ``recipient`` and queue it; its Message-ID threads the answer."""
        message_id = self._message_id(case_ref, kind, row_id)
        if kind == NEUTRAL_ACK:
            reply = build_neutral(analysis, case_ref=case_ref, bot=self.bot, now=now, recipient=recipient,
                                  message_id=message_id)
        else:
            reply = build_reply(analysis, case_ref=case_ref, rules=self.rules, bot=self.bot, now=now,
                                recipient=recipient, message_id=message_id, kind=kind, handled_by=handled_by)
        self.store.queue(message_row=row_id, case_ref=case_ref, kind=kind, recipients=reply.recipients,
                         raw=reply.raw, state=state, now=now, message_id=message_id)
        self.store.link(case_ref, message_id)

    def _message_id(self, case_ref: str, kind: str, row_id: int) -> str:
        """Unique, and unguessable: a bounce counts only when it quotes one of ours (bounces.py).
        Made once, when the message is queued: a retry sends the stored bytes, the same one."""
        return f"<{case_ref}.{kind}.{row_id}.{secrets.token_hex(8)}@{self.bot.address.rpartition('@')[2]}>"

    def _destination(self, analysis: Analysis) -> str:
        """Where the message is filed: review, or the processed folder of its situation."""
        role = ROLE_OF_ACTION.get(analysis.action, "review")
        if role == "processed" and self.settings.mailbox.situation_folders and analysis.action != "ignore":
            return situation_folder(analysis.situation)
        return role

    # -- cases -------------------------------------------------------------------

    def _keep_case(self, case_ref: str, m: chain.Message, row_id: int, raw: bytes, now: datetime) -> None:
        """Record the message in its case: merged fields, new state, history; and
        queue the forward when the case is complete. Inside the deciding transaction."""
        store, analysis, route, thread = self.store, m.analysis, m.route, m.thread
        store.link(case_ref, analysis.message_id)
        store.keep_case_message(case_ref, row_id, analysis.message_id, raw, now)
        forward = None
        if route is not None and route.address:
            self._queue_forward(case_ref, analysis, route, m.changes, row_id, now, m.outbox_state, m.trust)
            forward = "waiting" if m.outbox_state in (DRAFT, SHADOW) else "queued"
        new_state = cases.IN_REVIEW if m.to_person else cases.state_after(analysis.action, forward)
        old_state = thread.case["state"] if thread else None
        # A reminder goes where this reply went: a customer the bot trusts, or nobody.
        recipient = m.trust.recipient if analysis.action in chain.REPLY_ACTIONS else None
        snapshot = {**cases.snapshot(analysis), "row": row_id, "recipient": recipient}
        values: dict[str, Any] = {
            "situation": analysis.situation, "snapshot": snapshot, "state": new_state,
            "customer_number": route.customer if route else analysis.fields.get("customer_number"),
            "last_message_at": now,
        }
        if new_state == cases.AWAITING:
            values.update(awaiting_since=now, reminded_at=None)
        if new_state == cases.CLOSED:
            values["closed_at"] = now
        if forward:
            values["forwarded_to"] = route.address
        store.update_case(case_ref, now, **values)
        store.case_event(case_ref, "message", {"row": row_id, "message_id": analysis.message_id,
                                               "action": analysis.action,
                                               "joined_by": thread.how if thread else None}, now)
        for change in m.changes:
            store.case_event(case_ref, "changed", {**change.as_dict(), "message_id": analysis.message_id}, now)
        if new_state != old_state:
            store.case_event(case_ref, "state", {"from": old_state, "to": new_state}, now)

    def _queue_forward(self, case_ref: str, analysis: Analysis, route: Route, changes: list[cases.Change],
                       row_id: int, now: datetime, state: str, verdict: trust.Verdict) -> None:
        store = self.store
        history = [{**e["detail"], "at": e["at"]} for e in store.case_events(case_ref) if e["kind"] == "changed"]
        history += [{**c.as_dict(), "at": now.isoformat(timespec="seconds")} for c in changes]
        message_id = self._message_id(case_ref, "forward", row_id)
        checks = {**verdict.summary(), "auth_detail": analysis.auth.get("detail", ""),
                  "auth_method": analysis.auth.get("method", ""), "auth_domain": analysis.auth.get("domain", ""),
                  "customers": ", ".join(f"{c} ({self.directory.customer_name(c) or '?'})" for c in verdict.customers)}
        forward = build_forward(analysis, case_ref=case_ref, route=route, rules=self.rules, bot=self.bot,
                                now=now, message_id=message_id, customer_address=verdict.recipient,
                                checks=checks, originals=store.case_messages(case_ref), changes=history,
                                evidence=[e.as_dict() for e in analysis.evidence], tz=self.tz)
        store.queue(message_row=row_id, case_ref=case_ref, kind="forward", recipients=forward.recipients,
                    raw=forward.raw, state=state, now=now, message_id=message_id)

    # -- reminders ---------------------------------------------------------------

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
        if case is None or case["state"] != cases.AWAITING or case["reminded_at"] or not case["snapshot"]:
            return 0  # another process reminded it meanwhile, or the customer answered
        row = case["snapshot"]["row"]
        if not self.store.request_went_out(ref, row):
            return 0
        analysis = cases.from_snapshot(case["snapshot"])
        address = case["snapshot"].get("recipient")
        if not address or not customers_of_sender(self.directory, address):
            self._to_review(ref, "reminder not sent: the customer's address is not (or no longer) one the "
                                 "directory knows", now)
            return 0
        state = chain.outbox_state(self._context(now), analysis)
        verdict = self._check_limits(address, ref, now, brake=state == PENDING)
        if verdict.outcome == REVIEW:
            self._to_review(ref, f"reminder not sent: {verdict.reason}", now)
            return 0
        self._queue_reply(analysis, ref, "reminder", row, HELD if verdict.outcome == HOLD else state, now, address)
        self.store.update_case(ref, now, reminded_at=now)
        self.store.case_event(ref, "reminder", {"to": address, "missing": analysis.missing}, now)
        log.info("case %s: reminder queued to %s", ref, address)
        return 1

    # -- loop safety -------------------------------------------------------------

    def _check_limits(self, address: str, case_ref: str | None, now: datetime, brake: bool) -> Verdict:
        """The limits' verdict on a reminder, from the database (the chain's limits gates do the
        same for a reply: suppression first, then the counts)."""
        context = self._context(now)
        usage = replace(context.usage(address, case_ref, 1), suppressed=context.suppression(address))
        verdict = judge(self.limits, usage, address=address, case_ref=case_ref, brake=brake)
        if verdict.outcome == HOLD:
            self._open_brake(usage.last_hour, now)
        return verdict

    def _open_brake(self, last_hour: int, now: datetime) -> None:
        """The reply that trips the brake opens its alert and logs it, once per trip (the open
        alert row remembers it across restarts)."""
        message = f"sending stopped: {last_hour} replies in the last hour (limit {self.limits.per_hour})"
        if self.store.open_alert(BRAKE, message, now):
            log.error("%s; new replies are held in the outbox until the count drops", message)

    def _suppress_bounced(self, analysis: Analysis, now: datetime) -> None:
        """A bounce of one of our messages (as analyze read it): the recipients of that
        message it names as failed are not written to for bounce_block_days. A report
        that quotes none of our Message-IDs suppresses nobody (anyone can write one)."""
        quoted = self.store.sent_to(analysis.bounce.get("quoted", []))
        if not quoted:
            note = "delivery report quoting none of our messages: nobody suppressed"
            analysis.evidence.append(Evidence("limits", "bounce_not_ours", detail=note))
            return
        ours = {address for recipients in quoted.values() for address in recipients}
        named = [a for a in analysis.bounce.get("failed", []) if a in ours]
        until = now + timedelta(days=self.limits.bounce_block_days)
        for address in named:
            self.store.suppress(address, reason=f"delivery report {analysis.message_id or '(no Message-ID)'}",
                                until=until, message_id=analysis.message_id, now=now)
            note = f"bounce: {address} not written to until {until.date().isoformat()}"
            analysis.notes.append(note)
            analysis.evidence.append(Evidence("limits", "bounce", text=address, detail=note))
            log.warning("%s", note)

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
            row_id = self.store.record(incoming.key, now=self.clock(), state=DECIDED,
                                       destination="quarantine", error=error)
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
