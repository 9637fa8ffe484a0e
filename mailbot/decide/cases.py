"""Cases: one customer request carried across messages until someone acts on it.

A customer rarely sends everything at once. The first actionable message
opens a case; the answer to our request for information joins it (by
In-Reply-To/References, by the ``[Réf. …]`` in the subject, or, when the mail
client dropped both, by the same sender and the same contract or serial number
within ``thread_days``). The answer's fields are merged into the case (the
newer value wins and each change is recorded), and the case is decided again
with its own situation (chain.py): complete, still missing something, or for a person.

This module is pure (no database, no clock): the store finds the candidate
case and keeps the rows, the decision chain calls ``join``, the processor ``state_after``.

States: ``awaiting_customer`` (we asked for something), ``complete`` (all is
there, the forward to the colleague waits for approval), ``routed`` (forwarded to whoever acts),
``in_review`` (a person decides), ``closed`` (nothing left for the bot: the
reply was the whole answer, or a person closed it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mailbot.config import REFERENCE_PREFIX
from mailbot.read.analysis import FIELD_KEYS, Analysis, Evidence
from mailbot.read.rules import Rules

if TYPE_CHECKING:
    from mailbot.store.rows import Case

AWAITING, COMPLETE, ROUTED, IN_REVIEW, CLOSED = (
    "awaiting_customer", "complete", "routed", "in_review", "closed")
STATES = (AWAITING, COMPLETE, ROUTED, IN_REVIEW, CLOSED)
MAX_LISTED = 100  # values of a list field (serials, readings) kept in a case
# Routes whose complete cases are forwarded to a colleague (the others are answered in full).
FORWARDED_ROUTES = ("contracts", "sales", "account_manager")

# "[Réf. WFPS-2026-000123]", as our replies put it in the subject (clients may drop the accent). The
# prefix may hold digits and hyphens ([bot] reference_prefix) and the number grows past six digits:
# the bracket's token is taken whole (bounded), then split by REFERENCE_PARTS. Blanks matched whole,
# and only from the start of a run: linear on any subject.
REFERENCE = re.compile(r"(?<!\s)\s*+\[\s*+R[ée]f\.?\s*+([A-Z0-9][A-Z0-9-]{0,60}+)\s*+\]", re.IGNORECASE)
REFERENCE_PARTS = re.compile(rf"(?P<prefix>{REFERENCE_PREFIX})-(?P<year>\d{{4}})-(?P<number>\d{{6,}})",
                             re.IGNORECASE)


def _ours(match: re.Match) -> bool:
    return REFERENCE_PARTS.fullmatch(match.group(1)) is not None


def subject_reference(subject: str | None) -> str | None:
    """The case reference ``WFPS-2026-000123`` quoted in a subject, if any."""
    match = next((m for m in REFERENCE.finditer(subject or "") if _ours(m)), None)
    return match.group(1).upper() if match else None


def without_reference(subject: str) -> str:
    """The subject without our case references: they are not the customer's numbers."""
    return REFERENCE.sub(lambda m: "" if _ours(m) else m.group(0), subject).strip()


@dataclass
class Thread:
    """The case a message belongs to, and how it was recognised."""

    ref: str
    how: str  # "In-Reply-To", "References", "subject reference", "sender and number"
    case: Case  # the case as the store has it


@dataclass(frozen=True)
class Change:
    """A field the newer message changed: recorded in the case's history."""

    field: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


def _empty(value: Any) -> bool:
    return value in (None, "", [], False)


def merge(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], list[Change]]:
    """The case's fields after a newer message: a value the newer message
    gives wins; a value it does not give is kept. Returns the fields and the
    changes (a value that was set before and is now different)."""
    merged, changes = {}, []
    for key in FIELD_KEYS:
        before, after = old.get(key), new.get(key)
        if _empty(after):
            merged[key] = before if before is not None else after
            continue
        merged[key] = after
        if not _empty(before) and before != after:
            changes.append(Change(key, before, after))
    return merged, changes


def same_request(analysis: Analysis, case: Case, review_below: float) -> bool:
    """May a message found only by sender and number continue this case?

    Only when it does not confidently ask for something else: the same
    situation, ``other``, or a reading too unsure to act on.
    """
    return (analysis.situation in (case.situation, "other")
            or analysis.confidence < review_below)


