"""What of a customer's text may appear in mail written from Canon's address.

Replies go out from ``contrats.service.wfps@cf.canon.fr``: whatever they
repeat of the incoming mail is said with Canon's authority. So a reply never
repeats an IBAN (in any of the forms people write one: grouped by 4 or 5,
with spaces, hyphens, dashes, dots, slashes or no-break spaces, in capitals
or not, in full-width characters), and the
customer's display name and subject are repeated only short and without
links (``URGENT: pay at https://…`` stays out of a Canon message). Pure
functions, linear time.
"""

from __future__ import annotations

import re
import unicodedata

from stdnum import iban as stdnum_iban

from mailbot.read.htmltext import CharTable

MAX_NAME = 60      # characters of a display name repeated in a reply ("Bonjour Jean Dupont,")
MAX_SUBJECT = 100  # characters of a subject repeated in a reply's subject

# What people put between the groups of an IBAN: spaces of every width, dots, hyphens and
# dashes (Word turns "-" into "–"), slashes, underscores, colons, bullets; up to three of them.
_SEPARATOR = "[ \t.\\/_:·•\u00a0\u202f\u2009\u2010-\u2015-]"
# A country code, two check digits ("FR76", "FR 76"), then groups of 1 to 5 letters or
# digits. Possessive: no backtracking. Read on ``_shadow``: full-width forms as ASCII.
_IBAN = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{{2}} ?[0-9]{{2}}(?:{_SEPARATOR}{{0,3}}+[A-Za-z0-9]{{1,5}}+){{2,10}}+(?![A-Za-z0-9])"
)
_GROUP = re.compile(rf"{_SEPARATOR}{{0,3}}+([A-Za-z0-9]{{1,5}}+)")
_HEAD = re.compile(r"([A-Za-z]{2}) ?([0-9]{2})")
_DOT = "[.\u3002\uff0e\uff61\u2024\u2027]"  # the dots a host name is written with
_URL = re.compile(
    r"(?i)(?<![\w@])(?:[a-z][a-z0-9+.-]{1,15}+://|(?:mailto|tel|sms|data|javascript|vbscript):|www\.)[^\s<>\"]++"
    rf"|(?<![\w@.-])(?:[\w-]{{1,63}}+{_DOT})++(?=[\w-]*[^\W\d_])[\w-]{{2,63}}+(?:[/:?#][^\s<>\"]*+|(?![\w.-]))"
    r"|(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?:[/:?#][^\s<>\"]*+)?"  # an IP address
)
_AT_WORD = re.compile(r"(?<![^\s@])[^\s@]*+@\S*+")  # from the start of a word only: linear
_SPACES = re.compile(r"\s++")


def _shadow_char(c: str) -> str:
    """A character's compatibility form when that is one character, else the character."""
    n = unicodedata.normalize("NFKC", c)
    return n if len(n) == 1 else c


_SHADOW_TABLE = CharTable(_shadow_char)


def _shadow(text: str) -> str:
    """``text`` with each character in its compatibility form when that is one character
    (full-width ``ＦＲ７６`` reads ``FR76``): the same length, so spans map back."""
    if text.isascii():
        return text
    return text.translate(_SHADOW_TABLE)


def ibans(text: str) -> list[tuple[int, int]]:
    """Spans of what is written like an IBAN: a valid one (checksum) in any grouping,
    the words after it left alone ("FR76 30006 … 189 merci"); or, valid or not (a
    mistyped IBAN is still an account number), one written in groups of four or
    in one piece, as IBANs are."""
    spans = []
    for m in _IBAN.finditer(_shadow(text)):
        head = _HEAD.match(m.group(0))
        prefixes = []  # (end, compact value, shaped like an IBAN) after each group
        compact, fours, joined = (head.group(1) + head.group(2)).upper(), True, True
        for group in _GROUP.finditer(m.group(0), head.end()):
            value = group.group(1)
            joined = joined and group.start(1) == group.start()
            compact += value.upper()
            shaped = len(compact) >= 15 and ((fours and len(value) <= 4) or (joined and len(compact) <= 34))
            prefixes.append((group.end(), compact, shaped))
            fours = fours and len(value) == 4
        end = next((end for end, value, _ in reversed(prefixes)
                    if 15 <= len(value) <= 34 and stdnum_iban.is_valid(value)), None)
        end = end or next((end for end, _, shaped in reversed(prefixes) if shaped), None)
        if end:
            spans.append((m.start(), m.start() + end))
    return spans


def mask_ibans(text: str) -> str:
    """Every IBAN-like span becomes its country code and check digits: ``FR76 ****``."""
    spans = ibans(text)
    if not spans:
        return text
    shadow, out, last = _shadow(text), [], 0
    for start, end in spans:
        head = _HEAD.match(shadow, start)
        out += [text[last:start], head.group(1) + head.group(2), " ****"]
        last = end
    out.append(text[last:])
    return "".join(out)


def without_links(text: str) -> str:
    """``text`` without URLs, host names (``evil.example/pay``, ``cañon-pay.com``, an IP
    address) and e-mail addresses, read in compatibility form and without invisible
    characters (zero-width spaces, bidi overrides), so that no disguise keeps a link."""
    text = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) not in ("Cf", "Cc"))
    text = _AT_WORD.sub(" ", _URL.sub(" ", text))
    return _SPACES.sub(" ", text).strip(" -:;,")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def shown_name(name: str | None) -> str:
    """A display name as a reply may greet it: no link, no address, at most MAX_NAME characters."""
    return _cut(mask_ibans(without_links(name or "")), MAX_NAME)


def shown_subject(subject: str | None) -> str:
    """A subject as a reply may repeat it: no link, no address, no IBAN, at most MAX_SUBJECT characters."""
    return _cut(mask_ibans(without_links(subject or "")), MAX_SUBJECT)
