"""analyze() on hostile input: never raises, never swallows an internal error, always a valid record.

Three sources of bad mail: random bytes, the dev corpus damaged the way transports
and clients damage mail (flipped bytes, truncation, repeated headers, a lost blank
line, a wrong charset label), and hand-built nasties. Unreadable input goes to a
person (situation "other", action "review") with a reason that says why.
"""

import json
import re
import time
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.read.analysis import ACTIONS, FIELD_KEYS, Analysis
from mailbot.read.analyze import analyze, default_rules

DEV_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/dev"
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_valid(result: Analysis) -> None:
    situations = set(default_rules().situations)
    assert isinstance(result, Analysis)
    assert result.situation in situations
    assert result.secondary_situation in situations | {None}
    assert result.action in ACTIONS
    assert set(result.fields) == set(FIELD_KEYS) and len(result.fields) == len(FIELD_KEYS)
    assert result.lead_time_ok in (True, False, None)
    assert 0.0 <= result.confidence <= 1.0
    assert not [r for r in result.reasons if r.startswith("internal error")], result.reasons
    json.dumps(result.as_dict())  # what `analyze --json` and the store write


@lru_cache(maxsize=1)
def dev_messages() -> tuple[bytes, ...]:
    assert DEV_CORPUS.is_dir(), f"the dev corpus is expected at {DEV_CORPUS} (../shared beside the repository)"
    messages = tuple(p.read_bytes() for p in sorted(DEV_CORPUS.glob("*.eml")))
    assert messages, f"no .eml in {DEV_CORPUS}"
    return messages


# -- (a) random bytes ---------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=5000))
def test_random_bytes(raw):
    assert_valid(analyze(raw))


@FUZZ
@given(st.lists(st.sampled_from([b"From: a@b.fr\r\n", b"Subject: =?utf-8?b?", b"Content-Type: multipart/mixed;",
                                 b' boundary="x"', b"\r\n", b"\n", b"--x", b"--x--", b"Content-Transfer-Encoding: ",
                                 b"base64", b"quoted-printable", b"=C3=A9", b"\xc3\xa9", b"\xe9", b"\x00", b": ",
                                 b"charset=", b"Date: ", b"31 Feb 2027", b"<html><p>", b"=?", b"?="]), max_size=60))
def test_random_mail_shaped_bytes(chunks):
    assert_valid(analyze(b"".join(chunks)))


# -- (b) the dev corpus, damaged ----------------------------------------------------------------------

WRONG_CHARSETS = [b"x-unknown", b"utf-16", b"iso-2022-jp", b"", b"us-ascii", b"utf-8", b"latin-1", b"\xff\xfe", b'"']


class Drawn:
    """Choices drawn by hypothesis."""

    def __init__(self, data):
        self.data = data

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))

    def choice(self, options):
        return self.data.draw(st.sampled_from(options))


class Middle:
    """Always the middle choice: a fixed damage for every message."""

    @staticmethod
    def integer(low: int, high: int) -> int:
        return (low + high) // 2

    @staticmethod
    def choice(options):
        return options[len(options) // 2]


def flip(raw: bytes, pick) -> bytes:
    out = bytearray(raw)
    for _ in range(pick.integer(1, 20) if out else 0):
        out[pick.integer(0, len(out) - 1)] = pick.integer(0, 255)
    return bytes(out)


def truncate(raw: bytes, pick) -> bytes:
    return raw[: pick.integer(0, len(raw))]


def duplicate_header(raw: bytes, pick) -> bytes:
    head, sep, body = raw.partition(b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n")
    lines = head.splitlines(keepends=True)
    if not lines:
        return raw
    index = pick.integer(0, len(lines) - 1)
    return b"".join(lines[: index + 1] + [lines[index]] * pick.integer(1, 50) + lines[index + 1:]) + sep + body


def drop_blank_line(raw: bytes, pick) -> bytes:
    """Headers run into the body (count 0: every blank line, so MIME part headers too)."""
    return re.sub(rb"\r?\n\r?\n", b"\r\n", raw, count=pick.integer(0, 3))


def wrong_charset(raw: bytes, pick) -> bytes:
    return re.sub(rb'charset="?[\w.:-]*"?', b"charset=" + pick.choice(WRONG_CHARSETS), raw, flags=re.I)


MUTATIONS = [flip, truncate, duplicate_header, drop_blank_line, wrong_charset]


@FUZZ
@given(st.data())
def test_damaged_dev_corpus(data):
    pick = Drawn(data)
    raw = pick.choice(dev_messages())
    for mutate in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3), label="mutations"):
        raw = mutate(raw, pick)
    assert_valid(analyze(raw))


