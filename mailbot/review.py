"""What a person may do about what the bot will not do alone, in one place for the CLI and the web.

Each action is the same rule wherever it is asked from (approving drafts goes
through the hourly limit, closing a case records why), runs in one
transaction with its audit line (who, when, what, on which row), and says
what it did. The CLI's `outbox release|discard` and `cases close` call it;
the review web app will too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from mailbot.cases import CLOSED, STATES
from mailbot.store import DISCARDED, DRAFT, HELD, Store


@dataclass
class Done:
    """What an action did: the rows or cases it changed, and those it could not."""

    changed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    routed: list[str] = field(default_factory=list)  # cases routed by an approved forward


class Review:
    """A person's actions, recorded in the store's audit with ``actor``."""

    def __init__(self, store: Store, actor: str, clock: Callable[[], datetime]):
        self.store, self.actor, self.clock = store, actor, clock

    def approve(self, ids: Iterable[int] | None) -> Done:
        """Approve drafts (None: every draft). They join the held queue, which the daemon sends
        within the hourly limit: approving a thousand at once cannot flood anyone. Approving the
        forward of a complete case routes the case."""
        wanted = None if ids is None else list(ids)
        now = self.clock()
        with self.store.transaction():
            drafts = {row["id"] for row in self.store.list_outbox([DRAFT], limit=1_000_000)}
            approved = sorted(drafts if wanted is None else drafts & set(wanted))
            routed = self.store.release_drafts(approved, now)[1] if approved else []
            for outbox_id in approved:
                self.store.record_action(actor=self.actor, action="approve", target=f"outbox {outbox_id}",
                                         detail={}, now=now)
        refused = [] if wanted is None else [str(i) for i in wanted if i not in drafts]
        return Done([str(i) for i in approved], refused, routed)

    def discard(self, ids: Iterable[int]) -> Done:
        """Never send these drafts or held replies: a person answers instead."""
        wanted = list(ids)
        now = self.clock()
        with self.store.transaction():
            waiting = {row["id"] for row in self.store.list_outbox([DRAFT, HELD], limit=1_000_000)}
            chosen = [i for i in wanted if i in waiting]
            if chosen:
                self.store.set_outbox_state(chosen, (DRAFT, HELD), DISCARDED)
            for outbox_id in chosen:
                self.store.record_action(actor=self.actor, action="discard", target=f"outbox {outbox_id}",
                                         detail={}, now=now)
        return Done([str(i) for i in chosen], [str(i) for i in wanted if i not in waiting])

    def close(self, refs: Iterable[str], note: str = "") -> Done:
        """Close cases a person has finished: a later message opens a new case."""
        done = Done()
        now = self.clock()
        for ref in (r.upper() for r in refs):
            with self.store.transaction():
                why = note or "closed by a person"
                if self.store.move_case(ref, CLOSED, f"{why} ({self.actor})", now, only_from=set(STATES) - {CLOSED}):
                    self.store.record_action(actor=self.actor, action="close", target=f"case {ref}",
                                             detail={"note": note}, now=now)
                    done.changed.append(ref)
                else:
                    done.refused.append(ref)
        return done
