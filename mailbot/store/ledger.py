"""The message ledger: one row per message key, its decision and where it was filed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from mailbot.store.base import StoreBase
from mailbot.store.rows import DECIDED, DONE, LedgerRow, MessageKey, _bounded_json, _iso


class Ledger(StoreBase):
    """The message ledger: one row per message key, its decision and where it was filed."""

    def states(self, keys: Iterable[MessageKey]) -> dict[MessageKey, dict[str, Any]]:
        """The ledger rows of the given keys that are already recorded."""
        found: dict[MessageKey, dict[str, Any]] = {}
        by_mailbox: dict[tuple[str, int], list[MessageKey]] = {}
        for key in keys:
            by_mailbox.setdefault((key.mailbox, key.uidvalidity), []).append(key)
        for (mailbox, uidvalidity), group in by_mailbox.items():
            for start in range(0, len(group), 500):
                chunk = {k.uid: k for k in group[start:start + 500]}
                marks = ",".join("?" * len(chunk))
                rows = self.db.query(
                    f"select id, uid, state, destination, case_ref from messages "
                    f"where mailbox = ? and uidvalidity = ? and uid in ({marks})",
                    [mailbox, uidvalidity, *chunk],
                )
                for row in rows:
                    found[chunk[row["uid"]]] = row
        return found

    def decided_rows(self, mailbox: str) -> list[dict[str, Any]]:
        """The rows of ``mailbox`` decided but not recorded as moved, each with its message's key."""
        rows = self.db.query("select id, uidvalidity, uid from messages where state = ? and mailbox = ?",
                             [DECIDED, mailbox])
        return [{"id": r["id"], "key": MessageKey(mailbox, r["uidvalidity"], r["uid"])} for r in rows]

    def seen_message_id(self, message_id: str | None, fingerprint: str | None = None) -> dict[str, Any] | None:
        """An earlier ledger row for the same Message-ID (without one: the same fingerprint), if it
        was decided."""
        column, value = ("message_id", message_id) if message_id else ("fingerprint", fingerprint)
        if not value:
            return None
        rows = list(self.db.query(
            f"select id, case_ref, state, destination from messages where {column} = ? "
            "and state in (?, ?) order by id limit 1",
            [value, DECIDED, DONE],
        ))
        return rows[0] if rows else None

    def record(
        self,
        key: MessageKey,
        *,
        now: datetime,
        state: str,
        destination: str | None,
        message_id: str | None = None,
        analysis: dict[str, Any] | None = None,
        error: str | None = None,
        case_ref: str | None = None,
        fingerprint: str | None = None,
    ) -> int:
        """Insert the ledger row of a message; returns its id. Call inside ``transaction``."""
        analysis = analysis or {}
        row = {
            "mailbox": key.mailbox,
            "uidvalidity": key.uidvalidity,
            "uid": key.uid,
            "message_id": message_id,
            "received_at": analysis.get("received"),
            "sender": analysis.get("sender"),
            "subject": analysis.get("subject"),
            "situation": analysis.get("situation"),
            "action": analysis.get("action"),
            "confidence": analysis.get("confidence"),
            "analysis": _bounded_json(analysis) if analysis else None,
            "state": state,
            "destination": destination,
            "case_ref": case_ref,
            "error": error,
            "fingerprint": fingerprint,
            "created_at": _iso(now),
            "updated_at": _iso(now),
        }
        return self._insert("messages", row)

    def redecide(self, row_id: int, analysis: dict[str, Any], now: datetime) -> None:
        """A ledger row decided again (a person corrected its reading): its reading and action change;
        where the message is filed does not (it stays where a person found it). In ``transaction``."""
        self.db.execute("update messages set situation = ?, action = ?, confidence = ?, analysis = ?, "
                        "updated_at = ? where id = ?",
                        [analysis.get("situation"), analysis.get("action"), analysis.get("confidence"),
                         _bounded_json(analysis), _iso(now), row_id])

    def set_states(self, row_ids: list[int], state: str, now: datetime) -> None:
        with self.transaction():
            self.db.conn.executemany("update messages set state = ?, updated_at = ? where id = ?",
                                     [(state, _iso(now), row_id) for row_id in row_ids])

    def message_analysis(self, row_id: int) -> LedgerRow | None:
        """The ledger row ``row_id`` with its stored analysis decoded (None: no such row)."""
        rows = list(self.db.query("select id, sender, subject, received_at, situation, action, destination, "
                                  "case_ref, error, analysis, created_at from messages where id = ?", [row_id]))
        return LedgerRow.from_row(rows[0]) if rows else None

    def message_row(self, row_id: int) -> dict[str, Any] | None:
        """A ledger row's place: its case, destination and state (None: no such row)."""
        rows = list(self.db.query("select id, case_ref, destination, state from messages where id = ?", [row_id]))
        return rows[0] if rows else None

    def outbox_of_message(self, row_id: int) -> list[dict[str, Any]]:
        """The replies and forwards queued for the ledger row ``row_id``, oldest first."""
        return list(self.db.query("select id, state, kind, recipient, created_at, sent_at from outbox "
                                  "where message_row = ? order by id", [row_id]))