@pytest.mark.parametrize("mutate", MUTATIONS, ids=[m.__name__ for m in MUTATIONS])
def test_each_damage_on_every_dev_message(mutate):
    """Every message once per damage, so no message is left to chance."""
    for raw in dev_messages():
        assert_valid(analyze(mutate(raw, Middle)))


# -- (c) constructed nasties -------------------------------------------------------------------------

HEAD = (b"From: Marc Lefort <m.lefort@atelier-lefort.fr>\r\nTo: contrats.service.wfps@cf.canon.fr\r\n"
        b"Subject: Contrat\r\nDate: Mon, 02 Nov 2026 09:30:00 +0100\r\nMessage-ID: <n1@atelier-lefort.fr>\r\n"
        b"MIME-Version: 1.0\r\n")
TEXT = "Bonjour,\r\nNous souhaitons résilier le contrat du traceur PW345-0061287.\r\nCordialement,\r\nMarc\r\n"


def plain(body: bytes, content_type: bytes = b"text/plain; charset=utf-8", extra: bytes = b"") -> bytes:
    return HEAD + b"Content-Type: " + content_type + b"\r\n" + extra + b"\r\n" + body


def nested(depth: int) -> bytes:
    opening = b"".join(b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1)
                       for i in range(depth))
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth + 1)))
    leaf = b"--b%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" % (depth, TEXT.encode())
    return HEAD + b'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n' + opening + leaf + closing


PDF_ONLY = HEAD + (
    b'Content-Type: multipart/mixed; boundary="M"\r\n\r\n'
    b"--M\r\nContent-Type: application/pdf; name=\"kbis.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
    b'Content-Disposition: attachment; filename="kbis.pdf"\r\n\r\nJVBERi0xLjQKJeLjz9MK\r\n--M--\r\n')
GARBAGE = bytes(range(256)) * 8 + b"\x00\xff" * 500
BINARY_TEXT = plain(bytes((i * 151 + 7) % 256 for i in range(20_000)))

NASTIES = [
    # (id, raw, reason words or None; a reason means: situation other, action review)
    ("empty input", b"", "empty"),
    ("only white space", b"\r\n\r\n  \r\n", "empty"),
    ("headers only", HEAD, "empty body"),
    ("headers only, no blank line", HEAD.rstrip(), "empty body"),
    ("a PDF and nothing else", PDF_ONLY, "only attachments: kbis.pdf"),
    ("a bare PDF as the whole message", plain(b"JVBERi0xLjQKJeLjz9MK\r\n", b"application/pdf",
                                              b"Content-Transfer-Encoding: base64\r\n"), "only attachments"),
    ("binary garbage, no headers", GARBAGE, "not an e-mail"),
    ("binary garbage in a text/plain part", BINARY_TEXT, "not readable text"),
    ("binary garbage in a text/plain part without charset", plain(bytes(range(256)) * 40, b"text/plain"),
     "not readable text"),
    ("broken charset", plain(TEXT.encode(), b"text/plain; charset=x-unknown"), None),
    ("malformed charset", plain(TEXT.encode("cp1252"), b'text/plain; charset="utf-8\\"; x'), None),
    ("boundary never closed", HEAD + b'Content-Type: multipart/mixed; boundary="M"\r\n\r\n--M\r\n'
     b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT.encode(), None),
    ("missing boundary parameter", HEAD + b"Content-Type: multipart/mixed\r\n\r\n--M\r\n"
     b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT.encode() + b"--M--\r\n", "malformed MIME"),
    ("200 nested multiparts", nested(200), None),
    ("2000 nested multiparts (past the parser's recursion limit, over the cap on parts)", nested(2000),
     "body not read"),
    ("NUL bytes in the body", plain(TEXT.encode().replace(b" ", b"\x00 ")), None),
    ("NUL bytes in headers", HEAD.replace(b"Contrat", b"Con\x00trat").replace(b"Marc ", b"Marc\x00 ")
     + b"\r\n" + TEXT.encode(), None),
    ("base64 with invalid padding", plain(b"Qm9uam91ciwgcsOpc2lsaWF0aW9u=\r\n", extra=b"Content-Transfer-Encoding: "
                                          b"base64\r\n"), None),
    ("base64 that is not base64", plain(b"!!!! ~~~~ \xff\xfe\r\n", extra=b"Content-Transfer-Encoding: base64\r\n"),
     None),
    ("quoted-printable gone wrong", plain(b"=E9=\r\n=ZZ=\r=\n" * 50, extra=b"Content-Transfer-Encoding: "
                                          b"quoted-printable\r\n"), None),
    ("a thousand recipients", HEAD.replace(b"To: ", b"To: " + b"a@b.fr, " * 1000) + b"\r\n" + TEXT.encode(), None),
    ("a 100 kB header line", HEAD + b"Subject: " + b"x" * 100_000 + b"\r\n\r\n" + TEXT.encode(), None),
    ("encoded words gone wrong", HEAD.replace(b"Subject: Contrat", b"Subject: =?utf-8?b?!!?= =?x?q?=ZZ?= =?utf-8?q?"
                                              ) + b"\r\n" + TEXT.encode(), None),
]


