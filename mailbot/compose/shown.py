"""A reply or forward as its recipient will see it: the main headers, what is attached, the text.

One reading for every screen that shows an outgoing message (`mailbot outbox show`, the review
web app), so the person approving it reads what will be sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy

from mailbot.read.htmltext import html_to_text

HEADERS = ("From", "To", "Cc", "Reply-To", "Subject")


@dataclass(frozen=True)
class Shown:
    headers: list[tuple[str, str]]
    attached: list[str]
    text: str


def attachment_name(part) -> str:
    """An attachment as a line names it: its file name, or the subject of an attached message."""
    if part.get_filename():
        return part.get_filename()
    if part.get_content_type() == "message/rfc822":
        try:
            inner = part.get_content()
            return f'message "{inner["Subject"] or ""}" from {inner["From"] or "?"}'
        except Exception:  # noqa: BLE001 - a message that cannot be read is still named
            return "message/rfc822"
    return part.get_content_type()


def shown(raw: bytes | None) -> Shown:
    message = message_from_bytes(raw or b"", policy=policy.default)
    headers = [(name, str(message[name])) for name in HEADERS if message[name] is not None]
    attached = [attachment_name(part) for part in message.iter_attachments()] if message.is_multipart() else []
    body = message.get_body(preferencelist=("plain", "html"))
    try:
        text = body.get_content() if body is not None else ""
    except (LookupError, ValueError):  # an unknown charset: shown as well as it can be
        text = (body.get_payload(decode=True) or b"").decode("utf-8", "replace")
    if body is not None and body.get_content_type() == "text/html":
        text = html_to_text(text)
    return Shown(headers, attached, text.rstrip())
