"""Which billing situation a message is about: keywords of the rules file, combined with a trained model.

The keywords are transparent: every score is a sum of matched keywords that
the review screen can show. Text the customer wrote now counts fully; quoted
history (often our own request) counts little, a forwarded message more.

The trained model (``textcat.py``) reads the subject and the new text (the
forwarded request for a bare forward), the way its examples are written, and
generalises to wordings the keywords do not know. ``combine`` merges the two
votes: when they agree the confidence rises; when they disagree the stronger
vote wins but the confidence falls with the loser's conviction, so the
message goes to review (``[classifier] review_below``); strong keywords beat
a weak model, a confident model beats weak or absent keywords. Without a
model (a broken install) the keywords decide alone.

A request often comes with a side topic (the machine is down, an invoice is
disputed, toner is wanted, a price asked): the request is the situation and
the side topic, found by the keywords of "other", is the secondary one, so
the person who reads the case sees both. A negated request ("nous ne
souhaitons pas résilier") is data too: negative keywords cancel its hits, and
one marked ``negates`` rules the situation out of the model's choice unless
the request is made again elsewhere in the customer's words. Values a mail
cites (``cites``: "31 204 au 30/06", "22 600 pages") show readings are there,
not what for: beside a topic about them (``about_values``: an invoice dispute
quoting the counter it disputes), a situation only they found is ruled out.

When the whole mail still reads as "other", two readings look for a request
the side topic hides, and send what they find to a person (confidence under
review_below): a new postal address written under a cue that calls it new
(the situations that need one), and a paragraph that, read alone, the model
calls a request the keywords also saw.

Its size: the keywords' scores, the model's vote and the two readings of a
hidden request are one decision, each step reading the others' evidence and
exclusions; apart, they would pass that state around.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass, field, replace

from mailbot.read import textcat
from mailbot.read.analysis import Evidence
from mailbot.read.htmltext import fold
from mailbot.read.literals import may_match
from mailbot.read.quotes import PARAGRAPH_BREAK, Parts, answered_question, request
from mailbot.read.rules import Keyword, Rules, Situation

SUBJECT_WEIGHT = 1.0
REPLY_SUBJECT_WEIGHT = 0.3  # "RE: …" mostly repeats the wording of our own mail
NEW_WEIGHT = 1.0
QUOTED_WEIGHT = 0.25
FORWARDED_WEIGHT = 0.6
QUESTION_WEIGHT = 0.65  # our question a short answer replies to ("5830-0912-774" under "le numéro de série … ?"): one
# strong word of it (weight 4: "your request to terminate your contract") names the situation alone (min_score 2.5)
SATURATION = 2.0  # score at which strength reaches one half
ABSENCE = 0.3  # how much "no situation keyword at all" backs "other" against the model
AGREEMENT_SHARE = 0.5  # agreement raises the stronger vote by this share of the weaker one
SECONDARY_PROB = 0.25  # a model probability that makes a second situation worth reporting
REQUEST_SCORE = 1.6  # a request's keyword score, in min_scores, that the model's "other" does not overrule
ADDRESS_WORDS = 0.3  # a new address's support for a situation whose address_words the new text has (rules.Situation)
ADDRESS_DOUBT = 0.45  # a request read from a new address alone, against both readers' "other", is this sure at most
PARAGRAPH_PROB = 0.6  # the model's probability for a request in one paragraph of a mail that reads as "other"
PARAGRAPH_WORDS = 6  # shorter paragraphs (a greeting, a thank-you) are not read alone
PARAGRAPH_DOUBT = 0.4  # a request read in one paragraph is this sure at most (under review_below: a person confirms)
PARAGRAPH_MAX = 20  # paragraphs read alone, the first ones (a hostile mail of thousands is not read thousands of times)

_SOURCE_SEPARATOR = "\n\x00\n"  # no keyword matches across it: not a word, a space or a letter
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|tr|fwd?|aw|wg|réf)\s*:", re.I)


@dataclass
class Classification:
    situation: str
    confidence: float
    secondary: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    matched: list[Evidence] = field(default_factory=list, repr=False)  # every keyword hit, of any situation
    side_topic: bool = False  # an "other" topic (toner, breakdown, dispute…) asked in the customer's own words
    excluded: frozenset[str] = frozenset()  # situations a keyword in the subject or new text rules out (``excludes``)




def _sources(subject: str, parts: Parts) -> list[tuple[str, str, float]]:
    """(name, folded text, weight) for every place a keyword may appear."""
    subject_weight = REPLY_SUBJECT_WEIGHT if _REPLY_SUBJECT.match(subject) else SUBJECT_WEIGHT
    inner = request(parts)  # a bare forward's request, or the history a short reply answers in, is read as new
    new, quoted = inner.new, inner.quoted
    return [
        ("subject", fold(subject), subject_weight),
        ("new", fold(new), NEW_WEIGHT),
        ("question", fold(answered_question(new, quoted)), QUESTION_WEIGHT),
        ("earlier", fold(inner.earlier), NEW_WEIGHT),  # "tout est dans mon message ci-dessous" under ours: own words
        ("quoted", fold(quoted), FORWARDED_WEIGHT if parts.forwarded else QUOTED_WEIGHT),
    ]


def _asked_elsewhere(situation: Situation, joined: str, negations: list[Keyword],
                     own: list[tuple[int, int]], strong: float) -> bool:
    """Is the request its negations cancel made again in the customer's own words, outside every one of them, by a
    keyword that says it alone (``strong``: "We do not wish to terminate the agreements for the two PlotWave units.
    However, we would like to terminate the contract for the ColorWave"; not "… contrairement à la facture, qui
    mentionne « fin de contrat au 31/12 »", a weak cue)?"""
    for keyword in negations:
        for start, end in [m.span() for m in keyword.folded.finditer(joined)]:
            joined = joined[:start] + " " * (end - start) + joined[end:]
    return any(keyword.weight >= strong and keyword.folded.search(joined, start, end)
               for keyword in situation.keywords for start, end in own)


def _negations(situation: Situation, joined: str) -> dict[int, list[re.Match[str]]]:
    """Where the text negates the situation's request ("nous ne souhaitons pas résilier", "Question facture – pas de
    résiliation"): each negating keyword's index among the situation's keywords -> its matches (searched once)."""
    return {i: list(keyword.folded.finditer(joined)) for i, keyword in enumerate(situation.keywords) if keyword.negates
            and (keyword.needs is None or may_match(joined, keyword.needs))}


def _inside(match: re.Match[str], spans: list[tuple[int, int]]) -> int:
    """The end of the span the match starts in ("résiliation" in "pas de résili…"), or 0."""
    return next((end for start, end in spans if start <= match.start() < end), 0)


def _same_sentence(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    """Do two matches of ``text`` stand in one sentence (no sentence end nor line break between them)?"""
    start, end = sorted((a.start(), b.start()))
    return not _SENTENCE_BREAK.search(text, start, end)


def _sentence(text: str, match: re.Match[str]) -> str:
    """The sentence of ``text`` a match stands in (at most 300 characters each side)."""
    before = [b.end() for b in _SENTENCE_BREAK.finditer(text, max(0, match.start() - 300), match.start())]
    after = _SENTENCE_BREAK.search(text, match.end(), match.end() + 300)
    return text[before[-1] if before else max(0, match.start() - 300) : after.start() if after else match.end() + 300]


_QUESTION_SUBJECT = re.compile(r"\?\s*+$|\A\W*+question\b")  # on a folded subject
_SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)|\n")
_INVOICE = re.compile(r"factur|invoice|charged|billed")  # on folded text


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


def keyword_classify(subject: str, parts: Parts, rules: Rules) -> Classification:
    """Keywords alone: score every situation, pick the best; "other" when nothing scores enough.

    A side topic is one hit of an "other" keyword that reaches min_score by
    itself where it was found: a topic for a person (toner, breakdown,
    dispute, price, the customer's own bank account) written in the subject
    or the new text, not a courtesy ("merci", "bien reçu") nor quoted history.
    """
    # The sources, heaviest first, in one text: a keyword is searched once, and its first match is in
    # the heaviest source that has one (a separator no pattern crosses keeps the sources apart).
    sources = sorted((src for src in _sources(subject, parts) if src[1]), key=lambda src: -src[2])
    joined = _SOURCE_SEPARATOR.join(text for _, text, _ in sources)
    ends = list(accumulate(len(text) + len(_SOURCE_SEPARATOR) for _, text, _ in sources))
    scores: dict[str, float] = {}
    evidence: list[Evidence] = []
    side_topic = False
    excluded: set[str] = set()
    # the customer's own words: the new text, and a subject not our own repeated ("RE: Passage à la facture
    # électronique" above "nous ne souhaitons pas recevoir nos factures par e-mail" asks nothing again) nor a question
    # ("Question résiliation contrat", "Résiliation ?" above "quel serait le préavis de résiliation ?")
    own = [(end - len(text) - len(_SOURCE_SEPARATOR), end - len(_SOURCE_SEPARATOR))
           for (name, text, weight), end in zip(sources, ends)
           if name == "new"
           or (name == "subject" and weight != REPLY_SUBJECT_WEIGHT and not _QUESTION_SUBJECT.search(text))]
    cited_only: dict[str, list[re.Match[str]]] = {}  # situations only values the mail cites found ("31 204 au 30/06")
    about: list[tuple[str, re.Match[str]]] = []  # a topic about such values in the customer's words (a dispute)
    for situation in rules.situations.values():
        total, negations, worded, cited = 0.0, [], False, []
        negating = _negations(situation, joined)
        negated = [m.span() for matches in negating.values() for m in matches]
        for i, keyword in enumerate(situation.keywords):
            if keyword.needs is not None and not may_match(joined, keyword.needs):
                continue  # a text every match contains is not there: a search would fail
            match = (negating[i] or [None])[0] if keyword.negates else keyword.folded.search(joined)
            while match and keyword.weight > 0 and (inside := _inside(match, negated)):
                match = keyword.folded.search(joined, inside)  # "pas de résiliation": no request of one
            if not match:
                continue
            name, _, weight = sources[bisect_right(ends, match.start())]
            total += keyword.weight * weight
            cited += [match] if keyword.cites else []
            worded = worded or (keyword.weight > 0 and not keyword.cites)
            if name in ("subject", "new"):
                excluded.update(keyword.excludes)
                about += [(name, match)] if keyword.about_values else []
                if keyword.negates:
                    negations.append(keyword)
            side_topic = side_topic or (situation.id == "other" and keyword.weight * weight >= rules.min_score)
            evidence.append(Evidence(
                "classify", situation.id, match.group(0)[:80],
                f"{name} ×{weight:g}, weight {keyword.weight:g}: {keyword.source[:60]}", source=name,
            ))
        scores[situation.id] = round(total, 4)
        if negations and total <= 0 and not _asked_elsewhere(situation, joined, negations, own, rules.min_score):
            excluded.add(situation.id)  # "nous ne souhaitons pas résilier": ruled out, however sure the model is
        if cited and not worded:
            cited_only[situation.id] = cited
    for situation_id, cited in cited_only.items():
        # "nous contestons la facture : … alors que notre compteur affichait 31 204": the dispute's evidence, when
        # the dispute is the subject, or the values are in its sentence or one about the invoice ("Votre facture porte
        # sur 9 000 m² estimés … Nous la contestons"; not "Counters: black 145 220. Also, please refund …")
        if any(name == "subject" or any(_same_sentence(joined, match, value) or _INVOICE.search(_sentence(joined, value))
                                        for value in cited) for name, match in about):
            scores[situation_id] = 0.0
            excluded.add(situation_id)

    other = scores.pop("other", 0.0)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best_id, best = ranked[0] if ranked else ("other", 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    scores["other"] = other
    if best < rules.min_score or (other > best + rules.min_score and not _written_out(best_id, best, evidence, rules)):
        # Other: as sure as its own keywords beat the best situation, or as that situation is weak.
        # A request that reaches min_score keeps its place beside a side topic unless the side topic
        # outweighs it by min_score more: then its words are incidental (a toner order's "commande"), unless
        # the request is written out in the subject or the new text (REQUEST_SCORE): two side topics do not
        # hide "nous avons décidé de résilier le contrat".
        confidence = max(_confidence(other, best), 1.0 - _confidence(best, 0.0))
        best_id, second_id = "other", (best_id if best >= rules.min_score else None)
    else:
        confidence = _confidence(best, max(second, other))
        second_id = next((sid for sid, s in ranked[1:] if s >= rules.min_score and s >= 0.5 * best), None)
        second_id = second_id or ("other" if side_topic else None)
    used = {best_id, second_id}
    return Classification(
        situation=best_id,
        confidence=round(confidence, 4),
        secondary=second_id,
        scores=scores,
        evidence=[e for e in evidence if e.name in used],
        matched=evidence,
        side_topic=side_topic,
        excluded=frozenset(excluded),
    )


def _strength(score: float) -> float:
    """A keyword score mapped to [0, 1): one half at SATURATION."""
    return _confidence(score, 0.0)


def _keyword_support(keywords: Classification, label: str) -> float:
    """How much the keywords back ``label``, in [0, 1).

    For "other": its own keywords (toner, breakdown, thanks…), or, failing
    them, the absence of any situation's keywords, which counts only a little
    (ABSENCE): nothing found is also what an unseen wording looks like.
    """
    if label != "other":
        return _strength(keywords.scores.get(label, 0.0))
    best = max((s for sid, s in keywords.scores.items() if sid != "other"), default=0.0)
    return max(_strength(keywords.scores.get("other", 0.0)), ABSENCE * (1.0 - _strength(best)))


def _side_topic_explains(keywords: Classification, model_id: str, probs: dict[str, float]) -> bool:
    """Is the model's "other" the side topic the keywords found beside their request?

    The model gives one label, so a request written beside a toner order or
    a breakdown splits its probability; when it still sees the keywords'
    request (at least SECONDARY_PROB) and the keywords found the side topic,
    both readers saw the same two things, and the request is the situation.
    """
    return (model_id == "other" and keywords.situation != "other" and keywords.side_topic
            and probs.get(keywords.situation, 0.0) >= SECONDARY_PROB)


def _request_over_other(keywords: Classification, model_id: str, rules: Rules) -> bool:
    """Does a request the keywords found in the customer's own words win over the model's "other"?

    The model reads a whole mail as one topic, and mail about a breakdown, a
    dispute or a question is "other" in its examples; but a request written
    out (REQUEST_SCORE: two keywords' worth, at least one in the subject or
    the new text) is a request for a person to act on, whatever else the mail
    says. Negated requests score nothing (negative keywords), so they stay
    "other". The model's doubt still lowers the confidence (review).
    """
    if keywords.situation == "other" or (model_id != "other" and keywords.scores.get(model_id, 0.0) > 0):
        return False  # (a request the model reads where the keywords found nothing of it loses too: "Nouvelle adresse de
        # facturation", an address block, and an order's number in brackets is no order change)
    return _written_out(keywords.situation, keywords.scores.get(keywords.situation, 0.0), keywords.matched, rules)


def _written_out(situation_id: str, score: float, hits: list[Evidence], rules: Rules) -> bool:
    """Is a request written out: REQUEST_SCORE in min_scores, at least one keyword in the subject or the new
    text ("Nous avons décidé de résilier le contrat")?"""
    return score >= REQUEST_SCORE * rules.min_score and any(
        e.name == situation_id and e.source in ("subject", "new", "earlier") for e in hits)


def _for_review(confidence: float, rules: Rules) -> float:
    """A confidence under review_below, whatever the settings: a person confirms a request read this way."""
    return round(min(confidence, 0.9 * rules.review_below), 4)


def _address_request(result: Classification, probs: dict[str, float] | None, rules: Rules,
                     new_text: str = "") -> Classification:
    """A mail read as "other" that gives a new postal address asks for a situation that needs one.

    The customer wrote a new address under a cue that calls it new
    (extract.gives_new_address): that is a request, however the mail words it
    and whatever side topic (a dispute, a breakdown, the bank account) made
    the readers call it "other". The situations whose ``required`` has
    new_address are the candidates (an invoice address, a move); the one the
    model and the keywords favour wins, with ADDRESS_WORDS more for the one
    whose ``address_words`` the new text has (a machine for a move,
    invoices for an invoice address). Both readers said "other", so a person
    confirms it (confidence under ADDRESS_DOUBT).
    """
    candidates = [s.id for s in rules.situations.values() if "new_address" in s.required]
    if result.situation != "other" or not candidates:
        return result
    probs = probs or {}
    folded = fold(new_text)
    support = {sid: probs.get(sid, 0.0) + _strength(result.scores.get(sid, 0.0)) + ADDRESS_WORDS * bool(
        (words := rules.situations[sid].address_words) and words.search(folded)) for sid in candidates}
    situation = max(candidates, key=support.__getitem__)
    detail = ", ".join(f"{sid} {value:.2f}" for sid, value in support.items())
    return _hidden_request(result, situation, ADDRESS_DOUBT * support[situation] / (sum(support.values()) or 1.0),
                           Evidence("classify", "new_address_given", "", f"a new postal address in the new text; {detail}"),
                           rules, "other" if result.side_topic else result.secondary)


def _hidden_request(result: Classification, situation: str, confidence: float, why: Evidence,
                    rules: Rules, secondary: str | None) -> Classification:
    """The request a reading found under a mail that reads as "other": a person confirms it (confidence under
    review_below)."""
    return Classification(
        situation=situation,
        confidence=_for_review(confidence, rules),
        secondary=secondary,
        scores=result.scores,
        evidence=[e for e in result.matched if e.name in (situation, "other")] + [why],
        matched=result.matched,
        side_topic=result.side_topic,
        excluded=result.excluded,
    )


def combine(keywords: Classification, probs: dict[str, float] | None, rules: Rules,
            gives_address: bool = False, new_text: str = "") -> Classification:
    """``combine_votes``, then, when the new text gives a new postal address, ``_address_request``."""
    result = combine_votes(keywords, probs, rules)
    return _address_request(result, probs, rules, new_text) if gives_address else result


def combine_votes(keywords: Classification, probs: dict[str, float] | None, rules: Rules) -> Classification:
    """One decision from the keyword vote and the model's probabilities (None: keywords alone).

    - Agreement: the stronger of the two, raised by half the weaker one's share
      of what is left: max + (1 - max) × min / 2. Two weak votes stay weak.
    - Disagreement: the stronger vote wins (keywords on a tie, and a request
      whose side topic is what the model calls "other") and its
      strength is multiplied by (1 - opposition), where opposition is how much
      the loser prefers its own label to the winner's (for the model, the
      difference of the two probabilities; for the keywords, of the two
      keyword strengths). A confident loser drives the confidence down, to review.
    - Keyword strength is the keyword classifier's confidence (for "other",
      ``_keyword_support``: a keyword-less message is only weak evidence);
      the model's is its top probability.
    - Secondary: the keywords' secondary situation, else the losing keyword
      situation when it reached min_score, else the next label the model
      gives at least SECONDARY_PROB; failing a second request, "other" when
      the keywords found a side topic beside the request.
    """
    if probs is None:
        return keywords
    probs = {label: p for label, p in probs.items() if label in rules.situations}
    if not probs:
        return keywords
    ranked = textcat.top(probs, len(probs))
    model_id, model_conf = ranked[0]
    keyword_id = keywords.situation
    keyword_conf = keywords.confidence if keyword_id != "other" else _keyword_support(keywords, "other")
    if model_id == keyword_id:
        situation, how = keyword_id, "keywords and model agree"
        high, low = max(keyword_conf, model_conf), min(keyword_conf, model_conf)
        confidence = high + (1.0 - high) * low * AGREEMENT_SHARE
    elif keyword_conf >= model_conf or _side_topic_explains(keywords, model_id, probs) or _request_over_other(
            keywords, model_id, rules) or model_id in keywords.excluded:
        situation, how = keyword_id, f"keywords over model ({model_id})"
        opposition = max(0.0, model_conf - probs.get(keyword_id, 0.0))
        confidence = keyword_conf * (1.0 - opposition)
    else:
        situation, how = model_id, f"model over keywords ({keyword_id})"
        opposition = max(0.0, _keyword_support(keywords, keyword_id) - _keyword_support(keywords, model_id))
        confidence = model_conf * (1.0 - opposition)

    candidates = [keywords.secondary]
    if keyword_id != situation and keywords.scores.get(keyword_id, 0.0) >= rules.min_score:
        candidates.append(keyword_id)
    candidates.extend(label for label, p in ranked if p >= SECONDARY_PROB)
    secondary = next((c for c in candidates if c and c not in (situation, "other") and c not in keywords.excluded), None)
    if secondary is None and situation != "other" and keywords.side_topic:
        secondary = "other"

    used = {situation, secondary}
    detail = ", ".join(f"{label} {p:.2f}" for label, p in ranked[:3])
    return Classification(
        situation=situation,
        confidence=round(min(max(confidence, 0.0), 1.0), 4),
        secondary=secondary,
        scores=keywords.scores,
        evidence=[e for e in keywords.matched if e.name in used] + [Evidence("classify", "model", how, detail)],
        matched=keywords.matched,
        side_topic=keywords.side_topic,
        excluded=keywords.excluded,
    )


def _paragraph_request(result: Classification, parts: Parts, rules: Rules,
                       model: textcat.TextModel | None) -> Classification:
    """A mail read as "other" whose new text has a paragraph that, read alone, is a request.

    The model reads a whole mail as one topic: a long paragraph about a
    breakdown, a disputed invoice or a quote makes it "other", though a short
    paragraph below asks for a change ("Autre point : le numéro de commande
    devient …"). Each paragraph of PARAGRAPH_WORDS words or more is read
    alone; the request the model gives PARAGRAPH_PROB or more, whose
    keywords the mail has (a score above zero: something of it is written
    out), and that the keywords do not find negated in that paragraph ("nous
    ne souhaitons pas résilier"), is the situation, the side topic the
    secondary one, and a person confirms it (confidence under
    PARAGRAPH_DOUBT). The README gives what it changed on 200 hard examples
    written for training and not trained on.
    """
    if result.situation != "other" or model is None:
        return result
    paragraphs = [p for p in PARAGRAPH_BREAK.split(request(parts).new) if len(p.split()) >= PARAGRAPH_WORDS]
    paragraphs = paragraphs[:PARAGRAPH_MAX]
    if len(paragraphs) < 2:
        return result  # the whole mail is that paragraph: the model has read it already
    best: tuple[float, str, str] | None = None
    for paragraph, probs in zip(paragraphs, model.predict_many(paragraphs)):
        label, prob = max(((lb, p) for lb, p in probs.items() if lb in rules.situations), key=lambda lp: lp[1],
                          default=("other", 0.0))
        if label == "other" or prob < PARAGRAPH_PROB or result.scores.get(label, 0.0) <= 0:
            continue  # the keywords must have seen something of that request in the mail
        own = keyword_classify("", Parts(new=paragraph, quoted="", signature="", forwarded=False), rules)
        if own.scores.get(label, 0.0) < 0:
            continue  # negated there
        if best is None or prob > best[0]:
            best = (prob, label, paragraph)
    if best is None:
        return result
    prob, label, paragraph = best
    why = Evidence("classify", "request_paragraph", paragraph.strip()[:80],
                   f"{label} {prob:.2f} in one paragraph read alone; the whole mail reads as other")
    return _hidden_request(result, label, PARAGRAPH_DOUBT * prob, why, rules, "other")  # the rest is the side topic


def classify(subject: str, parts: Parts, rules: Rules, model: textcat.TextModel | None,
             gives_address: bool = False) -> Classification:
    """The situation of a message: keywords and ``model`` (keywords alone without one); ``gives_address``:
    the customer's new text gives a new postal address (extract.gives_new_address); failing a request,
    one paragraph read alone may hold one (``_paragraph_request``)."""
    keywords = keyword_classify(subject, parts, rules)
    probs = model.predict(textcat.model_text(subject, parts)) if model is not None else None
    result = _paragraph_request(combine(keywords, probs, rules, gives_address, request(parts).new), parts, rules, model)
    return _keywords_decide(result, subject, parts, rules)


def _keywords_decide(result: Classification, subject: str, parts: Parts, rules: Rules) -> Classification:
    """Two requests of a pair the rules leave to the customer's words (classifier.keywords_decide), both found by the
    keywords: the secondary one leads instead when its keywords weigh more and it is written first (subject, then new text)
    (a request named first as the mere reason of the other, "As we use e-invoicing, every invoice must carry a PO",
    weighs less; on a tie, as combined)."""
    pair = (result.situation, result.secondary or "")
    if frozenset(pair) not in rules.keywords_decide:
        return result
    lead, other = pair
    if result.scores.get(other, 0.0) <= result.scores.get(lead, 0.0) or result.scores.get(lead, 0.0) < rules.min_score:
        return result
    # where each is first written: the subject comes first ("Contrat X – factures par courriel"), then the new text
    text = f"{fold(subject)}\n{fold(request(parts).new)}"
    at = {s: min((m.start() for k in rules.situations[s].keywords if k.weight > 0 and (m := k.folded.search(text))),
                 default=None) for s in pair}
    if at[other] is None or (at[lead] is not None and at[lead] < at[other]):
        return result
    why = Evidence("classify", "keywords_decide", other, f"{other} is written first and its keywords weigh more than "
                   f"{lead}'s ({result.scores[other]:g} to {result.scores[lead]:g})")
    return replace(result, situation=other, secondary=lead, evidence=[*result.evidence, why])
