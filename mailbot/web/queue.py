"""The queue page's list: every item waiting for a person (review.Review.waiting), filtered by kind,
situation, customer and age, sorted by risk then age, one page at a time.

Nothing is dropped: filters only narrow what the page shows, and the counts per kind in the title
are always over the whole queue.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping

from mailbot.service.review import KINDS, Item

SORTS = ("risk", "oldest", "newest")


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    situation: str = ""
    customer: str = ""
    min_days: int = 0
    sort: str = "risk"
    page: int = 1

    @classmethod
    def of(cls, args: Mapping[str, str]) -> "Filters":
        """From the query string; unknown or malformed values are ignored (the whole queue shows)."""
        def number(key: str, low: int) -> int:
            try:
                return max(low, int(args.get(key, low)))
            except (TypeError, ValueError):
                return low
        kind = args.get("kind", "")
        sort = args.get("sort", "risk")
        return cls(kind=kind if kind in KINDS else "", situation=args.get("situation", "")[:40],
                   customer=args.get("customer", "").strip()[:120], min_days=number("min_days", 0),
                   sort=sort if sort in SORTS else "risk", page=number("page", 1))

    def query(self, **change: object) -> dict[str, object]:
        """The query string of these filters with some changed (links to other pages and filters)."""
        values = {"kind": self.kind, "situation": self.situation, "customer": self.customer,
                  "min_days": self.min_days or "", "sort": "" if self.sort == "risk" else self.sort,
                  "page": "" if self.page == 1 else self.page}
        values.update(change)
        return {k: v for k, v in values.items() if v not in ("", None, 0)}


@dataclass(frozen=True)
class Page:
    items: list[Item]
    total: int            # items matching the filters
    counts: dict[str, int]  # items of each kind in the whole queue
    page: int
    pages: int


def age_days(item: Item, now: datetime) -> float:
    try:
        since = datetime.fromisoformat(item.since)
    except ValueError:
        return 0.0
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    return max(0.0, (now - since).total_seconds() / 86400)


def risk_key(item: Item) -> tuple:
    """Fraud and trust doubts first, then the least sure readings, then by kind's urgency, oldest first."""
    sure = 1.0 if item.confidence is None else round(item.confidence, 1)
    return (not item.doubt, sure, item.risk, item.since, item.target)


def page_of(items: list[Item], filters: Filters, now: datetime, size: int) -> Page:
    counts = Counter(item.kind for item in items)
    chosen = [i for i in items
              if (not filters.kind or i.kind == filters.kind)
              and (not filters.situation or i.situation == filters.situation)
              and (not filters.customer or filters.customer.lower() in i.who.lower())
              and (not filters.min_days or age_days(i, now) >= filters.min_days)]
    if filters.sort == "oldest":
        chosen.sort(key=lambda i: (i.since, i.target))
    elif filters.sort == "newest":
        chosen.sort(key=lambda i: (i.since, i.target), reverse=True)
    else:
        chosen.sort(key=risk_key)
    pages = max(1, -(-len(chosen) // size))
    number = min(filters.page, pages)
    return Page(chosen[(number - 1) * size : number * size], len(chosen), {k: counts.get(k, 0) for k in KINDS},
                number, pages)
