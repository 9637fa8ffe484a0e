"""What to do with a message: which required fields are missing, is it in time, which action.

The rules are the seed's table as data (situations.toml): required fields and
lead times per situation. The action follows a fixed order so that the safe
choice always wins: never answer a machine, let a human read what the bot
does not understand or is unsure of, ask for what is missing, otherwise
acknowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from .rules import Rules

PARIS = ZoneInfo("Europe/Paris")

# Words that make an address a service mailbox rather than a person's.
_GENERIC_WORDS = re.compile(
    r"factur|invoice|compta|account|fournisseur|supplier|achat|purchas|finance|financ|gestion|service|contact"
    r"|admin|secretariat|direction|billing|dematerialis|info|office|accueil|reception|paiement|payable|\bap\b"
    r"|courrier|mairie|standard|support|commande|order|treso|recette|mandat",
    re.I,
)
_PERSONAL_SHAPE = re.compile(r"[a-z][a-z'-]*[._][a-z][a-z'-]+", re.I)  # first.last, f.last, first_last


@dataclass
class Decision:
    missing: list[str] = field(default_factory=list)
    lead_time_ok: bool | None = None
    action: str = "review"
    reasons: list[str] = field(default_factory=list)


def is_nominative(address: str) -> bool:
    """jean.dupont@… or j.dupont@… is a person's address; factures@… or compta.fournisseurs@… is not."""
    local = address.split("@", 1)[0]
    return not _GENERIC_WORDS.search(local) and bool(_PERSONAL_SHAPE.fullmatch(local))


def missing_fields(required: tuple[str, ...], fields: dict[str, Any], *, generic_email: bool) -> list[str]:
    """The required names the fields do not provide, in the order of the rules.

    ``new_address`` is met by a postcode or an e-mail address; ``new_email``,
    when ``generic_email`` is asked, only by a non-nominative address.
    """
    missing = []
    for name in required:
        if name == "new_address":
            present = bool(fields.get("new_address_postcode") or fields.get("new_email"))
        elif name == "new_email":
            email = fields.get("new_email")
            present = bool(email) and not (generic_email and is_nominative(email))
        else:
            present = bool(fields.get(name))
        if not present:
            missing.append(name)
    return missing


def lead_time_ok(effective: str | None, received: datetime | None, months: int) -> bool | None:
    """effective date ≥ received date (Paris) + months; None when either is unknown or no lead time applies."""
    if not months or not effective or received is None:
        return None
    try:
        when = date.fromisoformat(effective)
    except ValueError:
        return None
    local = received.astimezone(PARIS) if received.tzinfo else received
    return when >= local.date() + relativedelta(months=months)


def decide(
    situation: str,
    fields: dict[str, Any],
    rules: Rules,
    *,
    received: datetime | None,
    confidence: float,
    automated: bool = False,
    warnings: list[str] | None = None,
) -> Decision:
    """The decision for one message; ``warnings`` (e.g. possible fraud) force a review."""
    if automated:
        return Decision(action="ignore", reasons=["automated message: never answered"])
    rule = rules.situation(situation)
    decision = Decision(
        missing=[] if rule.id == "other" else missing_fields(
            rule.required, fields, generic_email=rule.generic_email
        ),
        lead_time_ok=lead_time_ok(fields.get("effective_date"), received, rule.lead_time_months),
    )
    if decision.lead_time_ok is False:
        decision.reasons.append(
            f"late: effective {fields.get('effective_date')} is less than "
            f"{rule.lead_time_months} month(s) after receipt"
        )
    if rule.id == "other":
        decision.action = "review"
        decision.reasons.append("situation other: a person decides")
    elif warnings:
        decision.action = "review"
        decision.reasons.extend(warnings)
    elif confidence < rules.review_below:
        decision.action = "review"
        decision.reasons.append(f"confidence {confidence:.2f} below {rules.review_below:.2f}")
    elif decision.missing:
        decision.action = "request_info"
        decision.reasons.append("missing: " + ", ".join(decision.missing))
    else:
        decision.action = "acknowledge"
        decision.reasons.append("all required information present")
    return decision
