"""What people read and did: the queue of what waits for a person, the audit of their actions, and
the figures of the managers' daily digest (one query each)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mailbot.decide.cases import AWAITING, IN_REVIEW
from mailbot.store.base import StoreBase
from mailbot.store.rows import DRAFT, FAILED, HELD, QUARANTINED, UNCONFIRMED, _iso, _utc


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


# -- the figures of the managers' digest: one query each, over [start, end) in UTC, within a scope ------


@dataclass(frozen=True)
class Scope:
    """What one digest recipient sees: the cases of these customers (None: all) in these situations
    (None: all). The service manager's scope is everything."""

    customers: frozenset[str] | None = None
    situations: frozenset[str] | None = None

    def where(self, case: str = "c", situation: str = "m.situation", sender: str = "m.sender") -> tuple[str, list[Any]]:
        """An SQL condition (and its arguments) on a case alias, a situation column and a sender column:
        a message's customer is its case's, else the one its sender's domain belongs to."""
        sql, args = ["1"], []
        if self.customers is not None:
            sql.append(f"{customer_of(case, sender)} in ({','.join('?' * len(self.customers))})")
            args += sorted(self.customers)
        if self.situations is not None:
            sql.append(f"{situation} in ({','.join('?' * len(self.situations))})")
            args += sorted(self.situations)
        return " and ".join(sql), args


def customer_of(case: str, sender: str) -> str:
    """The SQL expression of a message's customer number: its case's, else its sender domain's."""
    return (f"coalesce({case}.customer_number, (select min(y.customer_number) from customer_domains y "
            f"where y.domain = lower(substr({sender}, instr({sender}, '@') + 1))))")


EVERYTHING = Scope()
_SECONDS = "(julianday({}) - julianday({})) * 86400.0"


