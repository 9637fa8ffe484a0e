"""What the store hands out and takes in: states, keys and rows, and the errors of this machine."""

from __future__ import annotations

import errno
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from mailbot.read.bounds import MAX_STORED_ANALYSIS


class LocalProblem(Exception):
    """The database cannot be read or written (a full disk, a read-only file system, an I/O error):
    a problem of this machine, for its operator; exit status 3."""


LOCAL_ERRNOS = (errno.ENOSPC, errno.EROFS, errno.EIO, errno.EDQUOT, errno.EACCES, errno.EPERM)


def is_local_problem(exc: BaseException) -> bool:
    """An error of this machine (the database file, a disk, a permission), not of mailbot's own
    statements nor of a server: retrying the connection would not help."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError or (
        isinstance(exc, OSError) and exc.errno in LOCAL_ERRNOS)


# Ledger states. "decided": recorded, not yet moved out of the inbox; "done":
# moved (or deliberately left, in shadow mode); the others say why it was not
# analysed normally.
DECIDED, DONE, QUARANTINED, DUPLICATE = "decided", "done", "quarantined", "duplicate"
# Outbox states.
PENDING, SENT, DRAFT, SHADOW, FAILED = "pending", "sent", "draft", "shadow", "failed"
UNCONFIRMED = "unconfirmed"
IN_FLIGHT = ("stopped while the end of data was being written: the server may or may not have it; "
             "check with the recipient before sending it again")
DISCARDED = "discarded"  # a draft a person decided not to send
HELD = "held"  # stopped by the global brake; released to pending as the hourly count drops
# Outbox kinds besides the replies of replies.REPLY_KINDS and "forward".
NEUTRAL_ACK = "neutral_ack"  # the only reply a sender outside the directory gets
# Replies that went out or will go out without a person: what the limits count.
OUTGOING = (PENDING, SENT, UNCONFIRMED, HELD)


@dataclass(frozen=True)
class MessageKey:
    """Where a message sits: the IMAP triple, or a Maildir path and file key."""

    mailbox: str
    uidvalidity: int
    uid: str


@dataclass(frozen=True)
class Case:
    """A case as the store hands it out: its row, and its snapshot (decide/cases.snapshot) decoded,
    with the merged fields, confidence and personal-address flag read from it."""

    ref: str
    situation: str
    sender: str
    state: str
    created_at: str
    updated_at: str
    fields: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0
    email_nominative: bool | None = None
    snapshot: dict[str, Any] | None = None
    message_id: str | None = None
    customer_number: str | None = None
    awaiting_since: str | None = None
    reminded_at: str | None = None
    closed_at: str | None = None
    forwarded_to: str | None = None
    last_message_at: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Case":
        snapshot = json.loads(row["snapshot"] or "null")
        values = {k: row[k] for k in cls.__dataclass_fields__ if k in row and k not in ("snapshot", "fields")}
        return cls(**values, snapshot=snapshot, fields=(snapshot or {}).get("fields", {}),
                   confidence=(snapshot or {}).get("confidence", 0.0),
                   email_nominative=(snapshot or {}).get("email_nominative"))


@dataclass(frozen=True)
class LedgerRow:
    """A message of the ledger with its decision, as people look at it (review, explain)."""

    id: int
    sender: str | None
    subject: str | None
    received_at: str | None
    situation: str | None
    action: str | None
    destination: str | None
    case_ref: str | None
    error: str | None
    created_at: str
    analysis: dict[str, Any]  # as stored ({} when none, or unreadable JSON)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "LedgerRow":
        try:
            analysis = json.loads(row["analysis"] or "{}")
        except ValueError:
            analysis = {}
        return cls(**{**row, "analysis": analysis if isinstance(analysis, dict) else {}})


@dataclass(frozen=True)
class OutboxRow:
    """A reply or forward of the outbox, with the bytes as it goes (or went) out."""

    id: int
    state: str
    kind: str
    case_ref: str | None
    recipients: list[str]
    raw: bytes
    attempts: int
    last_error: str | None
    created_at: str
    sent_at: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "OutboxRow":
        return cls(**{**row, "recipients": json.loads(row["recipients"] or "[]"), "raw": bytes(row["raw"] or b"")})


@dataclass
class OutgoingRow:
    id: int
    recipients: list[str]
    raw: bytes
    attempts: int
    case_ref: str | None = None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _bounded_json(analysis: dict[str, Any]) -> str:
    """An analysis as JSON, at most MAX_STORED_ANALYSIS characters: past it, the bulky
    parts (details, evidence, attachments, long lists) are shortened and ``stored_cut``
    says so; past it still, only the decision is kept. Always valid JSON."""
    text = json.dumps(analysis, ensure_ascii=False, default=str)
    if len(text) <= MAX_STORED_ANALYSIS:
        return text
    fields = {k: (v[:20] if isinstance(v, list) else v) for k, v in (analysis.get("fields") or {}).items()}
    short = {**analysis, "details": {}, "fields": fields, "evidence": list(analysis.get("evidence") or [])[:20],
             "attachments": list(analysis.get("attachments") or [])[:10],
             "reasons": [str(r)[:300] for r in list(analysis.get("reasons") or [])[:20]], "stored_cut": True}
    text = json.dumps(short, ensure_ascii=False, default=str)
    if len(text) <= MAX_STORED_ANALYSIS:
        return text
    keep = ("situation", "action", "confidence", "lead_time_ok", "automated", "decided_by")
    return json.dumps({**{k: analysis.get(k) for k in keep}, "message_id": str(analysis.get("message_id"))[:1000],
                       "missing": list(analysis.get("missing") or [])[:20], "stored_cut": True},
                      ensure_ascii=False, default=str)


def _utc(moment: datetime) -> str:
    return _iso(moment.astimezone(timezone.utc))
