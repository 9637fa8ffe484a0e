"""Turn a decision into the reply a customer reads.

The words live in Jinja templates under ``templates/{lang}/`` (editable without
touching code; HTML autoescaped, customer text only ever passed as data). This
module only builds the context and the headers: threading (In-Reply-To,
References), the case reference in the subject, ``Auto-Submitted:
auto-replied`` and the markers that keep other robots quiet. Header values are
folded to one line and encoded (mimewrite.py): no CR/LF injection.

The recipient is chosen by trust.py (never a third party named only in a
Reply-To). A customer's display name and subject are repeated only short and
without links (redact.py); a sender outside the directory gets the neutral
acknowledgement, which repeats nothing of theirs (``build_neutral``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mailbot.compose import mimewrite
from mailbot.read.analysis import Analysis
from mailbot.decide.cases import without_reference
from mailbot.compose.mimewrite import address, encoded_words, one_line
from mailbot.paths import TEMPLATES_DIR
from mailbot.compose.redact import mask_ibans, shown_name, shown_subject

REPLY_KINDS = ("acknowledge", "request_info", "reminder")
# A reminder is the request for information again, with ``reminder`` set.
LAYOUT_OF_KIND = {"acknowledge": "acknowledge", "request_info": "request_info", "reminder": "request_info"}
LANGUAGES = ("fr", "en")
# A Message-ID repeated in In-Reply-To/References: the common shape only, at most 250
# characters (RFC 5322 sets no limit; no header line over 998).
THREAD_ID = re.compile(r"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,200}@[A-Za-z0-9.-]{1,48}>")
MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}


@lru_cache(maxsize=4)
def environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # edited templates are read at the next start, not stat()ed per reply
    )


def date_text(iso: str | None, lang: str) -> str:
    """'1er janvier 2027' / '1 January 2027' from an ISO date; '' when unset."""
    if not iso:
        return ""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    month = MONTHS[lang][day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{day.day} {month} {day.year}"


@dataclass(frozen=True)
class Bot:
    address: str
    display_name: str


def context(analysis: Analysis, case_ref: str, lang: str, rules, bot: Bot,
            kind: str | None = None, handled_by: str | None = None) -> dict:
    """Everything a reply template may use, as plain values (documented in templates/README.md).
    ``handled_by`` is the route the case actually went to when it differs from the situation's
    (routing.Route.handled_by): the reply names whoever really has it."""
    kind = kind or analysis.action
    situation = rules.situation(analysis.situation)
    missing = []
    for key in analysis.missing:
        spec = rules.field(analysis.situation, key)
        missing.append({
            "key": key,
            "label": getattr(spec, f"label_{lang}") if spec else key,
            "where": getattr(spec, f"where_{lang}") if spec else "",
        })
    return {
        "kind": kind,
        "reminder": kind == "reminder",
        "case_ref": case_ref,
        "original_subject": shown_subject(analysis.subject),
        "customer_name": shown_name(analysis.sender_name),
        "situation": analysis.situation,
        "situation_label": getattr(situation, f"label_{lang}"),
        "route": handled_by or situation.route,
        "fields": dict(analysis.fields),
        "effective_date_text": date_text(analysis.fields.get("effective_date"), lang),
        "missing": missing,
        "lead_time_ok": analysis.lead_time_ok,
        "new_email_nominative": analysis.email_nominative,
        "new_address": new_address(analysis),
        "meter_readings": meter_readings(analysis),
        "bot": {"address": bot.address, "display_name": bot.display_name},
    }


ADDRESS_PARTS = ("street", "complement", "postcode", "city", "cedex")


def _text(value) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def new_address(analysis: Analysis) -> dict | None:
    """The new postal address as read (extract's details: street, complement,
    postcode, city, cedex; each a one-line string or None), when it is the one
    whose postcode the fields hold; None otherwise (a reminder keeps only the
    fields, and the recap then shows the postcode alone)."""
    found = analysis.details.get("new_address")
    postcode = analysis.fields.get("new_address_postcode")
    if not isinstance(found, dict) or not postcode or found.get("postcode") != postcode:
        return None
    return {part: _text(found.get(part)) for part in ADDRESS_PARTS}


def meter_readings(analysis: Analysis) -> list[dict]:
    """The readings as read, in order: value (number), counter (noir, couleur,
    total, m2, ml, A0-A4 or None), unit and the machine's serial (or None).
    From extract's details when they are the readings the fields hold, else the
    fields' bare values."""
    values = list(analysis.fields.get("meter_readings") or [])
    found = analysis.details.get("meter_readings")
    if isinstance(found, list) and all(isinstance(r, dict) for r in found) \
            and [r.get("value") for r in found] == values:
        return [{"value": r.get("value"), "counter": _text(r.get("counter")), "unit": _text(r.get("unit")),
                 "serial": _text(r.get("serial"))} for r in found]
    return [{"value": value, "counter": None, "unit": None, "serial": None} for value in values]