@pytest.mark.parametrize("raw, reason", [n[1:] for n in NASTIES], ids=[n[0] for n in NASTIES])
def test_nasty(raw, reason):
    result = analyze(raw)
    assert_valid(result)
    if reason:
        assert (result.situation, result.action) == ("other", "review"), result.reasons
        assert any(reason in r for r in result.reasons), result.reasons


def test_mime_past_the_parsers_limit_keeps_the_envelope():
    result = analyze(nested(2000))
    assert (result.sender, result.subject, result.message_id) == (
        "m.lefort@atelier-lefort.fr", "Contrat", "<n1@atelier-lefort.fr>")
    assert result.received is not None


def test_readable_despite_damage_is_still_understood():
    """Damage that leaves the text readable must not cost the reading."""
    for raw in (nested(200), plain(TEXT.encode(), b"text/plain; charset=x-unknown"),
                plain(TEXT.encode().replace(b" ", b"\x00 "))):
        result = analyze(raw)
        assert (result.situation, result.fields["serial_numbers"]) == ("contract_termination", ["PW345-0061287"]), (
            result.reasons)


@pytest.mark.timing
def test_a_10_mb_body_is_read_in_a_few_seconds():
    raw = plain(TEXT.encode() + b"Ligne de remplissage sans importance pour la demande.\r\n" * 190_000)
    assert len(raw) > 10_000_000
    start = time.perf_counter()
    result = analyze(raw)
    elapsed = time.perf_counter() - start
    assert_valid(result)
    assert result.situation == "contract_termination"  # the request is at the top
    assert elapsed < 10, f"{elapsed:.1f} s"


@pytest.mark.timing
def test_thousands_of_letterhead_sirens_are_weighed_in_linear_time():
    """Each SIREN's company is looked for after the words that introduce the new entity: those are found once per text,
    and only the first SIRENs of each way of writing them are weighed (a second reader's 60 kB body took 30 s)."""
    body = ("Bonjour,\r\nMerci de transférer le contrat à la société Beta au 1er avril 2027.\r\n\r\n"
            + "Groupe Alpha SAS\r\nSIREN : 732 829 320\r\n\r\n" * 1_666).encode()
    start = time.perf_counter()
    assert_valid(analyze(plain(body)))
    assert time.perf_counter() - start < 3


@pytest.mark.timing
def test_a_10_mb_single_line_is_read_in_a_few_seconds():
    raw = plain(b"A" * 10_000_000)
    start = time.perf_counter()
    assert_valid(analyze(raw))
    assert time.perf_counter() - start < 10
