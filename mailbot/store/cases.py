"""Cases: the rows, their history (events), their messages kept as received."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from mailbot.decide.cases import AWAITING, CLOSED, IN_REVIEW
from mailbot.read.bounds import MAX_HEADER_BYTES, MAX_MESSAGE_BYTES
from mailbot.store.base import StoreBase
from mailbot.store.rows import SENT, UNCONFIRMED, Case, _iso


class CaseRows(StoreBase):
    """Cases: the rows, their history (events), their messages kept as received."""

    def open_case(self, *, prefix: str, year: int, situation: str, sender: str,
                  message_id: str | None, now: datetime) -> str:
        """A new case with the next reference of the year. Call inside ``transaction``."""
        case_id = self._insert("cases", {
            "ref": None, "situation": situation, "sender": (sender or "").lower(),
            "message_id": message_id, "state": IN_REVIEW,
            "created_at": _iso(now), "updated_at": _iso(now),
        })
        ref = f"{prefix}-{year}-{case_id:06d}"
        self.db.execute("update cases set ref = ? where id = ?", [ref, case_id])
        return ref

    def case(self, ref: str) -> Case | None:
        """A case (rows.Case), or None."""
        rows = list(self.db.query("select * from cases where ref = ?", [ref]))
        return Case.from_row(rows[0]) if rows else None

    def case_of_message_ids(self, message_ids: Iterable[str]) -> str | None:
        """The case one of these Message-IDs (ours or the customer's) belongs to, latest first."""
        ids = [m for m in message_ids if m]
        for message_id in reversed(ids):
            row = self.db.execute("select case_ref from case_links where message_id = ?",
                                  [message_id]).fetchone()
            if row:
                return row[0]
        return None

    def cases_of_sender(self, sender: str, since: datetime) -> list[Case]:
        """The sender's cases whose last message came since ``since``, newest first."""
        refs = [r[0] for r in self.db.execute(
            "select ref from cases where sender = ? and last_message_at >= ? order by id desc",
            [(sender or "").lower(), _iso(since)])]
        return [self.case(ref) for ref in refs]

    def link(self, case_ref: str, message_id: str | None) -> None:
        """Thread ``message_id`` (received or sent) into the case."""
        if message_id:
            self.db.execute("insert or ignore into case_links (message_id, case_ref) values (?, ?)",
                            [message_id, case_ref])

    def keep_case_message(self, case_ref: str, message_row: int, message_id: str | None,
                          raw: bytes, now: datetime) -> None:
        """Keep a message of the case (attached to its forward); one over the size cap only by
        its first MAX_HEADER_BYTES (a person opens it in the review folder)."""
        kept = raw if len(raw) <= MAX_MESSAGE_BYTES else raw[:MAX_HEADER_BYTES]
        self._insert("case_messages", {"case_ref": case_ref, "message_row": message_row,
                                         "message_id": message_id, "raw": kept, "created_at": _iso(now)})

    def kept_message(self, message_row: int) -> bytes | None:
        """The bytes of ledger row ``message_row`` as its case keeps them (None: not kept)."""
        row = self.db.execute("select raw from case_messages where message_row = ?", [message_row]).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def case_messages(self, case_ref: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select c.message_row, c.message_id, c.raw, m.sender, m.subject, m.received_at "
            "from case_messages c left join messages m on m.id = c.message_row "
            "where c.case_ref = ? order by c.id", [case_ref]))

    def update_case(self, ref: str, now: datetime, **values: Any) -> None:
        """Set case columns (``snapshot`` as a Python value, times as datetimes)."""
        if "snapshot" in values:
            values["snapshot"] = json.dumps(values["snapshot"], ensure_ascii=False, default=str)
        values = {k: _iso(v) if isinstance(v, datetime) else v for k, v in values.items()}
        values["updated_at"] = _iso(now)
        columns = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(f"update cases set {columns} where ref = ?", [*values.values(), ref])

    def case_event(self, ref: str, kind: str, detail: Any, now: datetime) -> None:
        self._insert("case_events", {"case_ref": ref, "at": _iso(now), "kind": kind,
                                       "detail": json.dumps(detail, ensure_ascii=False, default=str)})

    def case_events(self, ref: str) -> list[dict[str, Any]]:
        return [{**r, "detail": json.loads(r["detail"])} for r in self.db.query(
            "select at, kind, detail from case_events where case_ref = ? order by id", [ref])]

    def cases_awaiting(self, before: datetime, reminded: bool) -> list[str]:
        """Cases waiting for the customer since before ``before`` (``reminded``:
        those whose reminder went out before ``before``; else those not reminded yet)."""
        if reminded:
            sql = "select ref from cases where state = ? and reminded_at is not null and reminded_at <= ?"
        else:
            sql = "select ref from cases where state = ? and reminded_at is null and awaiting_since <= ?"
        return [r[0] for r in self.db.execute(sql + " order by id", [AWAITING, _iso(before)])]

    def move_case(self, ref: str, state: str, why: str, now: datetime, *, only_from: Iterable[str]) -> bool:
        """Put a case in ``state`` if it is now in one of ``only_from``, with the
        reason in its history; False when it is not (or unknown). Call inside ``transaction``."""
        row = self.db.execute("select state from cases where ref = ?", [ref]).fetchone()
        if row is None or row[0] not in set(only_from):
            return False
        self.update_case(ref, now, state=state, **({"closed_at": now} if state == CLOSED else {}))
        self.case_event(ref, "state", {"from": row[0], "to": state, "why": why}, now)
        return True

    def request_went_out(self, case_ref: str, message_row: int) -> bool:
        """Did our request for information on ``message_row`` reach the SMTP server?"""
        row = self.db.execute("select state from outbox where case_ref = ? and message_row = ? "
                              "and kind = 'request_info'", [case_ref, message_row]).fetchone()
        return row is not None and row[0] in (SENT, UNCONFIRMED)

    def list_cases(self, state: str | None = None, limit: int = 100) -> list[Case]:
        """The latest ``limit`` cases (in ``state``), newest first."""
        return [Case.from_row(row) for row in self.db.query(
            "select * from cases where ref is not null and (? is null or state = ?) order by id desc limit ?",
            [state, state, limit])]

    def count_cases(self, state: str | None = None) -> int:
        """How many cases there are (in ``state``): what ``list_cases`` leaves out is the rest."""
        return self.db.execute("select count(*) from cases where ref is not null and (? is null or state = ?)",
                               [state, state]).fetchone()[0]
