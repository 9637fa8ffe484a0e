"""Why a message got its action: the decision chain (chain.py) as lines a person reads.

``mailbot explain`` prints it for a ledger row (the chain recorded when the
message was decided) or for an .eml file (the chain run now against the
database, read-only: what would happen to it if it arrived now).
"""

from __future__ import annotations

from typing import Any

from mailbot.decide.chain import CROSS_CHECK_CODES, NOT_RUN, SENDER_CODES
from mailbot.read.analysis import FRAUD_SIGNALS

GATE_WIDTH, CODE_WIDTH = 15, 28


def chain_lines(analysis: dict[str, Any]) -> list[str]:
    """One line per gate: its name, its code, the action it asked for and its reason; then the
    final action and the gate that set it. A row decided before chains were recorded says so."""
    chain = [v for v in analysis.get("chain") or [] if isinstance(v, dict)]
    action = analysis.get("action") or "?"
    if not chain:
        reasons = [str(r) for r in analysis.get("reasons") or []]
        return ([f"decided before the decision chain was recorded: action {action}"]
                + [f"  reason: {r}" for r in reasons])
    lines = []
    for number, verdict in enumerate(chain, 1):
        asked = verdict.get("action")
        code = str(verdict.get("code") or "")
        mark = f"-> {asked}" if asked else ("(not run)" if code == NOT_RUN else "pass")
        text = str(verdict.get("text") or "")
        details = verdict.get("details") or {}
        shown = text or ", ".join(f"{k}={v}" for k, v in details.items() if v not in (None, "", [], {}))
        lines.append(f"{number:>3} {str(verdict.get('gate')):<{GATE_WIDTH}} {code:<{CODE_WIDTH}} "
                     f"{mark:<16} {shown}".rstrip())
    decided = analysis.get("decided_by") or {}
    by = f" (set by {decided.get('gate')}: {decided.get('code')})" if decided else ""
    lines.append(f"final action: {action}{by}")
    return lines


# The trust rule's findings that send a message to a person (trust.py's codes).
TRUST_REVIEW_CODES = frozenset(SENDER_CODES + CROSS_CHECK_CODES)
# The limits (limits.py) whose verdict sends a message to review (the others hold or drop a reply).
LIMIT_REVIEW_RULES = ("suppressed", "per_sender", "per_case")


# Which gate's finding a person reads first when several sent a message to them (chain.py's gates).
REASON_ORDER = ("readable", "sender", "cross_check", "suppression", "rate_limits", "threading", "routing", "fraud")


def review_reason(analysis: dict[str, Any]) -> str:
    """Why a message went to a person, in one sentence, from its analysis (``Analysis.as_dict()``,
    or as the ledger stores it): the finding of the gate a person reads first (REASON_ORDER),
    else the verdict that set the action. A row decided before the chain existed has no chain:
    its evidence and reasons are read as they were then."""
    chain_ = [v for v in analysis.get("chain") or [] if isinstance(v, dict)]
    if not chain_:
        return _review_reason_before_chain(analysis)
    hits = [v for v in chain_ if v.get("action") == "review" or (v.get("gate"), v.get("code")) ==
            ("routing", "no_recipient")]
    for gate in REASON_ORDER:
        if hit := next((v for v in hits if v.get("gate") == gate), None):
            return str(hit.get("text") or hit.get("code"))
    decided = analysis.get("decided_by") or (hits[0] if hits else {})
    return str(decided.get("text") or decided.get("code") or "")


def _review_reason_before_chain(analysis: dict[str, Any]) -> str:
    """review_reason for a ledger row without a chain: the structured evidence first (nothing could
    be read, the trust rule's findings, a limit, a case cited by a stranger, nobody to forward to, a
    fraud signal); else the decision's reason (the last one when the message continued a case; else
    the first, after the late-notice note)."""
    evidence = [e for e in analysis.get("evidence") or [] if isinstance(e, dict)]

    def found(stage: str, names) -> dict[str, Any] | None:
        return next((e for e in evidence if e.get("stage") == stage and e.get("name") in names), None)

    if e := found("parse", ("unreadable", "internal_error")):
        return e.get("detail", "") if e.get("name") == "unreadable" else f"internal error: {e.get('detail', '')}"
    for stage, names in (("trust", TRUST_REVIEW_CODES), ("limits", LIMIT_REVIEW_RULES), ("case", ("not_joined",))):
        if e := found(stage, names):
            return e.get("detail") or e.get("name", "")
    if e := found("route", ("no_recipient",)):
        return f"complete, but nobody to forward it to: {e.get('detail', '')}"
    if e := found("extract", FRAUD_SIGNALS):
        return f"possible fraud: {e.get('name')} ({e.get('detail', '')})"
    reasons = [str(r) for r in analysis.get("reasons") or []]
    if not reasons:
        return ""
    if found("case", ("joined",)):
        return reasons[-1]
    return reasons[1] if analysis.get("lead_time_ok") is False and len(reasons) > 1 else reasons[0]
