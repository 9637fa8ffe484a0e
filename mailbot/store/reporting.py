"""What people read and did: the queue of what waits for a person, and the audit of their actions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from mailbot.decide.cases import AWAITING, IN_REVIEW
from mailbot.store.base import StoreBase
from mailbot.store.rows import DRAFT, FAILED, HELD, QUARANTINED, UNCONFIRMED, _iso


class Reporting(StoreBase):
    """What people read and did: the queue of what waits for a person, and the audit of their actions."""

    def waiting_for_a_person(self) -> dict[str, list[dict[str, Any]]]:
        """What waits for a person (review.py sorts and explains it): cases in review, cases whose
        customer stays silent after the reminder, messages filed for review or quarantined without a
        case that no person has resolved (or, quarantined, put back in the inbox), and the outbox rows
        nobody sends alone (drafts, held, unconfirmed, failed)."""
        cases = "select ref, situation, sender, state, updated_at, reminded_at from cases where ref is not null"
        return {
            "case": list(self.db.query(cases + " and state = ? order by updated_at", [IN_REVIEW])),
            "silent": list(self.db.query(cases + " and state = ? and reminded_at is not null order by reminded_at",
                                         [AWAITING])),
            "message": list(self.db.query(
                "select id, sender, subject, destination, state, error, analysis, created_at from messages m "
                "where case_ref is null and (destination = 'review' or state = ?) and not exists "
                "(select 1 from actions a where a.target = 'message ' || m.id and a.action in ('resolve', 'requeue')) "
                "order by id", [QUARANTINED])),
            "outbox": list(self.db.query(
                "select id, state, kind, case_ref, recipient, created_at, last_error from outbox "
                "where state in (?, ?, ?, ?) order by id", [DRAFT, HELD, UNCONFIRMED, FAILED])),
        }

    def quarantined_waiting(self) -> dict[int, str | None]:
        """The quarantined ledger rows no person has resolved or put back in the inbox yet, with the
        Message-ID each recorded (None: the message had none, or it could not be read)."""
        return {r[0]: r[1] for r in self.db.execute(
            "select id, json_extract(analysis, '$.message_id') from messages m where (state = ? or "
            "destination = 'quarantine') and not exists (select 1 from actions a where a.target = "
            "'message ' || m.id and a.action in ('resolve', 'requeue')) order by id", [QUARANTINED])}

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
