"""The chain's verdicts made real: the ledger row, the case, the reply and forward, suppressions, alerts.

The processor hands each analysed message here, inside the deciding
transaction; a person's correction (review.py) comes here too, so that the
bot answers and routes a corrected reading exactly as it would have.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from mailbot.decide import cases, chain, trust
from mailbot.read.analysis import Analysis, Evidence
from mailbot.app import App
from mailbot.service.explain import review_reason
from mailbot.decide.limits import DROP, HOLD, Limits, Verdict, judge
from mailbot.decide.lookups import StoreContext
from mailbot.compose.replies import Bot, build_neutral, build_reply
from mailbot.decide.routing import Route, build_forward
from mailbot.store import (DECIDED, DONE, DRAFT, DUPLICATE, HELD, NEUTRAL_ACK, SHADOW, MessageKey, Store,
                           StoreDirectory)
from mailbot.terminal import shorten, shorten_address

log = logging.getLogger("mailbot.service.processor")

ROLE_OF_ACTION = {"acknowledge": "processed", "request_info": "processed",
                  "ignore": "processed", "review": "review"}
REPLY_ACTIONS = chain.REPLY_ACTIONS
BRAKE = "brake"  # the alert kind of the global brake
UNKNOWN_CAP = "unknown_cap"  # the alert kind of the hourly cap on acknowledgements to unknown senders


# What the one-line report of a message shows of its sender, subject and review reason.
SENDER_WIDTH, SUBJECT_WIDTH, REASON_WIDTH, ERROR_WIDTH = 32, 40, 110, 160


def situation_folder(situation: str) -> str:
    """The destination of processed mail of one situation (with [mailbox] situation_folders)."""
    return f"processed/{situation}"


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

@dataclass(frozen=True)
class Corrected:
    """What a person's correction did: the new action, the reply and forward queued; or why not."""

    refused: str = ""
    action: str = ""
    reply: str | None = None
    outbox_state: str = ""
    forward_to: str | None = None
    case_ref: str | None = None
    reason: str = ""  # when it is still for a person: why


class Correction(StoreContext):
    """The chain's context for a corrected message: not a duplicate of itself, no other case to join
    (it is its case's reading); the rest as the store answers it."""

    def earlier(self, analysis: Analysis) -> None:
        return None

    def thread(self, analysis: Analysis) -> chain.ThreadFinding:
        return chain.ThreadFinding()


