"""The bytes of the messages mailbot sends, written directly.

Replies and forwards have one fixed shape (headers, a text/HTML alternative,
for forwards the customer's messages attached), so they are written here
rather than through ``email.generator``: on a backlog the generator's header
folding and its pure-Python quoted-printable cost more than rendering the
templates. Safety is the same: every header value is folded to one line (no
CR/LF injection from customer text), non-ASCII values become RFC 2047 encoded
words, bodies are quoted-printable UTF-8 (no line over 76 characters, trailing
spaces kept, nothing mangled), lines end with CRLF. A customer's message
attached to a forward is kept byte for byte as ``message/rfc822`` when it
keeps SMTP's rules (lines of at most 998 octets), else attached as a base64
``.eml`` file so that no relay truncates it.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from typing import Iterable

_NEWLINES = re.compile(rb"\r\n|\r|\n")
_WORD_BYTES = 45  # UTF-8 bytes per encoded word: "=?utf-8?b?" + 60 base64 + "?=" = 72 characters
MAX_LINE = 998


def one_line(value: str) -> str:
    """Header values never carry CR or LF: no header injection from customer text."""
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def encoded_words(text: str) -> str:
    """``text`` as it may stand in a header: ASCII as is, else RFC 2047 base64
    words (also ASCII that a reader would decode, such as ``=?utf-8?q?…?=``)."""
    if text.isascii() and "=?" not in text:
        return text
    words, chunk, size = [], [], 0
    for char in text:
        n = len(char.encode("utf-8"))
        if size + n > _WORD_BYTES:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += n
    words.append("".join(chunk))
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words)


def address(name: str, addr: str) -> str:
    """``Name <addr>`` with the name quoted or encoded as needed."""
    name, addr = one_line(name), one_line(addr)
    if not name:
        return addr
    if not name.isascii():
        return f"{encoded_words(name)} <{addr}>"
    if re.search(r'[()<>@,;:\\".\[\]]', name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{addr}>"


def _header(name: str, value: str) -> bytes:
    """One header field; an ASCII value longer than a line allows is folded at spaces."""
    line = f"{name}: {value}"
    if len(line) > MAX_LINE and "\r\n" not in value:
        lines, current = [], f"{name}:"
        for word in value.split(" "):
            if len(current) + 1 + len(word) > 78 and current.strip() != f"{name}:":
                lines.append(current)
                current = ""
            current += " " + word
        lines.append(current)
        line = "\r\n".join(lines)
    return line.encode("utf-8") + b"\r\n"  # UTF-8 only for an internationalised address (SMTPUTF8)


def quoted_printable(text: str) -> bytes:
    """UTF-8 quoted-printable with CRLF line ends (C-speed ``binascii``)."""
    data = _NEWLINES.sub(b"\n", text.encode("utf-8"))
    encoded = binascii.b2a_qp(data, istext=True, header=False)
    return encoded.replace(b"\n", b"\r\n")


def boundary(avoid: Iterable[bytes] = ()) -> str:
    """A MIME boundary that none of ``avoid`` contains."""
    avoid = list(avoid)
    while True:
        value = f"=_mailbot_{secrets.token_hex(12)}"
        if not any(value.encode() in data for data in avoid):
            return value


def _text_part(subtype: str, text: str) -> bytes:
    return (f"Content-Type: text/{subtype}; charset=\"utf-8\"\r\n"
            f"Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode() + quoted_printable(text)


def alternative(text: str, html: str) -> tuple[str, bytes]:
    """The multipart/alternative body (text, then HTML): its Content-Type value and its bytes."""
    mark = boundary()
    body = b"".join((f"--{mark}\r\n".encode(), _text_part("plain", text), b"\r\n",
                     f"--{mark}\r\n".encode(), _text_part("html", html), b"\r\n",
                     f"--{mark}--\r\n".encode()))
    return f'multipart/alternative; boundary="{mark}"', body


def message(headers: list[tuple[str, str]], text: str, html: str,
            attached: list[bytes] = ()) -> bytes:
    """A whole message: ``headers`` (values already one line, ASCII or encoded
    words), the text/HTML alternative, then each of ``attached`` byte for byte
    as a ``message/rfc822`` part."""
    content_type, body = alternative(text, html)
    head = b"".join(_header(name, value) for name, value in headers) + b"MIME-Version: 1.0\r\n"
    if not attached:
        return head + _header("Content-Type", content_type) + b"\r\n" + body
    mark = boundary(attached)
    parts = [head, _header("Content-Type", f'multipart/mixed; boundary="{mark}"'), b"\r\n",
             f"--{mark}\r\n".encode(), _header("Content-Type", content_type), b"\r\n", body]
    for number, raw in enumerate(attached, 1):
        raw = _NEWLINES.sub(b"\r\n", raw).rstrip(b"\r\n")
        if max(map(len, raw.split(b"\r\n"))) <= MAX_LINE:
            encoding = "7bit" if raw.isascii() else "8bit"
            parts += [f"\r\n--{mark}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n"
                      f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode(), raw]
        else:
            encoded = base64.encodebytes(raw).replace(b"\n", b"\r\n").rstrip(b"\r\n")
            parts += [f"\r\n--{mark}\r\nContent-Type: application/octet-stream; name=\"message-{number}.eml\"\r\n"
                      f"Content-Disposition: attachment; filename=\"message-{number}.eml\"\r\n"
                      f"Content-Transfer-Encoding: base64\r\n\r\n".encode(), encoded]
    parts.append(f"\r\n--{mark}--\r\n".encode())
    return b"".join(parts)


_ALTERNATIVE = re.compile(rb'Content-Type: multipart/alternative; boundary="([^"\r\n]{1,100})"\r\n')


def with_text(raw: bytes, text: str, html: str) -> bytes:
    """The message ``raw`` (written by ``message``) with another text/HTML alternative: a person
    edited a draft. Headers, and attached originals, stay byte for byte."""
    found = _ALTERNATIVE.search(raw)
    start = raw.find(b"--" + found.group(1) + b"\r\n") if found else -1
    closing = b"--" + found.group(1) + b"--\r\n" if found else b""
    end = raw.find(closing, start) if start >= 0 else -1
    if end < 0:
        raise ValueError("no text/HTML alternative written by mailbot in this message")
    content_type, body = alternative(text, html)
    return (raw[:found.start()] + _header("Content-Type", content_type) + raw[found.end():start]
            + body + raw[end + len(closing):])

