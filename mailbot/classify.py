"""Which billing situation a message is about, from the keywords of the rules file.

A transparent first classifier: every score is a sum of matched keywords that
the review screen can show. Text the customer wrote now counts fully; quoted
history (often our own request) counts little, a forwarded message more. The
confidence is high only when one situation clearly beats the others, so
close calls go to review. A trained model can later sit beside it behind the
same ``classify(subject, parts, rules)`` interface.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analysis import Evidence
from .htmltext import fold
from .quotes import Parts, request
from .rules import Rules

SUBJECT_WEIGHT = 1.0
REPLY_SUBJECT_WEIGHT = 0.3  # "RE: …" mostly repeats the wording of our own mail
NEW_WEIGHT = 1.0
QUOTED_WEIGHT = 0.25
FORWARDED_WEIGHT = 0.6
SATURATION = 2.0  # score at which strength reaches one half

_REPLY_SUBJECT = re.compile(r"^\s*(?:re|tr|fwd?|aw|wg|réf)\s*:", re.I)


@dataclass
class Classification:
    situation: str
    confidence: float
    secondary: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)


def _sources(subject: str, parts: Parts) -> list[tuple[str, str, float]]:
    """(name, folded text, weight) for every place a keyword may appear."""
    subject_weight = REPLY_SUBJECT_WEIGHT if _REPLY_SUBJECT.match(subject) else SUBJECT_WEIGHT
    inner = request(parts)  # a bare forward: the forwarded request counts as new text
    new = parts.new if inner is parts else parts.new + "\n" + inner.new
    quoted = parts.quoted if inner is parts else inner.quoted
    return [
        ("subject", fold(subject), subject_weight),
        ("new", fold(new), NEW_WEIGHT),
        ("quoted", fold(quoted), FORWARDED_WEIGHT if parts.forwarded else QUOTED_WEIGHT),
    ]


def _confidence(best: float, second: float) -> float:
    """Strength of the winner times its share of the top two scores, in [0, 1].

    A tie gives at most 0.5; a lone weak keyword gives little; a strong,
    uncontested score approaches 1.
    """
    if best <= 0:
        return 0.0
    strength = best / (best + SATURATION)
    share = best / (best + max(second, 0.0))
    return strength * share


def classify(subject: str, parts: Parts, rules: Rules) -> Classification:
    """Score every situation, pick the best; "other" when nothing scores enough."""
    sources = _sources(subject, parts)
    scores: dict[str, float] = {}
    evidence: list[Evidence] = []
    for situation in rules.situations.values():
        total = 0.0
        for keyword in situation.keywords:
            hits = [(name, m, w) for name, text, w in sources if text and (m := keyword.folded.search(text))]
            if not hits:
                continue
            name, match, weight = max(hits, key=lambda h: h[2])
            total += keyword.weight * weight
            evidence.append(Evidence(
                "classify", situation.id, match.group(0)[:80],
                f"{name} ×{weight:g}, weight {keyword.weight:g}: {keyword.source[:60]}",
            ))
        scores[situation.id] = round(total, 4)

    other = scores.pop("other", 0.0)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best_id, best = ranked[0] if ranked else ("other", 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    scores["other"] = other
    if best < rules.min_score or other > best:
        # Other: as sure as its own keywords beat the best situation, or as that situation is weak.
        confidence = max(_confidence(other, best), 1.0 - _confidence(best, 0.0))
        best_id, second_id = "other", (best_id if best >= rules.min_score else None)
    else:
        confidence = _confidence(best, max(second, other))
        second_id = next((sid for sid, s in ranked[1:] if s >= rules.min_score and s >= 0.5 * best), None)
    used = {best_id, second_id}
    return Classification(
        situation=best_id,
        confidence=round(confidence, 4),
        secondary=second_id,
        scores=scores,
        evidence=[e for e in evidence if e.name in used],
    )