class Decisions:
    """Applies the decision chain to one message and records what follows, for the processor and
    for a person's correction."""

    def __init__(self, app: App, store: Store):
        self.app, self.store = app, store
        self.settings, self.rules, self.tz, self.clock = app.settings, app.rules, app.tz, app.clock
        self.limits = Limits.from_settings(app.settings.limits)
        self.directory = StoreDirectory(store)
        self.bot = Bot(app.settings.bot.address, app.settings.bot.display_name)

    def decide(self, key: MessageKey, label: str, raw: bytes, analysis: Analysis) -> Outcome:
        """The decision chain (chain.py) in the deciding transaction, then its effects: the ledger
        row, the case, the reply and forward, suppressions and alerts."""
        now = self.clock()
        context = self.context(now, raw)
        with self.store.transaction():
            m = chain.decide(analysis, self.rules, self.tz, context)
            if m.earlier is not None:
                return self._duplicate(key, label, m, context.identity, now)
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
            decided = analysis.as_dict()
            row_id = self.store.record(key, now=now, state=DECIDED, destination=role,
                                       message_id=analysis.message_id, fingerprint=context.identity,
                                       analysis=decided, case_ref=case_ref)
            if m.reply:
                self.queue_reply(analysis, case_ref, m.reply, row_id, m.outbox_state, now, m.trust.recipient,
                                  handled_by=m.route.handled_by if m.route is not None else None)
            if case_ref is not None:
                self._keep_case(case_ref, m, row_id, raw, now)
        return Outcome(label, analysis.situation, analysis.action, case_ref, DONE,
                       key, row_id, role, held=m.reply is not None and m.outbox_state == HELD,
                       queued=m.reply is not None, sender=analysis.sender, subject=analysis.subject,
                       reason=review_reason(decided) if analysis.action == "review" or m.to_person else "")

    def context(self, now: datetime, raw: bytes = b"", kind: type[StoreContext] = StoreContext) -> StoreContext:
        return kind(store=self.store, settings=self.settings, rules=self.rules, now=now, raw=raw,
                    directory=self.directory, limits=self.limits)

    def correct(self, row_id: int, *, situation: str | None, fields: dict[str, Any], actor: str) -> Corrected:
        """A person corrected the reading of ledger row ``row_id`` (its case in review): the message
        is read again, the case's situation and fields become the corrected ones (confidence 1), and
        the whole chain decides again; its reply and forward are queued as if the bot had read it
        right. Trust, fraud and the limits still apply: a doubt about who wrote stays with a person.
        Exactly once: a second correction of the same message is refused, whoever asks."""
        from mailbot.read.analyze import analyze

        now = self.clock()
        with self.store.transaction():
            row = self.store.message_analysis(row_id)
            if row is None:
                return Corrected(refused=f"no message {row_id} in the ledger")
            done = [a for a in self.store.actions(f"message {row_id}") if a["action"] in ("correct", "resolve")]
            if done:
                return Corrected(refused=f"message {row_id} was already handled ({done[-1]['action']} by "
                                         f"{done[-1]['actor']} at {done[-1]['at']})")
            case = self.store.case(row.case_ref) if row.case_ref else None
            raw = self.store.kept_message(row_id)
            if case is None or raw is None:
                return Corrected(refused=f"message {row_id} has no case keeping its text: answer it by hand, "
                                         "then `review resolve`")
            if case.state != cases.IN_REVIEW:
                return Corrected(refused=f"case {case.ref} is {case.state}, not in review: nothing to correct")
            if situation is not None and situation not in self.rules.situations:
                return Corrected(refused=f"situation {situation!r}: not one of {', '.join(self.rules.situations)}")
            analysis = analyze(raw, **self.app.analysis_options())
            before = {**case.fields}
            analysis.situation = situation or case.situation
            analysis.confidence = 1.0
            analysis.fields = {**analysis.fields, **before, **fields}
            # A person read it: what the bot could not read is no reason to send it back to them.
            analysis.evidence = [e for e in analysis.evidence if (e.stage, e.name) != ("parse", "unreadable")]
            analysis.evidence.append(Evidence("review", "corrected", actor, f"situation {case.situation} -> "
                                              f"{analysis.situation}; " + ", ".join(f"{k}: {before.get(k)!r} -> {v!r}"
                                                                                    for k, v in fields.items())))
            m = chain.decide(analysis, self.rules, self.tz, self.context(now, raw, Correction))
            m.thread = cases.Thread(case.ref, "correction", case)
            self._alerts(m, now)
            decided = analysis.as_dict()
            self.store.redecide(row_id, decided, now)
            if m.reply:
                self.queue_reply(analysis, case.ref, m.reply, row_id, m.outbox_state, now, m.trust.recipient,
                                 handled_by=m.route.handled_by if m.route is not None else None)
            self._keep_case(case.ref, m, row_id, None, now)
            detail = {"situation": analysis.situation, "fields": fields}
            self.store.case_event(case.ref, "corrected", {**detail, "by": actor}, now)
            self.store.record_action(actor=actor, action="correct", target=f"message {row_id}", detail=detail,
                                     now=now)
        return Corrected(action=analysis.action, reply=m.reply, outbox_state=m.outbox_state,
                         forward_to=m.route.address if m.route is not None else None, case_ref=case.ref,
                         reason=review_reason(decided) if analysis.action == "review" or m.to_person
                         else "")

    def _duplicate(self, key: MessageKey, label: str, m: chain.Message, identity: str | None,
                   now: datetime) -> Outcome:
        """The same message decided before: recorded, and filed where the original went."""
        analysis, earlier = m.analysis, m.earlier
        role = earlier["destination"] or "processed"
        row_id = self.store.record(key, now=now, state=DECIDED, destination=role,
                                   message_id=analysis.message_id, fingerprint=identity,
                                   analysis=analysis.as_dict(), case_ref=earlier["case_ref"],
                                   error=f"duplicate of ledger row {earlier['id']}")
        return Outcome(label, analysis.situation, "ignore", earlier["case_ref"],
                       DUPLICATE, key, row_id, role, sender=analysis.sender,
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

    def queue_reply(self, analysis: Analysis, case_ref: str, kind: str, row_id: int, state: str,
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

    def _keep_case(self, case_ref: str, m: chain.Message, row_id: int, raw: bytes | None, now: datetime) -> None:
        """Record the message in its case: merged fields, new state, history; and queue the
        forward when the case is complete. Inside the deciding transaction. ``raw`` None: the
        case keeps the message already (a person's correction)."""
        store, analysis, route, thread = self.store, m.analysis, m.route, m.thread
        store.link(case_ref, analysis.message_id)
        if raw is not None:
            store.keep_case_message(case_ref, row_id, analysis.message_id, raw, now)
        forward = None
        if route is not None and route.address:
            self._queue_forward(case_ref, analysis, route, m.changes, row_id, now, m.outbox_state, m.trust)
            forward = "waiting" if m.outbox_state in (DRAFT, SHADOW) else "queued"
        new_state = cases.IN_REVIEW if m.to_person else cases.state_after(analysis.action, forward)
        old_state = thread.case.state if thread else None
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

    def check_limits(self, address: str, case_ref: str | None, now: datetime, brake: bool) -> Verdict:
        """The limits' verdict on a reminder, from the database (the chain's limits gates do the
        same for a reply: suppression first, then the counts)."""
        context = self.context(now)
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
