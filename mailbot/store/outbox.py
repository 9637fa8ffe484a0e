"""The outbox: replies, forwards and reminders queued, sent exactly once; the counts the limits read."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable

from mailbot.decide.cases import COMPLETE, ROUTED
from mailbot.read.addresses import domain_of, fold
from mailbot.store.base import StoreBase
from mailbot.store.rows import (DRAFT, FAILED, HELD, IN_FLIGHT, NEUTRAL_ACK, OUTGOING, PENDING, SENT, UNCONFIRMED,
                                OutboxRow, OutgoingRow, _iso, _utc)


class OutboxRows(StoreBase):
    """The outbox: replies, forwards and reminders queued, sent exactly once; the counts the limits read."""

    def queue(self, *, message_row: int | None, case_ref: str | None, kind: str, recipients: list[str],
              raw: bytes, state: str, now: datetime, message_id: str | None = None) -> int:
        """Store a message to send; call inside ``transaction`` with the ledger row it answers. A message
        that answers none (a digest, a reply a person wrote) has no ``message_row``."""
        first = recipients[0].strip().lower() if recipients else None
        return self._insert("outbox", {
            "message_row": message_row, "case_ref": case_ref, "kind": kind,
            "recipients": json.dumps(recipients), "raw": raw, "state": state,
            "attempts": 0, "last_error": None, "created_at": _iso(now), "sent_at": None,
            "recipient": first, "folded": fold(first) if first else None,
            "domain": domain_of(first) if first else None, "message_id": message_id,
        })

    def pending(self, limit: int = 500) -> list[OutgoingRow]:
        """Replies waiting to be sent, oldest first."""
        rows = self.db.query(
            "select id, recipients, raw, attempts, case_ref from outbox where state = ? order by id limit ?",
            [PENDING, limit])
        return [OutgoingRow(r["id"], json.loads(r["recipients"]), r["raw"], r["attempts"], r["case_ref"])
                for r in rows]

    def mark_in_flight(self, outbox_id: int, now: datetime) -> None:
        """One autocommitted UPDATE, made just before the SMTP end of data (see senders): from here the
        server may have the message, so it is never sent again. Should the process stop before the
        server's answer, the row stays "unconfirmed" with this note, for a person to check."""
        self.db.conn.execute(
            "update outbox set state = ?, sent_at = ?, last_error = ? where id = ?",
            [UNCONFIRMED, _iso(now), IN_FLIGHT, outbox_id])

    def mark_sent(self, outbox_id: int, now: datetime) -> None:
        """The server accepted it (250 to the end of data). An error of an earlier attempt no longer
        describes the row: it is cleared (the log keeps it)."""
        self.db.conn.execute(
            "update outbox set state = ?, sent_at = ?, last_error = null where id = ?",
            [SENT, _iso(now), outbox_id])

    def mark_failed(self, outbox_id: int, error: str, give_up: bool = False, count: bool = True) -> None:
        """Not delivered: pending again for a later pass (``count``: one attempt used), or failed for good."""
        self.db.conn.execute(
            "update outbox set attempts = attempts + ?, last_error = ?, state = ?, sent_at = null "
            "where id = ?", [int(count), error, FAILED if give_up else PENDING, outbox_id])

    def mark_unconfirmed(self, outbox_id: int, error: str) -> None:
        """The server may have it: never resent automatically, shown to a person."""
        self.db.conn.execute("update outbox set state = ?, last_error = ? where id = ?",
                             [UNCONFIRMED, error, outbox_id])

    def list_outbox(self, states: Iterable[str], limit: int = 200) -> list[dict[str, Any]]:
        states = list(states)
        return list(self.db.query(
            f"select id, state, kind, case_ref, recipient, created_at, sent_at, last_error from outbox "
            f"where state in ({','.join('?' * len(states))}) order by id limit ?", [*states, limit]))

    def outbox_row(self, outbox_id: int) -> OutboxRow | None:
        """One outbox row, with the bytes of the message as it will go out."""
        rows = list(self.db.query(
            "select id, state, kind, case_ref, recipients, raw, attempts, last_error, created_at, sent_at "
            "from outbox where id = ?", [outbox_id]))
        return OutboxRow.from_row(rows[0]) if rows else None

    def release_drafts(self, ids: Iterable[int] | None, now: datetime) -> tuple[int, list[str]]:
        """Approve the drafts ``ids`` (None: every draft), in one transaction: they join the held
        queue, which the daemon sends within the hourly limit; the case of an approved forward
        goes from complete to routed, the approval recorded in its history. Returns how many
        drafts were approved, and the cases routed."""
        sql, args = self._outbox_where([DRAFT], ids)
        with self.transaction():
            rows = list(self.db.query(f"select id, kind, case_ref from outbox where {sql} order by id", args))
            if rows:
                self.db.execute(f"update outbox set state = ? where id in ({','.join('?' * len(rows))})",
                                [HELD, *(r["id"] for r in rows)])
            routed = [r["case_ref"] for r in rows if r["kind"] == "forward" and r["case_ref"]
                      and self.move_case(r["case_ref"], ROUTED, f"forward (outbox {r['id']}) approved by a person",
                                         now, only_from=(COMPLETE,))]
        return len(rows), routed

    def set_outbox_state(self, ids: Iterable[int] | None, from_states: Iterable[str], to_state: str) -> list[int]:
        """Move the rows ``ids`` (None: all) that are in ``from_states`` to ``to_state``; returns their ids."""
        sql, args = self._outbox_where(from_states, ids)
        with self.transaction():
            return sorted(r[0] for r in self.db.conn.execute(
                f"update outbox set state = ? where {sql} returning id", [to_state, *args]).fetchall())

    def replace_draft(self, outbox_id: int, raw: bytes) -> bool:
        """A person's new version of a draft (only while it is a draft); True when replaced."""
        return self.db.conn.execute("update outbox set raw = ? where id = ? and state = ? returning id",
                                    [raw, outbox_id, DRAFT]).fetchone() is not None

    def outbox_ids(self, states: Iterable[str], ids: Iterable[int] | None = None) -> list[int]:
        """The ids of the rows (of ``ids``; None: all) that are in ``states``."""
        sql, args = self._outbox_where(states, ids)
        return [r[0] for r in self.db.execute(f"select id from outbox where {sql} order by id", args)]

    @staticmethod
    def _outbox_where(states: Iterable[str], ids: Iterable[int] | None) -> tuple[str, list[Any]]:
        states = list(states)
        sql, args = f"state in ({','.join('?' * len(states))})", list(states)
        if ids is not None:
            ids = list(ids)
            sql += f" and id in ({','.join('?' * len(ids))})"
            args += ids
        return sql, args

    def outbox_counts(self) -> dict[str, int]:
        return {r["state"]: r["n"] for r in self.db.query(
            "select state, count(*) as n from outbox group by state")}

    # Times are compared as ISO strings: every one is written from a UTC clock.

    def replies_to(self, address: str, since: datetime, states: Iterable[str] = OUTGOING) -> int:
        """Replies queued to ``address`` (folded: ``x+1@`` is ``x@``) since ``since`` that are, or will be, sent."""
        states = list(states)
        return self.db.execute(
            f"select count(*) from outbox where folded = ? and created_at >= ? "
            f"and state in ({','.join('?' * len(states))})",
            [fold(address), _utc(since), *states]).fetchone()[0]

    def neutral_acks(self, since: datetime, *, address: str | None = None, domain: str | None = None) -> int:
        """Neutral acknowledgements (to senders outside the directory) queued since ``since``,
        to the folded ``address``, to ``domain``, or to anyone; every state counts."""
        sql, args = "select count(*) from outbox where kind = ? and created_at >= ?", [NEUTRAL_ACK, _utc(since)]
        if address is not None:
            sql, args = sql + " and folded = ?", [*args, fold(address)]
        if domain is not None:
            sql, args = sql + " and domain = ?", [*args, domain.lower()]
        return self.db.execute(sql, args).fetchone()[0]

    def replies_in_case(self, case_ref: str, since: datetime, states: Iterable[str] = OUTGOING) -> int:
        """Replies to the customer (not forwards to colleagues) queued in case
        ``case_ref`` since ``since`` that are, or will be, sent."""
        states = list(states)
        return self.db.execute(
            f"select count(*) from outbox where case_ref = ? and created_at >= ? and kind != 'forward' "
            f"and state in ({','.join('?' * len(states))})",
            [case_ref, _utc(since), *states]).fetchone()[0]

    def replies_since(self, since: datetime) -> int:
        """Replies sent since ``since``, plus every reply waiting to be sent now.

        A reply left pending through an SMTP outage goes out as soon as the
        server is back, so it counts as sent now; held replies do not count.
        """
        pending = self.db.execute("select count(*) from outbox where state = ?", [PENDING]).fetchone()[0]
        sent = self.db.execute("select count(*) from outbox where sent_at >= ? and state in (?, ?)",
                               [_utc(since), SENT, UNCONFIRMED]).fetchone()[0]
        return pending + sent

    def count_state(self, state: str) -> int:
        return self.db.execute("select count(*) from outbox where state = ?", [state]).fetchone()[0]

    def release_held(self, limit: int) -> int:
        """Make up to ``limit`` held replies pending again, oldest first; returns how many."""
        if limit <= 0:
            return 0
        return self.db.conn.execute(
            "update outbox set state = ? where id in "
            "(select id from outbox where state = ? order by id limit ?)",
            [PENDING, HELD, limit]).rowcount

    def sent_to(self, message_ids: Iterable[str]) -> dict[str, list[str]]:
        """Message-ID -> recipients, for those of ``message_ids`` that are ours and went out (or were tried)."""
        wanted = list(dict.fromkeys(m for m in message_ids if m))
        if not wanted:
            return {}
        return {r["message_id"]: [a.lower() for a in json.loads(r["recipients"])] for r in self.db.query(
            f"select message_id, recipients from outbox where message_id in ({','.join('?' * len(wanted))}) "
            f"and state in (?, ?, ?, ?)", [*wanted, PENDING, SENT, UNCONFIRMED, FAILED])}
