"""The bytes of our outgoing messages, read back by the email package as a mail client would."""

from __future__ import annotations

import email
import email.policy

import pytest

from mailbot.compose import mimewrite


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def lines(raw: bytes) -> list[bytes]:
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line ends with CRLF"
    return raw.split(b"\r\n")


@pytest.mark.parametrize("subject", [
    "Re: Nouveau P.O [Réf. WFPS-2026-000001]",
    "Ré: " + "é" * 200,                       # many encoded words
    "plain ASCII subject",
    "emoji 🚀 and 中文 and Ünïcödé",
    "=?utf-8?q?looks_encoded?=",              # customer text that looks like an encoded word
])
def test_a_subject_reads_back_exactly(subject):
    raw = mimewrite.message([("Subject", mimewrite.encoded_words(subject))], "t", "<p>h</p>")
    assert parse(raw)["Subject"] == subject
    assert max(len(line) for line in lines(raw)) <= 998


@pytest.mark.parametrize("value", ["a\r\nBcc: victim@x.fr", "a\nX-Evil: 1", "a\rb"])
def test_no_header_injection_through_one_line(value):
    raw = mimewrite.message([("Subject", mimewrite.encoded_words(mimewrite.one_line(value)))], "t", "h")
    message = parse(raw)
    assert message["Bcc"] is None and message["X-Evil"] is None


@pytest.mark.parametrize("name, addr, shown", [
    ("Service Contrats Canon France", "b@x.fr", "Service Contrats Canon France <b@x.fr>"),
    ("Service Contrats – Canon France", "b@x.fr", "Service Contrats – Canon France <b@x.fr>"),
    ("Dupont, Jean", "j@x.fr", '"Dupont, Jean" <j@x.fr>'),
    ("", "j@x.fr", "j@x.fr"),
])
def test_addresses(name, addr, shown):
    raw = mimewrite.message([("From", mimewrite.address(name, addr))], "t", "h")
    assert str(parse(raw)["From"]) == shown


def test_a_long_references_header_is_folded_and_reads_back():
    ids = " ".join(f"<{'x' * 60}.{i}@example.fr>" for i in range(30))
    raw = mimewrite.message([("References", ids)], "t", "h")
    assert max(len(line) for line in lines(raw)) <= 998
    assert " ".join(str(parse(raw)["References"]).split()) == ids


def test_bodies_are_quoted_printable_utf8_and_read_back_exactly():
    text = "Bonjour,\nFrom here on: déménagement à 8h30 — 0,18 €/min   \n" + "x" * 300 + "\n"
    html = "<p>Déménagement</p>\n" + "<td>" * 200
    raw = mimewrite.message([("Subject", "s")], text, html)
    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == html
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert max(len(line) for line in lines(body)) <= 76
    assert b"\r\nFrom here" in body  # sent as written, not mangled to ">From"


def test_attached_messages_are_kept_byte_for_byte():
    original = "From: a@b.fr\r\nSubject: Déménagement\r\nMessage-ID: <o@b.fr>\r\n\r\nCorps é\r\n".encode()
    lf_only = b"From: c@d.fr\nSubject: two\nMessage-ID: <t@d.fr>\n\nbody\n"
    raw = mimewrite.message([("Subject", "fwd")], "t", "h", [original, lf_only])
    message = parse(raw)
    assert message.get_content_type() == "multipart/mixed"
    parts = list(message.iter_attachments())
    assert [p.get_content_type() for p in parts] == ["message/rfc822", "message/rfc822"]
    assert [str(p.get_content()["Message-ID"]) for p in parts] == ["<o@b.fr>", "<t@d.fr>"]
    assert original.rstrip(b"\r\n") in raw
    assert message.get_body(("plain",)).get_content().strip() == "t"


def test_the_boundary_never_occurs_in_an_attachment(monkeypatch):
    draws = iter(["aaaa", "bbbb"])
    monkeypatch.setattr(mimewrite.secrets, "token_hex", lambda n: next(draws))
    assert mimewrite.boundary([b"quoted: =_mailbot_aaaa"]) == "=_mailbot_bbbb"


def test_an_original_with_overlong_lines_is_attached_as_a_base64_file():
    original = b"From: a@b.fr\r\nSubject: x\r\n\r\n" + b"y" * 4000 + b"\r\n"
    raw = mimewrite.message([("Subject", "fwd")], "t", "h", [original])
    assert max(len(line) for line in lines(raw)) <= 998
    [part] = list(parse(raw).iter_attachments())
    assert part.get_filename() == "message-1.eml"
    assert part.get_content().replace(b"\r\n", b"\n") == original.replace(b"\r\n", b"\n").rstrip(b"\n")
