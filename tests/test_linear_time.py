"""Every regular expression that reads customer text, and every reader built on them, runs in linear time.

Anyone can e-mail the bot, and one crafted message must not stall it
(bounds.py). The caps there bound the size of what each step reads; this file
checks that the work on that size stays linear, so the caps bound the time.

The patterns are found, not listed: every compiled pattern at module level in
MODULES (also inside module-level tuples, lists and dicts, and tuples of
tuples), and the keyword patterns of the situations file. The hostile inputs
are derived from each pattern: long runs of the characters it repeats, those
runs between characters that make it fail, alternations of two of them, its
own words and texts it matches repeated ("noir 12 noir 12 …"), and the text
leading to each of its repeats followed by a long run ("ne plus" and spaces).
Each is tried as one line of MAX_LINE and as MAX_TEXT characters, in lines of
MAX_LINE or as one line. Each pattern is run the way the code runs it at
worst: finditer over the whole text, match and fullmatch on every line. A
linear pattern reads 64 kB in a few milliseconds; a quadratic one needs
seconds, so PATTERN_SECONDS sits far from both.

Then the readers themselves (extract_all, quotes.split, effective_date,
html_to_text, analyze) on hostile texts, with the bounds said where they are
set. A run past GIVE_UP_SECONDS (or three times its bound) is stopped: the
regular expression engine checks for signals, so a failing test fails fast.
"""

from __future__ import annotations

import importlib
import re
import signal
import time
from collections.abc import Callable, Iterator
from datetime import date
from email.message import EmailMessage
from re import _constants as sre  # the parsed form of a pattern: the only way to read its parts reliably
from re import _parser as sre_parse

import pytest

from mailbot.read.bounds import MAX_HTML_CHARS, MAX_LINE, MAX_TEXT
from mailbot.read.extract import _address_cues, _postcode_stated
from mailbot.read.identifiers import default_lexicon
from mailbot.read.rules import load_rules

pytestmark = pytest.mark.timing  # wall-clock bounds: run apart from the parallel part (Makefile)

MODULES = (  # add a module here when it compiles patterns that read customer text
    "mailbot.read.extract",
    "mailbot.read.identifiers",
    "mailbot.read.softwraps",
    "mailbot.read.dates",
    "mailbot.read.quotes",
    "mailbot.read.htmltext",
    "mailbot.decide.measures",
    "mailbot.read.classify",
    "mailbot.read.guard",
    "mailbot.read.mime",
    "mailbot.read.bounces",
    "mailbot.decide.cases",
    "mailbot.compose.replies",
    "mailbot.read.addresses",
    "mailbot.compose.redact",
    "mailbot.read.authentication",
    "mailbot.decide.directory",
    "mailbot.read.attachments",
)
PATTERN_SECONDS = 0.2  # one pattern over 64 kB: linear takes milliseconds, quadratic takes seconds
GIVE_UP_SECONDS = 2.0  # a run this long (or three times its bound) is stopped: it failed anyway
SAMPLES = {  # characters that stand for a class escape, the ones most likely to sit in a hostile run
    sre.CATEGORY_DIGIT: "05",
    sre.CATEGORY_NOT_DIGIT: "a -.",
    sre.CATEGORY_SPACE: " \t\n\u00a0",
    sre.CATEGORY_NOT_SPACE: "a0.-",
    sre.CATEGORY_WORD: "aA0é_",
    sre.CATEGORY_NOT_WORD: " -.,",
}
POOL = " \t\na0A-.,:;|/@°()'&#+*é\u00a0_!>x<=\"[]"  # what a negated class or "." is tried with
FAIL_TAILS = "x!\n"  # characters that end a run and make a pattern fail there


class _GaveUp(Exception):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise _GaveUp


