"""Literal texts every match of a regular expression must contain, so a search can be skipped.

Python's regex engine tries a pattern such as ``\\brachat\\b|\\bcession\\b|…`` at
every position of the text; most keywords of the situations file do not occur
in a given mail at all, and a plain ``in`` test over the text runs in C many
times faster. ``required_literals`` reads the pattern's parse tree (the stdlib's
own parser) and returns, for each top-level alternative, the parts its every
match goes through (a run of letters, a group whose every alternative has such a
part), each as the strings one of which that part contains: "(deja|actuellement)
\\s+recev…" needs one of "deja", "actuellement" *and* "recev", not only the
second (a wasted search in nine mails of ten). ``may_match`` is False only when
no match can be in the text. Anything it cannot follow gives None: always search.
"""

from __future__ import annotations

import re
from re import _constants as C, _parser as P  # the stdlib's parser of patterns (Python 3.11+)

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_MOST = 64  # more strings than this and the ``in`` tests cost what they save

Strings = frozenset[str]
# any top-level alternative whose every part has one of its strings in the text: ((("rachat",),), (("cession",),))
Needs = tuple[tuple[tuple[str, ...], ...], ...]


def required_literals(pattern: re.Pattern[str]) -> Needs | None:
    """For each top-level alternative of ``pattern``, the parts its every match goes through, each as strings one
    of which that part contains (the rarest part first: longest strings); None when that cannot be told."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        needs = tuple(tuple(sorted((_minimal(part) for part in _parts(a)), key=lambda p: (-len(p[0]), len(p))))
                      for a in _alternatives(P.parse(pattern.pattern, pattern.flags).data))
    except (re.error, TypeError, ValueError, RecursionError):
        return None
    return None if not needs or not all(needs) else needs


def _alternatives(items: list) -> list[list]:
    """The sequence as one sequence per alternative of its first top-level branch: the parser writes
    ``\\brachat|\\bcession`` as ``\\b(?:rachat|cession)``, which is ``\\brachat`` or ``\\bcession``."""
    at = next((i for i, (op, _) in enumerate(items) if op is C.BRANCH), None)
    if at is None:
        return [items]
    return [[*items[:at], *alternative.data, *items[at + 1:]] for alternative in items[at][1][1]]


def may_match(text: str, needs: Needs) -> bool:
    """Can a pattern with these needs match in ``text``: does one alternative have every part in it? (Plain loops:
    this runs for every keyword of every mail, and generators cost more than the searches they save.)"""
    for alternative in needs:
        for part in alternative:
            for string in part:
                if string in text:
                    break
            else:
                break  # this part is not in the text: nor is this alternative
        else:
            return True
    return False


def _minimal(strings: Strings) -> tuple[str, ...]:
    """The strings no shorter one of them is part of ("factur" covers "facture"), shortest first."""
    return tuple(sorted((s for s in strings if not any(t != s and t in s for t in strings)), key=lambda s: (len(s), s)))


def _required(items: list) -> Strings | None:
    """The best set of strings one of which every match of this sequence contains: the part whose shortest string is
    longest ("renouvel" rather than "ne")."""
    return max(_parts(items), key=lambda c: (min(map(len, c)), -len(c)), default=None)


def _parts(items: list) -> list[Strings]:
    """For every part each match of this sequence goes through, the strings one of which that part contains."""
    candidates: list[Strings] = []
    run = ""
    for op, av in items:
        if op is C.LITERAL:
            run += chr(av)
            continue
        if run:
            candidates.append(frozenset({run}))
            run = ""
        if op is C.SUBPATTERN:
            inner = _required(av[3].data)
        elif op is C.ATOMIC_GROUP:
            inner = _required(av.data)
        elif op is C.BRANCH:
            inner = _any_of(av[1])
        elif op in _REPEATS and av[0] >= 1:
            inner = _required(av[2].data)
        else:
            inner = None
        if inner is not None:
            candidates.append(inner)
    if run:
        candidates.append(frozenset({run}))
    return [c for c in candidates if c and "" not in c and len(c) <= _MOST]


def _any_of(alternatives: list) -> Strings | None:
    """Every alternative must bring its own required strings; a match contains one of them all."""
    found: set[str] = set()
    for alternative in alternatives:
        inner = _required(alternative.data)
        if inner is None:
            return None
        found |= inner
    return frozenset(found)
