"""Every reply and forward template, rendered as the customer or colleague reads it.

One realistic case per situation (the fields a customer would give), in both
languages, as an acknowledgement, a request for information and a reminder,
built with ``build_reply`` and read back with the email package. Each case
says what the reply must contain: the case reference, the contact block, the
next steps of the seed's table, each missing item, the late-notice paragraph
exactly when the notice is not met, and never an IBAN nor unescaped markup.

Then what a reply may say at all (issue #9), over every reply the templates
can produce: no sentence saying the change is made or recorded, no promise
without a date, no date promised when the notice is not met, and every
sentence either one of templates/README.md's lists (the sheet's, or listed for
the business to confirm) or made only of the reply's own values.
"""

from __future__ import annotations

import html as htmllib
import os
import re
from pathlib import Path
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest
from jinja2 import meta

from mailbot.read.analysis import Analysis, empty_fields
from mailbot.paths import TEMPLATES_DIR
from mailbot.compose.replies import Bot, build_neutral, build_reply, context, environment
from mailbot.read.rules import RulesError, load_rules

RULES = load_rules()
BOT = Bot("contrats.service.wfps@cf.canon.fr", "Canon France – Service Contrats")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
CASE = "WFPS-2026-000123"
IBAN = "FR7630006000011234567890189"
IBAN_SHAPE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,}", re.I)
LANGUAGES = ("fr", "en")
KINDS = ("acknowledge", "request_info", "reminder")

# What a customer typically gives for each situation (on top of empty fields).
FIELDS = {
    "po_change": {"contract_number": "CT-104562", "po_number": "4500123456", "effective_date": "2027-01-01"},
    "equipment_move": {"serial_numbers": ["W1234567"], "new_address_postcode": "69003",
                       "effective_date": "2027-02-15"},
    "billing_entity_change": {"serial_numbers": ["W1234567", "A7654321"], "kbis": True, "siren": "552100554",
                              "effective_date": "2027-01-01"},
    "invoice_address_change": {"customer_number": "C0012345", "new_address_postcode": "69003",
                               "effective_date": "2027-01-01"},
    "invoice_by_email": {"contract_number": "CT-104562", "new_email": "factures@acme.fr",
                         "effective_date": "2027-01-01"},
    "meter_read_request": {"serial_numbers": ["W1234567"], "meter_readings": [18452, 7310]},
    "automatic_meter_reads": {"serial_numbers": ["W1234567"]},
    "contract_termination": {"serial_numbers": ["W1234567"], "effective_date": "2027-03-31"},
    "bank_details_check": {},
}
SITUATIONS = tuple(FIELDS)
# What extract.py reads beyond FORMAT.md's fields (Analysis.details), for the recap.
DETAILS = {
    "equipment_move": {"new_address": {"street": "12 allée des Frênes", "complement": "Bâtiment C",
                                       "postcode": "69003", "city": "Lyon", "cedex": None}},
    "invoice_address_change": {"new_address": {"street": "3 impasse des Vergers", "complement": None,
                                               "postcode": "69003", "city": "Lyon", "cedex": "CEDEX 03"}},
    "meter_read_request": {"meter_readings": [
        {"value": 18452, "counter": "noir", "unit": None, "serial": "W1234567", "span": [0, 6]},
        {"value": 7310, "counter": "couleur", "unit": None, "serial": "W1234567", "span": [7, 12]}]},
}

# How a required key is blanked out in the fields when it is missing.
BLANK = {
    "contract_number": {"contract_number": None},
    "po_number": {"po_number": None},
    "serial_numbers": {"serial_numbers": []},
    "new_address": {"new_address_postcode": None, "new_email": None},
    "kbis": {"kbis": False},
    "customer_number": {"customer_number": None},
    "new_email": {"new_email": None},
    "meter_readings": {"meter_readings": []},
}

# The seed's next steps and guidance, in every kind of reply, in both parts.
FACTS = {
    "po_change": {"fr": ["nouveau numéro de commande", "1 mois avant"],
                  "en": ["new purchase-order (P.O) number", "1 month before"]},
    "equipment_move": {"fr": ["interlocuteur commercial", "devis", "afin que Canon assure le déménagement"],
                       "en": ["sales contact", "quote", "so that Canon carries out the move"]},
    "billing_entity_change": {"fr": ["K-bis", "prochaines factures", "nouvelle entité", "1 mois avant"],
                              "en": ["K-bis", "next invoices", "new entity", "1 month before"]},
    "invoice_address_change": {"fr": ["nouvelle adresse de réception des factures", "1 mois avant"],
                               "en": ["new address for your invoices", "1 month before"]},
    "invoice_by_email": {"fr": ["par e-mail", "non nominative", "1 mois avant"],
                         "en": ["by e-mail", "generic", "1 month before"]},
    "meter_read_request": {"fr": ["https://meterreads.oce.com/", "pages estimées", "gestionnaire"],
                           "en": ["https://meterreads.oce.com/", "estimated pages", "account manager"]},
    "automatic_meter_reads": {"fr": ["https://meterreads.oce.com/", "transmission automatique", "au réel"],
                              "en": ["https://meterreads.oce.com/", "automatic transmission", "actual counts"]},
    "contract_termination": {"fr": ["interlocuteur commercial", "reprise du matériel", "solde copies",
                                    "montant éventuel à solder"],
                             "en": ["sales contact", "equipment pick-up", "copy balance", "amount still due"]},
    # issue #9: the caution ("Canon will never ask by e-mail…", "do not act on it and call us") was not
    # in the sheet and is gone; the sheet says the bank and where the details are
    "bank_details_check": {"fr": ["BNP Paribas", "toutes nos factures", "2e page",
                                  "coupon à joindre à votre règlement"],
                           "en": ["BNP Paribas", "every invoice", "2nd page", "payment slip"]},
}
# What an acknowledgement repeats (the values, and the date when the notice is met).
ACK_FACTS = {
    "po_change": {"fr": ["4500123456", "CT-104562", "à partir du 1er janvier 2027"],
                  "en": ["4500123456", "CT-104562", "from 1 January 2027"]},
    "equipment_move": {"fr": ["W1234567", "Nouvelle adresse : 12 allée des Frênes, Bâtiment C, 69003 Lyon"],
                       "en": ["W1234567", "New address: 12 allée des Frênes, Bâtiment C, 69003 Lyon"]},
    "billing_entity_change": {"fr": ["à partir du 1er janvier 2027"], "en": ["from 1 January 2027"]},
    "invoice_address_change": {"fr": ["C0012345", "à partir du 1er janvier 2027",
                                      "3 impasse des Vergers, 69003 Lyon CEDEX 03"],
                               "en": ["C0012345", "from 1 January 2027", "3 impasse des Vergers, 69003 Lyon CEDEX 03"]},
    "invoice_by_email": {"fr": ["factures@acme.fr", "à partir du 1er janvier 2027"],
                         "en": ["factures@acme.fr", "from 1 January 2027"]},
    "meter_read_request": {"fr": ["ont bien été reçus", "Compteur noir du matériel W1234567 : 18 452"],
                           "en": ["have been received", "Counter (black), serial number W1234567: 18,452"]},
    "automatic_meter_reads": {"fr": ["W1234567"], "en": ["W1234567"]},
    "contract_termination": {"fr": ["31 mars 2027"], "en": ["31 March 2027"]},
    "bank_details_check": {"fr": [], "en": []},
}
CONTACT = {
    "fr": ["0 820 12 40 40", "0,18 €/min", "choix 4", "du lundi au vendredi de 8h30 à 18h00",
           "Canon France – Division PPP – 14 rue Emile Borel", "CS 28646 – 75809 PARIS CEDEX 17",
           "2e page de votre facture"],
    "en": ["0 820 12 40 40", "€0.18/min", "option 4", "Monday to Friday, 8:30 am to 6:00 pm",
           "Canon France – Division PPP – 14 rue Emile Borel", "CS 28646 – 75809 PARIS CEDEX 17",
           "2nd page of your invoice"],
}
REMINDER = {"fr": ["Relance", "nous n'avons pas encore reçu", "transmise à une personne du service"],
            "en": ["Reminder", "we have not received", "passed on to a person of the Contracts Service"]}
