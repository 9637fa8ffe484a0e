"""Find the date a requested change takes effect, resolved against the message's date.

The lead-time rule (a change must arrive one month before it applies) needs
the effective date, but mails are full of other dates: the end of the old
value, return-from-holiday dates, invoice and K-bis dates, quote deadlines.
Fuzzy parsers pick the wrong one silently (reference/text-stack-measurements.md
§5), so candidate spans are found with regexes, parsed with dateutil and a
French ``parserinfo`` or resolved with ``relativedelta`` rules, and scored by
what introduces them ("à compter du" yes, "jusqu'au" no). A date introduced as
a deadline ("d'ici le 15", "by the end of June") is when the customer wants an
answer, not when the change applies: ``deadline`` reads it apart.

Its size is the wordings of dates: each pattern and cue is a way customers write
when a change applies, and they read best side by side.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import date, datetime
from itertools import accumulate

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta

from mailbot.read.htmltext import fold
from mailbot.read.quotes import ANSWER_MARKS

_MONTHS = (
    ("janvier", "janv", "january", "jan"),
    ("fevrier", "fevr", "fev", "february", "feb"),
    ("mars", "march", "mar"),
    ("avril", "avr", "april", "apr"),
    ("mai", "may"),
    ("juin", "june", "jun"),
    ("juillet", "juil", "july", "jul"),
    ("aout", "august", "aug"),
    ("septembre", "sept", "september", "sep"),
    ("octobre", "october", "oct"),
    ("novembre", "november", "nov"),
    ("decembre", "december", "dec"),
)
_WEEKDAYS = (
    ("lundi", "lun", "monday", "mon"),
    ("mardi", "mar", "tuesday", "tue"),
    ("mercredi", "mer", "wednesday", "wed"),
    ("jeudi", "jeu", "thursday", "thu"),
    ("vendredi", "ven", "friday", "fri"),
    ("samedi", "sam", "saturday", "sat"),
    ("dimanche", "dim", "sunday", "sun"),
)


class FrParserInfo(dateparser.parserinfo):
    """dateutil's parser taught French (and still English) month and day names."""

    MONTHS = [tuple(names) for names in _MONTHS]
    # Full names only: "mar" is both mars and mardi; spans lose their weekday before parsing.
    WEEKDAYS = [(names[0], names[2]) for names in _WEEKDAYS]
    JUMP = dateparser.parserinfo.JUMP + ["le", "du", "de", "er", "eme", "e"]


_INFO = FrParserInfo(dayfirst=True)


@dataclass(frozen=True)
class DateHit:
    """A date found in text: its value, the text as written and how likely it is the effective date."""

    value: date
    text: str
    start: int
    end: int
    score: float
    cue: str | None = None  # what introduces it: strong, medium, negative, deadline or None
    exact: bool = False  # a day of a month ("le lundi 6 septembre"), not a vaguer period ("à la rentrée")
    tentative: bool = False  # said not to be settled ("pas encore fixée, sans doute avril"): _tentative

    @property
    def iso(self) -> str:
        return self.value.isoformat()


