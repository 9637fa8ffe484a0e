"""The record that the pure pipeline produces for one message.

Every stage (parse, guard, classify, extract, decide) adds to one ``Analysis``
and says why in ``evidence``, so the daemon, the CLI and a reviewer all see the
same decision and the reasons behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mailbot.read.bounds import MAX_EVIDENCE

ACTIONS = ("acknowledge", "request_info", "review", "ignore")
# Evidence names (stage "extract") of a possible fraud: an IBAN, a claim that bank details changed.
FRAUD_SIGNALS = ("iban", "bank_change_claim")

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
    source: str = ""  # where the text was read, when it matters: "subject", "new", "quoted", "attachment";
    # for a keyword, "question" too: our quoted question a short answer replies to (classify.QUESTION_WEIGHT)
    place: str = ""  # for a value read in an attachment: which one and where ("BC_2027.pdf, page 1")

    def as_dict(self) -> dict[str, str]:
        found = {"stage": self.stage, "name": self.name, "text": self.text, "detail": self.detail,
                 "source": self.source}
        return {**found, "place": self.place} if self.place else found


@dataclass
class Analysis:
    """What mailbot understood of one message and what it decided to do."""

    message_id: str | None = None
    subject: str = ""
    sender: str = ""
    sender_name: str = ""
    reply_to: str = ""
    # Whether From and Reply-To are plain addresses (addresses.py): only those are written to or trusted.
    sender_plain: bool = False
    reply_to_plain: bool = False
    # Our MTA's verdict on the From domain (authentication.py): {status: pass|fail|none, method, detail}.
    auth: dict[str, str] = field(default_factory=lambda: {"status": "none", "method": "", "detail": ""})
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
    # Remarks that are not a gate's verdict (a guard's finding, an absurd Date header, a bounce's effect).
    notes: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    # The decision chain as it ran (chain.py): every gate's verdict, and the one that set the action.
    chain: list[dict[str, Any]] = field(default_factory=list)
    decided_by: dict[str, Any] | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    # A delivery report's reading (bounces.py): {"quoted": [our Message-IDs?], "failed": [addresses]}.
    bounce: dict[str, list[str]] = field(default_factory=dict)

    @property
    def reasons(self) -> list[str]:
        """Why, for people: the notes, then the texts of the chain's verdicts."""
        return [*self.notes, *(v["text"] for v in self.chain if v.get("text"))]

    @property
    def authenticated(self) -> bool:
        """Did our MTA authenticate the From domain (DMARC, or aligned DKIM or SPF)?"""
        return self.auth.get("status") == "pass"

    def has(self, stage: str, *names: str) -> bool:
        """Is there evidence of ``stage`` with one of ``names`` (any name when none is given)?"""
        return any(e.stage == stage and (not names or e.name in names) for e in self.evidence)

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
            "sender_plain": self.sender_plain,
            "reply_to": self.reply_to,
            "reply_to_plain": self.reply_to_plain,
            "auth": dict(self.auth),
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
            "reasons": self.reasons,
            "evidence": [e.as_dict() for e in self.evidence[:MAX_EVIDENCE]],
            "chain": list(self.chain),
            "decided_by": self.decided_by,
            "attachments": list(self.attachments),
            "bounce": dict(self.bounce),
        }
