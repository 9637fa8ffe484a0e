"""Replies: threaded, referenced, safe headers, both parts rendered."""

import html as htmllib
import re
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest

from mailbot.read.analyze import analyze
from mailbot.paths import SAMPLES_DIR
from mailbot.compose.replies import Bot, build_reply, clean_subject, context, date_text
from mailbot.read.rules import load_rules

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
BOT = Bot("contrats.service.wfps@cf.canon.fr", "Service Contrats Canon France")


@pytest.mark.parametrize("subject, cleaned", [
    ("Nouveau numéro de commande", "Nouveau numéro de commande"),
    ("RE: TR: Fwd: Nouveau P.O", "Nouveau P.O"),
    ("Ré : Déménagement", "Déménagement"),
    ("RE: Contrat [Réf. WFPS-2026-000012]", "Contrat"),
    ("Re:   spaced\r\n  out", "spaced out"),
    ("", ""),
    ("x" * 200, "x" * 99 + "…"),
    ("URGENT: Canon payment portal moved, pay at https://canon-pay.example/login now",
     "URGENT: Canon payment portal moved, pay at now"),
    ("RE: Facture – voir www.evil.example et evil.example/pay", "Facture – voir et"),
    ("Contact: support@canon-help.example", "Contact"),
])
def test_clean_subject(subject, cleaned):
    assert clean_subject(subject) == cleaned


@pytest.mark.parametrize("iso, lang, text", [
    ("2027-01-01", "fr", "1er janvier 2027"),
    ("2027-03-15", "fr", "15 mars 2027"),
    ("2027-01-01", "en", "1 January 2027"),
    (None, "fr", ""),
])
def test_date_text(iso, lang, text):
    assert date_text(iso, lang) == text


def reply_to(name: str, **changes):
    analysis = analyze((SAMPLES_DIR / f"{name}.eml").read_bytes())
    for key, value in changes.items():
        setattr(analysis, key, value)
    reply = build_reply(analysis, case_ref="WFPS-2026-000042", rules=load_rules(), bot=BOT, now=NOW,
                        recipient=analysis.sender, message_id="<WFPS-2026-000042.acknowledge@cf.canon.fr>")
    return analysis, reply, message_from_bytes(reply.raw, policy=policy.default)


def test_reply_is_threaded_marked_and_has_both_parts():
    analysis, reply, msg = reply_to("po_change")
    assert reply.recipients == [analysis.sender]
    assert msg["In-Reply-To"] == analysis.message_id
    assert msg["References"].split()[-1] == analysis.message_id
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Subject"].endswith("[Réf. WFPS-2026-000042]")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "WFPS-2026-000042" in text and "WFPS-2026-000042" in html
    assert "0 820 12 40 40" in text
    assert not re.search(rb"(?<!\r)\n", reply.raw), "CRLF line ends only"
    assert max(len(line) for line in reply.raw.split(b"\r\n")) <= 998


def test_customer_text_cannot_inject_headers_or_markup():
    _, _, msg = reply_to("po_change", subject="Hello\r\nBcc: victim@example.org",
                         sender_name="<script>alert(1)</script>")
    assert msg["Bcc"] is None
    assert msg["Subject"].startswith("Re: Hello Bcc")  # on one line, without the address
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html


def test_english_mail_gets_an_english_reply():
    analysis, _, msg = reply_to("contract_termination")
    assert analysis.language == "en"
    assert "[Ref. WFPS-2026-000042]" in msg["Subject"]
    assert msg["Content-Language"] == "en"


def test_request_for_information_names_what_is_missing():
    analysis, _, msg = reply_to("po_change_missing_contract")
    assert analysis.action == "request_info"
    text = msg.get_body(("plain",)).get_content()
    assert "contrat" in text and "2e page" in text


