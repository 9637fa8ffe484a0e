"""A customer's message as the desk sees it: its HTML made safe, its attachments listed and handed
out as downloads, never rendered.

The HTML is cleaned by nh3 (an allow-list of tags and attributes; no script, style sheet, form,
event handler or remote URL survives) and then served on its own in a sandboxed iframe under a CSP
that forbids scripts and any network fetch: a remote image is neither kept nor loaded.
"""

from __future__ import annotations

import email
from email import policy
from email.message import Message

import nh3

MAX_HTML = 400_000  # as analyze: the top of a long HTML body is what a person reads
MAX_PARTS = 500
_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "div", "em", "font", "h1", "h2", "h3", "h4", "h5",
         "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table",
         "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
_ATTRIBUTES = {"*": {"align", "colspan", "rowspan", "title", "dir"}, "a": {"href"}, "img": {"alt", "width", "height"}}
# What the iframe's document may do: nothing but show itself (no script, no fetch, no form, no frame).
FRAME_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
             "frame-ancestors 'self'; sandbox")


def _message(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=policy.compat32)


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return payload.decode("cp1252", errors="replace")


def _leaves(raw: bytes) -> list[Message]:
    return [p for p in _message(raw).walk() if not p.is_multipart()][:MAX_PARTS]


def _is_attachment(part: Message) -> bool:
    return bool(part.get_filename()) or (part.get("Content-Disposition") or "").lower().startswith("attachment")


def html_body(raw: bytes) -> str | None:
    """The message's first HTML body part (not an attachment), or None."""
    for part in _leaves(raw):
        if part.get_content_type() == "text/html" and not _is_attachment(part):
            return _decoded(part)[:MAX_HTML]
    return None


def safe_html(html: str) -> str:
    """The HTML with only harmless markup left; links keep http(s) and mailto, images lose their source."""
    cleaned = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                        link_rel="noopener noreferrer nofollow", strip_comments=True)
    return f"<!doctype html><meta charset=utf-8><body style='font-family:sans-serif'>{cleaned}</body>"


def attachments(raw: bytes) -> list[dict[str, object]]:
    """The attachments in the order of the message: index, name, type, size in bytes."""
    found = []
    for part in _leaves(raw):
        if _is_attachment(part):
            data = part.get_payload(decode=True) or b""
            found.append({"index": len(found), "name": part.get_filename() or f"piece-{len(found) + 1}",
                          "type": part.get_content_type(), "size": len(data)})
    return found


def attachment(raw: bytes, index: int) -> tuple[str, bytes] | None:
    """(name, bytes) of attachment ``index``, or None."""
    chosen = [p for p in _leaves(raw) if _is_attachment(p)]
    if not 0 <= index < len(chosen):
        return None
    part = chosen[index]
    return part.get_filename() or f"piece-{index + 1}", part.get_payload(decode=True) or b""