class Spans:
    """Spans (which may overlap one another), asked in log time whether any overlaps a given one:
    asking each of many spans against all the others would be quadratic."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.reach = list(accumulate((e for _, e in ordered), max))  # the furthest end of the first k spans

    def overlap(self, start: int, end: int) -> bool:
        k = bisect_left(self.starts, end)  # the spans that start before end
        return k > 0 and self.reach[k - 1] > start


_MONTH = "|".join(sorted((n for names in _MONTHS for n in names), key=len, reverse=True))
_WEEKDAY = "|".join(sorted((n for names in _WEEKDAYS for n in names), key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:er|eme|e|st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_QUARTER_WORDS = {"premier": 1, "first": 1, "deuxieme": 2, "second": 2, "troisieme": 3, "third": 3,
                  "quatrieme": 4, "fourth": 4}


def _month_number(word: str) -> int:
    word = word.rstrip(".")
    return next(i for i, names in enumerate(_MONTHS, start=1) if word in names)


def _next_occurrence(month: int, day: int, reference: date) -> date:
    """The first (month, day) on or after the reference date."""
    for year in (reference.year, reference.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= reference:
            return candidate
    raise ValueError("no such day")


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _absolute(m: re.Match[str], reference: date | None) -> date | None:
    """A written date, parsed by dateutil; without a year, its next occurrence."""
    start = min(m.start("day"), m.start("month"))  # drop a leading weekday
    span = re.sub(r"(\d)(?:er|eme|e|st|nd|rd|th)\b", r"\1", m.string[start : m.end()])
    default = datetime(reference.year if reference else 2000, 1, 1)
    parsed = dateparser.parse(span.replace(",", " "), parserinfo=_INFO, default=default).date()
    if m.group("year"):
        return parsed
    if reference is None:
        return None
    return _next_occurrence(parsed.month, parsed.day, reference)


def _numeric(m: re.Match[str], reference: date | None) -> date | None:
    day, month, year = int(m.group("d")), int(m.group("m")), m.group("y")
    if year is None:
        return _next_occurrence(month, day, reference) if reference else None
    full = int(year) + (2000 if len(year) == 2 else 0)
    return date(full, month, day)


def _iso(m: re.Match[str], reference: date | None) -> date | None:
    return date(int(m.group("y")), int(m.group("m")), int(m.group("d")))


def _month_phrase(m: re.Match[str], reference: date | None) -> date | None:
    """"mars 2027" and "début mars" give the 1st, "mi-mars" the 15th, "fin mars" the last day; without a
    year, the next such day."""
    month = _month_number(m.group("month"))
    edge = (m.group("edge") or "").strip(" -")

    def day_in(year: int) -> date:
        if edge.startswith("fin") or edge.startswith("end"):
            return _month_end(year, month)
        return date(year, month, 15 if edge.startswith("mi") else 1)

    if m.group("year"):
        return day_in(int(m.group("year")))
    if reference is None:
        return None
    value = day_in(reference.year)
    return value if value >= reference else day_in(reference.year + 1)


def _year(m: re.Match[str], reference: date | None) -> date | None:
    """"valable pour 2027", "for FY2027": 1 January, for the current year or one to come (else a year is no date;
    the current year's, a date past, needs a strong cue to be taken: "valable pour l'année 2027" written in 2027)."""
    year = int(m.group("year"))
    return date(year, 1, 1) if reference is not None and year >= reference.year else None


def _day(m: re.Match[str], reference: date | None) -> date | None:
    """"d'ici le 15": the next such day of a month."""
    if reference is None:
        return None
    day = int(m.group("day"))
    for k in range(3):
        month = reference.replace(day=1) + relativedelta(months=k)
        if 1 <= day <= monthrange(month.year, month.month)[1] and month.replace(day=day) >= reference:
            return month.replace(day=day)
    raise ValueError("no such day")


def _day_of_next_month(m: re.Match[str], reference: date | None) -> date | None:
    """"le 15 du mois prochain": that day of the month after the reference's."""
    if reference is None:
        return None
    year, month = (reference.year + 1, 1) if reference.month == 12 else (reference.year, reference.month + 1)
    return date(year, month, int(m.group("day")))


def _quarter(m: re.Match[str], reference: date | None) -> date | None:
    """"1er trimestre 2027", "Q2 2027": the first day of the quarter."""
    word = m.group("q") or m.group("q2")
    digit = re.search(r"[1-4]", word)
    quarter = int(digit.group()) if digit else _QUARTER_WORDS[word]
    if m.group("year"):
        year = int(m.group("year"))
    elif reference is None:
        return None
    else:
        year = reference.year + (1 if quarter * 3 < reference.month else 0)
    return date(year, 3 * quarter - 2, 1)


def _relative(m: re.Match[str], reference: date | None) -> date | None:
    """"le mois prochain" (1st of next month), "fin du mois (prochain)", "l'année prochaine", "fin d'année",
    "la rentrée" (the next 1 September)."""
    phrase = m.group(0)
    if "rentree" in phrase:
        if m.group("year"):
            return date(int(m.group("year")), 9, 1)
        if reference is None:
            return None
        return date(reference.year + (reference > date(reference.year, 9, 1)), 9, 1)
    if reference is None:
        return None
    if re.search(r"mois|month", phrase):
        month = reference.replace(day=1) + relativedelta(months=1 if re.search(r"prochain|suivant|next|following",
                                                                                     phrase) else 0)
        return _month_end(month.year, month.month) if re.search(r"fin|end", phrase) else month
    if re.search(r"fin|end", phrase):
        return date(reference.year, 12, 31)
    return date(reference.year + 1, 1, 1)


_Resolver = Callable[[re.Match[str], "date | None"], "date | None"]
_ANY: frozenset[str] = frozenset()
_CUED = frozenset({"strong", "medium", "deadline"})
# (pattern on folded text, resolver, the cues one of which must introduce it when it has no year; empty: none)
_PATTERNS: tuple[tuple[re.Pattern[str], _Resolver, frozenset[str]], ...] = (
    (re.compile(rf"\b(?:(?:{_WEEKDAY})\.?,?\s+)?{_DAY}\s+(?:of\s+)?(?P<month>{_MONTH})\b\.?(?:,?\s+{_YEAR})?\b"),
     _absolute, _ANY),
    (re.compile(rf"\b(?:(?:{_WEEKDAY})\.?,?\s+)?(?P<month>{_MONTH})\.?\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?"),
     _absolute, _CUED),
    (re.compile(r"(?<![\w/.-])(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)(?:[/.-](?P<y>\d{4}|\d{2}))?(?![\w/-]|\.\d)"),
     _numeric, _CUED),
    (re.compile(r"(?<![\w/-])(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\w/-])"), _iso, _ANY),
    (re.compile(rf"\b(?P<edge>(?:debut|fin|mi|end of|beginning of|early|late|mid)[\s-]+"
                rf"(?:du mois de |du mois d'|de |d')?)?"
                rf"(?:(?:le |au |du )?mois de |(?:the )?month of )?(?P<month>{_MONTH})\b\.?(?:\s+{_YEAR}\b)?"),
     _month_phrase, _CUED),
    (re.compile(r"\b(?:(?P<q>[1-4](?:er|eme|e)?|premier|deuxieme|second|troisieme|quatrieme|first|third|fourth)"
                rf"\s+(?:trimestre|quarter)|(?P<q2>q[1-4])(?=\s+20))(?:\s+(?:de |d'|of )?{_YEAR})?\b"),
     _quarter, _ANY),
    # "le 15 du mois prochain", "the 15th of next month"
    (re.compile(r"\b(?:le |the )?(?P<day>[0-3]?\d)(?:er|eme|e|st|nd|rd|th)?\s+(?:du|of)\s+(?:mois\s+(?:prochain|suivant)"
                r"|next\s+month|the\s+following\s+month)\b"),
     _day_of_next_month, _ANY),
    (re.compile(r"\b(?:(?:la )?fin du mois (?:prochain|suivant)|(?:the )?end of (?:the )?(?:next|following) month"
                r"|(?:le |du |au )?mois (?:prochain|suivant)|next month"
                r"|(?:la )?fin (?:du|de ce|de) mois|(?:the )?end of (?:the|this) month"
                r"|annee prochaine|next year"  # (without its "l'": "dans le courant de l'année prochaine" is vague)
                r"|(?:la )?fin (?:de l'|d')annee(?! (?:scolaire|universitaire|academique))|(?:the )?end of (?:the|this) year"
                rf"|rentree(?: scolaire)?(?: {_YEAR})?)\b"),
     _relative, _ANY),
    # a year only after the words that make it the year a change applies to: "valable pour 2027", "for FY2027"
    # (the look-ahead first: a cheap test of one position, where ten look-behinds cost 30 times more)
    (re.compile(r"(?=20)(?:(?<=\bpour )|(?<=\bpour l'exercice )|(?<=\bpour l'annee )|(?<=\bexercice )|(?<=\bfor )"
                r"|(?<=\bfor the year )|(?<=\bfiscal year )|(?<=\bfinancial year )|(?<=\bfy )|(?<=\bfy)(?<!-fy))"
                r"(?P<year>20\d{2})(?![\w/-]|[.,]\d|\s*+[$%\u20ac])"),
     _year, _ANY),
    # a day alone, only as a deadline: "d'ici le 15", "avant le 30", "before the 15th"
    (re.compile(r"(?=\d)(?:(?<=\ble )|(?<=\bthe ))(?P<day>[0-3]?\d)(?:er|st|nd|rd|th)?(?![\w/.,-]\d|\w)"),
     _day, frozenset({"deadline"})),
)

# Words that introduce a date; the nearest one wins: "factures émises à partir
# du 1er janvier" is introduced by "à partir", "valable jusqu'au 28 février"
# by "jusqu'", whatever else the sentence says.
_CUES = re.compile(
    # every cue starts with a letter: the look ahead rejects blanks, digits and signs at once (a run of
    # blanks took 0.13 s a 64 kB line, trying each cue at each blank; 2 ms with it)
    r"(?=[^\W\d_])(?:"
    # "période du 1er janvier au 31 décembre": the period's "du" is left to the range below (its end is no start)
    r"(?P<strong>p[ée]riode\s++(?:allant\s++)?(?=du\b)|period\s++(?=from\b)|period\s++starting|[àa]\s++(?:l['’]\s*+|son\s++|sa\s++|leur\s++)[ée]ch[ée]ance\s++(?:contractuelle\s++|normale\s++)?(?:du|de)\b"
    # "nous résilions, au terme du contrat le 30/09/2027, …"
    r"|\bau\s++terme\s++(?:du\s++|de\s++(?:notre\s++|votre\s++|la\s++|l['’]\s*+))(?:contrat|engagement|p[ée]riode)"
    r"(?:\s++en\s++cours)?\s*+,?\s*+(?:le|soit\s++le|au)?\s*+$"
    r"|\bvalidit[ée]\s*+:|\bvalidity\s*+:|\bvalid\s++from|\bvalable\s++du|\bvalable\s++pour|pour\s++l['’]exercice"
    r"|\bvalid\s++for|[àa]\s++compter|[àa]\s++partir|\bdès|\bd[ée]but|prise\s++d'effet|date\s++d'effet|\beffective"
    r"|\beffet|\beffectif|applicable|s'applique|\bas\s++of|\bas\s++from|\bstarting|\bentr[ée]e\s++en\s++jouissance"
    # a form's start: "Date de mise en place souhaitée :", "Start date:", "Go-live date:"
    r"|\bdate\s++(?:de\s++|d['’]\s*+)(?:mise\s++en\s++(?:place|service|oeuvre)|d[ée]marrage|application|bascule)"
    r"|\b(?:start|go-live|switch-?over)\s++date"
    # the date a request asks for: "Date souhaitée :", "la date souhaitée de fin de contrat ?⏎→ …", "Requested
    # date:"
    r"|\bdate\s++souhait[ée]e|\bdate\s++(?:de\s++|d['’]\s*+)r[ée]siliation"
    r"|\b(?:desired|requested|termination)\s++date"
    r"|\bfrom\b(?!\s*+:)(?!\s++\d[^.;!?\n]{0,25}?\s(?:to|until)\b)|with\s++effect"
    r"|commen[cç]|beginning|\bstarts?\b|\bbegins?\b"
    # the period a new order covers: "Pour la nouvelle période (1er août 2027 – …)", "… de facturation du …"
    r"|\b(?:nouvelle|prochaine)\s++p[ée]riode(?:\s++de\s++facturation)?\b|\b(?:new|next)\s++(?:billing\s++)?period\b"
    # the end of the term in force, right before its date: "at the end of the current term (30 June 2027)"
    # (or after its own name: "at the end of its current term, i.e. 31 December 2026", "fin de la période en cours, soit
    # le 31/12")
    r"|\bend\s++of\s++(?:the\s++|its\s++|our\s++)?(?:current|present)\s++(?:term|period|contract)"
    r"\s*+(?:\(|,?\s*+(?:i\.e\.|namely|that\s++is),?)?\s*+$"
    r"|\b(?:fin|terme)\s++de\s++(?:la\s++|l['’]\s*+)?(?:p[ée]riode|contrat|engagement)\s++(?:en\s++cours|actuel(?:le)?)"
    r"\s*+(?:\(|,?\s*+soit(?:\s++le)?)?\s*+$)"
    # "by" only right before its date: "by the end of June", not "signed by"
    r"|(?P<deadline>d['’]ici\b|\bavant\b|\bbefore\b|\bno\s++later|\bau\s++plus\s++tard|\bdernier\s++d[ée]lai"
    r"|\bdate\s++limite(?:\s++de\s++(?:retour|r[ée]ponse|r[ée]ception|renvoi))?|\bd[ée]lai\b|\bdeadline|\bdue\s++date|\b[ée]ch[ée]ance\s++de\s++(?:retour|r[ée]ponse)"
    r"|\bby(?:\s++the)?\s*+$)"
    r"|(?P<negative>jusqu'|\buntil|\btill\b|\bup\s++to|\bancien|pr[ée]c[ée]dent|\bactuel|\bold\b|\bprevious"
    # a vague time ("dans le courant de l'année prochaine"), a month past ("our office closed in February", "notre
    # agence a fermé en février": the month was this year's, not next year's; not "moved in April", a passive)
    r"|\bcourant\s++de\s++l['’]\s*+$|\bau\s++cours\s++du\s*+$"  # "au cours du premier trimestre": some time in it
    r"|\b(?:office|site|agency|branch|plant|shop|store|warehouse|company|business|we|it|they)\s++(?:closed|ended|ceased"
    r"|shut\s++down)\s++in\s*+$"
    r"|\b(?:a|ont|avons|avez)\s++(?:[^\W\d_]++\s++)?(?:ferm[ée]|quitt[ée]|cess[ée]|d[ée]m[ée]nag[ée]|arr[êe]t[ée])\s++en\s*+$"
    r"|\bcurrent|expir|cl[oô]tur|\bretour|\bback\b|\babsent|\bcong[ée]|vacances|holiday"
    r"|\bdat[ée](?:e|s|es)?\s+du\b(?<!date du)|en\s++date\s++du"
    # "du 3 au 7": the blanks before "au" are tried from the start of their run only (the lookbehind)
    r"|[ée]mise?s?\s+(?:le|en)\b|re[çc]ue?s?\s+le|\bdu\s+\d[^.;!?\n]{0,25}?(?<!\s)\s++au\b"
    # a message's own date: "votre message du 26 août", "our letter of 3 May"; a talk's: "lors de notre échange du 12
    # mars", "our call of 3 May"
    r"|\b(?:message|mail|e-?mail|courriel|courrier|lettre|letter|[ée]change|entretien|conversation|appel"
    r"|t[ée]l[ée]phone|r[ée]union|rencontre|call|meeting)\s++(?:du|of|dated|on)\s*+$"
    # a body's decision: "par délibération du conseil municipal du 15 décembre" (its date, not the change's)
    r"|\b(?:d[ée]lib[ée]ration|s[ée]ance|conseil|comit[ée]|assembl[ée]e)\b(?:\s++(?!compter\b|partir\b)[^\W\d_]++){0,2}"
    r"\s++(?:du|of|dated)\s*+$"
    r"|\bfrom\s+\d[^.;!?\n]{0,25}?(?<!\s)\s++(?:to|until)\b"
    # the rest of a "factur…" word stops at the next "factur", read from there (a search does not reread a long word)
    # an invoice's date, right before it: "la facture (n° X) du 12/11", "la facture 9124578803 du 30/09" (not "les
    # factures du contrat … au 1er février")
    r"|factur(?:(?!factur)\w)*+\s+(?:n[°o]\s*+\S+\s+|\d{4}\S*+\s+)?du\s*+$|invoice"
    r"|k-?bis|extrait|d[ée]livr|depuis|\bsince|\bhier|derni[èe]re?"
    r"|\blast\b|ne\s++doit\s++plus|apr[èe]s\s++le|sign[ée]|r[ée]gl[ée]e?|virement|payment"
    # a reading's date is not an effective date: "relevés le 27/11", "index au 27/11", "meter read on 2 May"
    r"|\b(?:(?:relev[ée]e?s?|index)(?:\s+(?:effectu[ée]e?s?|arr[êe]t[ée]e?s?|pris|faits?))?"
    r"|compteurs?\s+(?:relev[ée]s?|arr[êe]t[ée]s?|pris))\s+(?:le|au|du|en date)\b|\b(?:readings?|meters?|counters?)\s+(?:taken\s+|read\s+)?(?:on|as of|at)\b"
    r"|\bread\s+on\b|\bdate\s++(?:du|de\s++la|de|d')\s*+(?:relev|lecture|index)|\b(?:reading|meter)\s++date"
    r"|\bdate\s++of\s++(?:the\s++)?reading)"
    # "couvre la période de juillet 2027 à juin 2028": the period's first month (a weak cue: "couvrait la période de
    # janvier 2026 à …", a period gone by, is no date)
    r"|(?P<medium>p[ée]riode\s++(?:allant\s++)?(?:de|d['’])\s*+$|\bau\b|\bpour\s++le\b|\bon\b|\bday\s++(?:is|will\s++be)\b|\bdate\b[^:|\n]{0,30}[:|]"
    r"|\bdate\b[^:|.;\n]{0,30}?\b(?:is|will\s++be)\s*+$|\bpr[ée]vue?s?\b|\baura\s++lieu\b|\ble\b"
    # "… dans notre nouveau bâtiment courant novembre", "courant du mois de mars" (not "courant de l'année": vague)
    r"|\bcourant(?:\s++du)?\s*+$"
    # "The move is scheduled for the morning of⏎May 3rd."
    r"|\b(?:scheduled|planned|booked)\b|\b(?:morning|afternoon|evening|day|week)\s++of\s*+$"
    # a verb that says when it happens: "la bascule se fera fin du mois prochain"
    r"|\bse\s++fera\b|\bs'effectuera\b|\binterviendra\b|\bse\s++fait\b|\bwill\s++take\s++place\b|\bwill\s++happen\b"
    # words right before their date: "en juin", "à la rentrée", "pour l'exercice 2027", "for FY2027"
    r"|\b(?:(?:pour|for)(?:\s++l['’](?:exercice|ann[ée]e)|\s++the\s++year|\s++(?:the\s++)?fy)?|exercice"
    r"|(?:fiscal|financial)\s++year|fy|en|in|[àa]\s++la)\s*+$))",
    re.I,
)
# Words right after a date (on folded text): "le 10 décembre, au plus tard", "en mars dernier".
_AFTER = re.compile(r"(?<![\s,])(?:[\s,]*+(?P<deadline>au plus tard|at the latest|dernier delai)"
                    r"|\s++(?P<negative>dernier|derniere|passee?))\b")
_CUE_SCORE = {"strong": 3.0, "medium": 1.0, "negative": -4.0, "deadline": -4.0}
_EVENT = re.compile(
    r"d[ée]m[ée]nag|transf[ée]r|r[ée]sili|cess|rachat|rachet|fusion|absorb|repr(?:ise|end)|changement|change"
    r"|pr[ée]vu|aura lieu|interven|install|[ée]ch[ée]ance|\bterme|mise en place|reconduit|renouvel"
    r"|\bmov(?:e|ing)|terminat|effective|\bdate\b|bascul|passage\s+(?:a|au|en)\b|switch|quitt|emm[ée]nag|ferm(?:e|era|eture)\b"
    r"|d[ée]plac|relocat|d[ée]commission|mise\s+au\s+rebut|\barr[eê]t(?:e|er|ons|ez|ent|era|erons)\b"
    r"|\bpart(?:ira|iront|ons)?\s+avec\b|\bpart(?:ira|iront|ons)\b"  # "la presse part avec nous en février"
    # where the machine goes: "le traceur doit suivre l'équipe au nouveau bâtiment le 4 octobre" (not "notre nouveau
    # site internet")
    r"|nouveaux?\s+(?:b[âa]timent|locaux|bureaux)|\bnew\s+(?:building|premises|offices?)\b",
    re.I,
)
# what a move's day is said of: the move, its transport, its installation (on the sentence around the day)
_MOVE_WORDS = re.compile(r"d[ée]m[ée]nag|transf[ée]r|transport|enl[èe]v|d[ée]plac|d[ée]mont|install|livr|\bmov(?:e|ing)"
                         r"|relocat|pick[- ]?up|collect|shipp|deliver", re.I)
# Where a sentence ends: a cue reaches over a line break (wrapped lines, table cells), not over these; an
# abbreviation's full stop ends none ("the move of the plotter (serial no. CL16-500932) on 12 October").
_SENTENCE_END = re.compile(r"(?:(?<![\s(][Nn]o)(?<![\s(]n)(?<![\s(][Rr][ée]f)(?<![\s(]env)(?<![\s(]cf)(?<![\s(]ex)"
                           r"(?<!\bi\.e)(?<!\be\.g)\.|[;!?])(?!\S)|\n[^\S\n]*+\n")


def _before(text: str, start: int) -> str:
    """The sentence up to a date (at most 60 characters), without the remarks in brackets closed before it:
    "nos locaux (adresse qui figure actuellement sur vos factures) en juin" is introduced by no "actuel". A date
    alone on its line answers the question or list item above it: "- la date de prise d'effet du changement ;⏎
    >> 01/01/2027"; a date after a key at its line's start is the key's ("Période : 01/09/2027")."""
    header = _column_header(text, start)
    if header is not None:
        return header  # a table's cell: its column's header says what the date is ("Date d'effet")
    line_start = text.rfind("\n", max(0, start - 60), start) + 1
    if line_start and _KEY_LINE.fullmatch(text, line_start, start) and (
            not (above := text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1].rstrip())
            or above.endswith((".", "!", "?")) or _VALUE_LINE.fullmatch(above)):
        # "Ancien engagement : 1900 1988 02⏎Période : 01/09/2027": a key's date is the key's, under a line of its own
        # (not under "… valable jusqu'à la date suivante :" nor a line wrapped after "occupée jusqu'au")
        return text[line_start:start]
    if line_start and not text[line_start:start].strip(_ANSWER_MARKS):
        above = text[max(0, line_start - 61) : line_start - 1].rsplit("\n", 1)[-1].rstrip()
        if above.endswith((";", "?")):
            return _CLOSED_ASIDE.sub(" ", above[:-1])
    return _CLOSED_ASIDE.sub(" ", _SENTENCE_END.split(text[max(0, start - 60) : start])[-1])