def timed(work: Callable[[], object], limit: float) -> float:
    """CPU seconds the work took, or inf when it ran past limit (it is interrupted there). CPU time, not the
    wall clock: a busy or shared machine (CI's, a VM's stolen time) delays the work without making it slower."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.process_time()
    try:
        work()
        return time.process_time() - start
    except _GaveUp:
        return float("inf")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def slow(work: Callable[[], object], bound: float) -> float | None:
    """The time of work when it exceeds bound twice in a row (once could be noise), else None."""
    limit = max(GIVE_UP_SECONDS, 3 * bound)
    took = timed(work, limit)
    if took < bound:
        return None
    if took != float("inf"):
        took = timed(work, limit)
    return took if took >= bound else None


# -- which patterns ----------------------------------------------------------

def _patterns_in(name: str, value: object) -> Iterator[tuple[str, re.Pattern[str]]]:
    if isinstance(value, re.Pattern):
        yield name, value
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            if isinstance(item, re.Pattern):
                yield f"{name}[{i}]", item
            elif isinstance(item, tuple):
                yield from ((f"{name}[{i}][{j}]", p) for j, p in enumerate(item) if isinstance(p, re.Pattern))
    elif isinstance(value, dict):
        yield from ((f"{name}[{k!r}]", p) for k, p in value.items() if isinstance(p, re.Pattern))


def discovered() -> list[tuple[str, re.Pattern[str]]]:
    """(where, pattern) for every pattern of MODULES and every keyword of the rules, each pattern once."""
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)  # a listed module that does not import is a failure
        for attribute, value in vars(module).items():
            for where, pattern in _patterns_in(f"{module_name}.{attribute}", value):
                if isinstance(pattern.pattern, str):
                    found.setdefault(id(pattern), (where, pattern))
    for name, lexicon in default_lexicon().fields.items():  # classifiers/identifiers.toml
        for kind in ("shapes", "refuse_shapes"):
            for i, pattern in enumerate(getattr(lexicon, kind)):
                found.setdefault(id(pattern), (f"identifiers.toml {name}.{kind}[{i}]", pattern))
    for kind, pattern in zip(("positive", "negative", "stated"), (*_address_cues(), _postcode_stated())):
        found.setdefault(id(pattern), (f"addresses.toml {kind}", pattern))  # classifiers/addresses.toml
    for situation in load_rules().situations.values():
        for i, keyword in enumerate(situation.keywords):
            for kind in ("pattern", "folded"):
                where = f"situations.toml {situation.id}.keywords[{i}].{kind}"
                found.setdefault(id(getattr(keyword, kind)), (where, getattr(keyword, kind)))
    return list(found.values())


PATTERNS = discovered()


# -- hostile inputs derived from a pattern -----------------------------------

def _class_matches(items: list, ch: str, ignore_case: bool) -> bool:
    """Does a character class (as parsed) match ch?"""
    negate = bool(items) and items[0][0] is sre.NEGATE
    hit = False
    for op, av in items:
        if op is sre.LITERAL:
            hit = hit or chr(av) == ch or (ignore_case and chr(av).lower() == ch.lower())
        elif op is sre.RANGE:
            lo, hi = av
            hit = hit or lo <= ord(ch) <= hi or (ignore_case and (lo <= ord(ch.lower()) <= hi
                                                                  or lo <= ord(ch.upper()) <= hi))
        elif op is sre.CATEGORY:
            hit = hit or _category(av, ch)
    return hit != negate


def _category(category: object, ch: str) -> bool:
    escape = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
              sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}[category]
    return bool(re.fullmatch(escape, ch))


def _class_chars(items: list, ignore_case: bool) -> list[str]:
    """A few characters a class matches: its own literals and samples first, then the pool."""
    chars: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            chars.append(chr(av))
        elif op is sre.RANGE:
            chars.append(chr(av[0]))
        elif op is sre.CATEGORY:
            chars.extend(SAMPLES.get(av, ""))
    chars = [c for c in chars if _class_matches(items, c, ignore_case)]
    chars += [c for c in POOL if _class_matches(items, c, ignore_case)]
    return list(dict.fromkeys(chars))[:5]


class _Parts:
    """What a pattern is made of: its characters and words (those under a repeat first, they make the
    long runs), and its lead-ins: for each repeated character class, an example of the text that leads
    to it ("ne plus" before the run of spaces in "ne\\s+plus\\s*(nous\\s+)?\\s*…")."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.ignore_case = bool(pattern.flags & re.I)
        self.chars: dict[str, bool] = {}  # character -> repeated
        self.words: dict[str, bool] = {}
        self.lead_ins: dict[tuple[str, str], None] = {}  # (text before a repeat, a character it repeats)
        items = sre_parse.parse(pattern.pattern, pattern.flags).data
        self.examples = [self._walk(items, False, "")]  # a text it matches, and one per top-level branch
        if len(items) == 1 and items[0][0] is sre.BRANCH:
            self.examples += [self._walk(alternative, False, "") for alternative in items[0][1][1]]

    def _add(self, table: dict[str, bool], key: str, repeated: bool) -> None:
        table[key] = table.get(key, False) or repeated

    def _one_char(self, op: object, av: object) -> list[str]:
        """The characters a one-character item matches (a few), or [] for anything longer."""
        if op is sre.LITERAL:
            return [chr(av)]
        if op is sre.IN:
            return _class_chars(av, self.ignore_case)
        if op is sre.NOT_LITERAL:
            return [c for c in POOL if c != chr(av)][:3]
        if op is sre.ANY:
            return list("a .")
        return []

    def _walk(self, items: list, repeated: bool, prefix: str) -> str:
        """Note the parts of items, reached after the text prefix; returns prefix and an example of items."""
        word: list[str] = []

        def end_word() -> None:
            if len(word) >= 2:
                self._add(self.words, "".join(word), repeated)
            word.clear()

        for op, av in items:
            chars = self._one_char(op, av)
            if chars:
                if op is sre.LITERAL or (op is sre.IN and all(o is sre.LITERAL for o, _ in av)):
                    word.append(chars[0])  # [ée] is a letter of the word
                else:
                    end_word()
                for ch in chars:
                    self._add(self.chars, ch, repeated)
                prefix += chars[0]
                continue
            end_word()
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                low, high, body = av
                if high > 1 and len(body) == 1:
                    for ch in self._one_char(*body[0])[:2]:
                        self.lead_ins.setdefault((prefix, ch))
                example = self._walk(body, repeated or high > 1, prefix)[len(prefix):]
                prefix += example * low
            elif op is sre.SUBPATTERN:
                prefix = self._walk(av[3], repeated, prefix)
            elif op is sre.ATOMIC_GROUP:
                prefix = self._walk(av, repeated, prefix)
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                self._walk(av[1], repeated, "")
            elif op is sre.BRANCH:  # every alternative is noted; the first one goes on the example
                prefix = [self._walk(alternative, repeated, prefix) for alternative in av[1]][0]
            elif op is sre.GROUPREF_EXISTS:
                for branch in av[1:]:
                    if branch is not None:
                        self._walk(branch, repeated, prefix)
        end_word()
        return prefix