def test_an_iban_in_the_subject_is_not_echoed_and_goes_to_review():
    raw = (SAMPLES_DIR / "po_change.eml").read_bytes().replace(
        b"Subject: ", b"Subject: FR76 3000 6000 0112 3456 7890 189 ", 1)
    analysis = analyze(raw)
    assert analysis.action == "review"
    assert any("IBAN" in reason or "iban" in reason for reason in analysis.reasons)
    analysis.action = "acknowledge"  # even if a person approves a reply, the IBAN stays out
    reply = build_reply(analysis, case_ref="WFPS-2026-000042", rules=load_rules(), bot=BOT,
                        now=NOW, recipient=analysis.sender, message_id="<x@cf.canon.fr>")
    msg = message_from_bytes(reply.raw, policy=policy.default)
    assert "3000 6000" not in msg["Subject"] and "FR76 ****" in msg["Subject"]


def test_an_absurdly_long_message_id_is_not_repeated_and_no_line_is_too_long():
    huge = "<" + "x" * 2000 + "@example.fr>"
    _, reply, msg = reply_to("po_change", message_id=huge, references=[huge, "<ok@example.fr>"])
    assert msg["In-Reply-To"] is None and msg["References"] is None
    assert max(len(line) for line in reply.raw.split(b"\r\n")) <= 998


def test_a_late_change_promises_no_date():
    """The sample asks for a new invoice address from 1 December 2026, written
    on 27 November: the reply says who has the request and what the late notice
    means, never that the address is recorded nor that invoices go there from
    that date (issue #9)."""
    analysis, _, msg = reply_to("invoice_address_change")
    assert analysis.lead_time_ok is False and analysis.fields["effective_date"] == "2026-12-01"
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    assert "est transmise à votre gestionnaire" in text
    assert "Délai de prévenance : la date demandée (1er décembre 2026)" in text
    assert "votre prochaine facture pourrait encore être envoyée à l'ancienne adresse" in text
    assert "enregistr" not in text and "à partir du 1er décembre" not in text and "dorénavant" not in text


def test_the_recap_shows_the_new_address_and_each_reading():
    _, _, msg = reply_to("equipment_move")
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    assert ("Nouvelle adresse : 12 allée des Frênes, Parc d'activités de la Teillais, Bâtiment C, 35740 Pacé"
            in text)
    assert "code postal" not in text and "adresse e-mail" not in text
    _, _, msg = reply_to("meter_read_request")
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    html = " ".join(htmllib.unescape(msg.get_body(("html",)).get_content()).split())
    for line in ("Compteur noir du matériel PW3600-0021876 : 18 452",
                 "Compteur noir du matériel CW3700-0009043 : 7 310",
                 "Compteur couleur du matériel CW3700-0009043 : 2 985"):
        assert line in text and line in html
    assert "des matériels n° de série PW3600-0021876, CW3700-0009043 ont bien été reçus" in text


def test_the_context_shows_details_only_when_they_are_the_fields():
    """A reminder is written from the case's fields (no details): the recap then
    shows the postcode and the bare values; details that do not match the fields
    (a later message changed them) are not shown either."""
    rules = load_rules()
    analysis = analyze((SAMPLES_DIR / "equipment_move.eml").read_bytes())
    ctx = context(analysis, "WFPS-2026-000042", "fr", rules, BOT)
    assert ctx["new_address"] == {"street": "12 allée des Frênes",
                                  "complement": "Parc d'activités de la Teillais, Bâtiment C",
                                  "postcode": "35740", "city": "Pacé", "cedex": None}
    analysis.fields["new_address_postcode"] = "69003"
    assert context(analysis, "WFPS-2026-000042", "fr", rules, BOT)["new_address"] is None
    analysis = analyze((SAMPLES_DIR / "meter_read_request.eml").read_bytes())
    readings = context(analysis, "WFPS-2026-000042", "fr", rules, BOT)["meter_readings"]
    assert readings[2] == {"value": 2985, "counter": "couleur", "unit": None, "serial": "CW3700-0009043"}
    analysis.details = {}
    assert context(analysis, "WFPS-2026-000042", "fr", rules, BOT)["meter_readings"] == [
        {"value": v, "counter": None, "unit": None, "serial": None} for v in (18452, 7310, 2985)]
