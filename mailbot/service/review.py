"""What a person may do about what the bot will not do alone, in one place for the CLI and the web.

Each action is the same rule wherever it is asked from (approving drafts goes
through the hourly limit, closing a case records why), runs in one
transaction with its audit line (who, when, what, on which row), and says
what it did. The CLI's `outbox release|discard` and `cases close` call it;
the review web app will too.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from mailbot.read.analysis import FRAUD_SIGNALS
from mailbot.decide.cases import CLOSED, STATES
from mailbot.service.decisions import Corrected, Decisions
from mailbot.service.explain import TRUST_REVIEW_CODES, review_reason
from mailbot.compose.mimewrite import with_text
from mailbot.store import DISCARDED, DRAFT, FAILED, HELD, QUARANTINED, UNCONFIRMED, LedgerRow, OutboxRow, Store

# What waits for a person, most urgent first: a doubt about who wrote (trust, fraud), then the mail
# nobody could read or decide, then what the bot drafted or could not send, then silent customers.
RISK = {"doubt": 0, "case": 1, "message": 1, "quarantine": 1, UNCONFIRMED: 2, FAILED: 2, DRAFT: 3, HELD: 3,
        "silent": 4}
KINDS = ("case", "message", "quarantine", DRAFT, HELD, UNCONFIRMED, FAILED, "silent")


@dataclass(frozen=True)
class Item:
    """One thing waiting for a person, as a line of the queue."""

    kind: str      # one of KINDS
    target: str    # "case WFPS-2026-000123", "message 42", "outbox 7"
    since: str     # ISO time it has been waiting since
    who: str       # the customer's address (the recipient, for an outbox row)
    what: str      # the situation, the subject, or the kind of reply
    reason: str    # why a person is needed, in words
    doubt: bool = False  # a trust or fraud finding: first in the queue
    situation: str = ""  # the reading's situation, when there is a reading
    confidence: float | None = None  # how sure the reading was (None: no reading)

    @property
    def risk(self) -> int:
        return RISK["doubt"] if self.doubt else RISK[self.kind]


def _doubted(analysis: dict[str, Any]) -> bool:
    """Did the trust rule or a fraud signal send it here (codes, never words)? Mail nothing could be
    read of is no doubt about a sender: review_reason gives its unreadability first, and so does this."""
    evidence = [e for e in analysis.get("evidence") or [] if isinstance(e, dict)]
    if any(e.get("stage") == "parse" and e.get("name") in ("unreadable", "internal_error") for e in evidence):
        return False
    return any((e.get("stage") == "trust" and e.get("name") in TRUST_REVIEW_CODES)
               or (e.get("stage") == "extract" and e.get("name") in FRAUD_SIGNALS) for e in evidence)


def _confidence(analysis: dict[str, Any]) -> float | None:
    value = analysis.get("confidence")
    return float(value) if isinstance(value, (int, float)) else None


def review_reason_of_case(store: Store, state: str, events: list[dict[str, Any]]) -> str:
    """Why a case (in ``state``) is in review: the reason its move there recorded (reminders, a
    person), else the reason of the message that sent it there (review_reason on its analysis)."""
    return _case_review(store, state, events)[0]


def review_analysis_of_case(store: Store, state: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The analysis of the message that set a case's ``state`` ({} when a reminder or a person did)."""
    return _case_review(store, state, events)[1]


