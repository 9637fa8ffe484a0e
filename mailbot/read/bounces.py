"""Who a bounce says could not be reached: a pure reading of delivery reports.

An address that bounced must not be written to again for a while (Zammad
blocks it for 60 days, reference/helpdesk-anchors.md §b): a second reply
would bounce too, and bounces answered by robots are how notification storms
start (freescout#3156, #4250). The guard already marks a bounce as automated
and says why; this module only reads which recipients failed, so the
processor can suppress those it wrote to. No I/O, no clock.

Where the addresses come from, most reliable first:

1. the ``message/delivery-status`` part (RFC 3464): each per-recipient block
   whose ``Action`` is ``failed`` gives its ``Original-Recipient`` and
   ``Final-Recipient``; a block that says ``delayed`` or ``delivered`` names
   nobody. When such a part exists, it is the only source;
2. the ``X-Failed-Recipients`` header (Exim);
3. any address in the human-readable text (qmail and other plain-text
   bounces), minus the report's own sender and our addresses.

Both readings run inside ``analyze`` (in a worker, under the caps of
bounds.py and the time budget), never in the daemon's own process. The third
source names more than the failed recipient. And anyone can
write a message that looks like a bounce (``X-Failed-Recipients: <a
customer>`` would silence that customer for a month): so a report counts only
when it quotes one of our own Message-IDs, in the returned message or its
headers (``quoted_message_ids``), and the processor suppresses only the
addresses that this message of ours was sent to. Our Message-IDs carry a
random part (processor.py), so they cannot be guessed.
"""

from __future__ import annotations

import base64
import email
import quopri
import re
from collections.abc import Iterable
from email import policy
from email.message import Message

from mailbot.read import guard

# The guard's codes (guard.py) that mean "delivery report", not just "robot":
# an out-of-office reply is automated too, but names no failed recipient.
BOUNCE_CODES = frozenset({guard.DELIVERY_REPORT, guard.FAILED_RECIPIENTS_HEADER, guard.FAILURE_NOTICE,
                          guard.DELIVERY_SYSTEM, guard.BOUNCE_SUBJECT})
_ATEXT = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]"
_ADDRESS = re.compile(rf"(?<!{_ATEXT}){_ATEXT}++@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++")  # from a word's start: linear
MAX_QUOTED_IDS = 20  # Message-IDs read from one report
MAX_FAILED = 50  # recipients read from one report
_FAILED_STATUS = re.compile(r"^\s*5\.")


def is_bounce(codes: Iterable[str]) -> bool:
    """Do the guard's codes say this message is a delivery report (not any robot)?"""
    return any(code in BOUNCE_CODES for code in codes)


def _address(value: str) -> str | None:
    """The address of a recipient field such as ``rfc822; <a@b.example>``, lower-cased."""
    kind, sep, rest = value.partition(";")
    if not sep:
        rest = kind
    elif kind.strip().lower() not in ("rfc822", "utf-8"):
        return None  # x400 and other address types name nobody we wrote to
    found = _ADDRESS.search(rest.strip().strip("<>"))
    return found.group(0).lower() if found else None