# the line above a key's date (matched whole, blanks stripped): "Key : value" ending with a number (or a blank line, or a
# sentence's end)
_VALUE_LINE = re.compile(r"(?<![^\n])[^:\n]{1,40}+:[ \t]*+[^\s:][^\n]*+(?<=[\d)])")
_KEY_LINE = re.compile(r"(?<![ \t>*•-])[ \t>*•-]*+[^\W\d_][^:\n\d]{0,40}+:[ \t]*+")  # "Période : ", "- Date d'effet : " before a date
_HEADER_CLIMB = 5  # rows of a table climbed to its header
_RULE_ROW = re.compile(r"[|:\- \t]*+")


def _column_header(text: str, start: int) -> str | None:
    """The header cell over a date alone in its cell, in a table of three columns or more that "|" separates ("N°
    client | … | Date d'effet⏎CL-304817 | … | 01/08/2027"): the nearest line above with as many cells and no digit;
    None out of such a table."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    cells = text.count("|", line_start, len(text) if line_end < 0 else line_end)
    cell_start = text.rfind("|", line_start, start) + 1
    if cells < 2 or not cell_start or text[cell_start:start].strip():
        return None  # a key and its value ("Mise en œuvre | pour l'exercice 2027"), words before it in its cell
    column = text.count("|", line_start, start)
    above_end = line_start - 1
    for _ in range(_HEADER_CLIMB):
        if above_end < 0:
            return None
        above_start = text.rfind("\n", 0, above_end) + 1
        above = text[above_start:above_end]
        if above.count("|") != cells:
            return None
        if _RULE_ROW.fullmatch(above):
            above_end = above_start - 1
            continue  # "|---|---|": a rule under the header
        if not any(c.isdigit() for c in above):
            return above.split("|")[column]
        above_end = above_start - 1
    return None


_ANSWER_MARKS = ANSWER_MARKS + ":"  # and a colon: ": 01/01/2027"


_CLOSED_ASIDE = re.compile(r"\([^()]*+\)")


def _around(text: str, start: int, end: int) -> str:
    """The sentence around a date, without the date."""
    return _SENTENCE_END.split(text[max(0, start - 160) : start])[-1] + _SENTENCE_END.split(text[end : end + 120])[0]


_OLD_ADDRESS = re.compile(r"\(\d{5}\)|\b\d{1,4}(?:\s*+(?:bis|ter))?,?\s++(?:rue|avenue|av|cours|boulevard|bd|all[ée]e"
                          r"|place|chemin|route|quai|impasse)\b", re.I)  # "(69100)", "45 cours Émile Zola", "12 Rue …"


def _cue(before: str) -> str | None:
    """The kind of cue that introduces a date: strong, deadline, medium, negative or None.

    The nearest cue wins, except that a weak "au"/"le" does not undo a strong,
    deadline or negative cue earlier on its line, or ending the line before (a
    wrapped line): "s'applique dès la première facture, soit au 1er janvier";
    "de retour le 4 janvier"; "de retour\nle 4 janvier" (but a colon, then an event, ends a negative cue's
    hold: "nos locaux actuels : nous emménageons le 22 mars"). On a line of its own
    ("Ancien n° … jusqu'au 31/12\nNouveau n° au 1er janvier") it wins.
    """
    last, last_end = None, 0
    for m in _CUES.finditer(before):
        kind, between = m.lastgroup, before[last_end : m.start()]
        # a colon or a comma, then an event, ends a negative cue's hold: "locaux actuels : nous emménageons le",
        # "la semaine dernière, nous déménageons notre bureau le"
        # "quitte ses locaux actuels du 45 cours Émile Zola à Villeurbanne (69100) le": the old address it introduced
        held = kind == "medium" and last in ("strong", "deadline", "negative") and not (
            last == "negative" and (":" in between or "," in between) and _EVENT.search(between)) and not (
            last == "negative" and _OLD_ADDRESS.search(between))
        if not (held and ("\n" not in between or between.isspace())):
            last = kind
        last_end = m.end()
    return last


# A date said not to be settled: a hedge right before it ("pas encore fixée, sans doute fin juillet"), right after it
# ("courant mai (bail en cours de signature)", "mid-September, exact date to be confirmed") or in a clause that names
# the date ("entre le 2 et le 6 novembre, la date exacte n'est pas encore arrêtée"); "around", "aux alentours du" right
# before it ("We plan to move around the end of October"). Not "probablement" (a spent sealed corpus read a settled
# date worse with it), nor "peut-être" (mostly of something else: "peut-être faudra-t-il démonter le bac").
_HEDGE = re.compile(
    r"\bsans\s++doute\b|\ben\s++cours\s++de\s++(?:signature|n[ée]gociation)\b|[àa]\s++confirmer|\bpas\s++encore\s++(?:fix"
    r"|arr[êe]t|d[ée]fini|d[ée]cid|connu|confirm)|\breste\s++[àa]\s++(?:fixer|d[ée]finir|confirmer)"
    r"|\bdate\s++exacte\s++(?:n['’]est\s++pas|reste|sera\s++(?:pr[ée]cis|confirm|communiqu|fix))"
    r"|\bexact\s++date\s++(?:is\s++not|to\s++be|will\s++be\s++(?:confirmed|communicated|set|fixed))"
    # a date the customer asks us to propose: "Merci de nous proposer une date en avril", "could you suggest a date in
    # April" (not a time slot on a day set: "le 12 avril : pouvez-vous nous proposer un créneau", nor "We propose a date")
    r"|\b(?:nous|me)\s++propos(?:er|ez)\s++(?:une|des)\s++dates?\b"
    r"|\b(?:could|can|would|please)\s++(?:you\s++)?(?:suggest|propose)\s++(?:us\s++)?(?:a|some)\s++dates?\b"
    r"|\bto\s++be\s++confirmed|\btbc\b|\bnot\s++(?:yet\s++)?(?:fixed|confirmed|decided|set)\s++yet|\bnot\s++yet\s++(?:fixed"
    r"|confirmed|decided|set|known)",
    re.I)
_APPROXIMATE = re.compile(r"(?<![^\W\d_])(?:around|roughly|approximately|aux\s++alentours\s++d[ue]|autour\s++d[ue])"
                          r"(?:\s++(?:the\s++)?(?:end|beginning|middle|start)\s++of)?\s*+(?:the\s++)?$", re.I)
_DATE_WORD = re.compile(r"\bdates?\b|\bjour\b|\bday\b|calendrier|planning|schedule", re.I)
_HEDGE_NEAR = 30  # characters between a date and a hedge that speaks of it
# (what is not settled may be the place, in the hedge's clause: "en février, adresse exacte à confirmer", "l'adresse
# définitive n'est pas encore arrêtée": the date stands; not in "vers un autre site du groupe, sans doute à la rentrée")
_PLACE_WORD = re.compile(r"adresse|address|destination|\blieu|locaux|\blocal\b|\bsite|b[âa]timent|building|premises", re.I)
TENTATIVE_SCORE = -4.0  # a date the customer says is not settled is no effective date (FORMAT.md's labels leave it out)


def _tentative(text: str, start: int, end: int) -> bool:
    """Does the sentence around a date say the date is not settled (a hedge near it or in a clause naming the date,
    that names no place in its clause)?"""
    before = _SENTENCE_END.split(text[max(0, start - 160) : start])[-1]
    after = _SENTENCE_END.split(text[end : end + 120])[0]
    if _APPROXIMATE.search(before):
        return True
    for part, near in ((before, lambda m: m.end() >= len(before) - _HEDGE_NEAR), (after, lambda m: m.start() <= _HEDGE_NEAR)):
        for m in _HEDGE.finditer(part):
            clause = part[max(0, m.start() - 40, part.rfind(",", 0, m.start())) : m.start()]
            if (near(m) or _DATE_WORD.search(clause)) and not _PLACE_WORD.search(clause):
                return True
    return False


def _score(text: str, start: int, end: int, value: date, has_year: bool, cue: str | None,
           reference: date | None, tentative: bool) -> float:
    score = (1.0 if has_year else 0.5) + _CUE_SCORE.get(cue or "", 0.0)
    if cue not in ("negative", "deadline") and _EVENT.search(_around(text, start, end)):
        score += 1.5
    if tentative:
        score += TENTATIVE_SCORE
    if reference is not None and value < reference:
        score -= 2.0
    return score


@lru_cache(maxsize=4)  # the effective date and the deadline read the same text
def find_dates(text: str, reference: date | None = None) -> list[DateHit]:
    """Every date-like span in the text, resolved and scored, in text order."""
    folded = fold(text)
    found: list[tuple[int, int, date, bool, bool, frozenset[str], bool]] = []
    impossible: list[tuple[int, int]] = []  # "31 février 2027" must not fall back to "février 2027"
    for pattern, resolver, cues in _PATTERNS:
        for m in pattern.finditer(folded):
            try:
                value = resolver(m, reference)
            except (ValueError, OverflowError, StopIteration):
                impossible.append((m.start(), m.end()))
                continue
            if value is None:
                continue
            groups = m.groupdict()
            has_year = bool(groups.get("year") or groups.get("y")) or resolver is _relative
            specific = has_year or bool(groups.get("edge"))
            exact = resolver in (_absolute, _numeric, _iso)
            found.append((m.start(), m.end(), value, has_year, specific, cues, exact))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    impossible_spans = Spans(impossible)
    hits: list[DateHit] = []
    last_end, range_end = -1, None
    for i, (start, end, value, has_year, specific, cues, exact) in enumerate(found):
        if start < last_end or impossible_spans.overlap(start, end):
            continue  # overlaps a longer or earlier match, or an impossible date
        last_end = end
        ends_range = found[i] is range_end  # the date before started a range this one ends
        range_end = _range_end(folded, end, found, i)
        if exact and not has_year and range_end is not None and range_end[3]:
            value = _range_start(value, range_end[2])
        after = _AFTER.match(folded, end)
        if after is None and ends_range:
            cue = "negative"  # "01/01/2027 au 31/12/2027", "du … au …": a range's end is no start
        else:
            cue = after.lastgroup if after else _cue(_before(text, start))
            if cue is None and range_end is not None:
                cue = "medium"  # "Période couverte⏎01/01/2027 au 31/12/2027": a range's start is when it applies
        if cues and not specific and cue not in cues:
            continue
        tentative = _tentative(text, start, end)
        score = _score(text, start, end, value, has_year, cue, reference, tentative)
        hits.append(DateHit(value, text[start:end].strip(), start, end, score, cue, exact, tentative))
    return hits


_RANGE_TO = re.compile(r"(?<![ \t])[ \t]*+(?:au|a|to|until|[-–—])[ \t]++")  # matched right after a date ("… à …" folded)


def _range_end(folded: str, end: int, found: list[tuple], i: int) -> tuple | None:
    """The date that ends a range found[i] (ending at ``end``) starts: "01/01/2027 au 31/12/2027",
    "du 1er janvier au 31 mars 2027", "1 February - 31 December 2027"."""
    to = _RANGE_TO.match(folded, end)
    if to is None or folded[end - 1] == ".":  # "en avril. Au 1er septembre": a sentence's end
        return None
    j = i + 1
    while j < len(found) and found[j][0] <= to.end():  # sorted by start: only the few up to the range's end
        if found[j][0] == to.end():
            return found[j]
        j += 1
    return None


def _range_start(value: date, last: date) -> date:
    """A range's first day without a year takes its last day's: "du 1er janvier au 31 mars 2027" starts on
    1 January 2027, whatever the reference date."""
    try:
        start = value.replace(year=last.year)
        return start if start <= last else value.replace(year=last.year - 1)
    except ValueError:  # 29 February
        return value


def effective_date(text: str, reference: date | None = None, threshold: float = 2.0,
                   weak: bool | str = True) -> DateHit | None:
    """The best-scored date that reads as an effective date, or None; never a deadline.

    Failing one, and when ``weak`` (the request is one that must state when it
    applies), the only date still to come, when a weak cue introduces it
    ("Date : 01/03/2027", "adresse de facturation au 1er mars"): nothing else
    in the text competes. ``weak="day"`` (a request that happens on a day, a
    move): the same, when that date is a day ("le transporteur est réservé pour
    le 6 juillet"), not a month ("ideally in August, nothing is fixed yet").
    """
    found = find_dates(text, reference)
    starts = [h.start for h in found]  # in text order
    hits = [_pointed_to(text, h, starts) for h in found if h.cue != "deadline"]
    # at equal score a day beats a period: "à la rentrée, le lundi 6 septembre"
    best = max((h for h in hits if h.score >= threshold), key=lambda h: (h.score, h.exact, -h.start), default=None)
    if best is not None and not best.exact:  # a month, then its day: "le mois prochain … prévu le 12 octobre"
        best = next((h for h in hits if h.exact and h.score >= threshold  # (a negative cue never reaches it)
                     and (h.value.year, h.value.month) == (best.value.year, best.value.month)), best)
    if best is not None or reference is None or not weak:
        return best
    coming = [h for h in hits if h.value >= reference and h.cue != "negative" and not h.tentative]
    # (a move's day is said of the move: "le transporteur est réservé pour le 6 juillet", not "vous pouvez me joindre
    # le 1er décembre")
    cued = [h for h in coming if h.cue == "medium" and (weak != "day" or (
        h.exact and _MOVE_WORDS.search(_around(text, h.start, h.end))))]
    return cued[0] if cued and len({h.value for h in coming}) == 1 else None


# "… ferme le 30 septembre. Nous résilions à compter de cette date": the date named before is the one
_THAT_DATE = re.compile(r"(?:[àa]\s++compter|[àa]\s++partir|\bd[èe]s|effective|\bfrom|\bas\s++of|\bstarting)"
                        r"\s++(?:de\s++)?(?:cette|that|this)\s++(?:m[êe]me\s++)?(?:date|day|jour)\b", re.I)


def _pointed_to(text: str, hit: DateHit, starts: list[int]) -> DateHit:
    """The hit, as strongly cued when the next sentence or two point back to it ("à compter de cette
    date") with no other date between (a number, or a date in words: "… le 12 janvier, la cession sera effective
    fin du mois prochain. À compter de cette date" points to the end of next month)."""
    after = text[hit.end : hit.end + 200]
    m = _THAT_DATE.search(after)
    if not m or hit.cue in ("negative", "strong") or any(c.isdigit() for c in after[: m.start()]) \
            or _any_between(starts, hit.end, hit.end + m.start()):
        return hit
    return replace(hit, score=hit.score + _CUE_SCORE["strong"], cue="strong")


def _any_between(starts: list[int], start: int, end: int) -> bool:
    """Does a date start in [start, end)? (``starts`` sorted: a bisection, not a scan of every date.)"""
    k = bisect_left(starts, start)
    return k < len(starts) and starts[k] < end


_TERM_BEFORE = re.compile(r"(?:[ée]ch[ée]ance|\bterme|expir|fin\s++(?:du|de\s++votre|de\s++notre)\s++contrat"
                          r"|end\s++of\s++(?:the\s++|your\s++|our\s++)?(?:contract|term))[^.;!?\n]{0,30}$", re.I)


def term_date(text: str, reference: date | None = None) -> DateHit | None:
    """The date a contract's term is said to fall on ("votre contrat arrive à échéance le 30/09/2026"),
    for a termination "à l'échéance" that names no date of its own."""
    return next((h for h in find_dates(text, reference) if _TERM_BEFORE.search(text[max(0, h.start - 60) : h.start])),
                None)


def deadline(text: str, reference: date | None = None) -> DateHit | None:
    """The best date introduced as a deadline ("d'ici mi-juillet", "avant le 30", "by the end of June"):
    when the customer wants something done, which is not when the change applies."""
    hits = [h for h in find_dates(text, reference) if h.cue == "deadline"]
    return max(hits, key=lambda h: (h.score, -h.start), default=None)