REMINDER_PREFIX = {"fr": "Relance : ", "en": "Reminder: "}
LATE = {"fr": ["Délai de prévenance", "période de facturation suivante", "prochaine facture"],
        "en": ["Notice period", "following invoicing period", "next invoice"]}
# issue #9: why a generic address is better ("quand les personnes changent…") was not in the sheet; the
# reply now says what it read (a person's address) and what the sheet asks (a non-nominative one)
NOMINATIVE = {"fr": ["Adresse non nominative :", "semble être celle d'une personne", "factures@votre-societe.fr"],
              "en": ["Generic address:", "seems to belong to a person", "invoices@your-company.com"]}


def analysis_for(situation: str, lang: str, kind: str = "acknowledge", **changes) -> Analysis:
    """A realistic analysis of one customer e-mail; for request_info and
    reminder every required field of the situation is blanked and missing."""
    analysis = Analysis(
        message_id="<CAFx1234@mail.acme.fr>", subject="Notre contrat Canon", sender="compta@acme.fr",
        sender_name="Marie Curie", received=datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc),
        language=lang, situation=situation, confidence=0.93,
        action="acknowledge" if kind == "acknowledge" else "request_info",
    )
    analysis.fields.update(FIELDS[situation])
    analysis.details.update(DETAILS.get(situation, {}))
    rule = RULES.situation(situation)
    analysis.lead_time_ok = True if rule.lead_time_months and analysis.fields["effective_date"] else None
    if kind != "acknowledge":
        for key in rule.required:
            analysis.fields.update(BLANK[key])
        analysis.missing = list(rule.required)
    for key, value in changes.items():
        setattr(analysis, key, value)
    return analysis


def render(analysis: Analysis, kind: str):
    """(subject, text, html, raw message) of the reply, decoded."""
    reply = build_reply(analysis, case_ref=CASE, rules=RULES, bot=BOT, now=NOW, recipient="client@example.fr",
                        message_id="<x@cf.canon.fr>", kind=kind)
    msg = message_from_bytes(reply.raw, policy=policy.default)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None, "both a text/plain and a text/html part"
    return str(msg["Subject"]), text.get_content(), html.get_content(), msg


def flat(part: str) -> str:
    """What a reader sees: inline tags dropped, other tags a space, entities
    decoded, line breaks and spacing collapsed."""
    part = re.sub(r"</?(?:strong|b|em|i|sup|span|a)\b[^>]*>", "", part)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def flat_text(part: str) -> str:
    return " ".join(part.split())


def assert_says(phrases, *parts):
    for phrase in phrases:
        for name, part in zip(("text", "html"), parts):
            assert " ".join(phrase.split()) in part, f"{phrase!r} missing from the {name} part"


def cases() -> list:
    """Every situation x language x kind; nothing can be missing for a bank
    details check, so it is never asked for information."""
    return [pytest.param(situation, lang, kind, id=f"{situation}-{lang}-{kind}")
            for situation in SITUATIONS for lang in LANGUAGES for kind in KINDS
            if kind == "acknowledge" or RULES.situation(situation).required]


def test_every_situation_has_its_templates():
    names = set(environment().list_templates(extensions=["j2"]))
    expected = {f"{lang}/situations/{s}.{part}.j2" for lang in LANGUAGES for s in SITUATIONS
                for part in ("txt", "html")}
    assert len(expected) == 36
    assert expected <= names
    assert {n for n in names if "/situations/" in n} == expected, "no template for an unknown situation"
    assert set(SITUATIONS) == set(RULES.situations) - {"other"}
    for name in expected:
        source = (TEMPLATES_DIR / name).read_text(encoding="utf-8")
        assert "{% extends layout %}" in source, name
        code = re.sub(r"\{#.*?#\}", "", source, flags=re.S)  # comments may warn about it
        assert "|safe" not in code.replace(" ", ""), name