def _body(part: Message) -> str:
    """The decoded text of a delivery-status part the email package could not split
    (sent base64 or quoted-printable, which RFC 2046 forbids for message/*)."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the encoded text ended up as the blocks' bodies
        payload = "\n".join(str(block.get_payload()) for block in payload)
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    data = payload.encode("ascii", "replace")
    if encoding == "base64":
        data = base64.b64decode(data)
    elif encoding == "quoted-printable":
        data = quopri.decodestring(data)
    return data.decode("utf-8", "replace")


def _blocks(part: Message) -> list[dict[str, str]]:
    """The field blocks of a message/delivery-status part, names lower-cased."""
    payload = part.get_payload()
    encoded = str(part.get("Content-Transfer-Encoding", "")).strip().lower() in ("base64", "quoted-printable")
    if isinstance(payload, list) and not encoded:  # the email package parsed each block as headers
        return [{name.lower(): str(value) for name, value in block.items()} for block in payload]
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\r?\n[ \t]*\r?\n", _body(part)):
        fields: dict[str, list[str]] = {}  # joined once at the end: continuation lines cost no copies
        name = None
        for line in chunk.splitlines():
            if line[:1] in (" ", "\t") and name:
                fields[name].append(line.strip())
            elif ":" in line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                fields[name] = [value.strip()]
        if fields:
            blocks.append({key: " ".join(parts) for key, parts in fields.items()})
    return blocks


def _failed(block: dict[str, str]) -> bool:
    action = block.get("action", "").strip().lower().split(" ")[0]
    if action:
        return action == "failed"
    return bool(_FAILED_STATUS.match(block.get("status", "5.")))  # no Action: trust a 5.x.x Status


def _parts(msg: Message) -> list[Message]:
    """Every part, without descending into delivery-status blocks or returned messages."""
    found, todo = [], [msg]
    while todo:
        part = todo.pop(0)
        found.append(part)
        if part.get_content_type().startswith("multipart/") and isinstance(part.get_payload(), list):
            todo = list(part.get_payload()) + todo
    return found


def _unique(addresses: Iterable[str | None], skip: set[str]) -> list[str]:
    """The addresses in order, each once, at most MAX_FAILED."""
    out: dict[str, None] = {}
    for address in addresses:
        if address and address not in skip:
            out.setdefault(address)
            if len(out) >= MAX_FAILED:
                break
    return list(out)


def failed_recipients(raw: bytes, own_addresses: Iterable[str] = ()) -> list[str]:
    """The addresses a delivery report says could not be reached, lower-cased, in order.

    Never raises: an unreadable report names nobody.
    """
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        parts = _parts(msg)
        own = {a.strip().lower() for a in own_addresses}
        reports = [p for p in parts if p.get_content_type() == "message/delivery-status"]
        if reports:
            named = []
            for report in reports:
                for block in _blocks(report):
                    if ("final-recipient" in block or "original-recipient" in block) and _failed(block):
                        named += [_address(block.get("original-recipient", "")),
                                  _address(block.get("final-recipient", ""))]
            return _unique(named, own)
        header = str(msg.get("X-Failed-Recipients") or "")
        if header.strip():
            return _unique((_address(a) for a in header.split(",")), own)
        sender = {a.lower() for a in _ADDRESS.findall(str(msg.get("From") or ""))}
        texts = [p.get_content() for p in parts
                 if p.get_content_type() == "text/plain" and not p.is_attachment()]
        return _unique((a.lower() for text in texts for a in _ADDRESS.findall(text)), own | sender)
    except Exception:  # noqa: BLE001 - a broken report must not break the message's handling
        return []


_MESSAGE_ID_LINE = re.compile(r"(?im)^[ \t>]*+message-id[ \t]*+:[ \t]*+(<[^<>\s]{1,250}+>)")


def quoted_message_ids(raw: bytes) -> list[str]:
    """The Message-IDs of the message(s) a delivery report returns, in order:
    the Message-ID of a returned ``message/rfc822`` part, of a
    ``text/rfc822-headers`` part, or of a copy quoted in the report's text
    (plain-text bounces). The report's own headers (its Message-ID,
    In-Reply-To, References) are not read: anyone can write them.

    Never raises: an unreadable report quotes nothing.
    """
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        found: list[str] = []
        for part in _parts(msg):
            kind = part.get_content_type()
            if kind in ("message/rfc822", "message/global"):
                payload = part.get_payload()
                inner = payload[0] if isinstance(payload, list) and payload else None
                value = str(inner.get("Message-ID", "")) if inner is not None else ""
                found += re.findall(r"<[^<>\s]{1,250}+>", value)[:1]
            elif kind in ("text/rfc822-headers", "message/global-headers", "text/plain") and not part.is_attachment():
                text = part.get_payload(decode=True) or b""
                found += _MESSAGE_ID_LINE.findall(text.decode("utf-8", "replace"))
            if len(found) >= MAX_QUOTED_IDS:
                break
        return list(dict.fromkeys(found))[:MAX_QUOTED_IDS]
    except Exception:  # noqa: BLE001 - a broken report must not break the message's handling
        return []
