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

DMARC's verdict wins when there is one: the sender is **authenticated** when
DMARC passes for the From domain, and it **failed** when DMARC fails (written
anywhere in our header, even where a parser would not read it), or when our
MTA judged another From domain than the one read here (two From fields,
parser tricks). Without a DMARC verdict, DKIM passing for a domain aligned
with the From (the same, or a parent or sub-domain) or SPF passing for an
aligned envelope sender authenticates; SPF failing without an aligned DKIM
pass fails. Otherwise there is no verdict ("none"). Our header over 64,000
characters fails. With no authserv-id configured, nothing is authenticated.
Pure: headers in, verdict out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import authres

from mailbot.read.addresses import aligned, domain_of

PASS, FAIL, NONE = "pass", "fail", "none"
MAX_OURS = 64_000  # characters of our own header read; a longer one is not trusted (FAIL)
# "dmarc=fail" anywhere in our header, even where a parser would not look (inside a crafted comment).
_DMARC_FAIL = re.compile(r"(?<![\w.-])dmarc\s*+=\s*+fail(?![\w-])", re.I)


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
        header = authres.AuthenticationResultsHeader.parse_value(" ".join(value.split()))
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
    if len(ours) > MAX_OURS:
        return Auth(FAIL, "unreadable", f"Authentication-Results header from {authserv_id} too long to read")
    said_fail = _DMARC_FAIL.search(ours) is not None
    methods = _results(ours)
    if methods is None:
        if said_fail:
            return Auth(FAIL, "dmarc", f"dmarc=fail in an unreadable header ({authserv_id})")
        return Auth(NONE, detail=f"unreadable Authentication-Results header from {authserv_id}")

    def dkim_domain(props: dict[str, str]) -> str:
        signer = props.get("header.d") or domain_of(props.get("header.i")) or ""
        return signer if aligned(signer, domain) else ""

    def spf_domain(props: dict[str, str]) -> str:
        envelope = props.get("smtp.mailfrom", "")
        envelope = domain_of(envelope) or envelope
        return envelope if aligned(envelope, domain) else ""

    dmarc = methods.get("dmarc", [])
    other_from = sorted({p["header.from"] for _, p in dmarc if p.get("header.from", domain) != domain})
    if other_from:  # our MTA judged another From than the one we read: never trust such a message
        return Auth(FAIL, "dmarc", f"our mail server read the From domain {other_from[0]}, not {domain} "
                                   f"({authserv_id})")
    if said_fail or any(result == FAIL for result, _ in dmarc):  # DMARC's verdict wins, a failure first
        return Auth(FAIL, "dmarc", f"dmarc=fail for {domain} ({authserv_id})")
    if dmarc and all(result == PASS for result, _ in dmarc):
        return Auth(PASS, "dmarc", f"dmarc=pass for {domain} ({authserv_id})", domain)
    for method, identity_of in (("dkim", dkim_domain), ("spf", spf_domain)):
        ok, identity = _passes(methods.get(method, []), identity_of)
        if ok:
            return Auth(PASS, method, f"{method}=pass for {identity} ({authserv_id})", identity)
    spf = [result for result, props in methods.get("spf", []) if spf_domain(props)]
    if not dmarc and any(r in ("fail", "softfail") for r in spf):
        return Auth(FAIL, "spf", f"spf={spf[0]} for {domain}, no aligned DKIM signature ({authserv_id})")
    seen = ", ".join(f"{m}={'/'.join(sorted({r for r, _ in rs}))}" for m, rs in sorted(methods.items())) or "nothing"
    return Auth(NONE, detail=f"no aligned pass for {domain}: {seen} ({authserv_id})")
