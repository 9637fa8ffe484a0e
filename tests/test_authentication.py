"""Our MTA's verdict on the From domain (RFC 8601): only its topmost header, aligned identities only."""

from __future__ import annotations

import time

import pytest

from mailbot.read.analyze import analyze
from mailbot.read.authentication import FAIL, NONE, PASS, authenticate
from mailbot.paths import SAMPLES_DIR

ID = "mx.cf.canon.fr"
FROM = "t.gaudemard@gaudemard-tp.fr"

CASES = [
    # (what, Authentication-Results values top first, From, expected status, expected method)
    ("DMARC pass", [f"{ID}; dkim=pass header.d=gaudemard-tp.fr; dmarc=pass header.from=gaudemard-tp.fr"],
     FROM, PASS, "dmarc"),
    ("authserv-id in another case", ["MX.CF.CANON.FR; dmarc=pass header.from=gaudemard-tp.fr"], FROM, PASS, "dmarc"),
    ("our MTA judged another From (two From fields, parser tricks): forged",
     [f"{ID}; dkim=pass header.d=evil.example; dmarc=pass header.from=evil.example"], FROM, FAIL, "dmarc"),
    ("a DMARC failure wins over an aligned DKIM pass",
     [f"{ID}; dkim=pass header.d=news.gaudemard-tp.fr; dmarc=fail (adkim=s) header.from=gaudemard-tp.fr"],
     FROM, FAIL, "dmarc"),
    ("dmarc=fail hidden from the parser in a crafted comment still fails",
     [f"{ID}; spf=pass smtp.mailfrom=a(b@gaudemard-tp.fr; dkim=pass header.d=gaudemard-tp.fr; "
      "dmarc=fail header.from=gaudemard-tp.fr"], FROM, FAIL, "dmarc"),
    ("padded with signatures, the verdict at the end is still read",
     [f"{ID}; " + "dkim=fail header.d=x.example header.s=s; " * 200 + "dmarc=fail header.from=gaudemard-tp.fr"],
     FROM, FAIL, "dmarc"),
    ("our header too long to read: not trusted", [f"{ID}; " + "dkim=none; " * 7000], FROM, FAIL, "unreadable"),
    ("DKIM aligned: the parent domain signs a sub-domain's mail",
     [f"{ID}; dkim=pass header.d=gaudemard-tp.fr; dmarc=none"], "a@mail.gaudemard-tp.fr", PASS, "dkim"),
    ("DKIM of another domain", [f"{ID}; dkim=pass header.d=evil.example; spf=none"], FROM, NONE, ""),
    ("DKIM by a TLD never aligns", [f"{ID}; dkim=pass header.d=fr"], FROM, NONE, ""),
    ("SPF aligned (Microsoft's format)",
     [f"{ID}; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=gaudemard-tp.fr; dkim=none (message not signed) "
      "header.d=none;dmarc=none action=none header.from=gaudemard-tp.fr;compauth=pass reason=100"],
     FROM, PASS, "spf"),
    ("SPF of the envelope only", [f"{ID}; spf=pass smtp.mailfrom=bounce@mailer.example"], FROM, NONE, ""),
    ("DMARC fail: forged", [f"{ID}; spf=fail smtp.mailfrom=evil.example; dmarc=fail header.from=gaudemard-tp.fr"],
     FROM, FAIL, "dmarc"),
    ("SPF fail without DMARC or DKIM: forged", [f"{ID}; spf=fail smtp.mailfrom=t@gaudemard-tp.fr"], FROM, FAIL, "spf"),
    ("SPF softfail, DKIM pass: authenticated",
     [f"{ID}; spf=softfail smtp.mailfrom=t@gaudemard-tp.fr; dkim=pass header.d=gaudemard-tp.fr"], FROM, PASS, "dkim"),
    ("only the topmost of ours is read: a forged pass below ours",
     [f"{ID}; dmarc=fail header.from=gaudemard-tp.fr", f"{ID}; dmarc=pass header.from=gaudemard-tp.fr"],
     FROM, FAIL, "dmarc"),
    ("another server's headers are ignored",
     ["mx.evil.example; dmarc=pass header.from=gaudemard-tp.fr"], FROM, NONE, ""),
    ("ours disagreeing with itself does not pass",
     [f"{ID}; dkim=pass header.d=gaudemard-tp.fr; dkim=fail header.d=gaudemard-tp.fr"], FROM, NONE, ""),
    ("no header", [], FROM, NONE, ""),
    ("junk", [f"{ID}; ;;=== (((("], FROM, NONE, ""),
    ("no plain From", [f"{ID}; dmarc=pass header.from=gaudemard-tp.fr"], "", NONE, ""),
]


@pytest.mark.parametrize("values, sender, status, method", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_authenticate(values, sender, status, method):
    auth = authenticate(values, sender, ID)
    assert (auth.status, auth.method) == (status, method), auth.detail
    assert auth.detail


def test_without_an_authserv_id_nothing_is_authenticated():
    auth = authenticate([f"{ID}; dmarc=pass header.from=gaudemard-tp.fr"], FROM, "")
    assert auth.status == NONE and "no authserv_id" in auth.detail


def test_analyze_reads_the_topmost_header_of_ours():
    raw = (SAMPLES_DIR / "invoice_by_email.eml").read_bytes()
    assert analyze(raw, authserv_id=ID).authenticated
    assert not analyze(raw).authenticated, "no authserv_id: not authenticated"
    forged = b"Authentication-Results: mx.cf.canon.fr; dmarc=fail header.from=gaudemard-tp.fr\r\n" + raw
    assert analyze(forged, authserv_id=ID).auth["status"] == FAIL


@pytest.mark.timing
@pytest.mark.parametrize("value", ["dkim=pass " * 400, "(" * 4000, "a=b; " * 800, '"' * 4000, " " * 4000 + "x"])
def test_a_hostile_header_is_read_in_linear_time(value):
    started = time.perf_counter()
    authenticate([f"{ID}; {value}" * 50], FROM, ID)
    assert time.perf_counter() - started < 0.2
