"""Raw RFC 5322 bytes to a plain ``Mail`` record that never surprises later stages.

Customer mail arrives from every client there is: Outlook's windows-1252 labelled
as latin-1, unknown charsets, broken MIME, encoded words in names. Everything
after parsing works on plain ``str`` values, so this module absorbs all of that
and records what was wrong in ``defects`` instead of raising.

Its size (a little over 400 lines): every way a real message breaks is handled here, in one
place, so that no other module ever sees a malformed header or body.
"""

from __future__ import annotations

import codecs
import email
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from mailbot.read import addresses
from mailbot.read.bounds import MAX_ATTACHMENTS, MAX_HEADER_BYTES, MAX_HEADER_CHARS, MAX_HTML_CHARS, MAX_MESSAGE_BYTES, MAX_PARTS
from mailbot.read.attachments import MAX_BYTES, MAX_READ_PER_MESSAGE, kind_of
from mailbot.read.htmltext import html_to_text, normalize_spaces


@dataclass
class Mail:
    """The parts of a message that the pipeline reads."""

    message_id: str | None = None
    subject: str = ""
    from_addr: str = ""
    from_name: str = ""
    reply_to: str = ""
    # The From and Reply-To addresses when they are plain (addresses.from_header), else
    # None and why not: only plain addresses are written to or trusted.
    from_plain: str | None = None
    from_problem: str = ""
    reply_to_plain: str | None = None
    reply_to_problem: str = ""
    auth_results: list[str] = field(default_factory=list)  # raw Authentication-Results values, top first
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/plain"
    report_type: str = ""
    text: str = ""
    text_from_html: bool = False
    binary_text: bool = False  # the body part holds binary data, not text: nothing to read
    attachments: list[dict[str, Any]] = field(default_factory=list)
    # the bytes of each attachment of a kind attachments.py reads (b"" for the others, or past the budget)
    attachment_data: list[bytes] = field(default_factory=list, repr=False)
    documents: list[Any] | None = field(default=None, repr=False)  # attachments.of_mail: each file read once
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    # Set when a cap stopped the reading (bounds.py): "too_large", "too_many_parts"; the body is not read.
    not_read: str = ""
    cut: list[str] = field(default_factory=list)  # what a cap shortened: "html", "parts", "attachments"

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive name), or None."""
        wanted = name.lower()
        return next((v for n, v in self.headers if n.lower() == wanted), None)

    def has_header(self, name: str) -> bool:
        return self.header(name) is not None


# Outlook and others label windows-1252 text as latin-1; cp1252 is a superset
# for every printable latin-1 character, so decoding with it is never worse.
_WINDOWS_1252 = ("cp1252", "iso8859-1")  # codec names, as codecs.lookup gives them
_UTF8 = ("utf-8", "ascii")
# The five bytes windows-1252 leaves undefined (read as surrogates) stand for the same code points, as browsers do.
_UNDEFINED_1252 = {0xDC00 + b: b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_STRAY_BYTES = re.compile("[\udc80-\udcff]++")  # bytes that were not UTF-8, as surrogateescape keeps them
_MSGID = re.compile(r"<[^<>\s]++>")
MAX_ID_CHARS = 1_000   # of a Message-ID or In-Reply-To field read
MAX_REFERENCES = 20    # the latest References kept
# Characters no writer types: C0/C1 controls (NUL aside), replacement characters, private use.
_NOT_TEXT = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_BINARY_SHARE = 0.10  # real mail stays far below
_BINARY_MIN = 16


def _is_binary(text: str) -> bool:
    """Whether decoded body text is really binary data (random bytes give 13-50% non-text)."""
    sample = text[:65_536]
    bad = len(_NOT_TEXT.findall(sample))
    visible = len(sample) - sample.count(" ") - sample.count("\n") - sample.count("\t")
    return bad >= _BINARY_MIN and bad > _BINARY_SHARE * visible


def _to_str(value: Any) -> str:
    """A header value as text: bytes smuggled in as surrogates become utf-8 or cp1252."""
    text = str(value)
    if _STRAY_BYTES.search(text):
        data = text.encode("utf-8", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    return text


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n[ \t]*", " ", value).strip()


def decode_header_value(raw: Any) -> str:
    """RFC 2047-decode a raw header value; undecodable parts are kept as written."""
    text = _unfold(_to_str(raw))
    if "=?" not in text:
        return text
    try:
        return _unfold(str(make_header(decode_header(text))))
    except Exception:
        return text


def _addresses(raw_values: list[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs; names are decoded after splitting on commas."""
    try:
        pairs = getaddresses([_unfold(_to_str(v)) for v in raw_values])
    except Exception:
        return []
    return [(decode_header_value(n).strip(), a.strip()) for n, a in pairs if a.strip()]