class Figures(StoreBase):
    """The digest's figures, each one query (a window is [start, end) in UTC; ``scope`` narrows it)."""

    def traffic(self, start: datetime, end: datetime, scope: Scope = EVERYTHING) -> dict[str, dict[str, int]]:
        """Messages decided in the window, by situation then action (acknowledge, request_info, review,
        ignore), duplicates left out."""
        where, args = scope.where()
        out: dict[str, dict[str, int]] = {}
        for situation, action, count in self.db.execute(
                "select coalesce(m.situation, 'other'), coalesce(m.action, 'review'), count(*) from messages m "
                "left join cases c on c.ref = m.case_ref where m.created_at >= ? and m.created_at < ? "
                "and coalesce(m.error, '') not like 'duplicate of%' and " + where + " group by 1, 2",
                [_utc(start), _utc(end), *args]):
            out.setdefault(situation, {})[action] = count
        return out

    def forwarded(self, start: datetime, end: datetime, scope: Scope = EVERYTHING) -> int:
        """Complete cases forwarded to a colleague in the window (forwards queued)."""
        where, args = scope.where(situation="c.situation", sender="c.sender")
        return self.db.execute(
            "select count(*) from outbox o left join cases c on c.ref = o.case_ref where o.kind = 'forward' "
            "and o.created_at >= ? and o.created_at < ? and " + where, [_utc(start), _utc(end), *args]).fetchone()[0]

    def settled_alone(self, start: datetime, end: datetime, quiet_since: datetime,
                      scope: Scope = EVERYTHING) -> tuple[int, int]:
        """(cases opened in the window that the bot settled without a person and that stayed quiet since
        ``quiet_since``, cases opened in the window): the automation rate, counted 72 h after."""
        where, args = scope.where(situation="c.situation", sender="c.sender")
        row = self.db.execute(
            "select sum(c.state in ('routed', 'closed') and coalesce(c.updated_at, '') < ? and not exists "
            "(select 1 from actions a where a.target = 'case ' || c.ref or a.target in (select 'message ' || "
            "m.id from messages m where m.case_ref = c.ref))), count(*) from cases c "
            "where c.created_at >= ? and c.created_at < ? and " + where,
            [_utc(quiet_since), _utc(start), _utc(end), *args]).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def first_answers(self, start: datetime, end: datetime, scope: Scope = EVERYTHING) -> list[float]:
        """Seconds from a message's arrival to its reply leaving, for the replies sent in the window."""
        where, args = scope.where()
        return [r[0] for r in self.db.execute(
            "select " + _SECONDS.format("o.sent_at", "m.created_at") + " from outbox o join messages m on "
            "m.id = o.message_row left join cases c on c.ref = m.case_ref where o.kind in ('acknowledge', "
            "'request_info', 'neutral_ack') and o.sent_at >= ? and o.sent_at < ? and " + where + " order by 1",
            [_utc(start), _utc(end), *args])]

    def review_times(self, start: datetime, end: datetime, scope: Scope = EVERYTHING) -> list[float]:
        """Seconds a message waited for the person who acted on it, for the actions of the window."""
        where, args = scope.where()
        return [r[0] for r in self.db.execute(
            "select min(" + _SECONDS.format("a.at", "m.created_at") + ") from actions a join messages m on "
            "a.target = 'message ' || m.id left join cases c on c.ref = m.case_ref where a.at >= ? and a.at < ? "
            "and " + where + " group by m.id order by 1", [_utc(start), _utc(end), *args])]

    def late(self, start: datetime, end: datetime, scope: Scope = EVERYTHING) -> list[dict[str, Any]]:
        """Requests of the window that missed the one-month notice: situation, customer (the case's, else
        the sender's domain), how many."""
        where, args = scope.where()
        return list(self.db.query(
            "select m.situation as situation, coalesce(cu.customer_name, substr(m.sender, instr(m.sender, '@') + 1)) "
            "as customer, count(*) as count from messages m left join cases c on c.ref = m.case_ref "
            "left join customers cu on cu.customer_number = " + customer_of("c", "m.sender") + " "
            "where m.created_at >= ? and m.created_at < ? and "
            "json_extract(m.analysis, '$.lead_time_ok') = 0 and " + where + " group by 1, 2 order by 3 desc, 1, 2",
            [_utc(start), _utc(end), *args]))

    def customers_waited_on(self, start: datetime, end: datetime, scope: Scope = EVERYTHING) -> dict[str, int]:
        """Cases awaiting the customer now, reminders sent in the window, cases gone quiet (reminded, still
        no answer) now."""
        where, args = scope.where(situation="c.situation", sender="c.sender")
        row = self.db.execute(
            "select sum(c.state = ?), sum(c.reminded_at >= ? and c.reminded_at < ?), "
            "sum(c.state = ? and c.reminded_at is not null) from cases c where " + where,
            [AWAITING, _utc(start), _utc(end), AWAITING, *args]).fetchone()
        return {"awaiting": int(row[0] or 0), "reminders": int(row[1] or 0), "quiet": int(row[2] or 0)}

    def service_health(self, start: datetime, end: datetime) -> dict[str, Any]:
        """The whole service's health (no scope): quarantined mail of the window, sends failed, unconfirmed
        and held now, brake alerts and bounces of the window."""
        row = self.db.execute(
            "select (select count(*) from messages where (state = ? or destination = 'quarantine') and "
            "created_at >= ? and created_at < ?), (select count(*) from outbox where state = ?), "
            "(select count(*) from outbox where state = ?), (select count(*) from outbox where state = ?), "
            "(select count(*) from alerts where opened_at >= ? and opened_at < ?), "
            "(select count(*) from suppressed where created_at >= ? and created_at < ?)",
            [QUARANTINED, _utc(start), _utc(end), FAILED, UNCONFIRMED, HELD, _utc(start), _utc(end),
             _utc(start), _utc(end)]).fetchone()
        return dict(zip(("quarantined", "failed", "unconfirmed", "held", "alerts", "bounces"), row))

    def directory_people(self) -> dict[str, dict[str, set[str]]]:
        """Each colleague of the directory: the customers they are account manager or sales contact of."""
        people: dict[str, dict[str, set[str]]] = {}
        for number, manager, sales in self.db.execute(
                "select customer_number, account_manager_email, sales_contact_email from customers"):
            for address, role in ((manager, "account_manager"), (sales, "sales")):
                if address:
                    people.setdefault(address.strip().lower(), {}).setdefault(role, set()).add(number)
        return people
