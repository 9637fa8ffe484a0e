"""The durable state: message ledger, cases and outbox, in one SQLite file.

Exactly-once rests on three facts kept here: a message key (mailbox,
UIDVALIDITY, UID) is recorded with its decision and its reply in one
transaction, before the message is moved; a reply is marked sent just before
the SMTP server can accept it (the final dot, see senders.py); a Message-ID
already decided is never decided again. Schema changes are named migrations recorded in the file itself.
"""

from __future__ import annotations

import errno
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlite_utils import Database

from sqlite_utils.migrations import Migrations

from mailbot.addresses import domain_of, fold
from mailbot.bounds import MAX_HEADER_BYTES, MAX_MESSAGE_BYTES, MAX_STORED_ANALYSIS
from mailbot.cases import AWAITING, CLOSED, COMPLETE, IN_REVIEW, ROUTED
from mailbot.directory import Row, number_key, sender_keys

migrations = Migrations("mailbot")


@migrations()
def m001_ledger_cases_outbox(db: Database) -> None:
    db["messages"].create(
        {
            "id": int,
            "mailbox": str,
            "uidvalidity": int,
            "uid": str,
            "message_id": str,
            "received_at": str,
            "sender": str,
            "subject": str,
            "situation": str,
            "action": str,
            "confidence": float,
            "analysis": str,
            "state": str,
            "destination": str,
            "case_ref": str,
            "error": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["messages"].create_index(["mailbox", "uidvalidity", "uid"], unique=True)
    db["messages"].create_index(["message_id"])
    db["cases"].create(
        {
            "id": int,
            "ref": str,
            "situation": str,
            "sender": str,
            "message_id": str,
            "state": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["cases"].create_index(["ref"], unique=True)
    db["outbox"].create(
        {
            "id": int,
            "message_row": int,
            "case_ref": str,
            "kind": str,
            "recipients": str,
            "raw": bytes,
            "state": str,
            "attempts": int,
            "last_error": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
    )
    db["outbox"].create_index(["state"])
    db["outbox"].create_index(["message_row", "kind"], unique=True)


@migrations()
def m002_loop_safety(db: Database) -> None:
    """Limits need fast counts per address, per case and per hour; bounces and
    the global brake need somewhere to be remembered."""
    db["outbox"].add_column("recipient", str)
    db.execute("update outbox set recipient = lower(json_extract(recipients, '$[0]'))")
    # Covering indexes: the counts never read the rows (which hold the raw replies).
    db["outbox"].create_index(["recipient", "created_at", "state"])
    db["outbox"].create_index(["case_ref", "created_at", "state"])
    db["outbox"].create_index(["state", "sent_at"])
    db["suppressed"].create(
        {
            "address": str,
            "reason": str,
            "message_id": str,
            "created_at": str,
            "until": str,
        },
        pk="address",
    )
    db["alerts"].create(
        {
            "id": int,
            "kind": str,
            "message": str,
            "opened_at": str,
            "cleared_at": str,
        },
        pk="id",
    )
    db["alerts"].create_index(["kind", "cleared_at"])


@migrations()
def m003_directory(db: Database) -> None:
    """The customer directory (mailbot/directory.py), replaced whole by each import."""
    db["customers"].create(
        {"customer_number": str, "customer_name": str, "account_manager_email": str,
         "sales_contact_email": str},
        pk="customer_number",
    )
    # "domain" holds a domain, or a full address for a customer on a public provider (directory.py)
    db["customer_domains"].create({"domain": str, "customer_number": str},
                                  pk=("domain", "customer_number"))
    db["contracts"].create({"contract_number": str, "customer_number": str}, pk="contract_number")
    db["contracts"].create_index(["customer_number"])
    db["equipment"].create({"serial_number": str, "contract_number": str, "site_address": str},
                           pk="serial_number")
    db["equipment"].create_index(["contract_number"])


@migrations()
def m004_cases_across_messages(db: Database) -> None:
    """Cases carry a conversation: their merged fields, what a reminder needs,
    the Message-IDs that thread into them, their messages (forwarded as
    attachments) and their history (field changes, state changes)."""
    for column, kind in (("customer_number", str), ("snapshot", str), ("awaiting_since", str),
                         ("reminded_at", str), ("closed_at", str), ("forwarded_to", str),
                         ("last_message_at", str)):
        db["cases"].add_column(column, kind)
    db.execute("update cases set state = 'closed' where state = 'open'")
    db["cases"].create_index(["sender", "last_message_at"])
    db["cases"].create_index(["state", "awaiting_since"])
    db["case_links"].create({"message_id": str, "case_ref": str}, pk="message_id")
    db["case_messages"].create({"id": int, "case_ref": str, "message_row": int, "message_id": str,
                                "raw": bytes, "created_at": str}, pk="id")
    db["case_messages"].create_index(["case_ref"])
    db["case_events"].create({"id": int, "case_ref": str, "at": str, "kind": str, "detail": str}, pk="id")
    db["case_events"].create_index(["case_ref"])


@migrations()
def m005_hostile_mail(db: Database) -> None:
    """Limits count an address folded (``victim+1@`` is ``victim@``) and per domain; a
    bounce counts only when it quotes one of our Message-IDs, so each outbox row keeps its own."""
    for column in ("message_id", "folded", "domain"):
        db["outbox"].add_column(column, str)
    for row in list(db.query("select id, recipient from outbox where recipient is not null")):
        db.execute("update outbox set folded = ?, domain = ? where id = ?",
                   [fold(row["recipient"]), domain_of(row["recipient"]), row["id"]])
    db["outbox"].create_index(["folded", "created_at", "state"])
    db["outbox"].create_index(["domain", "kind", "created_at"])
    db["outbox"].create_index(["kind", "created_at"])
    db["outbox"].create_index(["message_id"])


@migrations()
def m006_number_keys(db: Database) -> None:
    """Numbers are looked up by their letters and digits (directory.number_key): a contract
    or serial written with other separators is the same one."""
    db["contracts"].add_column("contract_key", str)
    db["equipment"].add_column("serial_key", str)
    for (contract,) in db.execute("select contract_number from contracts").fetchall():
        db.execute("update contracts set contract_key = ? where contract_number = ?", [number_key(contract), contract])
    for (serial,) in db.execute("select serial_number from equipment").fetchall():
        db.execute("update equipment set serial_key = ? where serial_number = ?", [number_key(serial), serial])
    db["contracts"].create_index(["contract_key"])
    db["equipment"].create_index(["serial_key"])


@migrations()
def m007_fingerprints(db: Database) -> None:
    """A message without a Message-ID is known again by a digest of its stable headers and
    body (mime.fingerprint): after a UIDVALIDITY change it has a new key, not a new identity."""
    db["messages"].add_column("fingerprint", str)
    db["messages"].create_index(["fingerprint"])


@migrations()
def m008_actions(db: Database) -> None:
    """What people do about messages and cases (review.py), with who and when: the audit."""
    db["actions"].create({"id": int, "at": str, "actor": str, "action": str, "target": str, "detail": str},
                         pk="id")
    db["actions"].create_index(["target"])
    db["actions"].create_index(["at"])


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


@dataclass
class OutgoingRow:
    id: int
    recipients: list[str]
    raw: bytes
    attempts: int
    case_ref: str | None = None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class Store:
    """A thin wrapper over the SQLite file; every write is one transaction."""

    def __init__(self, path: Path | str):
        self.path = path
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(path)
        self.db.enable_wal()
        # Autocommit at the driver: every multi-statement write says BEGIN
        # IMMEDIATE itself (``transaction``), and a lone UPDATE commits at once.
        self.db.conn.isolation_level = None
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self._savepoints = 0  # names of nested transactions (transaction())
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: take the write lock at once. Inside another transaction, a SAVEPOINT:
        a method that writes several rows may be called alone or within its caller's transaction,
        and a failure rolls back its own writes only (the caller decides about the rest).

        Should a second process open the file (an operator's command beside the
        daemon), a deferred transaction that read first and writes later would
        fail with "database is locked" instead of waiting its turn.
        """
        conn = self.db.conn
        if conn.in_transaction:
            self._savepoints += 1
            name = f"nested_{self._savepoints}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield
                conn.execute(f"RELEASE {name}")
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # else SQLite rolled back itself (a full disk, an I/O error)
                conn.execute("ROLLBACK")
            raise

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """One INSERT, its rowid: the hot path skips sqlite-utils' table introspection
        (several queries per insert), which cost more than the insert itself."""
        columns = ", ".join(row)
        cursor = self.db.conn.execute(f"insert into {table} ({columns}) values ({','.join('?' * len(row))})",
                                      list(row.values()))
        return cursor.lastrowid

    # -- ledger -------------------------------------------------------------

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

    def set_states(self, row_ids: list[int], state: str, now: datetime) -> None:
        with self.transaction():
            self.db.conn.executemany("update messages set state = ?, updated_at = ? where id = ?",
                                     [(state, _iso(now), row_id) for row_id in row_ids])

    # -- cases --------------------------------------------------------------

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

    def case(self, ref: str) -> dict[str, Any] | None:
        """A case row, with its snapshot (cases.snapshot) decoded and its merged
        fields, confidence and personal-address flag read from it; or None."""
        rows = list(self.db.query("select * from cases where ref = ?", [ref]))
        if not rows:
            return None
        row = rows[0]
        snapshot = row["snapshot"] = json.loads(row["snapshot"] or "null")
        row["fields"] = (snapshot or {}).get("fields", {})
        row["confidence"] = (snapshot or {}).get("confidence", 0.0)
        row["email_nominative"] = (snapshot or {}).get("email_nominative")
        return row

    def case_of_message_ids(self, message_ids: Iterable[str]) -> str | None:
        """The case one of these Message-IDs (ours or the customer's) belongs to, latest first."""
        ids = [m for m in message_ids if m]
        for message_id in reversed(ids):
            row = self.db.execute("select case_ref from case_links where message_id = ?",
                                  [message_id]).fetchone()
            if row:
                return row[0]
        return None

    def cases_of_sender(self, sender: str, since: datetime) -> list[dict[str, Any]]:
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

    def list_cases(self, state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select ref, situation, sender, state, customer_number, created_at, updated_at from cases "
            "where ref is not null and (? is null or state = ?) order by id desc limit ?",
            [state, state, limit]))

    def count_cases(self, state: str | None = None) -> int:
        """How many cases there are (in ``state``): what ``list_cases`` leaves out is the rest."""
        return self.db.execute("select count(*) from cases where ref is not null and (? is null or state = ?)",
                               [state, state]).fetchone()[0]

    def message_analysis(self, row_id: int) -> dict[str, Any] | None:
        """The ledger row ``row_id`` with its stored analysis decoded (``analysis``: {} when none)."""
        rows = list(self.db.query("select id, sender, subject, received_at, situation, action, destination, "
                                  "case_ref, error, analysis, created_at from messages where id = ?", [row_id]))
        if not rows:
            return None
        row = rows[0]
        try:
            row["analysis"] = json.loads(row["analysis"] or "{}")
        except ValueError:
            row["analysis"] = {}
        return row

    # -- outbox -------------------------------------------------------------

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

    def outbox_row(self, outbox_id: int) -> dict[str, Any] | None:
        """One outbox row, with the bytes of the message as it will go out."""
        rows = list(self.db.query(
            "select id, state, kind, case_ref, recipients, raw, attempts, last_error, created_at, sent_at "
            "from outbox where id = ?", [outbox_id]))
        return rows[0] if rows else None

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

    def waiting_for_a_person(self) -> dict[str, list[dict[str, Any]]]:
        """What waits for a person (review.py sorts and explains it): cases in review, cases whose
        customer stays silent after the reminder, messages filed for review or quarantined without a
        case that no person has resolved, and the outbox rows nobody sends alone (drafts, held,
        unconfirmed, failed)."""
        cases = "select ref, situation, sender, state, updated_at, reminded_at from cases where ref is not null"
        return {
            "case": list(self.db.query(cases + " and state = ? order by updated_at", [IN_REVIEW])),
            "silent": list(self.db.query(cases + " and state = ? and reminded_at is not null order by reminded_at",
                                         [AWAITING])),
            "message": list(self.db.query(
                "select id, sender, subject, destination, state, error, analysis, created_at from messages m "
                "where case_ref is null and (destination = 'review' or state = ?) and not exists "
                "(select 1 from actions a where a.target = 'message ' || m.id and a.action = 'resolve') "
                "order by id", [QUARANTINED])),
            "outbox": list(self.db.query(
                "select id, state, kind, case_ref, recipient, created_at, last_error from outbox "
                "where state in (?, ?, ?, ?) order by id", [DRAFT, HELD, UNCONFIRMED, FAILED])),
        }

    def outbox_of_message(self, row_id: int) -> list[dict[str, Any]]:
        """The replies and forwards queued for the ledger row ``row_id``, oldest first."""
        return list(self.db.query("select id, state, kind, recipient, created_at, sent_at from outbox "
                                  "where message_row = ? order by id", [row_id]))

    def message_row(self, row_id: int) -> dict[str, Any] | None:
        """A ledger row's place: its case, destination and state (None: no such row)."""
        rows = list(self.db.query("select id, case_ref, destination, state from messages where id = ?", [row_id]))
        return rows[0] if rows else None

    def record_action(self, *, actor: str, action: str, target: str, detail: dict[str, Any], now: datetime) -> None:
        """One line of the audit: a person's action. Call inside the action's own transaction."""
        self._insert("actions", {"at": _iso(now), "actor": actor, "action": action, "target": target,
                                 "detail": json.dumps(detail, ensure_ascii=False)})

    def actions(self, target: str | None = None) -> list[dict[str, Any]]:
        """The audit, oldest first (of one target: "outbox 12", "case WFPS-2026-000123")."""
        sql, args = "select at, actor, action, target, detail from actions", []
        if target is not None:
            sql, args = sql + " where target = ?", [target]
        return [{**r, "detail": json.loads(r["detail"] or "{}")} for r in self.db.query(sql + " order by id", args)]

    def outbox_counts(self) -> dict[str, int]:
        return {r["state"]: r["n"] for r in self.db.query(
            "select state, count(*) as n from outbox group by state")}

    # -- loop safety (limits.py) ---------------------------------------------
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


DIRECTORY_TABLES = ("equipment", "contracts", "customer_domains", "customers")


class StoreDirectory:
    """The directory lookups (directory.Lookup) answered from the database."""

    def __init__(self, store: Store):
        self.db = store.db

    def loaded(self) -> bool:
        return self.db.execute("select 1 from equipment limit 1").fetchone() is not None

    def customers_of_address(self, address: str) -> list[str]:
        keys = [address.strip().lower(), *sender_keys(address)] if "@" in address else sender_keys(address)
        if not keys:
            return []
        return [r[0] for r in self.db.execute(
            f"select distinct customer_number from customer_domains where domain in "
            f"({','.join('?' * len(keys))}) order by customer_number", keys)]

    def senders_of(self, customer_number: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "select domain from customer_domains where customer_number = ? order by domain", [customer_number])]

    def customer_name(self, customer_number: str) -> str | None:
        row = self.db.execute("select customer_name from customers where customer_number = ?",
                              [customer_number]).fetchone()
        return row[0] if row else None

    def contract_customer(self, contract_number: str) -> str | None:
        row = self.db.execute("select customer_number from contracts where contract_key = ?",
                              [number_key(contract_number)]).fetchone()
        return row[0] if row else None

    def serial_contract(self, serial_number: str) -> str | None:
        row = self.db.execute("select contract_number from equipment where serial_key = ?",
                              [number_key(serial_number)]).fetchone()
        return row[0] if row else None

    def contacts(self, customer_number: str) -> dict[str, str] | None:
        rows = list(self.db.query("select account_manager_email, sales_contact_email from customers "
                                  "where customer_number = ?", [customer_number]))
        return rows[0] if rows else None


def replace_directory(store: Store, rows: list[Row]) -> dict[str, int]:
    """Replace the whole directory by ``rows`` in one transaction; returns the counts."""
    customers = {r.customer_number: r for r in rows}
    domains = {(d, r.customer_number) for r in rows for d in r.email_domains}
    contracts = {r.contract_number: r.customer_number for r in rows}
    db = store.db
    with store.transaction():
        for table in DIRECTORY_TABLES:
            db.execute(f"delete from {table}")
        db["customers"].insert_all(
            ({"customer_number": r.customer_number, "customer_name": r.customer_name,
              "account_manager_email": r.account_manager_email,
              "sales_contact_email": r.sales_contact_email} for r in customers.values()))
        db["customer_domains"].insert_all(
            ({"domain": d, "customer_number": c} for d, c in sorted(domains)))
        db["contracts"].insert_all(
            ({"contract_number": k, "customer_number": c, "contract_key": number_key(k)}
             for k, c in contracts.items()))
        db["equipment"].insert_all(
            ({"serial_number": r.serial_number, "contract_number": r.contract_number,
              "site_address": r.site_address, "serial_key": number_key(r.serial_number)} for r in rows))
    return directory_counts(store)


def directory_counts(store: Store) -> dict[str, int]:
    return {table: store.db.execute(f"select count(*) from {table}").fetchone()[0]
            for table in reversed(DIRECTORY_TABLES)}


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