def _parse_date(value: str | None, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append("unparsable Date header")
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000": the zone is unknown, RFC 5322 says treat as UTC
        when = when.replace(tzinfo=timezone.utc)
    if not 1990 <= when.year <= 2100:
        defects.append(f"absurd Date header: {value}")
        return None
    return when


def _cp1252(data: bytes) -> str:
    return data.decode("cp1252", "surrogateescape").translate(_UNDEFINED_1252)


def _utf8_or_cp1252(data: bytes) -> str:
    """UTF-8 where the bytes are UTF-8 and cp1252 for the others: windows-1252 text labelled UTF-8, or
    pasted into UTF-8 text, then reads as written instead of as replacement characters."""
    text = data.decode("utf-8", "surrogateescape")
    return _STRAY_BYTES.sub(lambda m: _cp1252(m.group().encode("utf-8", "surrogateescape")), text)


def decode_payload(part: Message, defects: list[str]) -> str:
    """A text part's content, whatever charset it claims."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    declared = (part.get_content_charset() or "").lower()
    try:
        codec = codecs.lookup(declared or "utf-8").name
    except LookupError:
        codec = None
    if codec in _WINDOWS_1252:
        return _cp1252(data)
    if codec is not None and codec not in _UTF8:
        try:
            return data.decode(codec, "replace")
        except LookupError:  # a codec that is not a text encoding: "base64", "rot13"
            codec = None
    if codec is None:
        defects.append(f"unknown charset {declared!r}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        said = f"charset {declared} declared" if declared else "no charset declared"
        defects.append(f"{said} but bytes are not utf-8: read as cp1252")
        return _utf8_or_cp1252(data)


def _type_headers(part: Message) -> Message:
    """A part's Content-Type and Content-Disposition as text. The parser keeps headers raw
    (policy.compat32: policy.default re-parses a header at every read, and parsing was
    half of analyze's time), so 8-bit bytes in a file name are decoded here, as _to_str does."""
    clean = Message()
    for name, value in part.raw_items():
        if name.lower() in ("content-type", "content-disposition") and name not in clean:
            clean[name] = _to_str(value)
    return clean


def _disposition(headers: Message) -> str:
    return str(headers.get("Content-Disposition") or "").split(";")[0].strip().lower()


def _filename(headers: Message) -> str:
    try:
        name = headers.get_filename() or ""
    except Exception:
        name = ""
    return decode_header_value(name) if name else ""


def payload(part: Message) -> bytes | None:
    """An attachment's decoded bytes (None: not a file's bytes, e.g. an attached message)."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return None
    return data if isinstance(data, bytes) else None


def _size(part: Message) -> int:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return 0
    if data is not None:
        return len(data)
    payload = part.get_payload()
    if isinstance(payload, list):  # message/* parts hold message objects
        return sum(len(_to_str(p)) for p in payload)
    return len(payload or "")


@dataclass
class Leaf:
    """A leaf part with its type, name and role read once."""

    part: Message
    content_type: str
    filename: str
    is_body: bool


def _leaves(msg: Message) -> list[Leaf]:
    """Non-multipart parts in order; an attached message (message/*) is one leaf."""
    leaves: list[Leaf] = []
    stack: list[Message] = [msg]
    while stack:
        part = stack.pop(0)
        content_type = part.get_content_type()
        if content_type.startswith("multipart/"):
            payload = part.get_payload()
            stack = (list(payload) if isinstance(payload, list) else []) + stack
            continue
        headers = _type_headers(part)
        filename = _filename(headers)
        is_body = content_type in ("text/plain", "text/html") and not (
            filename or _disposition(headers) == "attachment"
        )
        leaves.append(Leaf(part, content_type, filename, is_body))
    return leaves


def leaves(raw: bytes) -> list[Leaf]:
    """The leaf parts of ``raw`` as ``parse`` reads them (bodies, alternatives, files), within MAX_PARTS:
    what a person's screen shows of a message is what the analysis read."""
    return _leaves(email.message_from_bytes(raw, policy=policy.compat32))[:MAX_PARTS]


def _fill(mail: Mail, msg: Message) -> None:
    mail.defects.extend(type(d).__name__ for d in getattr(msg, "defects", []))
    _fill_envelope(mail, msg)
    _fill_body(mail, msg)


def _fill_envelope(mail: Mail, msg: Message) -> None:
    raw_items = list(msg.raw_items())
    mail.headers = [(name, decode_header_value(value)) for name, value in raw_items]
    raw = {name.lower(): value for name, value in reversed(raw_items)}

    mail.subject = normalize_spaces((mail.header("Subject") or "")[:MAX_HEADER_CHARS])
    every = lambda wanted: [_unfold(_to_str(v)) for n, v in raw_items if n.lower() == wanted]  # noqa: E731
    name, mail.from_plain, mail.from_problem = addresses.from_header(every("from"))
    _, mail.reply_to_plain, mail.reply_to_problem = addresses.from_header(every("reply-to"))
    if mail.reply_to_problem == "absent":
        mail.reply_to_problem = ""
    mail.auth_results = every("authentication-results")
    # The plain address is the sender for everything (trust, limits, replies); a field that
    # is not plain is parsed leniently, only to be shown to a person.
    senders = _addresses([raw["from"]]) if "from" in raw else []
    if mail.from_plain is not None:
        mail.from_name, mail.from_addr = decode_header_value(name).strip()[:MAX_HEADER_CHARS], mail.from_plain
    elif senders:
        mail.from_name, mail.from_addr = senders[0][0][:MAX_HEADER_CHARS], senders[0][1][:MAX_HEADER_CHARS]
    elif "from" in raw:
        name, addr = parseaddr(decode_header_value(raw["from"][:MAX_HEADER_CHARS]))
        mail.from_name, mail.from_addr = name, addr
    replies = _addresses([raw["reply-to"]]) if "reply-to" in raw else []
    mail.reply_to = mail.reply_to_plain or (replies[0][1][:MAX_HEADER_CHARS] if replies else "")
    mail.to = [a for _, a in _addresses([v for n, v in raw_items if n.lower() == "to"])]
    mail.cc = [a for _, a in _addresses([v for n, v in raw_items if n.lower() == "cc"])]
    mail.date = _parse_date(mail.header("Date"), mail.defects)

    ids = _MSGID.findall((mail.header("Message-ID") or "")[:MAX_ID_CHARS])
    mail.message_id = ids[0] if ids else ((mail.header("Message-ID") or "")[:MAX_ID_CHARS] or None)
    in_reply = _MSGID.findall((mail.header("In-Reply-To") or "")[:MAX_ID_CHARS])
    mail.in_reply_to = in_reply[0] if in_reply else None
    # The latest references are at the end; a case is found by a few of them.
    mail.references = _MSGID.findall((mail.header("References") or "")[-MAX_HEADER_CHARS:])[-MAX_REFERENCES:]

    mail.content_type = msg.get_content_type()
    if mail.content_type == "multipart/report":
        report_type = msg.get_param("report-type") or ""
        if isinstance(report_type, tuple):  # RFC 2231-encoded parameter
            report_type = email.utils.collapse_rfc2231_value(report_type)
        mail.report_type = str(report_type).lower()


_STUB_PLAIN = 600  # characters: a plain alternative shorter than this is compared with its HTML
_NUMBER = re.compile(r"\d++")
_TAGS = re.compile(r"<(?:style|script)\b[^<>]*+>[^<]*+|<[^<>]*+>", re.I)  # a rough text, to rule out the HTML quickly


def _html_text(mail: Mail, markup: str) -> str:
    """The text of an HTML body's markup, its first MAX_HTML_CHARS characters (the cut noted on ``mail``)."""
    if len(markup) > MAX_HTML_CHARS:
        mail.cut.append("html")
        mail.defects.append(f"HTML body of {len(markup)} characters: the first {MAX_HTML_CHARS} are read")
        markup = markup[:MAX_HTML_CHARS]
    return html_to_text(markup)


def _holds_more(html_text: str, plain: str) -> bool:
    """Does the HTML say much more than the plain text (twice its words and more) and hold a number it lacks?"""
    words, plain_words = len(html_text.split()), len(plain.split())
    if words < 2 * plain_words + 10:
        return False
    compact = plain.replace(" ", "")
    return any(m.group(0) not in compact for m in _NUMBER.finditer(html_text))


def _fill_body(mail: Mail, msg: Message) -> None:
    leaves = _leaves(msg)
    if len(leaves) > MAX_PARTS:
        mail.cut.append("parts")
        mail.defects.append(f"{len(leaves)} MIME parts: the first {MAX_PARTS} are read")
        leaves = leaves[:MAX_PARTS]
    plain = next((leaf.part for leaf in leaves if leaf.is_body and leaf.content_type == "text/plain"), None)
    html = next((leaf.part for leaf in leaves if leaf.is_body and leaf.content_type == "text/html"), None)
    if plain is not None:
        mail.text = decode_payload(plain, mail.defects)
        if html is not None and len(mail.text) < _STUB_PLAIN:
            # a short plain alternative may be a stub of the HTML ("ci-dessous nos relevés." above a table that only the
            # HTML holds): the HTML is read when it holds numbers the plain text lacks and says much more
            # (its markup's rough text first: the usual alternative is ruled out without being converted)
            markup = decode_payload(html, mail.defects)
            if _holds_more(_TAGS.sub(" ", markup[:MAX_HTML_CHARS]), mail.text):
                richer = _html_text(mail, markup)
                if _holds_more(richer, mail.text):
                    mail.text, mail.text_from_html = richer, True
    elif html is not None:
        mail.text = _html_text(mail, decode_payload(html, mail.defects))
        mail.text_from_html = True
    # NULs are noise (UTF-16 labelled as 8-bit leaves one between every letter): drop them.
    mail.text = normalize_spaces(mail.text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n"))
    if _is_binary(mail.text):
        mail.binary_text = True
        mail.defects.append("binary body: not readable text")

    for leaf in leaves:
        if leaf.part is not msg:
            mail.defects.extend(type(d).__name__ for d in getattr(leaf.part, "defects", []))
        if not leaf.is_body:  # bodies, their alternatives and inline text fragments are not files
            if len(mail.attachments) >= MAX_ATTACHMENTS:
                if "attachments" not in mail.cut:
                    mail.cut.append("attachments")
                continue
            data = payload(leaf.part)
            mail.attachments.append({"filename": leaf.filename, "content_type": leaf.content_type,
                                     "size": len(data) if data is not None else _size(leaf.part)})
            readable = data is not None and kind_of(leaf.filename, leaf.content_type) not in ("image", "other")
            budget = MAX_READ_PER_MESSAGE - sum(len(d) for d in mail.attachment_data)
            mail.attachment_data.append(data if readable and len(data) <= min(MAX_BYTES, budget) else b"")


_STABLE_HEADERS = (b"from", b"to", b"cc", b"date", b"subject")


def fingerprint(raw: bytes) -> str:
    """The identity of a message without a Message-ID: a digest of the headers its author wrote
    (From, To, Cc, Date, Subject) and of its body, not of what servers add on the way (Received,
    Return-Path, Delivered-To): the same message fetched again, under a new UID, gives the same one."""
    text = raw.replace(b"\r\n", b"\n")
    end = text.find(b"\n\n")
    head, body = (text[:end], text[end + 2:]) if end >= 0 else (b"", text)  # no header block: all is body
    wanted = []
    for line in re.split(rb"\n(?![ \t])", head):
        name, _, value = line.partition(b":")
        if name.strip().lower() in _STABLE_HEADERS:
            wanted.append(name.strip().lower() + b":" + b" ".join(value.split()))
    digest = hashlib.sha256(b"\n".join(sorted(wanted)) + b"\n\n" + body.rstrip())
    return f"sha256:{digest.hexdigest()[:40]}"


# the value may be folded onto the next line ("Message-ID:⏎ <…>"), as writers do past 78 characters
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*+(?:\n[ \t]++)?(<[^<>\s]{1,998}>)", re.I | re.M)


def message_id_of(raw: bytes) -> str | None:
    """The Message-ID of the header block, read without parsing the message (a quarantined one
    may not parse): how a person's requeue finds its copy in the quarantine folder."""
    head = raw[:MAX_ID_CHARS * 64].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    found = _MESSAGE_ID.search(head)
    return found.group(1).decode("ascii", "replace") if found else None


def _too_big(raw: bytes) -> str:
    """Why only the headers of ``raw`` are read, before any parsing (bounds.py): '' when it is read whole.
    A boundary line starts with "--": more of them than two per part allowed means too many parts."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return "too_large"
    if raw.count(b"\n--") + raw.count(b"\r--") > 2 * MAX_PARTS + 2:  # lines end in LF, CRLF or a bare CR
        return "too_many_parts"
    return ""


def _headers_only(mail: Mail, raw: bytes, why: str) -> Mail:
    mail.not_read = why
    mail.defects.append({"too_large": f"message of {len(raw):,} bytes: over {MAX_MESSAGE_BYTES:,}, body not read",
                         "too_many_parts": f"over {MAX_PARTS} MIME parts: body not read"}[why])
    end = raw.find(b"\n\r\n", 0, MAX_HEADER_BYTES)
    end = raw.find(b"\n\n", 0, MAX_HEADER_BYTES) if end < 0 else end
    head = raw[:end + 1] if end >= 0 else raw[:MAX_HEADER_BYTES]
    try:
        _fill_envelope(mail, BytesParser(policy=policy.compat32).parsebytes(head, headersonly=True))
    except Exception as exc:  # noqa: BLE001
        mail.defects.append(f"header parse error: {type(exc).__name__}: {exc}")
    return mail


def parse(raw: bytes) -> Mail:
    """Parse a message; on any failure return what could be read, with defects.

    A message over the caps of bounds.py (size, MIME parts) is read by its
    headers only (``not_read`` says why): parsing it whole would cost more
    than any request is worth."""
    mail = Mail()
    why = _too_big(raw)
    if why:
        return _headers_only(mail, raw, why)
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
        _fill(mail, msg)
    except Exception as exc:  # never let one message break the pipeline
        mail.defects.append(f"parse error: {type(exc).__name__}: {exc}")
        if not mail.headers:  # e.g. MIME nested past the parser's recursion limit: keep the envelope
            try:
                _fill_envelope(mail, BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True))
            except Exception as again:
                mail.defects.append(f"header parse error: {type(again).__name__}: {again}")
        if not mail.text:
            mail.text = normalize_spaces(_utf8_or_cp1252(raw))
    return mail
