"""What of a customer's text may appear in mail written from Canon's address.

Replies go out from ``contrats.service.wfps@cf.canon.fr``: whatever they
repeat of the incoming mail is said with Canon's authority. So a reply never
repeats an IBAN (in any of the forms people write one: grouped by 4 or 5,
with spaces, hyphens, dots or no-break spaces, in capitals or not), and the
customer's display name and subject are repeated only short and without
links (``URGENT: pay at https://…`` stays out of a Canon message). Pure
functions, linear time.
"""

from __future__ import annotations

import re

from stdnum import iban as stdnum_iban

MAX_NAME = 60      # characters of a display name repeated in a reply ("Bonjour Jean Dupont,")
MAX_SUBJECT = 100  # characters of a subject repeated in a reply's subject

_SEPARATOR = "[ .\u00a0\u202f\u2009-]"
# A country code, two check digits, then groups of 1 to 5 letters or digits,
# each after at most one separator. Possessive: no backtracking.
_IBAN = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{{2}}[0-9]{{2}}(?:{_SEPARATOR}?+[A-Za-z0-9]{{1,5}}+){{2,10}}+(?![A-Za-z0-9])"
)
_GROUP = re.compile(rf"{_SEPARATOR}?+([A-Za-z0-9]{{1,5}}+)")
_URL = re.compile(
    r"(?i)(?<![\w@])(?:[a-z][a-z0-9+.-]{1,15}+://|(?:mailto|tel|sms|data|javascript|vbscript):|www\.)[^\s<>\"]++"
    r"|(?<![\w@.-])(?:[a-z0-9-]{1,63}+\.)++[a-z]{2,24}+(?:[/:?#][^\s<>\"]*+|(?![\w.-]))"  # host.tld, host.tld/path
)
_AT_WORD = re.compile(r"(?<![^\s@])[^\s@]*+@\S*+")  # from the start of a word only: linear
_SPACES = re.compile(r"\s++")


def ibans(text: str) -> list[tuple[int, int]]:
    """Spans of what is written like an IBAN: a valid one (checksum) in any grouping,
    the words after it left alone ("FR76 30006 … 189 merci"); or, valid or not (a
    mistyped IBAN is still an account number), one written in groups of four or
    in one piece, as IBANs are."""
    spans = []
    for m in _IBAN.finditer(text):
        prefixes = []  # (end, compact value, shaped like an IBAN) after each group
        compact, fours, joined = m.group(0)[:4].upper(), True, True
        for group in _GROUP.finditer(m.group(0), 4):
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
    """Every IBAN-like span keeps its first 4 characters: ``FR76 ****``."""
    spans = ibans(text)
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], text[start:start + 4], " ****"]
        last = end
    out.append(text[last:])
    return "".join(out)


def without_links(text: str) -> str:
    """``text`` without URLs, host names (``evil.example/pay``) and e-mail addresses."""
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
