"""Was the sender's From address checked by our own mail server? (RFC 8601)

A From header proves nothing: anyone can write ``From: t.gaudemard@gaudemard-tp.fr``.
Our mail server (MTA) checks SPF, DKIM and DMARC when mail arrives and writes
the results in an ``Authentication-Results`` header that starts with its own
name, the authserv-id (``[trust] authserv_id``). Headers with another id were
written by someone else (another server, or the sender) and are ignored.

Which header is read: mail servers add their headers at the top, above the
message's own (which the sender wrote, forged ones included). So only the
topmost Authentication-Results header with our id is read; our MTA must put
its verdicts (DMARC at least) in that one header, on every message, and delete
incoming headers that claim its id (RFC 8601 §5; SECURITY.md says what the
site must provide).

The sender is **authenticated** when DMARC passes for the From domain, or DKIM
passes for a domain aligned with it (the same, or a parent or sub-domain), or
SPF passes for an aligned envelope sender. It **failed** when our MTA says
DMARC failed, or, without a DMARC verdict, that SPF failed and no aligned DKIM
signature passed: the From address is then most likely forged. Otherwise
there is no verdict ("none"). With no authserv-id configured, nothing is
authenticated. Pure: headers in, verdict out.
"""

from __future__ import annotations

from dataclasses import dataclass

import authres

from mailbot.addresses import aligned, domain_of
from mailbot.bounds import MAX_HEADER_CHARS

PASS, FAIL, NONE = "pass", "fail", "none"


@dataclass(frozen=True)
class Auth:
    """The verdict on the sender's From domain, and what it rests on (for people)."""

    status: str  # PASS, FAIL or NONE
    method: str = ""  # "dmarc", "dkim" or "spf" when PASS or FAIL
    detail: str = ""
    domain: str = ""  # the identity that passed (aligned with the From domain)

    @property
    def authenticated(self) -> bool:
        return self.status == PASS

    def as_dict(self) -> dict[str, str]:
        return {"status": self.status, "method": self.method, "detail": self.detail, "domain": self.domain}


def _ours(values: list[str], authserv_id: str) -> str | None:
    """The topmost Authentication-Results value with our id (see the module's docstring)."""
    wanted = authserv_id.strip().lower()
    return next((v for v in values if v[:300].split(";", 1)[0].strip().split(" ")[0].lower() == wanted), None)


def _results(value: str) -> dict[str, list[tuple[str, dict[str, str]]]] | None:
    """method -> [(result, {ptype.property: value})] of one header; None when it cannot be read."""
    try:
        header = authres.AuthenticationResultsHeader.parse_value(" ".join(value[:MAX_HEADER_CHARS].split()))
    except Exception:  # noqa: BLE001 - authres raises SyntaxError and others on junk
        return None
    by_method: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for result in header.results:
        props = {f"{p.type}.{p.name}".lower(): str(p.value or "").lower() for p in result.properties}
        by_method.setdefault(str(result.method).lower(), []).append((str(result.result).lower(), props))
    return by_method


def _passes(results: list[tuple[str, dict[str, str]]], aligned_with) -> tuple[bool, str]:
    """Whether a method passes for an aligned identity, and which identity; never when its results disagree."""
    if not results or any(result != PASS for result, _ in results):
        return False, ""
    for _, props in results:
        identity = aligned_with(props)
        if identity:
            return True, identity
    return False, ""


def authenticate(values: list[str], from_address: str, authserv_id: str) -> Auth:
    """The verdict on ``from_address`` from the raw values of the message's
    Authentication-Results headers, topmost first."""
    if not authserv_id.strip():
        return Auth(NONE, detail="no authserv_id configured: nothing is authenticated")
    domain = domain_of(from_address)
    if not domain:
        return Auth(NONE, detail="no plain From address")
    ours = _ours(values, authserv_id)
    if ours is None:
        return Auth(NONE, detail=f"no Authentication-Results header from {authserv_id}")
    methods = _results(ours)
    if methods is None:
        return Auth(NONE, detail=f"unreadable Authentication-Results header from {authserv_id}")

    def dmarc_domain(props: dict[str, str]) -> str:
        claimed = props.get("header.from", domain)
        return claimed if claimed == domain else ""

    def dkim_domain(props: dict[str, str]) -> str:
        signer = props.get("header.d") or domain_of(props.get("header.i")) or ""
        return signer if aligned(signer, domain) else ""

    def spf_domain(props: dict[str, str]) -> str:
        envelope = props.get("smtp.mailfrom", "")
        envelope = domain_of(envelope) or envelope
        return envelope if aligned(envelope, domain) else ""

    for method, identity_of in (("dmarc", dmarc_domain), ("dkim", dkim_domain), ("spf", spf_domain)):
        ok, identity = _passes(methods.get(method, []), identity_of)
        if ok:
            return Auth(PASS, method, f"{method}=pass for {identity} ({authserv_id})", identity)
    dmarc = [result for result, _ in methods.get("dmarc", [])]
    if "fail" in dmarc:
        return Auth(FAIL, "dmarc", f"dmarc=fail for {domain} ({authserv_id})")
    spf = [result for result, props in methods.get("spf", []) if spf_domain(props)]
    if not dmarc and any(r in ("fail", "softfail") for r in spf):
        return Auth(FAIL, "spf", f"spf={spf[0]} for {domain}, no aligned DKIM signature ({authserv_id})")
    seen = ", ".join(f"{m}={'/'.join(sorted({r for r, _ in rs}))}" for m, rs in sorted(methods.items())) or "nothing"
    return Auth(NONE, detail=f"no aligned pass for {domain}: {seen} ({authserv_id})")