@pytest.mark.parametrize("situation, lang, kind", cases())
def test_reply(situation, lang, kind):
    subject, text, html, msg = render(analysis_for(situation, lang, kind), kind)
    t, h = flat_text(text), flat(html)

    for part in (subject, text, html):
        assert not re.search(r"\{\{|\{%|%\}|\}\}|\{#|#\}", part), "leftover template syntax"
    assert CASE in subject and CASE in t and CASE in h
    assert msg["Content-Language"] == lang
    assert_says(CONTACT[lang], t, h)
    assert_says(FACTS[situation][lang], t, h)
    label = getattr(RULES.situation(situation), f"label_{lang}")
    assert_says([label], t, h)

    if kind == "acknowledge":
        assert subject.startswith("Re: ")
        assert_says(ACK_FACTS[situation][lang], t, h)
    else:
        for key in RULES.situation(situation).required:
            field = RULES.field(situation, key)  # the situation's own words when it has them (issue #9)
            assert_says([getattr(field, f"label_{lang}"), getattr(field, f"where_{lang}")], t, h)
    if kind == "reminder":
        assert subject.startswith(REMINDER_PREFIX[lang])
        assert_says(REMINDER[lang], t, h)
    else:
        assert REMINDER[lang][-1] not in t and REMINDER[lang][-1] not in h
    # lead time met or not applicable: no late-notice paragraph
    assert LATE[lang][0] not in t and LATE[lang][0] not in h
    assert NOMINATIVE[lang][0] not in t and NOMINATIVE[lang][0] not in h
    # the templates themselves never print an account number
    assert not IBAN_SHAPE.search(text) and not IBAN_SHAPE.search(html)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 76, "text lines under 76 characters"
    assert not any(line.startswith(">From ") for line in lines), "a line began with 'From '"
    assert "\n\n\n" not in text, "at most one empty line between paragraphs"
    assert html.lstrip().startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


LATE_CASES = [pytest.param(s, lang, kind, id=f"{s}-{lang}-{kind}")
              for s in ("po_change", "invoice_address_change", "billing_entity_change", "invoice_by_email")
              for lang in LANGUAGES for kind in KINDS]


@pytest.mark.parametrize("situation, lang, kind", LATE_CASES)
def test_late_notice_iff_the_notice_is_not_met(situation, lang, kind):
    for lead_time_ok in (False, True, None):
        _, text, html, _ = render(analysis_for(situation, lang, kind, lead_time_ok=lead_time_ok), kind)
        t, h = flat_text(text), flat(html)
        if lead_time_ok is False:
            assert_says(LATE[lang], t, h)
            date = "1er janvier 2027" if lang == "fr" else "1 January 2027"
            assert_says([f"({date})"], t, h)
        else:
            assert LATE[lang][0] not in t and LATE[lang][0] not in h


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", ("request_info", "reminder"))
def test_a_personal_address_for_invoices_is_explained(lang, kind):
    analysis = analysis_for("invoice_by_email", lang, kind,
                            details={"new_email": {"address": "jean.dupont@acme.fr", "nominative": True}},
                            missing=["new_email"])
    analysis.fields.update(contract_number="CT-104562", new_email="jean.dupont@acme.fr")
    _, text, html, _ = render(analysis, kind)
    t, h = flat_text(text), flat(html)
    assert_says(NOMINATIVE[lang], t, h)
    assert_says([getattr(RULES.fields["new_email"], f"label_{lang}")], t, h)
    assert_says(["jean.dupont@acme.fr"], t, h)  # the address we cannot use is named
    # and it is never presented as the address invoices will go to
    wrong = "seront envoyées à l'adresse jean.dupont" if lang == "fr" else "will be sent to jean.dupont"
    assert wrong not in t and wrong not in h


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("situation", ("po_change", "bank_details_check", "invoice_by_email"))
def test_an_iban_is_never_echoed(lang, situation):
    analysis = analysis_for(situation, lang, subject=f"Vérification RIB {IBAN}",
                            sender_name=f"Compta {IBAN}")
    analysis.fields.update(po_number=IBAN, contract_number=IBAN[:4] + " " + IBAN[4:8] + " " + IBAN[8:12]
                           + " " + IBAN[12:16] + " " + IBAN[16:20] + " " + IBAN[20:24] + " " + IBAN[24:])
    subject, text, html, msg = render(analysis, "acknowledge")
    for part in (subject, text, html, msg.as_string()):
        assert IBAN not in part
        assert "3000 6000" not in part and "30006000" not in part and "1234567890189" not in part
    if situation == "bank_details_check":
        assert_says(["BNP Paribas"], flat_text(text), flat(html))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("situation", SITUATIONS)
def test_customer_text_is_escaped_in_html(lang, situation):
    evil = "<script>alert(1)</script>"
    analysis = analysis_for(situation, lang, sender_name=evil)
    analysis.fields.update(po_number='<img src=x onerror="alert(2)">', contract_number="<b>CT</b>",
                           serial_numbers=["<i>W1</i>"], customer_number="<u>C1</u>",
                           new_email="<a href='x'>factures@acme.fr</a>", meter_readings=["<em>18452</em>"],
                           effective_date="<s>2027</s>", new_address_postcode="<q>69</q>")
    _, text, html, _ = render(analysis, "acknowledge")
    for tag in ("<script", "<img", "<b>CT", "<i>W1", "<u>", "<a href='x'", "<em>", "<s>", "<q>"):
        assert tag not in html, f"{tag} reached the HTML unescaped"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert evil in text  # plain text shows it as written


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reply_without_customer_name_or_subject(lang):
    analysis = analysis_for("po_change", lang, sender_name="", subject="")
    subject, text, html, _ = render(analysis, "acknowledge")
    label = RULES.situation("po_change").label_fr if lang == "fr" else RULES.situation("po_change").label_en
    assert subject == f"Re: {label} [{'Réf.' if lang == 'fr' else 'Ref.'} {CASE}]"
    greeting = "Bonjour," if lang == "fr" else "Dear Sir or Madam,"
    assert text.startswith(greeting) and greeting in html


# --- what a reply may say (issue #9) ------------------------------------------
#
# DESIGN.md: "A reply says only what is true: that the request was received and
# passed to whom, what is missing, from when it can apply. Never that a change is
# made or recorded; no policy or guidance that is not in the seed sheet or in the
# list of sentences the business has signed off (templates/README.md)." Every
# reply the templates can produce is rendered (every situation, kind, lead time
# met / not met / unknown, language, with and without a date, one or several
# machines) and read sentence by sentence.

README = TEMPLATES_DIR / "README.md"
SHEET = Path(os.environ.get("MAILBOT_SHEET")
             or Path(__file__).resolve().parents[2] / "shared" / "seed" / "bonnes-pratiques-facturation.txt")
SHEET_LIST = "Sentences of the replies that restate the sheet"
CONFIRM_LIST = "Sentences not from the sheet, for the business to confirm"
LEAD_TIMES = (True, False, None)

