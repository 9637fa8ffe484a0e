"""The review web app's memory: its people (roles, hashes, lockout), the labelled examples the desk's
corrections make, and the service's own state (the daemon's last pass, the web app's secret key)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mailbot.store.base import StoreBase
from mailbot.store.rows import _iso

ROLES = ("desk", "manager")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    hash: str
    disabled: bool
    failures: int
    locked_until: str | None

    def locked(self, now: datetime) -> bool:
        return bool(self.locked_until) and self.locked_until > _iso(now)


class People(StoreBase):
    """Users, the examples their corrections make, and the service's state."""

    # -- users ------------------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str, now: datetime) -> bool:
        """A new user (False: the name is taken)."""
        with self.transaction():
            if self.user(name) is not None:
                return False
            self._insert("users", {"name": name, "role": role, "hash": password_hash, "disabled": 0, "failures": 0,
                                   "locked_until": None, "created_at": _iso(now), "password_at": _iso(now)})
        return True

    def user(self, name: str) -> User | None:
        rows = list(self.db.query("select name, role, hash, disabled, failures, locked_until from users "
                                  "where name = ?", [name]))
        if not rows:
            return None
        r = rows[0]
        return User(r["name"], r["role"], r["hash"], bool(r["disabled"]), r["failures"] or 0, r["locked_until"])

    def users(self) -> list[dict[str, Any]]:
        return list(self.db.query("select name, role, disabled, failures, locked_until, created_at, password_at "
                                  "from users order by name"))

    def set_password(self, name: str, password_hash: str, now: datetime) -> bool:
        """A new hash; the lockout is lifted (the person proved who they are to an administrator)."""
        return self.db.conn.execute(
            "update users set hash = ?, password_at = ?, failures = 0, locked_until = null where name = ?",
            [password_hash, _iso(now), name]).rowcount > 0

    def set_disabled(self, name: str, disabled: bool) -> bool:
        return self.db.conn.execute("update users set disabled = ? where name = ?",
                                    [int(disabled), name]).rowcount > 0

    def login_failed(self, name: str, now: datetime, max_failures: int, lock: timedelta) -> bool:
        """Count a failed login; at ``max_failures`` the account is locked for ``lock``. True: now locked."""
        with self.transaction():
            user = self.user(name)
            if user is None:
                return False
            failures = user.failures + 1
            locked = _iso(now + lock) if failures >= max_failures else user.locked_until
            self.db.conn.execute("update users set failures = ?, locked_until = ? where name = ?",
                                 [0 if failures >= max_failures else failures, locked, name])
        return failures >= max_failures

    def login_succeeded(self, name: str, new_hash: str | None = None) -> None:
        """Reset the failures (and store a rehash when the hasher's parameters changed)."""
        self.db.conn.execute("update users set failures = 0, hash = coalesce(?, hash) where name = ?",
                             [new_hash, name])

    # -- corrections as examples --------------------------------------------------------------------
    def add_example(self, *, actor: str, message_row: int, bot_situation: str, situation: str, text: str,
                    fields: dict[str, Any], now: datetime) -> None:
        """A person's correction of a reading, kept as a labelled example (``mailbot train --with-corrections``)."""
        self._insert("examples", {"at": _iso(now), "actor": actor, "message_row": message_row,
                                  "bot_situation": bot_situation, "situation": situation, "text": text,
                                  "fields": json.dumps(fields, ensure_ascii=False)})

    def examples(self) -> list[dict[str, Any]]:
        return [{**r, "fields": json.loads(r["fields"] or "{}")} for r in self.db.query(
            "select id, at, actor, message_row, bot_situation, situation, text, fields from examples order by id")]

    def agreement(self, since: datetime) -> dict[str, tuple[int, int]]:
        """Per situation the bot read, since ``since``: (readings a person kept, readings a person
        reviewed). Kept: a draft approved as it was, a correction that left the situation. Changed: a
        correction to another situation."""
        out: dict[str, list[int]] = {}
        for r in self.db.query("select bot_situation, situation from examples where at >= ?", [_iso(since)]):
            counts = out.setdefault(r["bot_situation"], [0, 0])
            counts[0] += r["bot_situation"] == r["situation"]
            counts[1] += 1
        for r in self.db.query(
                "select json_extract(m.analysis, '$.situation') as situation from actions a "
                "join outbox o on a.target = 'outbox ' || o.id join messages m on m.id = o.message_row "
                "where a.action = 'approve' and a.at >= ? and o.kind = 'reply'", [_iso(since)]):
            counts = out.setdefault(r["situation"] or "other", [0, 0])
            counts[0] += 1
            counts[1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(out.items())}

    # -- the service's state ------------------------------------------------------------------------
    def set_state(self, key: str, value: str, now: datetime) -> None:
        self.db.conn.execute("insert into service_state (key, value, at) values (?, ?, ?) on conflict(key) "
                             "do update set value = excluded.value, at = excluded.at", [key, value, _iso(now)])

    def state(self, key: str) -> tuple[str, str] | None:
        """(value, when it was set) of ``key``, or None."""
        row = self.db.execute("select value, at from service_state where key = ?", [key]).fetchone()
        return (row[0], row[1]) if row else None

    def web_secret(self, now: datetime) -> str:
        """The web app's session key when none is configured: made once, kept here."""
        with self.transaction():
            found = self.state("web_secret")
            if found is not None:
                return found[0]
            key = secrets.token_hex(32)
            self.set_state("web_secret", key, now)
            return key
