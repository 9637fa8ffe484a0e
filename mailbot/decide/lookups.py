"""What the decision chain asks the database, read-only (chain.Context for the processor).

Each answer is read inside the deciding transaction, so the chain decides on
the state that the effects will then change. Nothing here writes: opening a
case, suppressing an address, alerts and replies are the processor's effects.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mailbot.decide import cases, trust
from mailbot.read.addresses import domain_of
from mailbot.read.analysis import Analysis
from mailbot.decide.chain import ThreadFinding
from mailbot.decide.directory import customers_of_sender
from mailbot.decide.limits import UNKNOWN_DAY_HOURS, Limits, UnknownUsage, Usage
from mailbot.read.mime import fingerprint
from mailbot.decide.routing import Route, route_for
from mailbot.store import DRAFT, OUTGOING, SHADOW, Store, StoreDirectory

HOUR = timedelta(hours=1)
# What the limits count: what goes out without a person, and also drafts and
# shadow rows, so that they show what auto would do.
COUNTED = (*OUTGOING, DRAFT, SHADOW)


class StoreContext:
    """The chain's context for one message, decided at ``now`` against ``store``."""

    def __init__(self, *, store: Store, settings, rules, now: datetime, raw: bytes = b"",
                 directory: StoreDirectory | None = None, limits: Limits | None = None):
        self.store, self.settings, self.rules, self.now, self.raw = store, settings, rules, now, raw
        self.directory = directory or StoreDirectory(store)
        self.limits = limits or Limits.from_settings(settings.limits)
        self.counted = COUNTED
        self.identity: str | None = None  # the fingerprint of a message without Message-ID

    def earlier(self, analysis: Analysis) -> dict[str, Any] | None:
        self.identity = None if analysis.message_id else fingerprint(self.raw)
        return self.store.seen_message_id(analysis.message_id, self.identity)

    def thread(self, analysis: Analysis) -> ThreadFinding:
        """The case this message continues, if any (see cases.py for the order).

        A message that cites a case (headers or subject reference) joins it
        only when it comes from the case's customer: the same address, or an
        address of the same customer in the directory. Anyone else citing it
        is refused: a case's details never go to a stranger.
        """
        store = self.store
        found = None
        if analysis.in_reply_to and (ref := store.case_of_message_ids([analysis.in_reply_to])):
            found = cases.Thread(ref, "In-Reply-To", store.case(ref))
        elif ref := store.case_of_message_ids(analysis.references):
            found = cases.Thread(ref, "References", store.case(ref))
        elif (ref := cases.subject_reference(analysis.subject)) and (case := store.case(ref)) is not None:
            found = cases.Thread(ref, "subject reference", case)
        if found is not None:
            if self._same_customer(analysis, found.case.sender):
                return ThreadFinding(found)
            return ThreadFinding(refused=(found.ref, found.how))
        numbers = {analysis.fields.get("contract_number"), *(analysis.fields.get("serial_numbers") or [])} - {None, ""}
        if not numbers or not analysis.sender:
            return ThreadFinding()
        since = self.now - timedelta(days=self.settings.cases.thread_days)
        for case in store.cases_of_sender(analysis.sender, since):
            # Without headers, only a case waiting for this customer's answer is continued:
            # a later message about the same machine is a new request.
            if case.state != cases.AWAITING or not cases.same_request(analysis, case, self.rules.review_below):
                continue
            known = {case.fields.get("contract_number"), *(case.fields.get("serial_numbers") or [])}
            shared = sorted(numbers & known)
            if shared:
                return ThreadFinding(cases.Thread(case.ref, f"sender and number {shared[0]}", case))
        return ThreadFinding()

    def _same_customer(self, analysis: Analysis, case_sender: str | None) -> bool:
        """Does the message's From (and Reply-To) belong to the case's customer?"""
        case_sender = (case_sender or "").lower()
        if not case_sender or not analysis.sender_plain:
            return False
        theirs = set(customers_of_sender(self.directory, case_sender)) if self.directory.loaded() else set()
        for address in filter(None, (analysis.sender, analysis.reply_to)):
            if address.lower() == case_sender:
                continue
            if not theirs or not theirs & set(customers_of_sender(self.directory, address)):
                return False
        return bool(analysis.sender)

    def trust(self, analysis: Analysis, *, sensitive: bool, checks_new_email: bool) -> trust.Verdict:
        return trust.judge(self.directory, analysis, sensitive=sensitive, checks_new_email=checks_new_email)

    def suppression(self, address: str) -> str | None:
        row = self.store.suppression(address, self.now)
        if row is None:
            return None
        return f"bounced on {row['created_at'][:10]} ({row['reason']}), not written to until {row['until'][:10]}"

    def usage(self, address: str, case_ref: str | None, outgoing: int) -> Usage:
        store, now = self.store, self.now
        return Usage(
            to_address=store.replies_to(address, now - timedelta(hours=self.limits.per_sender_hours), self.counted),
            in_case=store.replies_in_case(case_ref, now - timedelta(hours=24), self.counted) if case_ref else 0,
            last_hour=store.replies_since(now - HOUR), outgoing=outgoing)

    def unknown_usage(self, address: str) -> UnknownUsage:
        store, now = self.store, self.now
        since = now - timedelta(hours=UNKNOWN_DAY_HOURS)
        suppression = store.suppression(address, now)
        return UnknownUsage(
            to_address=store.neutral_acks(since, address=address),
            to_domain=store.neutral_acks(since, domain=domain_of(address)),
            last_hour=store.neutral_acks(now - HOUR),
            suppressed=f"bounced, not written to until {suppression['until'][:10]}" if suppression else None)

    def route(self, analysis: Analysis) -> Route | None:
        routing = self.settings.routing
        return route_for(self.rules.situation(analysis.situation).route, self.directory, analysis.fields,
                         (analysis.sender,), contracts_team=routing.contracts_team, fallback=routing.fallback)

    def mode(self, situation: str) -> str:
        return self.settings.mode_of(situation)

    def auto_min_confidence(self) -> float:
        return self.settings.bot.auto_min_confidence
