"""The record that the pure pipeline produces for one message.

Every stage (parse, guard, classify, extract, decide) adds to one ``Analysis``
and says why in ``evidence``, so the daemon, the CLI and a reviewer all see the
same decision and the reasons behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACTIONS = ("acknowledge", "request_info", "review", "ignore")

FIELD_KEYS = (
    "contract_number",
    "serial_numbers",
    "po_number",
    "customer_number",
    "effective_date",
    "new_address_postcode",
    "new_email",
    "siren",
    "kbis",
    "meter_readings",
)


def empty_fields() -> dict[str, Any]:
    """The fields of corpus/FORMAT.md, all unset."""
    return {
        "contract_number": None,
        "serial_numbers": [],
        "po_number": None,
        "customer_number": None,
        "effective_date": None,
        "new_address_postcode": None,
        "new_email": None,
        "siren": None,
        "kbis": False,
        "meter_readings": [],
    }


@dataclass
class Evidence:
    """One reason behind a decision: which stage, which rule or field, which text."""

    stage: str
    name: str
    text: str = ""
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"stage": self.stage, "name": self.name, "text": self.text, "detail": self.detail}


@dataclass
class Analysis:
    """What mailbot understood of one message and what it decided to do."""

    message_id: str | None = None
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    reply_to: str = ""
    received: datetime | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    language: str = "fr"
    automated: bool = False
    situation: str = "other"
    secondary_situation: str | None = None
    confidence: float = 0.0
    fields: dict[str, Any] = field(default_factory=empty_fields)
    # Richer extraction than FORMAT.md's fields: new_address, new_email, meter_readings, spans (see extract.py)
    details: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    lead_time_ok: bool | None = None
    action: str = "review"
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def email_nominative(self) -> bool | None:
        """Whether the new invoice e-mail address is a person's (extract's flag); None when unknown."""
        new_email = self.details.get("new_email")
        return new_email.get("nominative") if isinstance(new_email, dict) else None

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of DESIGN.md, plus evidence and context keys."""
        return {
            "message_id": self.message_id,
            "subject": self.subject,
            "sender": self.sender,
            "received": self.received.isoformat() if self.received else None,
            "language": self.language,
            "situation": self.situation,
            "secondary_situation": self.secondary_situation,
            "confidence": round(self.confidence, 4),
            "automated": self.automated,
            "fields": dict(self.fields),
            "details": dict(self.details),
            "missing": list(self.missing),
            "lead_time_ok": self.lead_time_ok,
            "action": self.action,
            "reasons": list(self.reasons),
            "evidence": [e.as_dict() for e in self.evidence],
            "attachments": list(self.attachments),
        }