def _case_review(store: Store, state: str, events: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """(why the case is in review; the analysis of the message that sent it there, {} when a
    reminder or a person did)."""
    row = None
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if event["kind"] == "state" and isinstance(event["detail"], dict) and event["detail"].get("to") == state:
            if event["detail"].get("why"):
                return str(event["detail"]["why"]), {}
            row = next((e["detail"].get("row") for e in reversed(events[:i])
                        if e["kind"] == "message" and isinstance(e["detail"], dict)), None)
            break
    if row is None:
        row = next((e["detail"].get("row") for e in reversed(events)
                    if e["kind"] == "message" and isinstance(e["detail"], dict)), None)
    message = store.message_analysis(row) if row is not None else None
    analysis = message.analysis if message else {}
    return (review_reason(analysis) if analysis else ""), analysis


@dataclass(frozen=True)
class MessageView:
    """One message as a person reviews it: where it is, why, what was read, and the decision chain."""

    row: LedgerRow              # the ledger row (its analysis is also ``analysis`` below)
    reason: str                 # why a person reads it ("" when nobody needs to)
    analysis: dict[str, Any]    # the reading as stored (situation, confidence, fields, missing, chain…)
    outbox: list[dict[str, Any]]  # the replies and forwards queued for it
    resolved: bool              # a person marked it dealt with (``resolve``)

    @property
    def fields(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in (self.analysis.get("fields") or {}).items() if v not in (None, "", [], False)]


@dataclass
class Done:
    """What an action did: the rows or cases it changed, and those it could not."""

    changed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    routed: list[str] = field(default_factory=list)  # cases routed by an approved forward


class Review:
    """What waits for a person, and a person's actions, recorded in the store's audit with ``actor``."""

    def __init__(self, store: Store, actor: str, clock: Callable[[], datetime], decisions: Decisions | None = None):
        self.store, self.actor, self.clock, self.decisions = store, actor, clock, decisions

    def waiting(self, kinds: Iterable[str] = KINDS) -> list[Item]:
        """Everything waiting for a person, nothing hidden: doubts first, then by kind, oldest first."""
        wanted = set(kinds)
        found = self.store.waiting_for_a_person()
        items: list[Item] = []
        for case in found["case"]:
            reason, analysis = _case_review(self.store, case["state"], self.store.case_events(case["ref"]))
            items.append(Item("case", f"case {case['ref']}", case["updated_at"] or "", case["sender"] or "",
                              case["situation"] or "", reason, doubt=_doubted(analysis),
                              situation=case["situation"] or "", confidence=_confidence(analysis)))
        for row in found["message"]:
            analysis = _json(row["analysis"])
            quarantined = row["state"] == QUARANTINED or row["destination"] == "quarantine"
            reason = (f"quarantined: {row['error']}" if quarantined else review_reason(analysis)) or "read by nobody"
            items.append(Item("quarantine" if quarantined else "message", f"message {row['id']}", row["created_at"],
                              row["sender"] or "", row["subject"] or "", reason, doubt=_doubted(analysis),
                              situation=str(analysis.get("situation") or ""), confidence=_confidence(analysis)))
        for row in found["outbox"]:
            reason = {DRAFT: "a draft to approve, edit or discard", HELD: "held by the hourly brake",
                      UNCONFIRMED: "sent, but the server's answer never came", FAILED: "could not be sent"}[row["state"]]
            detail = f": {row['last_error']}" if row["last_error"] and row["state"] != DRAFT else ""
            items.append(Item(row["state"], f"outbox {row['id']}", row["created_at"], row["recipient"] or "",
                              f"{row['kind']}" + (f" ({row['case_ref']})" if row["case_ref"] else ""),
                              reason + detail))
        for case in found["silent"]:
            items.append(Item("silent", f"case {case['ref']}", case["reminded_at"], case["sender"] or "",
                              case["situation"] or "", "reminded, and the customer has not answered",
                              situation=case["situation"] or ""))
        chosen = [item for item in items if item.kind in wanted]
        return sorted(chosen, key=lambda item: (item.risk, item.since, item.target))

    def message(self, row_id: int) -> MessageView | None:
        """One ledger row as a person reviews it (None: no such row)."""
        row = self.store.message_analysis(row_id)
        if row is None:
            return None
        analysis = row.analysis
        quarantined = row.destination == "quarantine"
        reason = (f"quarantined: {row.error}" if quarantined else
                  review_reason(analysis) if row.destination == "review" or analysis.get("action") == "review"
                  else "")
        return MessageView(row, reason, analysis, self.store.outbox_of_message(row_id),
                           bool(self.store.actions(f"message {row_id}")))

    def correct(self, row_id: int, *, situation: str | None = None, fields: dict[str, Any] | None = None) -> Corrected:
        """Correct the reading of a message whose case is in review (decisions.Decisions.correct): the
        bot then answers and routes it as if it had read it right. Needs the Review built with
        ``decisions`` (an App's: rules and model)."""
        if self.decisions is None:
            raise ValueError("Review.correct needs decisions (Review(..., decisions=Decisions(app, store)))")
        before = self.store.message_analysis(row_id)
        done = self.decisions.correct(row_id, situation=situation, fields=fields or {}, actor=self.actor)
        raw = self.store.kept_message(row_id)
        if not done.refused and before is not None and raw is not None:
            self._example(row_id, before.analysis, raw, situation, fields or {})
        return done

    def preview(self, row_id: int, *, situation: str | None = None,
                fields: dict[str, Any] | None = None) -> tuple[Corrected, list[OutboxRow]]:
        """What ``correct`` would decide and queue, without doing it: the correction runs in a
        transaction that is then rolled back (nothing is written, nothing can be sent)."""
        if self.decisions is None:
            raise ValueError("Review.preview needs decisions (Review(..., decisions=Decisions(app, store)))")
        seen: dict[str, Any] = {}
        try:
            with self.store.transaction():
                before = {r["id"] for r in self.store.outbox_of_message(row_id)}
                seen["done"] = self.decisions.correct(row_id, situation=situation, fields=fields or {},
                                                      actor=self.actor)
                seen["rows"] = [self.store.outbox_row(r["id"]) for r in self.store.outbox_of_message(row_id)
                                if r["id"] not in before]
                raise _RolledBack
        except _RolledBack:
            pass
        return seen["done"], seen["rows"]

    def _example(self, row_id: int, analysis: dict[str, Any], raw: bytes, situation: str | None,
                 fields: dict[str, Any]) -> None:
        """A correction kept as a labelled example, written as the training examples are (subject,
        blank line, the request's new text): ``mailbot train --with-corrections`` learns from it."""
        from mailbot.read.analyze import request_texts

        texts = request_texts(raw)
        bot = str(analysis.get("situation") or "other")
        self.store.add_example(actor=self.actor, message_row=row_id, bot_situation=bot, situation=situation or bot,
                               text=f"{texts['subject'].strip()}\n\n{texts['new'].strip()}", fields=fields,
                               now=self.clock())

    def approve(self, ids: Iterable[int] | None) -> Done:
        """Approve drafts (None: every draft). They join the held queue, which the daemon sends
        within the hourly limit: approving a thousand at once cannot flood anyone. Approving the
        forward of a complete case routes the case."""
        wanted = None if ids is None else list(ids)
        now = self.clock()
        with self.store.transaction():
            approved = self.store.outbox_ids([DRAFT], wanted)
            routed = self.store.release_drafts(approved, now)[1] if approved else []
            self._record("approve", (f"outbox {i}" for i in approved), now)
        return Done([str(i) for i in approved], _left_out(wanted, approved), routed)

    def edit(self, outbox_id: int, text: str) -> Done:
        """A person's own text for a draft, before they approve it: the text part becomes ``text``
        and the HTML part the same text; headers, threading and attached originals are kept. Only a
        draft can be edited, and never to an empty text."""
        now = self.clock()
        with self.store.transaction():
            row = self.store.outbox_row(outbox_id)
            if row is None or row.state != DRAFT or not text.strip():
                return Done(refused=[str(outbox_id)])
            raw = with_text(row.raw, text.strip() + "\n", text_as_html(text))
            self.store.replace_draft(outbox_id, raw)
            self._record("edit", [f"outbox {outbox_id}"], now)
        return Done([str(outbox_id)])

    def to_requeue(self, row_ids: Iterable[int] | None = None) -> tuple[dict[int, str | None], list[str]]:
        """The quarantined messages a requeue would put back (of ``row_ids``; None: all), with their
        Message-IDs, and the ids asked for that are not quarantined messages still waiting."""
        waiting = self.store.quarantined_waiting()
        if row_ids is None:
            return waiting, []
        wanted = list(row_ids)
        return {r: waiting[r] for r in wanted if r in waiting}, [str(r) for r in wanted if r not in waiting]

    def requeued(self, row_ids: Iterable[int]) -> Done:
        """These quarantined messages were put back in the inbox (`mailbot requeue` moved them): they
        leave the queue, each with its audit line; they come back as new messages of the next pass."""
        now = self.clock()
        with self.store.transaction():
            rows = [r for r in row_ids if r in self.store.quarantined_waiting()]
            self._record("requeue", (f"message {r}" for r in rows), now)
        return Done([str(r) for r in rows])

    def discard(self, ids: Iterable[int]) -> Done:
        """Never send these drafts or held replies: a person answers instead."""
        wanted = list(ids)
        now = self.clock()
        with self.store.transaction():
            discarded = self.store.set_outbox_state(wanted, (DRAFT, HELD), DISCARDED)
            self._record("discard", (f"outbox {i}" for i in discarded), now)
        return Done([str(i) for i in discarded], _left_out(wanted, discarded))

    def resolve(self, message_ids: Iterable[int], note: str = "") -> Done:
        """Messages without a case that a person has dealt with (answered by hand, nothing to do): they
        leave the queue, the note kept in the audit. A case is closed instead (``close``)."""
        done = Done()
        now = self.clock()
        for row_id in message_ids:
            with self.store.transaction():
                row = self.store.message_row(row_id)
                if row is None or row["case_ref"] is not None:
                    done.refused.append(str(row_id))
                    continue
                self._record("resolve", [f"message {row_id}"], now, note=note)
                done.changed.append(str(row_id))
        return done

    def close(self, refs: Iterable[str], note: str = "") -> Done:
        """Close cases a person has finished: a later message opens a new case."""
        done = Done()
        now = self.clock()
        for ref in (r.upper() for r in refs):
            with self.store.transaction():
                why = note or "closed by a person"
                if self.store.move_case(ref, CLOSED, f"{why} ({self.actor})", now, only_from=set(STATES) - {CLOSED}):
                    self._record("close", [f"case {ref}"], now, note=note)
                    done.changed.append(ref)
                else:
                    done.refused.append(ref)
        return done

    def _record(self, action: str, targets: Iterable[str], now: datetime, **detail: str) -> None:
        """The audit lines of one action, in the action's transaction."""
        for target in targets:
            self.store.record_action(actor=self.actor, action=action, target=target, detail=detail, now=now)


class _RolledBack(Exception):
    """Ends a preview's transaction: what it wrote is undone."""


def _left_out(wanted: list[int] | None, done: list[int]) -> list[str]:
    """The ids asked for that the action could not take (None asked for all: none is left out)."""
    return [] if wanted is None else [str(i) for i in wanted if i not in set(done)]


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def text_as_html(text: str) -> str:
    """A person's plain text as the HTML part: escaped, paragraphs kept, nothing added."""
    paragraphs = [p for p in text.strip().replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>\n" for p in paragraphs)

