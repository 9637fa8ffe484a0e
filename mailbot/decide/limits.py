"""How many replies mailbot may send: to one address, in one case, and in all.

The guard stops answering robots it recognises; these limits stop the loops
it does not (a responder without any marker, a bounce that looks human, a
customer's server that re-sends). Pure: the counts come in, a verdict comes
out. The processor reads the counts from the database in the transaction
that queues the reply, so the limits hold across restarts and processes.

Order matters: an address that bounced, then the per-address and per-case
caps (the message goes to review, no reply is queued), then the global brake
(the reply is queued but held, and sending stops for everyone). Addresses are
counted folded (``victim+1@`` is ``victim@``, store.py).

Senders outside the customer directory get at most a neutral
acknowledgement (trust.py, replies.py), under caps of their own that drop
rather than hold: one per address and one per domain a day, and
``unknown_per_hour`` in all. A dropped acknowledgement is recorded, never
sent later: a flood of strangers must not turn into a flood from Canon.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.config import SCHEMA

REPLY, REVIEW, HOLD, DROP = "reply", "review", "hold", "drop"
CASE_HOURS = 24
UNKNOWN_DAY_HOURS = 24
_DEFAULT = SCHEMA["limits"]


@dataclass(frozen=True)
class Limits:
    """The [limits] settings."""

    # The defaults are the settings' own (config.SCHEMA), defined once.
    per_sender: int = _DEFAULT["per_sender"].default
    per_sender_hours: int = _DEFAULT["per_sender_hours"].default
    per_case: int = _DEFAULT["per_case"].default
    per_hour: int = _DEFAULT["per_hour"].default
    bounce_block_days: int = _DEFAULT["bounce_block_days"].default
    unknown_per_hour: int = _DEFAULT["unknown_per_hour"].default

    @classmethod
    def from_settings(cls, section) -> "Limits":
        return cls(**{key: section.values[key] for key in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Usage:
    """What the database says about one reply about to be queued."""

    to_address: int = 0        # replies to the address in the last per_sender_hours
    in_case: int = 0           # replies in the case in the last 24 h
    last_hour: int = 0         # replies sent or about to be, to anyone, in the last hour
    suppressed: str | None = None  # why the address is not written to (it bounced), or None
    outgoing: int = 1          # messages this decision sends: the reply, and the forward of a complete case


@dataclass(frozen=True)
class UnknownUsage:
    """Neutral acknowledgements already queued, as the database counts them."""

    to_address: int = 0   # to the folded address, in the last 24 h
    to_domain: int = 0    # to any address of its domain, in the last 24 h
    last_hour: int = 0    # to anyone outside the directory, in the last hour
    suppressed: str | None = None


@dataclass(frozen=True)
class Verdict:
    outcome: str               # REPLY, REVIEW or HOLD
    rule: str = ""             # which limit: suppressed, per_sender, per_case, per_hour
    reason: str = ""


def judge(limits: Limits, usage: Usage, *, address: str, case_ref: str | None,
          brake: bool = True) -> Verdict:
    """May a reply to ``address`` in ``case_ref`` be queued now?

    ``brake`` is False when nothing is sent automatically (shadow and draft
    modes): the global brake only stops sending.
    """
    if usage.suppressed:
        return Verdict(REVIEW, "suppressed", f"no reply: {address} {usage.suppressed}")
    if usage.to_address >= limits.per_sender:
        return Verdict(REVIEW, "per_sender", f"rate limit: {usage.to_address} replies to {address} "
                                             f"in {limits.per_sender_hours} h")
    if case_ref and usage.in_case >= limits.per_case:
        return Verdict(REVIEW, "per_case", f"rate limit: {usage.in_case} replies in case {case_ref} "
                                           f"in {CASE_HOURS} h")
    if brake and usage.last_hour + usage.outgoing > limits.per_hour:
        return Verdict(HOLD, "per_hour", f"sending stopped: {usage.last_hour} replies in the last hour "
                                         f"(limit {limits.per_hour}); reply held")
    return Verdict(REPLY)


def judge_unknown(limits: Limits, usage: UnknownUsage, *, address: str, domain: str) -> Verdict:
    """May a neutral acknowledgement go to ``address``, a sender outside the directory? REPLY or DROP."""
    if usage.suppressed:
        return Verdict(DROP, "suppressed", f"no acknowledgement: {address} {usage.suppressed}")
    if usage.to_address:
        return Verdict(DROP, "unknown_per_address", f"no acknowledgement: {address} got one in the last "
                                                    f"{UNKNOWN_DAY_HOURS} h")
    if usage.to_domain:
        return Verdict(DROP, "unknown_per_domain", f"no acknowledgement: an address of {domain} got one in the "
                                                   f"last {UNKNOWN_DAY_HOURS} h")
    if usage.last_hour >= limits.unknown_per_hour:
        return Verdict(DROP, "unknown_per_hour", f"no acknowledgement: {usage.last_hour} sent to senders outside "
                                                 f"the directory in the last hour (limit {limits.unknown_per_hour})")
    return Verdict(REPLY)