def _ranked(table: dict[str, bool]) -> list[str]:
    return sorted(table, key=lambda k: not table[k])  # repeated ones first, else in pattern order


def _repeated(unit: str, tail: str) -> Callable[[int], str]:
    """A line of the given length: the unit over and over, then the tail."""
    def line(length: int) -> str:
        return (unit * (length // len(unit) + 1))[: length - len(tail)] + tail
    return line


def _between(head: str, run: str, tail: str) -> Callable[[int], str]:
    """A line of the given length: the head once, a run of one character, the tail."""
    def line(length: int) -> str:
        return head + run * (length - len(head) - len(tail)) + tail
    return line


def hostile_lines(pattern: re.Pattern[str]) -> list[tuple[str, Callable[[int], str], bool]]:
    """(description, line maker, long) triples, about thirty, from the pattern's own characters and words.

    A long line is also tried as one line of MAX_TEXT: the caps only bound the constant, and a run
    that a pattern reads once per start, or splits every way, shows it best on one long line.
    """
    parts = _Parts(pattern)
    chars = _ranked(parts.chars)
    words = _ranked(parts.words)

    def stop(*avoid: str) -> str:
        return next(t for t in FAIL_TAILS if all(t not in a for a in avoid))

    lines = []
    for ch in chars[:5]:
        lines.append((f"run of {ch!r} between stops", _between(stop(ch), ch, stop(ch)), True))
    for ch in chars[:2]:
        lines.append((f"run of {ch!r} then a stop", _repeated(ch, stop(ch)), False))
        lines.append((f"run of {ch!r}", _repeated(ch, ""), False))
    for a, b in zip(chars[:2], chars[1:3]):
        lines.append((f"{a!r}{b!r} alternated", _repeated(a + b, stop(a, b)), False))
    for word in words[:3]:
        lines.append((f"{word!r} repeated", _repeated(word, "!"), True))
        lines.append((f"{word!r} repeated with spaces", _repeated(word + " ", "x"), False))
        lines.append((f"{word!r} and a number repeated", _repeated(word + " 12 ", "!"), False))
    for example in [e for e in dict.fromkeys(parts.examples) if e][:3]:
        lines.append((f"{example!r} repeated", _repeated(example, "!"), True))
        lines.append((f"{example!r} repeated with spaces", _repeated(example + " ", "!"), False))
    for prefix, ch in list(parts.lead_ins)[:8]:
        lines.append((f"{prefix!r} then a run of {ch!r}", _between(prefix, ch, stop(ch)), True))
    lines.append(("spaced numbers", _repeated("1 234 ", "x"), False))
    lines.append(("'12 ' repeated", _repeated("12 ", "x"), False))
    return lines


def hostile_texts(pattern: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    """(description, text) pairs: each line as one MAX_LINE line, and as MAX_TEXT of such lines (or,
    for a long one, as one line of MAX_TEXT)."""
    seen = set()
    for what, make, long in hostile_lines(pattern):
        line = make(MAX_LINE)
        if line in seen:
            continue
        seen.add(line)
        yield f"{what}, one line of {MAX_LINE}", line
        if long:
            yield f"{what}, one line of {MAX_TEXT}", make(MAX_TEXT)
        else:
            yield f"{what}, {MAX_TEXT} characters in lines of {MAX_LINE}", "\n".join(
                [line] * (MAX_TEXT // (MAX_LINE + 1)))


def run_everywhere(pattern: re.Pattern[str], text: str) -> None:
    """The worst way the code applies a pattern: search all through, and match (fully) at every line."""
    for _ in pattern.finditer(text):
        pass
    for line in text.split("\n"):
        pattern.match(line)
        pattern.fullmatch(line)


@pytest.mark.parametrize("where, pattern", PATTERNS, ids=[w for w, _ in PATTERNS])
def test_pattern_is_linear(where, pattern):
    failures = []
    for what, text in hostile_texts(pattern):
        took = slow(lambda: run_everywhere(pattern, text), PATTERN_SECONDS)
        if took is not None:
            failures.append(f"{took:.2f} s on {what}")
            if len(failures) == 3:
                break
    assert not failures, f"{where} /{pattern.pattern[:120]}/ is not linear: " + "; ".join(failures)


def test_patterns_are_found():
    """The discovery sees the known pattern tables, so a pattern cannot hide from this file."""
    names = {where for where, _ in PATTERNS}
    for expected in ("mailbot.read.dates._PATTERNS[0][0]", "mailbot.read.dates._PATTERNS[8][0]", "mailbot.read.dates._AFTER",
                     "identifiers.toml serial_numbers.shapes[1]", "addresses.toml positive",
                     "mailbot.read.extract._MASKS[5]", "mailbot.read.quotes._CLOSING",
                     "situations.toml po_change.keywords[0].folded"):
        assert expected in names
    assert len(PATTERNS) > 200


# -- whole readers on hostile text --------------------------------------------

def lines_of(unit: str, tail: str = "", size: int = MAX_TEXT) -> str:
    """size characters of MAX_LINE lines, each the unit repeated then the tail."""
    return "\n".join([_repeated(unit, tail)(MAX_LINE)] * (size // (MAX_LINE + 1)))


HOSTILE_UNITS = [
    # (what, unit, tail): a line is the unit repeated, then the tail
    ("noir 12", "noir 12 ", ""),
    ("noir 12 with a counter word", "compteur noir 12 ", ""),
    ("digits and spaces", "12 ", ""),
    ("thousands", "1 234 ", ""),
    ("serial label", "n° de série ", ""),
    ("serial label and numbers", "n° de série 3Y0612300 ", ""),
    ("serials chained", "PW345-0070011 et ", ""),
    ("order label runs", "commande n° ", "zz 12345"),
    ("order gap words", "n° ", "zz 12345"),
    ("contract label runs", "contrat ", ""),
    ("e-mail addresses", "a@b.fr ", ""),
    ("e-mail in an address context", "nouvelle adresse a@b.fr ", ""),
    ("postcodes", "75001 Paris ", ""),
    ("postcodes after a cue", "nouvelle adresse 12 rue X 75001 Paris ", ""),
    ("streets", "rue ", ""),
    ("pipes", "|", ""),
    ("pipes between words", "|", "x"),
    ("spaces then x", " ", "x"),
    ("spaces", " ", ""),
    ("dates", "12/11 ", ""),
    ("impossible dates", "31/02 12/11 ", ""),
    ("month names", "mars ", ""),
    ("cues", "à compter du ", ""),
    ("wrapped cues", "à compter du\n", ""),
    ("deadlines", "d'ici le 15 ", ""),
    ("dates then deadline words", "le 15 mars au plus tard ", ""),
    ("years a change applies to", "valable pour l'exercice 2027 ", ""),
    ("fiscal years", "for FY2027 ", ""),
    ("relative months", "fin du mois prochain ", ""),
    ("models", "PlotWave 450 ", ""),
    ("models and serials", "PlotWave 450 3Y0612300 ", ""),
    ("list items", "- ", ""),
    ("SIREN", "siren 123 456 789 ", ""),
    ("RCS", "RCS Paris ", ""),
    ("IBAN-like", "FR76 3000 ", ""),
    ("table of readings", "Noir | 12 | ", ""),
    ("cells of readings", " | 12", " compteur"),
    ("spaced columns", "Noir   12   ", ""),
    ("readings and serials", "PW345-0070011 noir 12 ", ""),
    ("closing words", "Cordialement ", ""),
    ("header words", "De : ", ""),
    ("quote markers", "> ", ""),
    ("letters", "a", ""),
    ("a word and spaces", "a ", ""),
    ("K-bis mentions", "kbis ci-joint ", ""),
    ("order labels and serials", "bon de commande PW345-0070011 ", ""),
    ("old addresses", "ancienne adresse 75001 Paris ", ""),
    ("stems in one word", "changdeplactransfer", ""),
    ("table rows of serials, each climbing to its header", "3Y0612300 | non | ", ""),
]
# The units a reader goes through line by line, or through a line value by value: also tried as one line.
ONE_LINE = {
    "noir 12", "noir 12 with a counter word", "digits and spaces", "serials chained", "order label runs",
    "e-mail addresses", "postcodes", "pipes between words", "spaces then x", "dates", "table of readings",
    "cells of readings", "readings and serials", "closing words", "header words", "K-bis mentions",
    "deadlines", "dates then deadline words", "years a change applies to", "fiscal years",
    "order labels and serials", "old addresses", "stems in one word",
}
# MAX_TEXT characters as quote splitting, classification and extraction get them (lines of MAX_LINE),
# and, for those, as one line: the caps only bound the constant.
def hostile_units_texts(size: int) -> list[tuple[str, str]]:
    return [(f"{what}, lines", lines_of(unit, tail, size)) for what, unit, tail in HOSTILE_UNITS] + [
        (f"{what}, one line", _repeated(unit, tail)(size)) for what, unit, tail in HOSTILE_UNITS if what in ONE_LINE
    ]


HOSTILE_TEXTS = hostile_units_texts(MAX_TEXT)
QUARTER_TEXTS = dict(hostile_units_texts(MAX_TEXT // 4))  # the same, a quarter as long: how the time grows
# Bounds for whole readers on 64 kB, far from both sides: their densest hostile text takes at most
# 0.7 s (find_dates scores each of 10,000 dates on the 60 characters before it, about 60 µs a date),
# most take under 0.2 s; reading each line again per value found, as before, took 15 s to minutes.
EXTRACT_SECONDS = 1.5
# Past its bound (a slower machine: this one took 1.6–1.8 s one day, 1.0 s another, for the same code), a
# reader is still linear when four times the text takes less than LINEAR_GROWTH times as long (linear: about 4;
# quadratic: 16), within 3 bounds.
LINEAR_GROWTH = 8
SPLIT_SECONDS = 0.5
DATES_SECONDS = 1.5
WITH_A_PDF = [{"filename": "document.pdf", "content_type": "application/pdf"}]  # so the K-bis text is read


@pytest.mark.parametrize("what, text", HOSTILE_TEXTS, ids=[h[0] for h in HOSTILE_TEXTS])
def test_extract_all_is_linear(what, text):
    """extract_all on 64 kB of hostile new text (the quoted text too): bounded by EXTRACT_SECONDS."""
    from mailbot.read.extract import extract_all
    from mailbot.read.mime import Mail

    def on(text):
        mail = Mail(subject=text[:200], attachments=WITH_A_PDF)
        return lambda: extract_all(text, text, mail, date(2026, 11, 20))

    took = slow(on(text), EXTRACT_SECONDS)
    if took is None:
        return
    limit = 3 * EXTRACT_SECONDS
    quarter = min(timed(on(QUARTER_TEXTS[what]), limit) for _ in range(2))
    assert took < limit and took < LINEAR_GROWTH * quarter, \
        f"extract_all on {what}: {took:.2f} s, {took / quarter:.1f} times its time on a quarter of the text"


@pytest.mark.parametrize("what, text", HOSTILE_TEXTS, ids=[h[0] for h in HOSTILE_TEXTS])
def test_quotes_split_is_linear(what, text):
    from mailbot.read.quotes import request, split

    body = "Bonjour,\n" + text  # after some content, every line may be where the signature starts
    took = slow(lambda: request(split(body, "TR: " + text[:100])), SPLIT_SECONDS)
    assert took is None, f"quotes.split on {what}: {took:.2f} s"


@pytest.mark.parametrize("what, text", HOSTILE_TEXTS, ids=[h[0] for h in HOSTILE_TEXTS])
def test_find_dates_is_linear(what, text):
    from mailbot.read.dates import effective_date

    took = slow(lambda: effective_date(text, date(2026, 11, 20)), DATES_SECONDS)  # find_dates, then the best
    assert took is None, f"find_dates on {what}: {took:.2f} s"


def html_of(unit: str, tail: str = "") -> str:
    body = unit * (MAX_HTML_CHARS // len(unit))
    return body[: MAX_HTML_CHARS - len(tail)] + tail


HOSTILE_HTML = [
    # (what, html): MAX_HTML_CHARS of it, as html_to_text gets it
    ("pipes", html_of("|")),
    ("pipes between words", "a" + html_of("|", "a")),
    ("spaced pipes between words", "a" + html_of("| ", "a")),
    ("cells", html_of("<td>")),
    ("cells with text", html_of("<td>x</td>")),
    ("rows of cells", html_of("<tr><td>a")),
    ("lone <", html_of("<")),
    ("unclosed tags", html_of("<a ")),
    ("unclosed tag names", html_of("<a")),
    ("unclosed quoted attributes", html_of("<a b='")),
    ("unclosed double-quoted attributes", html_of('<a b="')),
    ("quoted > in attributes", html_of("<a b='>' ")),
    ("unclosed attribute values", html_of("<a b=")),
    ("nested unclosed blocks", html_of("<div>")),
    ("nested quotes", html_of("<blockquote>")),
    ("end tags", html_of("</div>")),
    ("unclosed end tags", html_of("</")),
    ("unclosed comments", html_of("<!--")),
    ("unclosed comments with >", html_of("<!--a>")),
    ("unclosed declarations", html_of("<!")),
    ("unclosed processing instructions", html_of("<?")),
    ("unclosed CDATA", html_of("<![CDATA[")),
    ("unclosed CDATA with >", html_of("<![CDATA[a>")),
    ("entities", html_of("&amp;")),
    ("ampersands", html_of("&")),
    ("character references", html_of("&#")),
    ("line breaks", html_of("<br>")),
    ("preformatted", "<pre>" + html_of("a\n")),
    ("unclosed style", "<style>" + html_of("</")),
    ("hidden blocks", html_of("<div style='display:none'>")),
    ("spaces then x", html_of(" ", "x")),
]
HTML_SECONDS = 3.0  # 400 kB of the densest markup takes about 1 s (html.parser is pure Python); quadratic: minutes


@pytest.mark.parametrize("what, html", HOSTILE_HTML, ids=[h[0] for h in HOSTILE_HTML])
def test_html_to_text_is_linear(what, html):
    from mailbot.read.htmltext import html_to_text

    took = slow(lambda: html_to_text(html), HTML_SECONDS)
    assert took is None, f"html_to_text on {what}: {took:.2f} s"


def message(body: str, subtype: str = "plain") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Jean Dupont <jean.dupont@client.fr>"
    msg["To"] = "contrats@example.com"
    msg["Subject"] = "RE: TR: nouveau numéro de commande noir 12"
    msg["Date"] = "Fri, 20 Nov 2026 10:00:00 +0100"
    msg["Message-ID"] = "<hostile@client.fr>"
    msg.set_content(body, subtype=subtype)
    return msg.as_bytes()


HOSTILE_MESSAGES = [
    ("noir 12", message(lines_of("noir 12 "))),
    ("noir 12, one line", message(_repeated("noir 12 ", "")(MAX_TEXT))),
    ("order gap words", message(lines_of("commande n° ", "zz 12345"))),
    ("closing words after spaces", message(lines_of(" ", "x") + "\n" + lines_of("Cordialement "))),
    ("serials and models", message(lines_of("PlotWave 450 3Y0612300 et "))),
    ("addresses", message(lines_of("nouvelle adresse 12 rue X 75001 Paris a@b.fr "))),
    ("HTML pipes", message("<p>a" + "|" * 64_000 + "a</p>", "html")),
    ("HTML unclosed tags", message(html_of("<a "), "html")),
]
ANALYZE_SECONDS = 3.0  # parse, split, classify, extract and decide on 64 kB: under a second when linear


@pytest.mark.parametrize("what, raw", HOSTILE_MESSAGES, ids=[h[0] for h in HOSTILE_MESSAGES])
def test_analyze_is_linear(what, raw):
    from mailbot.read.analyze import analyze

    analyze(message("Bonjour"))  # the rules and the model load once, untimed
    took = slow(lambda: analyze(raw), ANALYZE_SECONDS)
    assert took is None, f"analyze on {what}: {took:.2f} s"


def test_a_long_list_of_spaced_values_is_read_in_linear_time():
    """One value per line under its label ("N° de série :⏎70 22 45 81⏎…"): each joins the list, and the tokens
    inside them are set aside by bisection, not by comparing every token with every value (the second reader's
    case: 8,000 lines took 6.6 s, against 0.8 s before the list was read)."""
    from mailbot.read.identifiers import find_identifiers

    def timed(lines: int) -> float:
        text = "N° de série :\n" + "70 22 45 81\n" * lines
        started = time.perf_counter()
        find_identifiers(text)
        return time.perf_counter() - started

    small, large = timed(MAX_TEXT // 48), timed(MAX_TEXT // 12)  # a quarter of 64 kB, then all of it
    assert large < EXTRACT_SECONDS and large < LINEAR_GROWTH * max(small, 0.01), (small, large)


def test_many_orders_said_to_end_are_read_in_linear_time():
    """Each order followed by the words that end it looks back for "nouveau" a few words before it, not over the
    whole text before it (1.3 s for 44 kB of "BC-4500000123 expire." while looking over the whole text)."""
    from mailbot.read.identifiers import find_identifiers

    def timed(count: int) -> float:
        text = "Le bon de commande " + "".join(f"BC-4500{n:06d} expire. " for n in range(count))
        started = time.perf_counter()
        find_identifiers(text)
        return time.perf_counter() - started

    small, large = timed(MAX_TEXT // 88), timed(MAX_TEXT // 22)  # a quarter of 64 kB, then all of it
    assert large < EXTRACT_SECONDS and large < LINEAR_GROWTH * max(small, 0.01), (small, large)
