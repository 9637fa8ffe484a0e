"""Loop safety's memory: addresses suppressed after a bounce, and open alerts (the brake)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mailbot.store.base import StoreBase
from mailbot.store.rows import _utc


class Safety(StoreBase):
    """Loop safety's memory: addresses suppressed after a bounce, and open alerts (the brake)."""

    def suppress(self, address: str, *, reason: str, until: datetime, message_id: str | None,
                 now: datetime) -> None:
        """Do not write to ``address`` before ``until`` (a later bounce extends it)."""
        address = address.strip().lower()
        current = self.suppression(address, now)
        if current is not None and current["until"] >= _utc(until):
            return
        self.db["suppressed"].upsert({
            "address": address, "reason": reason, "message_id": message_id,
            "created_at": _utc(now), "until": _utc(until),
        }, pk="address")

    def suppression(self, address: str, now: datetime) -> dict[str, Any] | None:
        """The suppression of ``address`` still in force at ``now``, if any."""
        rows = list(self.db.query(
            "select address, reason, message_id, created_at, until from suppressed "
            "where address = ? and until > ?", [address.strip().lower(), _utc(now)]))
        return rows[0] if rows else None

    def suppressions(self, now: datetime) -> list[dict[str, Any]]:
        return list(self.db.query("select address, reason, created_at, until from suppressed "
                                  "where until > ? order by address", [_utc(now)]))

    def clear_suppression(self, address: str) -> bool:
        return self.db.conn.execute("delete from suppressed where address = ?",
                                    [address.strip().lower()]).rowcount > 0

    def open_alert(self, kind: str, message: str, now: datetime) -> bool:
        """Record an alert of ``kind`` unless one is still open; True when it is new."""
        if self.db.execute("select 1 from alerts where kind = ? and cleared_at is null",
                           [kind]).fetchone():
            return False
        self._insert("alerts", {"kind": kind, "message": message, "opened_at": _utc(now),
                                  "cleared_at": None})
        return True

    def clear_alerts(self, kind: str, now: datetime) -> int:
        """Close the open alerts of ``kind``; returns how many were open."""
        return self.db.conn.execute("update alerts set cleared_at = ? where kind = ? and cleared_at is null",
                                    [_utc(now), kind]).rowcount

    def open_alerts(self, kind: str | None = None) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select id, kind, message, opened_at from alerts where cleared_at is null "
            "and (? is null or kind = ?) order by id", [kind, kind]))
