"""The literal texts a keyword's every match contains (literals.py): what lets classify skip a search.

A wrong set would silently drop a keyword, so the sets are checked against
matches of every keyword of the shipped situations file that hypothesis
builds from the pattern itself, and against the patterns' tricky parts.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mailbot.read.literals import may_match, required_literals
from mailbot.read.rules import load_rules


@pytest.mark.parametrize("pattern, needs", [
    (r"\brachat\b|\bcession", ((("rachat",),), (("cession",),))),  # one top-level alternative or the other
    # every part, the rarest first (the parser writes "n(?:ouvelle|ew)": a part is what each alternative has)
    (r"(nouvelle|new)\s+adresse", ((("adresse",), ("ew", "ouvelle")),)),
    (r"(deja|actuellement)\s+recev", ((("recev",), ("deja", "actuellement")),)),
    (r"(?:de\s+)?commande", ((("commande",),),)),  # an optional part is not required
    (r"x?y", ((("y",),),)),
    (r"(a|)b", ((("b",),),)),  # an empty alternative requires nothing
    (r"(factur|facture)s?\s+x", ((("factur",), ("x",)),)),  # "factur" covers "facture"
    (r"(?<!p)(releve|lecture)s?", ((("releve", "lecture"),),)),  # a lookbehind's text is not in the match
    (r"(?!ne)\w+", None),
    (r"(?<!\d)\d{1,3}\s*pages|\d+", None),  # one alternative has no literal: always search
    (r"[a-z]+", None),
    (r"(?i)rachat", None),  # ignoring case, a literal test would miss "RACHAT"
])
def test_required_literals(pattern, needs):
    assert required_literals(re.compile(pattern)) == needs


@pytest.mark.parametrize("pattern, text, expected", [
    (r"(deja|actuellement)\s+recev", "actuellement nous envoyons", False),  # one part without the other
    (r"(deja|actuellement)\s+recev", "on recoit", False),
    (r"(deja|actuellement)\s+recev", "deja recevons", True),
    (r"(deja|actuellement)\s+recev", "nous recevons deja", True),  # a filter of presence: the search tells the order
    (r"\brachat\b|\bcession", "la cession du fonds", True),  # one alternative is enough
    (r"\brachat\b|\bcession", "le rachat", True),
    (r"\brachat\b|\bcession", "une fusion", False),
])
def test_may_match_needs_every_part_of_one_alternative(pattern, text, expected):
    assert may_match(text, required_literals(re.compile(pattern))) is expected


def _keywords():
    rules = load_rules()
    return [(f"{sid}[{i}]", k) for sid, sit in rules.situations.items() for i, k in enumerate(sit.keywords)]


def test_every_shipped_keyword_gets_a_set():
    missing = [name for name, k in _keywords() if k.needs is None]
    assert len(missing) <= 2, missing  # the speed of keyword_classify rests on them


@pytest.mark.parametrize("name, keyword", [pytest.param(n, k, id=n) for n, k in _keywords() if k.needs])
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_contains_one(name, keyword, data):
    text = data.draw(st.from_regex(keyword.folded, fullmatch=False))
    match = keyword.folded.search(text)
    if match:
        assert may_match(match.group(0), keyword.needs), (name, match.group(0))
