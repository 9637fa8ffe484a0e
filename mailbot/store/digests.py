"""Managers' digests: each recipient's own choices, and the digests recorded before they are sent
(one per recipient and local day: the outbox then sends it exactly once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mailbot.store.base import StoreBase
from mailbot.store.rows import PENDING, _iso


class Digests(StoreBase):
    """Recipients' choices and the digests recorded."""

    def recipient_choices(self) -> dict[str, dict[str, Any]]:
        return {r["address"]: r for r in self.db.query(
            "select address, language, timezone, hour, paused from digest_recipients")}

    def set_recipient(self, address: str, now: datetime, **choices: Any) -> None:
        """Record a recipient's choices (language, timezone, hour, paused); None leaves one as it is."""
        address = address.strip().lower()
        with self.transaction():
            current = self.recipient_choices().get(address, {})
            row = {"address": address, "updated_at": _iso(now)}
            for key in ("language", "timezone", "hour", "paused"):
                value = choices.get(key)
                row[key] = current.get(key) if value is None else (int(value) if key == "paused" else value)
            self.db["digest_recipients"].upsert(row, pk="address")

    def digest_sent(self, address: str, day: str | None) -> dict[str, Any] | None:
        """The digest recorded for ``address`` and ``day`` (None: its latest, of any day)."""
        sql, args = "select address, day, outbox_id, at from digests where address = ?", [address.strip().lower()]
        if day is not None:
            sql, args = sql + " and day = ?", args + [day]
        rows = list(self.db.query(sql + " order by day desc limit 1", args))
        return rows[0] if rows else None

    def record_digest(self, address: str, day: str, raw: bytes, now: datetime, again: bool = False) -> int | None:
        """Queue the digest of ``day`` for ``address``, recorded first: None when one was recorded already
        (unless ``again``, a person's explicit resend)."""
        address = address.strip().lower()
        with self.transaction():
            if self.digest_sent(address, day) is not None and not again:
                return None
            outbox_id = self.queue(message_row=None, case_ref=None, kind="digest", recipients=[address], raw=raw,
                                   state=PENDING, now=now)
            self.db.conn.execute("insert into digests (address, day, outbox_id, at) values (?, ?, ?, ?) "
                                 "on conflict(address, day) do update set outbox_id = excluded.outbox_id, "
                                 "at = excluded.at", [address, day, outbox_id, _iso(now)])
        return outbox_id