# The change itself made or recorded: never, whatever the kind or the date.
RECORDED = {
    "fr": re.compile(r"enregistr|\bpris(?:es?)? en compte|\bmis(?:es?)? à jour|\bmet(?:tra|tons)? à jour"
                     r"|\b(?:est|sont|a été|ont été|sera|seront) (?:mis(?:es?)? en place|effectuée?s?|modifiée?s?"
                     r"|changée?s?|faite?s?|prise?s? en compte)\b", re.I),
    "en": re.compile(r"\brecorded\b|\bregistered\b|taken into account|\bupdated?\b"
                     r"|\b(?:is|are|has been|have been|will be) (?:set up|changed|made|done|updated|processed)\b",
                     re.I),
}
# A default promise, with no date: never.
UNDATED_PROMISE = {
    "fr": re.compile(r"dorénavant|désormais|prochaine période|à partir de maintenant", re.I),
    "en": re.compile(r"from now on|henceforth|next (?:invoicing|billing) period|from the next", re.I),
}
# The requested date as the date the change can apply from: only when the notice is met.
DATE_PROMISE = {"fr": re.compile(r"à partir du \d"), "en": re.compile(r"\bfrom \d{1,2} [A-Z][a-z]+ \d{4}")}
COUNTER = {"fr": re.compile(r"(?<=Compteur )(?:noir|couleur|total|m²|ml|A[0-4])(?= )"),
           "en": re.compile(r"(?<=Counter \()(?:black|colour|total|m²|ml|A[0-4])(?=\))")}

SPACES = re.compile(r"[\s\u00a0\u202f]+")
BLOCK_TAGS = re.compile(r"</?(?:p|div|li|ul|ol|br|table|tr|td|th|h\d|body|html)\b[^>]*>", re.I)
LIST_ITEM = re.compile(r"(?:-|\d+\.)\s+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Ý])")
ONLY_VALUES = re.compile(r"\{\w+\}|[\s.,;:()–-]")


def normalized(text: str) -> str:
    return SPACES.sub(" ", text.replace("\u2019", "'")).strip()


def text_segments(text: str) -> list[str]:
    """The paragraphs and list items of a text part, each on one line (a list's
    heading line, "…:", is a segment of its own)."""
    segments: list[list[str]] = []
    current: list[str] | None = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        item = LIST_ITEM.match(stripped)
        if item or current is None:
            current = [stripped[item.end():] if item else stripped]
            segments.append(current)
        else:
            current.append(stripped)
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if stripped.endswith(":") and LIST_ITEM.match(following):
            current = None
    return [normalized(" ".join(s)) for s in segments]


def html_segments(part: str) -> list[str]:
    """The blocks of an HTML part (its title, paragraphs, list items), inline tags dropped."""
    title = re.search(r"<title>(.*?)</title>", part, re.S)
    body = re.sub(r"<head>.*?</head>|<!DOCTYPE[^>]*>", "", part, flags=re.S | re.I)
    body = htmllib.unescape(re.sub(r"<[^>]+>", "", BLOCK_TAGS.sub("\n\n", body)))
    blocks = [normalized(htmllib.unescape(title.group(1)))] if title else []
    return blocks + [b for b in (normalized(b) for b in re.split(r"\n\s*\n", body)) if b]


def reply_values(analysis: Analysis, kind: str, lang: str) -> list[tuple[str, str]]:
    """(value as printed, its {name} in README's lists), longest first."""
    ctx = context(analysis, CASE, lang, RULES, BOT, kind)
    f = ctx["fields"]
    pairs = [(CASE, "{case_ref}"), (ctx["customer_name"], "{customer_name}"),
             (ctx["situation_label"], "{situation_label}"), (BOT.address, "{bot_address}"),
             (ctx["effective_date_text"], "{date}")]
    pairs += [(f[key], "{" + key + "}") for key in ("contract_number", "po_number", "customer_number",
                                                    "new_email", "siren") if isinstance(f.get(key), str)]
    pairs += [(serial, "{serial_number}") for serial in f.get("serial_numbers") or []]
    if f.get("new_address_postcode"):
        pairs.append((f["new_address_postcode"], "{postcode}"))
    pairs += [(value, "{" + part + "}") for part, value in (ctx["new_address"] or {}).items()
              if value and part != "postcode"]
    for reading in ctx["meter_readings"]:
        number = f"{reading['value']:,}" if isinstance(reading["value"], int) else str(reading["value"])
        pairs.append((number.replace(",", " ") if lang == "fr" else number, "{reading}"))
    return sorted({(normalized(str(v)), n) for v, n in pairs if v}, key=lambda p: (-len(p[0]), p[1]))


def reply_sentences(text: str, html: str, values, lang: str) -> list[tuple[str, str]]:
    """(part, sentence) of a reply, the reply's values written {name}."""
    found = []
    for part, segments in (("text", text_segments(text)), ("html", html_segments(html))):
        for segment in segments:
            for value, name in values:
                segment = segment.replace(value, name)
            segment = re.sub(r"\{serial_number\}(?:, \{serial_number\})+", "{serial_numbers}", segment)
            segment = COUNTER[lang].sub("{counter}", segment)
            found += [(part, s) for s in SENTENCE_END.split(segment) if s]
    return found


def readme_table(title: str) -> list[dict[str, str]]:
    """The rows of the table under the heading ``## {title}`` of templates/README.md."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"## {title}")
    rows, header = [], None
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not all(set(c) <= set("-: ") for c in cells):
            rows.append(dict(zip(header, cells)))
    return rows


def entry_pattern(entry: str) -> re.Pattern[str]:
    """A README sentence as a pattern: {name} stands for a value, […] for a part printed only sometimes."""
    out, depth = [], 0
    for token in re.split(r"(\[|\])", normalized(entry)):
        if token == "[":
            out.append("(?:")
            depth += 1
        elif token == "]":
            out.append(")?")
            depth -= 1
        else:
            out.append(re.escape(token))
    assert depth == 0, f"unbalanced [ ] in README sentence {entry!r}"
    return re.compile("".join(out))


def comparable(text: str) -> str:
    """Text as the sheet's words are compared: one line, lower case, no space before punctuation."""
    return re.sub(r" ([.,;:!?])", r"\1", normalized(text)).casefold()


def sheet_text() -> str:
    """The sheet as one line of comparable text (tags and bold marks gone)."""
    return comparable(re.sub(r"<[^>]+>", " ", SHEET.read_text(encoding="utf-8")).replace("**", ""))


def allowed_sentences() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """{lang: [(id, pattern)]}: README's two lists, and the sheet's own lines when it is at hand."""
    allowed: dict[str, list] = {"fr": [], "en": []}
    for title in (SHEET_LIST, CONFIRM_LIST):
        for row in readme_table(title):
            for lang, column in (("fr", "français"), ("en", "English")):
                if row[column] not in ("", "—"):
                    allowed[lang].append((row["#"], entry_pattern(row[column])))
    if SHEET.exists():
        for line in SHEET.read_text(encoding="utf-8").splitlines():
            for cell in re.sub(r"<[^>]+>", "", line).replace("**", "").split("\t"):
                if normalized(cell):
                    allowed["fr"].append(("sheet", re.compile(re.escape(normalized(cell)))))
    return allowed


