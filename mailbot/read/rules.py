"""The situations file (classifiers/situations.toml) loaded into checked dataclasses.

Required fields, lead times, routes and classifier keywords are business
rules that change without a release, so they live in a TOML file. A mistake
in that file must stop the program with a message naming the bad key, not
surface later as a wrong reply.

The words of a missing item (``[fields.<name>]``: label and where to find it)
can be changed for one situation by ``[situations.<id>.fields.<name>]`` with
any of the same four keys: a move asks for the new site's postal address, an
invoice-address change for a postal or an e-mail address. ``Rules.field``
gives the merged texts.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from mailbot import paths
from mailbot.read.literals import Needs, required_literals

ATTACHED_NAMES = ("new_address", "siren")  # what extract._from_attachments reads beyond the required fields
ROUTES = ("contracts", "sales", "account_manager", "self_service", "service_desk")
FIELD_TEXT_KEYS = ("label_fr", "label_en", "where_fr", "where_en")
FIELD_NAMES = (
    "contract_number", "po_number", "serial_numbers", "new_address",
    "kbis", "customer_number", "new_email", "meter_readings",
)


class RulesError(ValueError):
    """The situations file is missing, unreadable or has a bad key."""


@dataclass(frozen=True)
class Keyword:
    """A weighted pattern. ``pattern`` matches any text, ignoring case and accents
    in the pattern; ``folded`` is the same pattern for text already folded by
    ``htmltext.fold`` (lower case, no accents), without IGNORECASE, which makes
    Python's regex engine over twice as fast."""

    pattern: re.Pattern[str]
    folded: re.Pattern[str]
    weight: float
    needs: Needs | None = None  # the texts every match of ``folded`` contains (literals.py)
    # situations it rules out, whatever the model reads: "nous recevons déjà vos factures par mail" is no switch to
    # e-mailed invoices
    excludes: tuple[str, ...] = ()
    # a negation of its own situation's request ("nous ne souhaitons pas résilier"): that situation is ruled out
    # when its keywords come to nothing and the request is not made elsewhere in the customer's words
    negates: bool = False
    # a value the mail cites (a number and its unit, a counter and its value): it shows readings are there, not
    # what they are for
    cites: bool = False
    # a topic about values the mail cites ("nous contestons la facture : … alors que le compteur affichait 31 204"):
    # found in the subject or the new text, it rules out a situation that only cited values found
    about_values: bool = False

    @property
    def source(self) -> str:
        return self.pattern.pattern


@dataclass(frozen=True)
class Situation:
    id: str
    label_fr: str
    label_en: str
    required: tuple[str, ...]
    lead_time_months: int
    route: str
    sensitive: bool
    keywords: tuple[Keyword, ...]
    generic_email: bool = False  # new_email must be a service address, not jean.dupont@…
    postal_address: bool = False  # new_address must be a postal address (a move), an e-mail does not do
    effective_date: bool = True  # false: the request takes effect at no date (readings, remote reading): none is read
    new_address: bool = True  # false: the request gives no new postal address (readings, remote reading): none is read
    dated_by_day: bool = False  # true: a day with a weak cue is the request's date, nothing else competing (a move)
    # fields an attachment the body sends to may give beyond the required ones (a takeover's letter or form: the new
    # entity's SIREN and address)
    attached: tuple[str, ...] = ()
    forward_action: str = ""     # what the colleague who gets the complete case must do (French)
    # words that make a new postal address this situation's (a machine for a move, invoices for an invoice
    # address), on folded text: classify._address_request weighs them when a mail gives an address and nothing else
    address_words: re.Pattern[str] | None = None
    # [situations.<id>.fields.<name>]: this situation's own texts for a missing item, by key
    field_texts: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)

    @property
    def weak_dates(self) -> bool | str:
        """Which date a weak cue alone gives, nothing else competing (extract_all's ``lead_time``): any, for a
        request with a notice to meet; a day, for one that happens on a day (``dated_by_day``: a move); else none."""
        return bool(self.lead_time_months) or ("day" if self.dated_by_day else False)


