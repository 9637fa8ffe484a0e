"""Managers' daily digests: who gets one, the local day it covers, its figures, and when it is due.

A digest covers one local day of its recipient (midnight to midnight in their time zone, so a
daylight-saving day has 23 or 25 hours and is neither skipped nor doubled) and is due once after
the recipient's local hour on the next day. It is recorded in the store with its outbox row before
it is sent, so each recipient gets each day's digest exactly once; after downtime the last three
missed days are caught up, each labelled with its date (a new recipient starts with the last day).

The figures are the store's reporting queries (store/reporting.py: one query each) over the day
and over the same weekday a week before, within the recipient's scope: the service manager sees
everything; an account manager or a sales contact of the directory sees the cases of their
customers in the situations routed to them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from mailbot.service.review import Review
from mailbot.store import EVERYTHING, Scope, Store

log = logging.getLogger("mailbot.digests")
CATCH_UP_DAYS = 3
AUTOMATION_DELAY = timedelta(hours=72)  # a case counts as settled without a person only after this, quiet
ROLE_ROUTES = {"account_manager": "account_manager", "sales": "sales"}  # directory role -> situations' route
AGES = ((0, 1), (1, 3), (3, 7), (7, None))  # the review backlog's ages, in days


@dataclass(frozen=True)
class Recipient:
    address: str
    scope: Scope
    language: str
    timezone: str
    hour: time
    paused: bool = False
    whole_service: bool = False  # the service manager's digest: also the backlog and the service's health

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _made(settings, choices: dict[str, dict[str, Any]], address: str, scope: Scope, whole: bool) -> Recipient:
    """A recipient with their own choices over the settings' defaults."""
    digest, own = settings.digest, choices.get(address.lower(), {})
    return Recipient(address.lower(), scope, own.get("language") or digest.language,
                     own.get("timezone") or settings.bot.timezone, time.fromisoformat(own.get("hour") or digest.hour),
                     bool(own.get("paused")), whole)


def whole_service(settings, store: Store) -> Recipient:
    """The whole service's digest as its first manager gets it (the bot's address when none is set)."""
    address = (settings.digest.service_managers or [settings.bot.address])[0]
    return _made(settings, store.recipient_choices(), address, EVERYTHING, True)


def recipients(settings, rules, store: Store) -> list[Recipient]:
    """The service managers (everything), then each colleague of the directory (their customers, in the
    situations routed to their role) when ``[digest] colleagues``; each with their own choices."""
    digest, choices = settings.digest, store.recipient_choices()

    def made(address: str, scope: Scope, whole: bool) -> Recipient:
        return _made(settings, choices, address, scope, whole)

    found = {a.lower(): made(a, EVERYTHING, True) for a in digest.service_managers}
    if digest.colleagues:
        for address, roles in sorted(store.directory_people().items()):
            if address in found:
                continue
            customers = frozenset(c for numbers in roles.values() for c in numbers)
            situations = frozenset(sid for sid, s in rules.situations.items()
                                   if any(s.route == ROLE_ROUTES[role] for role in roles))
            found[address] = made(address, Scope(customers, situations), False)
    return list(found.values())


def window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The local day as [start, end) in UTC: 23 or 25 hours on a daylight-saving day."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def due_days(recipient: Recipient, now: datetime, store: Store) -> list[date]:
    """The days whose digest is due and not recorded: the previous local days (at most CATCH_UP_DAYS)
    whose next day has reached the recipient's hour."""
    if recipient.paused:
        return []
    local = now.astimezone(recipient.zone)
    # after the last day recorded, up to CATCH_UP_DAYS missed ones; a new recipient starts with the latest
    last = store.digest_sent(recipient.address, None)
    days = []
    for back in range(CATCH_UP_DAYS if last else 1, 0, -1):
        day = local.date() - timedelta(days=back)
        send_at = datetime.combine(day + timedelta(days=1), recipient.hour, tzinfo=recipient.zone)
        if local >= send_at and (last is None or day.isoformat() > last["day"]):
            days.append(day)
    return days


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class Day:
    """One day's figures within a scope."""

    day: date
    traffic: dict[str, dict[str, int]]
    forwarded: int
    first_answers: list[float]
    review_times: list[float]
    late: list[dict[str, Any]]
    waited: dict[str, int]

    @property
    def received(self) -> int:
        return sum(sum(actions.values()) for actions in self.traffic.values())

    def action(self, action: str) -> int:
        return sum(actions.get(action, 0) for actions in self.traffic.values())

    def by_situation(self) -> list[tuple[str, int]]:
        return sorted(((s, sum(a.values())) for s, a in self.traffic.items()), key=lambda kv: (-kv[1], kv[0]))


def day_figures(store: Store, day: date, zone: ZoneInfo, scope: Scope) -> Day:
    start, end = window(day, zone)
    return Day(day, store.traffic(start, end, scope), store.forwarded(start, end, scope),
               store.first_answers(start, end, scope), store.review_times(start, end, scope),
               store.late(start, end, scope), store.customers_waited_on(start, end, scope))


@dataclass
class Digest:
    """Everything one recipient's digest says about one day."""

    recipient: Recipient
    day: date
    figures: Day
    before: Day  # the same weekday, a week before
    automation: tuple[date, int, int]  # (the day whose cases are counted, settled alone, opened)
    backlog: list[tuple[int, int | None, int]] = field(default_factory=list)  # (from, to days, how many)
    oldest: list[Any] = field(default_factory=list)
    health: dict[str, Any] = field(default_factory=dict)
    agreement: dict[str, tuple[int, int]] = field(default_factory=dict)
    base_url: str = ""

    def median(self, which: str) -> float | None:
        return _percentile(getattr(self.figures, which), 0.5)

    def p90(self, which: str) -> float | None:
        return _percentile(getattr(self.figures, which), 0.9)


def build(store: Store, settings, recipient: Recipient, day: date, now: datetime) -> Digest:
    """The digest of ``day`` for ``recipient`` (nothing is written)."""
    zone = recipient.zone
    counted = day - timedelta(days=3)
    start, end = window(counted, zone)
    settled, opened = store.settled_alone(start, end, now - AUTOMATION_DELAY, recipient.scope)
    digest = Digest(recipient, day, day_figures(store, day, zone, recipient.scope),
                    day_figures(store, day - timedelta(days=7), zone, recipient.scope), (counted, settled, opened),
                    base_url=settings.web.base_url.rstrip("/"))
    if recipient.whole_service:
        items = Review(store, actor="digest", clock=lambda: now).waiting()
        ages = [(item, (now - datetime.fromisoformat(item.since)).total_seconds() / 86400) for item in items
                if item.since]
        digest.backlog = [(low, high, sum(1 for _, age in ages if low <= age and (high is None or age < high)))
                          for low, high in AGES]
        digest.oldest = sorted(ages, key=lambda pair: -pair[1])[:5]
        start, end = window(day, zone)
        digest.health = store.service_health(start, end)
        digest.health["last_pass"] = store.state("last_pass")
        digest.agreement = store.agreement(now - timedelta(days=7))
    return digest


def send_due(store: Store, settings, rules, now: datetime) -> int:
    """Record and queue every digest that is due (the outbox sends it): how many."""
    from mailbot.compose.digest import digest_message

    queued = 0
    for recipient in recipients(settings, rules, store):
        for day in due_days(recipient, now, store):
            raw = digest_message(build(store, settings, recipient, day, now), settings, now)
            if store.record_digest(recipient.address, day.isoformat(), raw, now) is not None:
                queued += 1
                log.info("digest of %s queued for %s", day.isoformat(), recipient.address)
    return queued
