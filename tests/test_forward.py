"""Forwards as a colleague reads them (issue #9): plain French, the new address in full, readings
per machine, French dates, and no way to send the internal summary to the customer by "Répondre"."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from mailbot.decide.directory import read_csv
from mailbot.compose.forward_words import address_text, datetime_fr, evidence_lines, readings_text
from mailbot.paths import SAMPLE_DIRECTORY, SAMPLES_DIR
from tests.support import AUTHSERV_ID, maildir_processor

NOW = datetime(2026, 11, 27, 14, 8, tzinfo=timezone.utc)
PARIS = ZoneInfo("Europe/Paris")
JARGON = re.compile(r"×|\bweight\b|\bkeywords?\b|\bmodel\b|\bclassify\b|\bextract\b|\btrust\b|\bstage\b"
                    r"|\bsender_|\bcontract_|\bserial_|dmarc=|\bpass\b", re.I)


@pytest.fixture
def forwards(tmp_path):
    """The forwards of the bundled samples (sample directory, demo trust settings), parsed."""
    processor, store, inbox = maildir_processor(
        tmp_path, {"trust": {"authserv_id": AUTHSERV_ID}, "routing": {"contracts_team": "equipe.contrats@cf.canon.fr"}},
        directory=read_csv(SAMPLE_DIRECTORY), clock=lambda: NOW)
    for sample in sorted(SAMPLES_DIR.glob("*.eml")):
        (inbox / "new" / sample.name).write_bytes(sample.read_bytes())
    processor.run_once()
    store.close()
    sent = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((tmp_path / "out" / "new").iterdir())]
    return {str(m["X-Mailbot-Case"]) + ":" + str(m["Subject"]): m for m in sent
            if m["Auto-Submitted"] == "auto-generated"}


def text_of(message) -> str:
    return " ".join(message.get_body(("plain",)).get_content().replace("\u00a0", " ").split())


def about(forwards, words: str):
    [found] = [m for key, m in forwards.items() if words in key]
    return found


def test_answering_a_forward_never_writes_to_the_customer(forwards):
    assert len(forwards) >= 5
    for message in forwards.values():
        assert message["Reply-To"] is None
        assert str(message["From"]).endswith("<contrats.service.wfps@cf.canon.fr>")
        assert any(part.get_content_type() == "message/rfc822" for part in message.iter_attachments()), \
            "the customer's message is attached: answering it answers the customer"
        assert "répondez à son message joint" in text_of(message)


def test_forwards_speak_plain_french(forwards):
    for message in forwards.values():
        for part in (text_of(message), message.get_body(("html",)).get_content()):
            listed = part.split("Éléments relevés")[-1].split("Messages du client")[0]
            assert not JARGON.search(listed), JARGON.search(listed)
        assert re.search(r"\d{1,2} (?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre"
                         r"|novembre|décembre) \d{4} à \d{1,2} h \d{2}", text_of(message))


def test_a_move_shows_the_new_address_in_full(forwards):
    text = text_of(about(forwards, "Déménagement"))
    assert "code postal" not in text
    assert re.search(r"Nouvelle adresse : .*\d{5} \w", text)


def test_meter_readings_are_shown_per_machine_with_their_counter(forwards):
    text = text_of(about(forwards, "relevés compteurs"))
    assert re.search(r"Relevés de compteurs : [A-Z0-9-]+ : (?:noir|couleur|total) [\d ]+", text), text


def test_a_refused_reply_to_is_pointed_out(tmp_path):
    raw = (SAMPLES_DIR / "equipment_move.eml").read_bytes().replace(
        b"\nSubject:", b"\nReply-To: <paiements@elsewhere.example>\nSubject:", 1)
    processor, store, inbox = maildir_processor(tmp_path, {"trust": {"authserv_id": AUTHSERV_ID}},
                                                directory=read_csv(SAMPLE_DIRECTORY), clock=lambda: NOW)
    (inbox / "new" / "m").write_bytes(raw)
    processor.run_once()
    store.close()
    [forward] = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                 for p in (tmp_path / "out" / "new").iterdir()
                 if b"auto-generated" in p.read_bytes()]
    assert "Attention : le message du client demande que la réponse parte à paiements@elsewhere.example" \
        in text_of(forward)


@pytest.mark.parametrize("value, shown", [
    ("2026-11-19T14:08:00+00:00", "19 novembre 2026 à 15 h 08"),
    (datetime(2026, 12, 1, 8, 5, tzinfo=timezone.utc), "1er décembre 2026 à 9 h 05"),
    ("", ""),
    ("not a date", "not a date"),
])
def test_dates_in_french_in_the_business_time_zone(value, shown):
    assert datetime_fr(value, PARIS) == shown


@pytest.mark.parametrize("details, postcode, shown", [
    ({"new_address": {"street": "12 allée des Frênes", "complement": "ZI des Vignes", "postcode": "35740",
                      "city": "Pacé", "cedex": None}}, "35740", "ZI des Vignes, 12 allée des Frênes, 35740 Pacé"),
    ({"new_address": {"street": None, "complement": None, "postcode": "75809", "city": "PARIS", "cedex": "CEDEX 17"}},
     "75809", "75809 PARIS CEDEX 17"),
    ({}, "35740", "code postal 35740"),
    ({}, None, ""),
])
def test_the_new_address_on_one_line(details, postcode, shown):
    assert address_text(details, postcode) == shown


def test_readings_machine_by_machine():
    details = {"meter_readings": [
        {"value": 25604, "counter": "noir", "unit": None, "serial": "PW345-0070011"},
        {"value": 9812, "counter": "couleur", "unit": None, "serial": "PW345-0070011"},
        {"value": 1200, "counter": "m2", "unit": "m2", "serial": "CW3800-0007120"},
        {"value": 77, "counter": None, "unit": "pages", "serial": None}]}
    assert readings_text(details, [25604, 9812, 1200, 77]) == (
        "PW345-0070011 : noir 25\u00a0604, couleur 9\u00a0812 ; CW3800-0007120 : m² 1\u00a0200 ; "
        "matériel non précisé : compteur 77 pages")
    assert readings_text({}, [25604, 12]) == "25\u00a0604 ; 12"


def test_evidence_in_plain_french():
    rows = [{"stage": "classify", "name": "equipment_move", "text": "déménager", "detail": "new ×1, weight 3"},
            {"stage": "classify", "name": "model", "text": "keywords and model agree", "detail": "po 0.9"},
            {"stage": "extract", "name": "serial_numbers", "text": "PW345-0070011", "detail": "shape (new text)"},
            {"stage": "trust", "name": "sender_known", "text": "a@b.fr", "detail": "…"},
            {"stage": "auth", "name": "pass", "text": "dmarc", "detail": "dmarc=pass"},
            {"stage": "route", "name": "sales", "text": "x@cf.canon.fr", "detail": ""}]
    lines = evidence_lines(rows, {"equipment_move": "Déménagement d'un matériel"}, 0.973, 15)
    assert lines == [
        {"label": "lecture automatique, confiance 97 %", "text": ""},
        {"label": "mots-clés de la situation « Déménagement d'un matériel »", "text": "déménager"},
        {"label": "n° de série lu(s)", "text": "PW345-0070011"},
        {"label": "expéditeur connu de l'annuaire", "text": "a@b.fr"}]
    assert len(evidence_lines(rows * 10, {"equipment_move": "x"}, 0.5, 15)) == 15


def test_a_deadline_is_shown_apart_from_the_effective_date():
    """"d'ici le 15 juillet" is when the customer wants it done, not when the change applies (FORMAT.md)."""
    raw = (b"From: Jean <jean@acme.fr>\r\nTo: contrats.service.wfps@cf.canon.fr\r\nSubject: Demenagement\r\n"
           b"Date: Mon, 01 Feb 2027 10:00:00 +0100\r\nMessage-ID: <d1@acme.fr>\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
           "Bonjour,\nNous souhaitons déménager le traceur n° de série 3Y0612300 d'ici le 15 juillet, vers notre "
           "nouvelle adresse : 12 rue des Lilas, 35000 Rennes.\n".encode())
    from mailbot.read.analyze import analyze

    analysis = analyze(raw)
    assert analysis.fields["effective_date"] is None
    assert analysis.details["deadline"]["date"] == "2027-07-15"


def test_a_request_read_from_an_address_or_a_paragraph_is_named_in_french():
    rows = [{"stage": "classify", "name": "new_address_given", "text": "", "detail": "x"},
            {"stage": "classify", "name": "request_paragraph", "text": "Autre point : le n° de commande devient X",
             "detail": "po_change 0.81"}]
    labels = [line["label"] for line in evidence_lines(rows, {}, 0.3, 10)]
    assert "demande déduite de la nouvelle adresse postale donnée (à confirmer)" in labels
    assert any(label.startswith("demande lue dans un paragraphe du message") for label in labels)
