"""A digest as a message: text and HTML from the Jinja templates of ``templates/{fr,en}/digest/``.

The HTML is for Outlook and Gmail: tables and inline styles, bar charts as table cells of a width
(no image, no SVG, no data: URI); the text part says everything on its own.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime, make_msgid

from mailbot.compose import mimewrite
from mailbot.compose.replies import date_text, environment
from mailbot.compose.mimewrite import address, encoded_words, one_line

DAY_NAMES = {"fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
             "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}


def duration(seconds: float | None, lang: str) -> str:
    """"4 min", "2 h 05", "3 j" / "3 d"; "—" when there is nothing to measure."""
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d}"
    return f"{minutes // 1440} {'j' if lang == 'fr' else 'd'}"


def age_label(low: int, high: int | None, lang: str) -> str:
    """A bucket of the review backlog: "< 1 j", "1–3 j", "> 7 j" (d in English)."""
    unit = "j" if lang == "fr" else "d"
    return f"< {high} {unit}" if low == 0 else (f"> {low} {unit}" if high is None else f"{low}–{high} {unit}")


def change(now: int, before: int) -> str:
    """The change against the week before: "+3", "−2", "="."""
    diff = now - before
    return "=" if diff == 0 else (f"+{diff}" if diff > 0 else f"−{-diff}")


def render(digest, rules) -> tuple[str, str, str]:
    """(subject, text, html) of a digest in its recipient's language."""
    lang = digest.recipient.language
    env = environment()
    names = {sid: (s.label_fr if lang == "fr" else s.label_en) for sid, s in rules.situations.items()}
    names.setdefault("other", "Autre" if lang == "fr" else "Other")
    ctx = {"d": digest, "f": digest.figures, "b": digest.before, "names": names, "lang": lang,
           "day": f"{DAY_NAMES[lang][digest.day.weekday()]} {date_text(digest.day.isoformat(), lang)}",
           "before_day": date_text(digest.before.day.isoformat(), lang),
           "counted_day": date_text(digest.automation[0].isoformat(), lang),
           "duration": lambda s: duration(s, lang), "change": change,
           "age_label": lambda low, high: age_label(low, high, lang),
           "link": (lambda query="": f"{digest.base_url}/{query}") if digest.base_url else None}
    subject = one_line(env.get_template(f"{lang}/digest/subject.txt.j2").render(ctx))
    return (subject, env.get_template(f"{lang}/digest/digest.txt.j2").render(ctx),
            env.get_template(f"{lang}/digest/digest.html.j2").render(ctx))


def digest_message(digest, settings, now: datetime, rules=None) -> bytes:
    """The digest's bytes (multipart/alternative), from the bot's address to its recipient."""
    from mailbot.read.rules import load_rules

    subject, text, html = render(digest, rules or load_rules())
    bot = settings.bot
    domain = bot.address.rsplit("@", 1)[-1]
    headers = [("From", address(bot.display_name, bot.address)), ("To", digest.recipient.address),
               ("Subject", encoded_words(subject)), ("Date", format_datetime(now)),
               ("Message-ID", make_msgid(f"digest.{digest.day.isoformat()}", domain)),
               ("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All"),
               ("Content-Language", digest.recipient.language)]
    return mimewrite.message(headers, text, html)