def unlisted(sentences, allowed) -> list[tuple[str, str]]:
    """The (part, sentence) that are neither a listed sentence nor made only of the reply's values."""
    return [(part, s) for part, s in sentences
            if ONLY_VALUES.sub("", s) and not any(p.fullmatch(s) for _, p in allowed)]


def every_reply() -> list[tuple]:
    """(situation, lang, kind, lead_time_ok, dated, serials): every reply the templates can write."""
    replies = []
    for situation in SITUATIONS:
        serial_counts = (1, 2) if FIELDS[situation].get("serial_numbers") else (0,)
        for lang in LANGUAGES:
            for kind in KINDS:
                for lead in LEAD_TIMES:
                    for dated in (True, False):
                        for serials in serial_counts if kind == "acknowledge" else serial_counts[:1]:
                            replies.append((situation, lang, kind, lead, dated, serials))
    return replies


def reply_case(situation, lang, kind, lead, dated, serials, options=frozenset()) -> Analysis:
    """One case of ``every_reply``; options: "nominative" (the invoice address given is a person's),
    "bare" (no details, as a reminder is written from the case's snapshot), "anonymous" (no name)."""
    analysis = analysis_for(situation, lang, kind, lead_time_ok=lead)
    if not dated:
        analysis.fields["effective_date"] = None
    if kind == "acknowledge" and serials:
        analysis.fields["serial_numbers"] = ["W1234567", "A7654321"][:serials]
    if "nominative" in options:
        analysis.details["new_email"] = {"address": "jean.dupont@acme.fr", "nominative": True}
        analysis.fields["new_email"] = "jean.dupont@acme.fr"
    if "bare" in options:
        analysis.details = {}
    if "anonymous" in options:
        analysis.sender_name = ""
    return analysis


_RENDERED: dict[tuple, tuple] = {}


def rendered(case: tuple, templates_dir: Path = TEMPLATES_DIR, rules=None) -> tuple[Analysis, str, str]:
    """(analysis, text, html) of one case of ``ALL_REPLIES``, rendered once."""
    key = (case, str(templates_dir), id(rules))
    if key not in _RENDERED:
        situation, lang, kind, lead, dated, serials, *extra = case
        analysis = reply_case(situation, lang, kind, lead, dated, serials, *extra)
        reply = build_reply(analysis, case_ref=CASE, rules=rules or RULES, bot=BOT, now=NOW,
                            recipient="client@example.fr", message_id="<x@cf.canon.fr>", kind=kind,
                            templates_dir=templates_dir)
        msg = message_from_bytes(reply.raw, policy=policy.default)
        _RENDERED[key] = (analysis, msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content())
    return _RENDERED[key]


# An address that is a person's (in a request for a generic one, and in an acknowledgement a person
# approved); a case known only by its fields (a reminder's snapshot); a sender without a name.
EXTRA_CASES = ([("invoice_by_email", lang, kind, True, True, 0, frozenset({"nominative"}))
                for lang in LANGUAGES for kind in ("request_info", "acknowledge")]
               + [(s, lang, "acknowledge", None, True, 1 if FIELDS[s].get("serial_numbers") else 0, frozenset({"bare"}))
                  for s in ("equipment_move", "invoice_address_change", "meter_read_request") for lang in LANGUAGES]
               + [("po_change", lang, kind, True, True, 0, frozenset({"anonymous"}))
                  for lang in LANGUAGES for kind in KINDS])
ALL_REPLIES = every_reply() + EXTRA_CASES


def reply_violations(case: tuple, allowed, templates_dir: Path = TEMPLATES_DIR, rules=None) -> list[str]:
    """What one reply must not say, as readable lines (empty: nothing wrong)."""
    situation, lang, kind, lead, dated, *_ = case
    analysis, text, html = rendered(case, templates_dir, rules)
    where = f"{situation}/{lang}/{kind}/lead={lead}/{'dated' if dated else 'no date'}"
    problems = []
    for part, content in (("text", flat_text(text)), ("html", flat(html))):
        for name, rule in (("says the change is made or recorded", RECORDED[lang]),
                           ("promises without a date", UNDATED_PROMISE[lang])):
            problems += [f"{where} {part}: {name}: …{content[max(0, m.start() - 60):m.end() + 20]}…"
                         for m in rule.finditer(content)]
        if not (lead is True and dated):
            problems += [f"{where} {part}: promises the date without the notice met: "
                         f"…{content[max(0, m.start() - 60):m.end() + 20]}…"
                         for m in DATE_PROMISE[lang].finditer(content)]
    values = reply_values(analysis, kind, lang)
    problems += [f"{where} {part}: not in templates/README.md: {sentence}"
                 for part, sentence in unlisted(reply_sentences(text, html, values, lang), allowed[lang])]
    return problems


@pytest.mark.parametrize("situation", SITUATIONS)
def test_every_reply_says_only_what_is_true(situation):
    """No sentence says the change is made or recorded, nothing is promised
    without a date, the date is promised only when the notice is met (never
    beside the late paragraph), and every sentence is in templates/README.md's
    lists or made only of the reply's values."""
    allowed = allowed_sentences()
    problems = [p for case in ALL_REPLIES if case[0] == situation for p in reply_violations(case, allowed)]
    assert not problems, "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("situation", [s for s in SITUATIONS if RULES.situation(s).lead_time_months])
def test_the_date_is_given_when_the_notice_is_met_and_only_then(situation):
    for case in every_reply():
        if case[0] != situation:
            continue
        _, lang, kind, lead, dated, _ = case
        analysis, text, html = rendered(case)
        late = LATE[lang][0] in text and LATE[lang][0] in flat(html)
        assert late == (lead is False), case
        promised = bool(DATE_PROMISE[lang].search(flat_text(text))) and bool(DATE_PROMISE[lang].search(flat(html)))
        assert promised == (lead is True and dated), case
        assert "1 mois avant" in flat_text(text) or "1 month before" in flat_text(text), "the notice rule is said"


