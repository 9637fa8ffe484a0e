"""A customer's message as the desk sees it: its HTML made safe, its attachments listed and handed
out as downloads, never rendered.

The parts are the ones the analysis read (``mime.leaves``, decoded by ``mime.decode_payload``), so
the page lists the same attachments as the reading. The HTML is cleaned by nh3 (an allow-list of
tags and attributes; no script, style sheet, form, event handler or remote URL survives) and then
served on its own in a sandboxed iframe under a CSP that forbids scripts and any network fetch: a
remote image is neither kept nor loaded.
"""

from __future__ import annotations

import nh3

from mailbot.read import mime
from mailbot.read.bounds import MAX_HTML_CHARS

_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "div", "em", "font", "h1", "h2", "h3", "h4", "h5",
         "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table",
         "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
_ATTRIBUTES = {"*": {"align", "colspan", "rowspan", "title", "dir"}, "a": {"href"}, "img": {"alt", "width", "height"}}
# What the iframe's document may do: nothing but show itself (no script, no fetch, no form, no frame).
FRAME_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
             "frame-ancestors 'self'; sandbox")


def parts(raw: bytes | None) -> list[mime.Leaf]:
    """The message's parts, read once for a page (none when its bytes are not kept)."""
    return mime.leaves(raw) if raw else []


def html_body(leaves: list[mime.Leaf]) -> str | None:
    """The message's HTML body part (not an attachment), or None."""
    html = next((leaf for leaf in leaves if leaf.is_body and leaf.content_type == "text/html"), None)
    return mime.decode_payload(html.part, [])[:MAX_HTML_CHARS] if html else None


def safe_html(html: str) -> str:
    """The HTML with only harmless markup left; links keep http(s) and mailto, images lose their source."""
    cleaned = nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                        link_rel="noopener noreferrer nofollow", strip_comments=True)
    return f"<!doctype html><meta charset=utf-8><body style='font-family:sans-serif'>{cleaned}</body>"


def _files(leaves: list[mime.Leaf]) -> list[mime.Leaf]:
    return [leaf for leaf in leaves if not leaf.is_body]


def attachments(leaves: list[mime.Leaf]) -> list[dict[str, object]]:
    """The attachments in the order of the message: index, name, type, size in bytes."""
    return [{"index": number, "name": leaf.filename or f"piece-{number + 1}", "type": leaf.content_type,
             "size": len(mime.payload(leaf.part) or b"")} for number, leaf in enumerate(_files(leaves))]


def attachment(leaves: list[mime.Leaf], index: int) -> tuple[str, bytes] | None:
    """(name, bytes) of attachment ``index``, or None."""
    files = _files(leaves)
    if not 0 <= index < len(files):
        return None
    return files[index].filename or f"piece-{index + 1}", mime.payload(files[index].part) or b""
