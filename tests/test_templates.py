"""Every reply and forward template, rendered as the customer or colleague reads it.

One realistic case per situation (the fields a customer would give), in both
languages, as an acknowledgement, a request for information and a reminder,
built with ``build_reply`` and read back with the email package. Each case
says what the reply must contain: the case reference, the contact block, the
next steps of the seed's table, each missing item, the late-notice paragraph
exactly when the notice is not met, and never an IBAN nor unescaped markup.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest
from jinja2 import meta

from mailbot.analysis import Analysis, empty_fields
from mailbot.paths import TEMPLATES_DIR
from mailbot.replies import Bot, build_neutral, build_reply, context, environment
from mailbot.rules import load_rules

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
    "bank_details_check": {"fr": ["BNP Paribas", "toutes nos factures", "ne la traitez pas", "appelez-nous"],
                           "en": ["BNP Paribas", "every invoice", "do not act on it", "call us"]},
}
# What an acknowledgement says was recorded (the values and the date).
ACK_FACTS = {
    "po_change": {"fr": ["4500123456", "CT-104562", "à partir du 1er janvier 2027"],
                  "en": ["4500123456", "CT-104562", "from 1 January 2027"]},
    "equipment_move": {"fr": ["W1234567"], "en": ["W1234567"]},
    "billing_entity_change": {"fr": ["à partir du 1er janvier 2027"], "en": ["from 1 January 2027"]},
    "invoice_address_change": {"fr": ["C0012345", "à partir du 1er janvier 2027"],
                               "en": ["C0012345", "from 1 January 2027"]},
    "invoice_by_email": {"fr": ["factures@acme.fr", "à partir du 1er janvier 2027"],
                         "en": ["factures@acme.fr", "from 1 January 2027"]},
    "meter_read_request": {"fr": ["bien reçus"], "en": ["have been received"]},
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
NOMINATIVE = {"fr": ["Pourquoi une adresse non nominative", "factures@votre-societe.fr",
                     "quand les personnes changent"],
              "en": ["Why a generic address", "invoices@your-company.com", "when people change"]}


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
            field = RULES.fields[key]
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


# --- the variables each template may use -----------------------------------

REPLY_KEYS = set(context(analysis_for("po_change", "fr"), CASE, "fr", RULES, BOT, "acknowledge"))
FORWARD_KEYS = {"case_ref", "situation", "situation_label", "route", "route_label", "customer", "sender",
                "sender_name", "fields", "effective_date_text", "lead_time_ok", "lead_time_months", "evidence",
                "changes", "messages", "directory_note", "action_text", "bot", "checks"}


def test_templates_use_only_documented_variables():
    """StrictUndefined catches a typo only on the branch a test renders; this
    reads every template, so a branch no test takes cannot hide one."""
    env = environment()
    assert REPLY_KEYS == {"kind", "reminder", "case_ref", "original_subject", "customer_name", "situation",
                          "situation_label", "route", "fields", "effective_date_text", "missing",
                          "lead_time_ok", "new_email_nominative", "bot"}
    for name in env.list_templates(extensions=["j2"]):
        source = env.loader.get_source(env, name)[0]
        used = meta.find_undeclared_variables(env.parse(source)) - {"caller"}
        # names the template assigns itself (a child template's top-level
        # imports used in its blocks, a set inside an if) are not context
        used -= set(re.findall(r"\{%-?\s*import\s+\S+\s+as\s+(\w+)", source))
        used -= set(re.findall(r"\{%-?\s*set\s+(\w+)", source))
        if "forward" in name:
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
        "lead_time_ok": None,
        "lead_time_months": 0,
        "evidence": [{"stage": "classify", "name": f"keyword_{i}", "text": f"déménager le traceur {i}",
                      "detail": "poids 3.0"} for i in range(20)],
        "changes": [{"field": "serial_numbers", "old": ["W1234567"], "new": ["W1234567", "A7654321"],
                     "at": "2026-11-27 16:02"}],
        "messages": [
            {"message_id": "<CAFx1@mail.acme.fr>", "sender": "compta@acme.fr", "subject": "Déménagement traceur",
             "received": "2026-11-27 15:00"},
            {"message_id": "<CAFx2@mail.acme.fr>", "sender": "compta@acme.fr",
             "subject": "RE: Déménagement traceur", "received": datetime(2026, 11, 27, 16, 2)},
        ],
        "directory_note": "client trouvé par : n° de contrat",
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
                 "27/11/2026 16:02", "keyword_0", "keyword_14", "et 5 autre(s)"], t, h)
    assert "keyword_15" not in text and "keyword_15" not in html, "at most 15 evidence rows"
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
                          evidence=[{"stage": "extract", "name": evil, "text": evil, "detail": evil}],
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