def test_every_reply_keeps_the_format():
    for case in ALL_REPLIES:
        _, text, html = rendered(case)
        for part in (text, html):
            assert not re.search(r"\{\{|\{%|%\}|\}\}|\{#|#\}", part), case
            assert not IBAN_SHAPE.search(part), case
        lines = text.splitlines()
        assert max(len(line) for line in lines) <= 76, case
        assert not any(line.startswith((">From ", "From ")) for line in lines), case
        assert "\n\n\n" not in text, case


def neutral_reply(lang: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(text, html, sentences) of the neutral acknowledgement, the one reply a sender outside the
    directory gets: its only values are the reference and our address."""
    analysis = Analysis(language=lang, situation="po_change", sender="x@example.fr")
    reply = build_neutral(analysis, case_ref=CASE, bot=BOT, now=NOW, recipient="x@example.fr",
                          message_id="<n@cf.canon.fr>")
    msg = message_from_bytes(reply.raw, policy=policy.default)
    text, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    return text, html, reply_sentences(text, html, [(CASE, "{case_ref}"), (BOT.address, "{bot_address}")], lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_neutral_acknowledgement_says_only_listed_sentences(lang):
    text, html, sentences = neutral_reply(lang)
    assert not unlisted(sentences, allowed_sentences()[lang])
    for part in (flat_text(text), flat(html)):
        assert not RECORDED[lang].search(part) and not UNDATED_PROMISE[lang].search(part)
    assert max(len(line) for line in text.splitlines()) <= 76


def test_text_and_html_say_the_same_sentences():
    """The HTML part adds only its title and heading (and emphasis, links)."""
    for case in ALL_REPLIES:
        analysis, text, html = rendered(case)
        found = reply_sentences(text, html, reply_values(analysis, case[2], case[1]), case[1])
        in_text = [s for part, s in found if part == "text"]
        in_html = [s for part, s in found if part == "html"]
        assert in_html[2:] == in_text, case


def test_every_listed_sentence_is_used():
    """A sentence listed in README but written by no reply is stale: remove it."""
    allowed = allowed_sentences()
    said = {lang: set() for lang in LANGUAGES}
    for case in ALL_REPLIES:
        analysis, text, html = rendered(case)
        lang, kind = case[1], case[2]
        said[lang] |= {s for _, s in reply_sentences(text, html, reply_values(analysis, kind, lang), lang)}
    for lang in LANGUAGES:
        said[lang] |= {s for _, s in neutral_reply(lang)[2]}
    unused = [f"{lang} {rid}" for lang in LANGUAGES for rid, pattern in allowed[lang]
              if rid != "sheet" and not any(pattern.fullmatch(s) for s in said[lang])]
    assert not unused, unused


def test_the_sheet_sentences_quote_the_sheet():
    """Each sentence said to restate the sheet names the sheet's words in
    quotes; they must be the sheet's (checked when the sheet is at hand:
    $MAILBOT_SHEET, else /work/shared/seed/)."""
    rows = readme_table(SHEET_LIST)
    assert len(rows) >= 10
    sheet = sheet_text() if SHEET.exists() else None
    for row in rows:
        quotes = re.findall(r'"([^"]+)"', row["the sheet says"])
        assert quotes, f"{row['#']}: no words of the sheet quoted"
        assert row["français"] and row["English"], row["#"]
        for quote in quotes:
            assert sheet is None or comparable(quote) in sheet, f"{row['#']}: {quote!r} is not in the sheet"
    assert len(readme_table(CONFIRM_LIST)) >= 20


def test_the_sentence_check_finds_what_is_not_true_or_not_listed():
    """The check above can fail: yesterday's sentences are caught."""
    allowed = allowed_sentences()
    old = ("Le nouveau numéro de commande (P.O) {po_number} est enregistré pour votre contrat n° "
           "{contract_number} : il figurera sur les factures de ce contrat à partir du {date}.")
    invented = "Canon France ne vous demandera jamais par e-mail de modifier ses coordonnées bancaires."
    assert unlisted([("text", old), ("text", invented)], allowed["fr"]) == [("text", old), ("text", invented)]
    assert RECORDED["fr"].search(old) and RECORDED["en"].search("has been recorded for customer account")
    assert UNDATED_PROMISE["fr"].search("vos factures y seront envoyées dorénavant")
    assert UNDATED_PROMISE["en"].search("printed on this contract's invoices from the next invoicing period")
    assert DATE_PROMISE["fr"].search("à partir du 1er janvier 2027")
    assert DATE_PROMISE["en"].search("from 1 January 2027")
    assert not unlisted([("text", "{contract_number}, {serial_numbers}")], allowed["fr"]), "values only"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", ("request_info", "reminder"))
def test_a_move_never_asks_for_an_email_address(lang, kind):
    analysis = analysis_for("equipment_move", lang, kind, missing=["new_address"])
    ctx = context(analysis, CASE, lang, RULES, BOT, kind)
    (item,) = ctx["missing"]
    assert "mail" not in item["label"] + item["where"]
    _, text, html, _ = render(analysis, kind)
    for part in (flat_text(text), flat(html)):
        assert not re.search(r"adresse e-mail|adresse électronique|courriel|e-mail address|email address", part, re.I)
    # the invoice address may be a postal or an e-mail address (the sheet: "Nouvelle adresse/e-mail")
    other = context(analysis_for("invoice_address_change", lang, kind), CASE, lang, RULES, BOT, kind)
    assert any("mail" in m["label"] for m in other["missing"] if m["key"] == "new_address")


AGREEMENT = {  # situation: (fr one, fr several, en one, en several)
    "equipment_move": ("demande de déménagement du matériel n° de série W1234567 est transmise",
                       "demande de déménagement des matériels n° de série W1234567, A7654321 est transmise",
                       "move the equipment with serial number W1234567 has been passed on",
                       "move the equipment with serial numbers W1234567, A7654321 has been passed on"),
    "contract_termination": ("résiliation du contrat pour le matériel n° de série W1234567 est transmise",
                             "résiliation du contrat pour les matériels n° de série W1234567, A7654321 "
                             "est transmise",
                             "for the equipment with serial number W1234567 has been passed on",
                             "for the equipment with serial numbers W1234567, A7654321 has been passed on"),
    "meter_read_request": ("Les relevés de compteurs du matériel n° de série W1234567 ont bien été reçus",
                           "Les relevés de compteurs des matériels n° de série W1234567, A7654321 "
                           "ont bien été reçus",
                           "for the equipment with serial number W1234567 have been received",
                           "for the equipment with serial numbers W1234567, A7654321 have been received"),
    "automatic_meter_reads": ("des compteurs du matériel n° de série W1234567, inscrivez-vous",
                              "des compteurs des matériels n° de série W1234567, A7654321, inscrivez-vous",
                              "for the equipment with serial number W1234567, register",
                              "for the equipment with serial numbers W1234567, A7654321, register"),
}


