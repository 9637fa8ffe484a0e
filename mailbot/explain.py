"""Why a message got its action: the decision chain (chain.py) as lines a person reads.

``mailbot explain`` prints it for a ledger row (the chain recorded when the
message was decided) or for an .eml file (the chain run now against the
database, read-only: what would happen to it if it arrived now).
"""

from __future__ import annotations

from typing import Any

from mailbot.chain import NOT_RUN

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