def render_part(env: Environment, ctx: dict, lang: str, kind: str, part: str) -> str:
    """One part ("txt" or "html") of a reply.

    ``{lang}/situations/{situation}.{part}.j2`` when it exists: it extends the
    kind's layout ``{lang}/{layout}.{part}.j2`` (passed as ``layout``) and fills
    its blocks; without it the layout is rendered alone.
    """
    layout = f"{lang}/{LAYOUT_OF_KIND[kind]}.{part}.j2"
    template = env.select_template([f"{lang}/situations/{ctx['situation']}.{part}.j2", layout])
    return template.render(ctx, layout=layout)


@dataclass(frozen=True)
class Reply:
    """A reply ready for the outbox: who gets it, and the exact bytes (CRLF)."""

    recipients: list[str]
    raw: bytes


REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|ré|rép|tr|fw|fwd|aw|wg|sv|antw)\s?:\s*)+", re.IGNORECASE)


def clean_subject(subject: str) -> str:
    """The original subject as a reply repeats it: without Re:/TR:/Fwd: prefixes nor an
    earlier case reference, without links, short (redact.shown_subject)."""
    text = without_reference(" ".join(subject[:2000].split()))
    return shown_subject(REPLY_PREFIX.sub("", text).strip())


def _headers(bot: Bot, recipient: str, subject: str, now: datetime, message_id: str,
             answered: Analysis | None, lang: str, case_ref: str) -> list[tuple[str, str]]:
    """The headers of a reply, threaded under ``answered`` when its Message-ID has the usual shape
    (``answered`` None: not threaded)."""
    headers = [("From", address(bot.display_name, bot.address)), ("To", recipient),
               ("Subject", encoded_words(subject)), ("Date", format_datetime(now)),
               ("Message-ID", one_line(message_id))]
    if answered is not None and answered.message_id and THREAD_ID.fullmatch(answered.message_id):
        references = [r for r in answered.references[-10:] if THREAD_ID.fullmatch(r)]
        headers += [("In-Reply-To", answered.message_id),
                    ("References", " ".join([*references, answered.message_id]))]
    return headers + [("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All"),
                      ("Precedence", "bulk"), ("X-Mailbot-Case", one_line(case_ref)), ("Content-Language", lang)]


def build_reply(analysis: Analysis, *, case_ref: str, rules, bot: Bot, now: datetime, recipient: str,
                message_id: str, kind: str | None = None, handled_by: str | None = None,
                templates_dir: Path = TEMPLATES_DIR) -> Reply:
    """The reply to ``analysis`` (acknowledge, request_info or reminder), ready to send.

    Written by ``mimewrite`` (faster than the email package's generator on a
    backlog): every header value goes through ``one_line`` and non-ASCII ones
    are RFC 2047 encoded; bodies are quoted-printable, so no line is too long
    whatever the template makes of long HTML lines.
    """
    kind = kind or analysis.action
    if kind not in REPLY_KINDS:
        raise ValueError(f"no reply for action {kind!r}")
    lang = analysis.language if analysis.language in LANGUAGES else "fr"
    env = environment(templates_dir)
    ctx = context(analysis, case_ref, lang, rules, bot, kind, handled_by)
    subject = mask_ibans(one_line(env.get_template(f"{lang}/subject.txt.j2").render(
        ctx, subject=clean_subject(analysis.subject or ""))))
    text = mask_ibans(render_part(env, ctx, lang, kind, "txt"))
    html = mask_ibans(render_part(env, ctx, lang, kind, "html"))
    recipient = one_line(recipient)
    headers = _headers(bot, recipient, subject, now, message_id, analysis, lang, case_ref)
    return Reply([recipient], mimewrite.message(headers, text, html))


def build_neutral(analysis: Analysis, *, case_ref: str, bot: Bot, now: datetime, recipient: str,
                  message_id: str, templates_dir: Path = TEMPLATES_DIR) -> Reply:
    """The neutral acknowledgement to a sender outside the customer directory.

    Its templates get the case reference and the bot's address, nothing
    else (StrictUndefined: a template that asked for more would fail):
    nothing the sender wrote is repeated from Canon's address, not even
    their name or subject (SECURITY.md). It is not threaded either: their
    Message-ID and References are theirs to choose, and would let a stranger
    place Canon's message in someone else's conversation; an answer finds
    its case by the reference in the subject.
    """
    lang = analysis.language if analysis.language in LANGUAGES else "fr"
    env = environment(templates_dir)
    ctx = {"case_ref": case_ref, "bot": {"address": bot.address, "display_name": bot.display_name}}
    subject = one_line(env.get_template(f"{lang}/neutral_subject.txt.j2").render(ctx))
    text = env.get_template(f"{lang}/neutral_ack.txt.j2").render(ctx)
    html = env.get_template(f"{lang}/neutral_ack.html.j2").render(ctx)
    recipient = one_line(recipient)
    headers = _headers(bot, recipient, subject, now, message_id, None, lang, case_ref)
    return Reply([recipient], mimewrite.message(headers, text, html))