@pytest.mark.parametrize("situation", AGREEMENT)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_one_machine_or_several(situation, lang):
    fr_one, fr_several, en_one, en_several = AGREEMENT[situation]
    one, several = (fr_one, fr_several) if lang == "fr" else (en_one, en_several)
    for serials, says, never in ((1, one, several), (2, several, one)):
        _, text, html = rendered((situation, lang, "acknowledge", None, False, serials))
        assert_says([says], flat_text(text), flat(html))
        assert never not in flat_text(text) and never not in flat(html)
        for part in (flat_text(text), flat(html)):  # a singular noun before a list of several
            assert not re.search(r"\b(?:matériel n° de série|serial number) \S+, [A-Z][A-Z0-9-]*\d", part), part


def test_a_situation_can_word_a_missing_item_its_own_way(tmp_path):
    base = RULES.fields["new_address"]
    move = RULES.field("equipment_move", "new_address")
    assert move.label_fr != base.label_fr and "site" in move.label_fr and move.where_fr == base.where_fr
    assert RULES.field("po_change", "po_number") == RULES.fields["po_number"]
    source = (Path(__file__).resolve().parents[1] / "classifiers" / "situations.toml").read_text(encoding="utf-8")
    table = "[situations.equipment_move.fields.new_address]"
    for bad, key in (((table + "\nlabel_fr", table + "\ncolour"), "situations.equipment_move.fields.new_address.colour"),
                     ((table, table.replace("new_address", "shoe_size")), "situations.equipment_move.fields.shoe_size")):
        path = tmp_path / "situations.toml"
        path.write_text(source.replace(*bad), encoding="utf-8")
        with pytest.raises(RulesError) as error:
            load_rules(path)
        assert key in str(error.value)


# --- the variables each template may use -----------------------------------

REPLY_KEYS = set(context(analysis_for("po_change", "fr"), CASE, "fr", RULES, BOT, "acknowledge"))
FORWARD_KEYS = {"case_ref", "situation", "situation_label", "route", "route_label", "customer", "sender",
                "sender_name", "fields", "effective_date_text", "lead_time_ok", "lead_time_months", "evidence",
                "changes", "messages", "directory_note", "action_text", "bot", "checks", "shown", "deadline_text",
                "refused_reply_to"}


DIGEST_KEYS = {"d", "f", "b", "names", "lang", "day", "before_day", "counted_day", "duration", "change", "age_label",
               "link"}


def test_templates_use_only_documented_variables():
    """StrictUndefined catches a typo only on the branch a test renders; this
    reads every template, so a branch no test takes cannot hide one."""
    env = environment()
    assert REPLY_KEYS == {"kind", "reminder", "case_ref", "original_subject", "customer_name", "situation",
                          "situation_label", "route", "fields", "effective_date_text", "missing",
                          "lead_time_ok", "new_email_nominative", "new_address", "meter_readings", "bot"}
    for name in env.list_templates(extensions=["j2"]):
        source = env.loader.get_source(env, name)[0]
        used = meta.find_undeclared_variables(env.parse(source)) - {"caller"}
        # names the template assigns itself (a child template's top-level
        # imports used in its blocks, a set inside an if) are not context
        used -= set(re.findall(r"\{%-?\s*import\s+\S+\s+as\s+(\w+)", source))
        used -= set(re.findall(r"\{%-?\s*set\s+(\w+)", source))
        if "/digest/" in name:  # a manager's digest (compose/digest.py), no customer's text
            allowed = DIGEST_KEYS
        elif "forward" in name:
            allowed = FORWARD_KEYS
        elif "neutral" in name:  # nothing of the unknown sender's message (SECURITY.md)
            allowed = {"case_ref", "bot"}
        elif name.endswith("subject.txt.j2"):
            allowed = REPLY_KEYS | {"subject"}
        else:
            allowed = REPLY_KEYS | {"layout"}
        assert used <= allowed, f"{name} uses {sorted(used - allowed)}"


# --- internal forwards --------------------------------------------------------

def forward_context(**changes) -> dict:
    ctx = {
        "case_ref": CASE,
        "situation": "equipment_move",
        "situation_label": RULES.situation("equipment_move").label_fr,
        "route": "sales",
        "route_label": "interlocuteur commercial",
        "customer": {"number": "C0012345", "name": "ACME SA"},
        "sender": "compta@acme.fr",
        "sender_name": "Marie Curie",
        "fields": {"contract_number": "CT-104562", "serial_numbers": ["W1234567", "A7654321"], "po_number": None,
                   "customer_number": "C0012345", "effective_date": "2027-02-15", "new_address_postcode": "69003",
                   "new_email": None, "siren": None, "kbis": False, "meter_readings": []},
        "effective_date_text": "15 février 2027",
        "deadline_text": "",
        "lead_time_ok": None,
        "lead_time_months": 0,
        "evidence": [{"label": f"élément {i}", "text": f"déménager le traceur {i}"} for i in range(15)],
        "changes": [{"field": "serial_numbers", "old": ["W1234567"], "new": ["W1234567", "A7654321"],
                     "at": "2026-11-27 16:02"}],
        "messages": [
            {"message_id": "<CAFx1@mail.acme.fr>", "sender": "compta@acme.fr", "subject": "Déménagement traceur",
             "received": "27 novembre 2026 à 15 h 00"},
            {"message_id": "<CAFx2@mail.acme.fr>", "sender": "compta@acme.fr",
             "subject": "RE: Déménagement traceur", "received": "27 novembre 2026 à 16 h 02"},
        ],
        "directory_note": "client trouvé par : n° de contrat",
        "shown": {"new_address_postcode": "12 allée des Frênes, 69003 Lyon",
                  "meter_readings": "W1234567 : noir 25\u00a0604, couleur 9\u00a0812"},
        "refused_reply_to": "",
        "checks": {"authenticated": True, "auth_detail": "dmarc=pass for acme.fr (mx.cf.canon.fr)",
                   "auth_method": "dmarc", "auth_domain": "acme.fr", "known": True,
                   "customers": "C0012345 (ACME SA)", "same_customer": True, "codes": []},
        "action_text": "Envoyer un devis de déménagement au client",
        "bot": {"address": BOT.address, "display_name": BOT.display_name},
    }
    ctx.update(changes)
    return ctx


