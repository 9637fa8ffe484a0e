"""Literal texts one of which every match of a regular expression contains, so a search can be skipped.

Python's regex engine tries a pattern such as ``\\brachat\\b|\\bcession\\b|…`` at
every position of the text; most keywords of the situations file do not occur
in a given mail at all, and a plain ``in`` test over the text runs in C many
times faster. ``required_literals`` reads the pattern's parse tree (the stdlib's
own parser) and returns strings one of which every match contains: when none is
in the text the search cannot match and is skipped. Of the parts every match
must go through (a run of letters, a group whose every alternative has such a
part), it keeps the one whose shortest string is longest: "renouvel" rather
than "ne". Anything it cannot follow gives None: always search.
"""

from __future__ import annotations

import re
from re import _constants as C, _parser as P  # the stdlib's parser of patterns (Python 3.11+)

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_MOST = 64  # more strings than this and the ``in`` tests cost what they save

Strings = frozenset[str]


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` contains, or None when that cannot be told."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    try:
        found = _required(P.parse(pattern.pattern, pattern.flags).data)
    except (re.error, TypeError, ValueError, RecursionError):
        return None
    if not found:
        return None
    return tuple(sorted(s for s in found if not any(t != s and t in s for t in found)))  # "factur" covers "facture"


def _best(candidates: list[Strings]) -> Strings | None:
    usable = [c for c in candidates if c and "" not in c and len(c) <= _MOST]
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)), default=None)


def _required(items: list) -> Strings | None:
    """The best set of strings one of which every match of this sequence contains."""
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
    return _best(candidates)


def _any_of(alternatives: list) -> Strings | None:
    """Every alternative must bring its own required strings; a match contains one of them all."""
    found: set[str] = set()
    for alternative in alternatives:
        inner = _required(alternative.data)
        if inner is None:
            return None
        found |= inner
    return frozenset(found)