@dataclass
class Joined:
    """What joining a case found: the fields that changed, and other requests the answer makes."""

    changes: list[Change]
    asks_else: list[str]


def join(analysis: Analysis, thread: Thread, rules: Rules) -> Joined:
    """Continue ``thread``'s case with ``analysis``: merge its fields and take the
    case's situation and confidence. Changes ``analysis`` in place (situation,
    confidence, fields, evidence); the decision chain (chain.py) then decides
    again on the merged reading.

    The case's situation wins: an answer such as "voici le numéro de série"
    says nothing of the request by itself. ``asks_else`` names the situations
    the answer asks for in its own words besides the case's: a person reads them.
    """
    case = thread.case
    own = (analysis.situation, analysis.confidence)
    # Another request in the answer's own words (not in the quoted history, where our
    # reply's guidance may name other situations) is for a person, not merged away.
    others = {analysis.secondary_situation} | ({own[0]} if own[1] >= rules.review_below else set())
    others -= {case.situation, "other", None}
    asks_else = sorted(o for o in others if any(
        e.stage == "classify" and e.name == o and e.source == "new" for e in analysis.evidence))
    fields, changes = merge(case.fields, analysis.fields)
    nominative = analysis.email_nominative
    if nominative is None and fields.get("new_email") == case.fields.get("new_email"):
        nominative = case.email_nominative
    analysis.situation = case.situation
    analysis.confidence = case.confidence
    analysis.fields = fields
    analysis.details = {**analysis.details, "new_email": {**(analysis.details.get("new_email") or {}),
                                                           "nominative": nominative}}
    analysis.evidence.append(Evidence(
        "case", "joined", thread.ref,
        f"continues case {thread.ref} ({case.state}) by {thread.how}; "
        f"read alone as {own[0]} at {own[1]:.2f}"))
    analysis.evidence.extend(Evidence("case", "changed", c.field, f"{c.old!r} -> {c.new!r}") for c in changes)
    return Joined(changes, asks_else)


def state_after(action: str, forward: str | None) -> str:
    """The case state once ``action`` is taken. ``forward``: None when no
    colleague gets the case, "queued" when the forward goes out, "waiting" when
    it waits for approval (draft or shadow mode)."""
    if action == "request_info":
        return AWAITING
    if action == "acknowledge":
        return {None: CLOSED, "queued": ROUTED, "waiting": COMPLETE}[forward]
    return IN_REVIEW


def snapshot(analysis: Analysis) -> dict[str, Any]:
    """The case as of its latest message, as JSON: its merged fields and reading,
    and what a later reminder needs to write to the customer again (lists of
    values kept to the first MAX_LISTED: a reminder names, it does not enumerate)."""
    return {
        "message_id": analysis.message_id, "subject": analysis.subject, "sender": analysis.sender,
        "sender_name": analysis.sender_name, "reply_to": analysis.reply_to,
        "references": list(analysis.references), "language": analysis.language,
        "situation": analysis.situation, "confidence": analysis.confidence,
        "fields": {k: v[:MAX_LISTED] if isinstance(v, list) else v for k, v in analysis.fields.items()},
        "missing": list(analysis.missing),
        "lead_time_ok": analysis.lead_time_ok,
        "email_nominative": analysis.email_nominative,
        "received": analysis.received.isoformat() if analysis.received else None,
    }


def from_snapshot(data: dict[str, Any]) -> Analysis:
    """The analysis a reminder is written from (the inverse of ``snapshot``)."""
    received = data.get("received")
    return Analysis(
        message_id=data.get("message_id"), subject=data.get("subject") or "",
        sender=data.get("sender") or "", sender_name=data.get("sender_name") or "",
        reply_to=data.get("reply_to") or "", references=list(data.get("references") or []),
        language=data.get("language") or "fr", situation=data["situation"],
        confidence=data.get("confidence") or 0.0, fields=dict(data["fields"]),
        missing=list(data.get("missing") or []), lead_time_ok=data.get("lead_time_ok"),
        details={"new_email": {"nominative": data.get("email_nominative")}},
        received=datetime.fromisoformat(received) if received else None,
        action="request_info")