def render_forward(ctx: dict) -> tuple[str, str, str]:
    env = environment()
    return tuple(env.get_template(f"fr/{name}").render(ctx)
                 for name in ("forward_subject.txt.j2", "forward.txt.j2", "forward.html.j2"))


def test_forward_summarises_the_case():
    subject, text, html = render_forward(forward_context())
    assert subject.strip() == f"[Réf. {CASE}] À traiter : Déménagement d'un matériel – ACME SA"
    assert "\n" not in subject.strip()
    t, h = flat_text(text), flat(html)
    for part in (subject, text, html):
        assert not re.search(r"\{\{|\{%|%\}|\}\}|\{#|#\}", part)
    assert_says([CASE, "Déménagement d'un matériel", "ACME SA", "C0012345", "Marie Curie", "compta@acme.fr",
                 "interlocuteur commercial", "CT-104562", "W1234567, A7654321", "15 février 2027", "69003",
                 "Délai de prévenance", "sans objet", "client trouvé par : n° de contrat",
                 "Envoyer un devis de déménagement au client", "Déménagement traceur", "<CAFx2@mail.acme.fr>",
                 "27 novembre 2026 à 16 h 02", "élément 0", "élément 14", "12 allée des Frênes, 69003 Lyon"], t, h)
    assert "code postal" not in text, "the new address in full"
    assert "(vide)" not in text and "N° SIREN" not in text, "empty fields are left out"
    assert "<table" in html and html.count("<tr>") >= 10
    assert max(len(line) for line in text.splitlines()) <= 76


@pytest.mark.parametrize("lead_time_ok, months, status", [
    (True, 1, "respecté"),
    (False, 1, "non respecté : la date demandée est à moins d'un mois"),
    (None, 1, "inconnu"),
    (None, 0, "sans objet"),
])
def test_forward_lead_time_status(lead_time_ok, months, status):
    _, text, html = render_forward(forward_context(lead_time_ok=lead_time_ok, lead_time_months=months))
    assert f"Délai de prévenance : {status}" in flat_text(text)
    assert f"Délai de prévenance {status}" in flat(html)  # a table row: label, value
    if lead_time_ok is not False:
        assert "non respecté" not in text and "non respecté" not in html


def test_forward_for_an_unknown_customer_with_nothing_else():
    ctx = forward_context(customer=None, evidence=[], changes=[], messages=[], directory_note="",
                          fields={"contract_number": None, "serial_numbers": [], "po_number": None,
                                  "customer_number": None, "effective_date": None, "new_address_postcode": None,
                                  "new_email": None, "siren": None, "kbis": False, "meter_readings": []},
                          effective_date_text="")
    subject, text, html = render_forward(ctx)
    assert subject.strip().endswith("– Marie Curie")
    assert_says(["non identifié dans l'annuaire clients", "Envoyer un devis"], flat_text(text), flat(html))
    assert "Modifications" not in text and "Éléments relevés" not in text


def test_forward_escapes_everything_in_html():
    evil = "<script>x</script>"
    ctx = forward_context(customer={"number": "C1", "name": evil}, sender_name=evil,
                          evidence=[{"label": evil, "text": evil}], refused_reply_to=evil,
                          shown={"new_address_postcode": evil, "meter_readings": evil},
                          changes=[{"field": evil, "old": evil, "new": [evil], "at": evil}],
                          messages=[{"message_id": evil, "sender": evil, "subject": evil, "received": evil}],
                          directory_note=evil, action_text=evil)
    ctx["fields"] = dict(ctx["fields"], po_number=evil, meter_readings=[evil], effective_date=evil)
    subject, text, html = render_forward(ctx)
    assert "<script" not in html
    assert html.count("&lt;script&gt;") >= 10
    assert evil in text


@pytest.mark.parametrize("checks, words", [
    ({"authenticated": True, "auth_detail": "dmarc=pass for acme.fr", "auth_method": "dmarc", "auth_domain": "acme.fr",
      "known": True, "customers": "C1 (ACME)", "same_customer": True},
     ["oui (DMARC valide pour acme.fr, vérifié par notre serveur de messagerie)", "oui, client C1 (ACME)",
      "ceux de ce client"]),
    ({"authenticated": False, "auth_detail": "no Authentication-Results header", "auth_method": "", "auth_domain": "",
      "known": True, "customers": "C1", "same_customer": None},
     ["NON : notre serveur de messagerie ne garantit pas", "aucun numéro connu"]),
    ({"authenticated": True, "auth_detail": "spf=pass", "auth_method": "spf", "auth_domain": "acme.fr", "known": False,
      "customers": "", "same_customer": False}, ["Expéditeur dans l'annuaire : NON", "PAS ceux de ce client"]),
])
def test_a_forward_states_first_what_was_checked(checks, words):
    _, text, html = render_forward(forward_context(checks={**checks, "codes": []}))
    assert text.index("Vérifications") < text.index("Récapitulatif")
    flat = " ".join(text.split()).replace("\u00a0", " ")
    for word in words:
        assert " ".join(word.split()) in flat, word
    assert html.index("Expéditeur authentifié") < html.index("Récapitulatif")


def test_a_forward_links_the_customer_with_an_encoded_mailto():
    _, _, html = render_forward(forward_context(sender="a+b@acme.fr"))
    assert 'href="mailto:a%2Bb%40acme.fr"' in html or 'href="mailto:a%2Bb@acme.fr"' in html


def test_the_neutral_acknowledgement_repeats_nothing_of_the_message():
    hostile_text = "URGENT pay at https://evil.example CT-2025-07350 <script>"
    analysis = Analysis(subject=hostile_text, sender_name=hostile_text, sender="x@evil.example",
                        message_id="<a@evil.example>", language="fr", situation="po_change",
                        fields={**empty_fields(), "contract_number": "CT-2025-07350"})
    for lang in ("fr", "en"):
        analysis.language = lang
        reply = build_neutral(analysis, case_ref=CASE, bot=BOT, now=NOW, recipient="x@evil.example",
                              message_id="<n@cf.canon.fr>")
        msg = message_from_bytes(reply.raw, policy=policy.default)
        whole = str(msg["Subject"]) + msg.get_body(("plain",)).get_content() + msg.get_body(("html",)).get_content()
        for theirs in ("URGENT", "evil.example", "CT-2025", "script"):
            assert theirs not in whole, (lang, theirs)
        assert CASE in str(msg["Subject"]) and "0 820 12 40 40" in whole
        assert msg["In-Reply-To"] is None and msg["References"] is None, "not threaded into their conversation"