@dataclass(frozen=True)
class FieldInfo:
    name: str
    label_fr: str
    label_en: str
    where_fr: str
    where_en: str


@dataclass(frozen=True)
class Rules:
    situations: dict[str, Situation]
    fields: dict[str, FieldInfo]
    review_below: float
    min_score: float
    # pairs of requests that, made in one mail, the keywords decide between (classifier.keywords_decide)
    keywords_decide: tuple[frozenset[str], ...] = ()

    def situation(self, situation_id: str) -> Situation:
        return self.situations.get(situation_id, self.situations["other"])

    def field(self, situation_id: str, name: str) -> FieldInfo | None:
        """The texts of a missing item for one situation: ``[fields.<name>]`` with the
        situation's own ``[situations.<id>.fields.<name>]`` keys over it."""
        base = self.fields.get(name)
        own = self.situation(situation_id).field_texts.get(name)
        return replace(base, **own) if base is not None and own else base


def strip_accents(text: str) -> str:
    """"é" to "e" and so on, keeping case, so patterns match folded text."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _lower_literals(pattern: str) -> str:
    """Lower-case a pattern's letters but not its escapes (\\D, \\S, \\W and so on)."""
    return re.sub(r"\\.|[A-Z]", lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(), pattern)


def _get(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in table:
        raise RulesError(f"{where}.{key}: missing")
    value = table[key]
    if not isinstance(value, kind) or (kind in (int, float, (int, float)) and isinstance(value, bool)):
        raise RulesError(f"{where}.{key}: expected {getattr(kind, '__name__', 'a number')}, got {value!r}")
    return value


def _keywords(items: list[Any], where: str) -> tuple[Keyword, ...]:
    keywords = []
    for i, item in enumerate(items):
        here = f"{where}.keywords[{i}]"
        if not isinstance(item, dict):
            raise RulesError(f"{here}: expected a table {{ pattern, weight }}")
        source = _get(item, "pattern", str, here)
        weight = _get(item, "weight", (int, float), here)
        excludes = _get(item, "excludes", list, here) if "excludes" in item else []
        if not all(isinstance(e, str) for e in excludes):
            raise RulesError(f"{here}.excludes: expected a list of situation ids")
        negates = _get(item, "negates", bool, here) if "negates" in item else False
        if negates and weight >= 0:
            raise RulesError(f"{here}.negates: only a negative weight negates a request")
        cites = _get(item, "cites", bool, here) if "cites" in item else False
        about_values = _get(item, "about_values", bool, here) if "about_values" in item else False
        try:
            pattern = re.compile(strip_accents(source), re.IGNORECASE)
            folded = re.compile(_lower_literals(strip_accents(source)))
        except re.error as exc:
            raise RulesError(f"{here}.pattern: bad regular expression: {exc}") from None
        keywords.append(Keyword(pattern, folded, float(weight), required_literals(folded), tuple(excludes), negates,
                                cites, about_values))
    return tuple(keywords)


def _situation(situation_id: str, table: Any) -> Situation:
    where = f"situations.{situation_id}"
    if not isinstance(table, dict):
        raise RulesError(f"{where}: expected a table")
    required = _get(table, "required", list, where)
    attached = _get(table, "attached", list, where) if "attached" in table else []
    for key, names, known in (("required", required, FIELD_NAMES), ("attached", attached, ATTACHED_NAMES)):
        for name in names:
            if name not in known:
                raise RulesError(f"{where}.{key}: unknown field {name!r} (known: {', '.join(known)})")
    lead = _get(table, "lead_time_months", int, where)
    if lead < 0:
        raise RulesError(f"{where}.lead_time_months: must be 0 or more")
    route = _get(table, "route", str, where)
    if route not in ROUTES:
        raise RulesError(f"{where}.route: {route!r} is not one of {', '.join(ROUTES)}")
    field_texts = {}
    for name, texts in (_get(table, "fields", dict, where) if "fields" in table else {}).items():
        here = f"{where}.fields.{name}"
        if name not in FIELD_NAMES:
            raise RulesError(f"{here}: unknown field (known: {', '.join(FIELD_NAMES)})")
        if not isinstance(texts, dict):
            raise RulesError(f"{here}: expected a table of {', '.join(FIELD_TEXT_KEYS)}")
        for key in texts:
            if key not in FIELD_TEXT_KEYS:
                raise RulesError(f"{here}.{key}: unknown key (known: {', '.join(FIELD_TEXT_KEYS)})")
        field_texts[name] = {key: _get(texts, key, str, here) for key in texts}
    return Situation(
        id=situation_id,
        label_fr=_get(table, "label_fr", str, where),
        label_en=_get(table, "label_en", str, where),
        required=tuple(required),
        lead_time_months=lead,
        route=route,
        sensitive=_get(table, "sensitive", bool, where),
        keywords=_keywords(_get(table, "keywords", list, where), where),
        generic_email=_get(table, "generic_email", bool, where) if "generic_email" in table else False,
        postal_address=_get(table, "postal_address", bool, where) if "postal_address" in table else False,
        effective_date=_get(table, "effective_date", bool, where) if "effective_date" in table else True,
        new_address=_get(table, "new_address", bool, where) if "new_address" in table else True,
        dated_by_day=_get(table, "dated_by_day", bool, where) if "dated_by_day" in table else False,
        attached=tuple(attached),
        forward_action=_get(table, "forward_action", str, where) if "forward_action" in table else "",
        address_words=_keywords([{"pattern": _get(table, "address_words", str, where), "weight": 1}],
                                f"{where}.address_words")[0].folded if "address_words" in table else None,
        field_texts=field_texts,
    )


def parse_rules(data: dict[str, Any]) -> Rules:
    """Check a decoded situations file and build the rules."""
    situations_table = _get(data, "situations", dict, "file")
    situations = {sid: _situation(sid, table) for sid, table in situations_table.items()}
    if "other" not in situations:
        raise RulesError("situations.other: missing (the fallback situation is required)")
    fields_table = _get(data, "fields", dict, "file")
    fields = {}
    for name, table in fields_table.items():
        where = f"fields.{name}"
        if not isinstance(table, dict):
            raise RulesError(f"{where}: expected a table")
        texts = (_get(table, key, str, where) for key in FIELD_TEXT_KEYS)
        fields[name] = FieldInfo(name, *texts)
    for situation in situations.values():
        for name in situation.required:
            if name not in fields:
                raise RulesError(f"fields.{name}: missing (required by situations.{situation.id})")
        for name in situation.field_texts:
            if name not in fields:
                raise RulesError(f"situations.{situation.id}.fields.{name}: no [fields.{name}] to change")
        for i, keyword in enumerate(situation.keywords):
            for excluded in keyword.excludes:
                if excluded not in situations:
                    raise RulesError(f"situations.{situation.id}.keywords[{i}].excludes: unknown situation {excluded!r}")
    classifier = _get(data, "classifier", dict, "file")
    review_below = float(_get(classifier, "review_below", (int, float), "classifier"))
    if not 0.0 <= review_below <= 1.0:
        raise RulesError("classifier.review_below: must be between 0 and 1")
    min_score = float(_get(classifier, "min_score", (int, float), "classifier")) if "min_score" in classifier else 2.0
    pairs = _get(classifier, "keywords_decide", list, "classifier") if "keywords_decide" in classifier else []
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, list) and len(pair) == 2 and all(p in situations for p in pair) and pair[0] != pair[1]):
            raise RulesError(f"classifier.keywords_decide[{i}]: expected two different situation ids, got {pair!r}")
    return Rules(situations, fields, review_below, min_score, tuple(frozenset(pair) for pair in pairs))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """classifiers/situations.toml, read once per process."""
    return load_rules()


def load_rules(path: Path | str = paths.SITUATIONS_FILE) -> Rules:
    """Read and check the situations file; RulesError names the file and the bad key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_rules(data)
    except RulesError as exc:
        raise RulesError(f"{path}: {exc}") from None
