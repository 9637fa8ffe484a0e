"""What customers attach, read inside analyze: purchase orders in PDF, a K-bis known by its content,
meter-reading forms in xlsx and csv, a docx letter; the body first; hostile and broken files give
"unreadable" with the reason and never hurt the rest of the message (time, exceptions)."""

from __future__ import annotations

import io
import time
import zipfile
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mailbot.read.analyze import analyze
from mailbot.read.rules import default_rules
from mailbot.read.attachments import MAX_PAGES, read


def pdf(lines: list[str], pages: int = 1) -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.set_font("helvetica", size=11)
    for _ in range(pages):
        document.add_page()
        for line in lines:
            document.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Relevés"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def mail(subject: str, body: str, files: list[tuple[str, str, bytes]]) -> bytes:
    message = EmailMessage()
    message["From"] = "Jean Dupont <j.dupont@acme-industrie.fr>"
    message["To"] = "contrats.service.wfps@cf.canon.fr"
    message["Subject"] = subject
    message["Date"] = "Mon, 05 Oct 2026 10:00:00 +0200"
    message["Message-ID"] = "<a.1@acme-industrie.fr>"
    message.set_content(body)
    for name, ctype, data in files:
        main, sub = ctype.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return bytes(message)


PO_PDF = pdf(["ACME Industrie - Bon de commande", "Bon de commande n° BC-2027-0451", "Contrat Canon : CT-2024-00871"])
KBIS_PDF = pdf(["Greffe du Tribunal de Commerce de Lyon", "Extrait Kbis",
                "Extrait d'immatriculation principale au registre du commerce et des societes",
                "a jour au 02/10/2026", "Denomination : HELIOS PRINT SAS", "RCS Lyon 732 829 320"])
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FORM = xlsx([["N° de série", "Compteur noir", "Compteur couleur"], ["3Y0A1111", 120400, 30220],
                  ["3Y0A2222", 88010, 12500]])
CSV_FORM = "N° de série;Noir;Couleur\n3Y0A1111;120 400;30 220\n".encode("cp1252")
LETTER = docx(["Madame, Monsieur,", "Nous résilions le contrat CT-2022-00099 à son échéance.", "Le directeur"])


@pytest.mark.parametrize("what, subject, body, files, expected", [
    ("P.O only in the attached purchase order", "Nouveau bon de commande",
     "Bonjour,\nci-joint notre nouveau bon de commande pour 2027.\nCordialement",
     [("BC_2027.pdf", "application/pdf", PO_PDF)], {"po_number": "BC-2027-0451", "contract_number": "CT-2024-00871"}),
    ("a K-bis known by its content, whatever its name", "Changement d'entité de facturation",
     "Bonjour, suite au rachat par Helios Print, merci de facturer la machine n° série 3Y012345 à cette entité "
     "à compter du 1er mars 2027. Voir le document joint.",
     [("scan_0012.pdf", "application/pdf", KBIS_PDF)], {"kbis": True, "siren": "732 829 320"}),
    ("a K-bis sent with \"en PJ\": the new entity's SIREN read in it", "Rachat",
     "Bonjour, suite au rachat par Helios Print, merci de facturer la nouvelle entité pour la machine n° série "
     "3Y012345 à compter du 1er mars 2027. Kbis en PJ.",
     [("Kbis.pdf", "application/pdf", KBIS_PDF)], {"siren": "732 829 320", "kbis": True}),
    ("a K-bis the body says \"vous trouverez\"", "Reprise de notre laboratoire",
     "Bonjour,\nNotre laboratoire est repris par HELIOS PRINT (14 rue Jules Verne, 97490 Sainte-Clotilde). Merci de "
     "basculer la facturation dès que possible sur la nouvelle entité pour le matériel suivant :\n- PlotWave 345 - série "
     "3Y0456711\nVous trouverez le Kbis de la nouvelle société ainsi que notre plaquette.",
     [("Extrait_Kbis.pdf", "application/pdf", KBIS_PDF)], {"siren": "732 829 320", "kbis": True}),
    ("the K-bis's SIREN over the ceding company's in the body", "Reprise",
     "Bonjour, Helios Print SAS a repris le fonds de commerce de l'Imprimerie Durand SARL (SIREN 388 129 004). Merci "
     "de facturer la machine n° série 3Y012345 à Helios Print à compter du 1er mars 2027. K-bis ci-joint.",
     [("Kbis.pdf", "application/pdf", KBIS_PDF)], {"siren": "732 829 320", "kbis": True}),
    ("readings in an xlsx form, serial and counter kept", "RE: Relevés compteurs",
     "Bonjour, voici nos relevés en pièce jointe.", [("releves.xlsx", "application/vnd.openxmlformats-"
                                                      "officedocument.spreadsheetml.sheet", XLSX_FORM)],
     {"meter_readings": [120400, 30220, 88010, 12500], "serial_numbers": ["3Y0A1111", "3Y0A2222"]}),
    ("readings in a csv in cp1252", "Relevés compteurs", "Bonjour, ci-joint le relevé.",
     [("releve.csv", "text/csv", CSV_FORM)], {"meter_readings": [120400, 30220]}),
    ("a contract number in a docx letter", "Résiliation", "Bonjour, veuillez trouver notre courrier de résiliation "
     "ci-joint.", [("courrier.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    LETTER)], {"contract_number": "CT-2022-00099"}),
])
def test_values_read_in_attachments(what, subject, body, files, expected):
    analysis = analyze(mail(subject, body, files))
    for name, value in expected.items():
        assert analysis.fields[name] == value, (what, name, analysis.fields)
    shown = [e for e in analysis.evidence if e.source == "attachment"]
    assert shown and all(f"read in {files[0][0]}" in e.detail or e.stage == "kbis" for e in shown)
    spans = analysis.details["spans"]
    some = next(iter(expected))
    where = spans[some][0] if isinstance(spans[some], list) else spans[some]
    assert where["source"] == "attachment" and where["attachment"] == files[0][0]


@pytest.mark.parametrize("what, subject, body, expected", [
    ("a signature only", "Compteurs", "\n\n-- \nKarim Belhadj\nImprimerie Ducros\n04 90 71 55 03", "meter_read_request"),
    ("a closing only", "relevé", "Cordialement\n\nServices techniques\nTél. 02 41 88 60 00", "meter_read_request"),
    ("a greeting and 'voir PJ'", "Envoi", "Bonjour,\n\nVoir PJ.\n\nCordialement,\nM. Roux", "meter_read_request"),
    ("'please find attached'", "Envoi", "Hello,\n\nplease find attached.\n\nRegards,\nM. Roux", "meter_read_request"),
    ("a sentence that only names what it attaches", "Courrier DAF", "Bonjour,\n\nVeuillez trouver en pièce jointe le "
     "courrier de notre Directeur Administratif et Financier concernant vos relevés d'activité.\n\nCordialement",
     "meter_read_request"),
    ("'Cf PJ' and a signature without a formula", "compteurs", "Cf PJ\n\nBET Exemple Ingénierie - 64100 Bayonne",
     "meter_read_request"),
    ("a phone's line only", "Relevés", "\n\nEnvoyé depuis mon iPhone\n", "meter_read_request"),
    ("no text at all", "Envoi", "", "meter_read_request"),
])
def test_a_body_that_says_nothing_is_read_in_what_it_attaches(what, subject, body, expected):
    """The words are all in the file: the service desk reads the file, and so does the bot."""
    csv_only = "Numéro de série;Modèle;Compteur N&B;Compteur couleur\n3Y2C40719;PlotWave 500;18452;\n" \
               "7180-01377;ColorWave 3600;6 033;11 895\n".encode("cp1252")
    analysis = analyze(mail(subject, body, [("export.csv", "text/csv", csv_only)]))
    assert analysis.situation == expected, (what, analysis.evidence)
    assert analysis.fields["serial_numbers"] == ["3Y2C40719", "7180-01377"]
    assert analysis.fields["meter_readings"] == [18452, 6033, 11895]
    assert any(e.stage == "classify" and e.name == "attached_request" and e.text == "export.csv"
               for e in analysis.evidence)


def test_files_without_a_word_that_name_no_request_go_to_a_person_saying_so():
    """No text, and a file that asks for nothing the sheet knows: a person opens it, told why."""
    analysis = analyze(mail("Envoi", "", [("liste.csv", "text/csv", "Nom;Ville\nDupont;Lyon\nMartin;Nantes\n".encode())]))
    assert analysis.situation == "other"
    assert any(e.stage == "parse" and e.name == "unreadable" and "only attachments: liste.csv" in e.detail
               for e in analysis.evidence)


def test_a_form_updating_the_billing_details_is_read_when_the_body_names_it():
    """"Coordonnées de facturation" (billing details) in the subject is no invoice passed on: the form the body
    names is read for the new mailbox and the customer number."""
    form = xlsx([["Rubrique", "Valeur"], ["N° client chez le fournisseur", "CLI-550001"],
                 ["Ancienne adresse facturation", "achats@exemple-logistique.fr"],
                 ["Nouvelle adresse facturation (e-mail)", "invoices@exemple-logistique.fr"],
                 ["Date d'effet", "15/06/2027"]])
    analysis = analyze(mail("MAJ coordonnées de facturation", "Bonjour,\n\nCi-joint notre fiche de mise à jour des "
                            "coordonnées de facturation, applicable dès le 15 juin.\n\nMerci de votre retour.",
                            [("MAJ_fournisseur.xlsx", XLSX_TYPE, form)]))
    assert analysis.situation == "invoice_address_change", analysis.evidence
    assert analysis.fields["new_email"] == "invoices@exemple-logistique.fr"
    assert analysis.fields["customer_number"] == "CLI-550001"


def test_a_csv_exports_column_names_read_as_words():
    """An export's header written as identifiers ("numero_serie;compteur_nb") names its columns as words do."""
    csv_only = b"numero_serie;compteur_nb;compteur_couleur;date_releve\n3Y2C40719;48210;13377;28/02/2027\n" \
               b"3Y2C40720;20114;5290;28/02/2027\n"
    analysis = analyze(mail("Relevés", "\n\n--\nCabinet Vasseur\n03 22 24 61 30", [("compteurs.csv", "text/csv", csv_only)]))
    assert analysis.situation == "meter_read_request", analysis.evidence
    assert analysis.fields["serial_numbers"] == ["3Y2C40719", "3Y2C40720"]
    assert analysis.fields["meter_readings"] == [48210, 13377, 20114, 5290]


def test_a_value_keeps_its_underscores():
    """Only a column's name written as words joined by underscores reads as words."""
    from mailbot.read.attachments import read
    document = read("formulaire.csv", "text/csv", b"contrat;email_facturation\n77-410223;compta_fournisseurs@atelier.fr\n")
    assert document.text == "contrat | email facturation\n77-410223 | compta_fournisseurs@atelier.fr"


def test_an_orders_client_number_is_no_customer_number_the_request_does_not_need():
    order = pdf(["ATELIER LEFEVRE - BON DE COMMANDE", "Bon de commande n° BC-2027-0451",
                 "Fournisseur : CANON FRANCE - N° client : 100287", "Contrat Canon : CT-2024-00871"])
    analysis = analyze(mail("Nouveau bon de commande", "Bonjour,\nCi-joint notre nouveau bon de commande pour 2027.",
                            [("BC_2027_0451.pdf", "application/pdf", order)]))
    assert analysis.fields["po_number"] == "BC-2027-0451" and analysis.fields["customer_number"] is None


def test_an_orders_customer_number_at_canon_is_read():
    """"N° client Canon : …" in the purchase order names the customer's own number with us, unlike its "N° client"."""
    order = pdf(["HOPITAL EXEMPLE - BON DE COMMANDE N° BC-27-000318", "Fournisseur : CANON FRANCE SAS",
                 "Code fournisseur : F004417", "N° client Canon : C0012847", "Objet : maintenance traceur - contrat "
                 "Canon CT-2026-004512"])
    analysis = analyze(mail("Renouvellement BC 2027", "Bonjour,\nVeuillez trouver ci-joint notre nouveau bon de commande "
                            "pour l'exercice 2027.", [("BDC-2027-MAINT.pdf", "application/pdf", order)]))
    assert analysis.fields["po_number"] == "BC-27-000318" and analysis.fields["customer_number"] == "C0012847"


@pytest.mark.parametrize("name", ["BC_2027_a_reporter_sur_factures.pdf", "BDC_FACT_2027.pdf", "BC 2027 - Fac.pdf"])
def test_an_order_whose_name_speaks_of_invoices_gives_its_number(name):
    order = pdf(["BON DE COMMANDE N° BC-27-000318", "Fournisseur : CANON FRANCE SAS", "Objet : maintenance traceur"])
    analysis = analyze(mail("Bon de commande 2027", "Bonjour,\nVeuillez trouver ci-joint notre nouveau bon de commande "
                            "pour l'exercice 2027, à reporter sur vos factures.", [(name, "application/pdf", order)]))
    assert analysis.fields["po_number"] == "BC-27-000318"


def test_an_invoices_order_number_is_no_new_order():
    """An invoice attached for reference bills an order gone by: its "Commande n°" is not the request's P.O."""
    invoice = pdf(["CANON FRANCE - FACTURE N° F2027-11873 du 02/08/2027", "Client : IMPRIMERIE DURAND",
                   "Commande web n° W-884412", "Toner noir x 2 ........ 238,00"])
    analysis = analyze(mail("Résiliation contrat", "Bonjour,\nNous cessons notre activité et souhaitons résilier le "
                            "contrat n° 58.114.207.\nCi-joint la dernière facture reçue.",
                            [("Facture_F2027-11873.pdf", "application/pdf", invoice)]))
    assert analysis.situation == "contract_termination"
    assert analysis.fields["po_number"] is None


@pytest.mark.parametrize("subject, body, name, paragraphs, situation, fields", [
    # "au terme du contrat le 30/09/2027": the term's date, not the letter's
    ("Résiliation", "Madame, Monsieur,\n\nVeuillez trouver ci-joint notre courrier de résiliation.",
     "Resiliation_2027.docx", ["Nancy, le 1er juin 2027", "Objet : résiliation du contrat n° AGL-CAN-2022/07",
                               "Nous vous informons de notre décision de résilier, au terme du contrat le 30/09/2027, le "
                               "contrat de location-maintenance portant sur le traceur ColorWave 3600, numéro de série 30 "
                               "41 88 12."],
     "contract_termination", {"effective_date": "2027-09-30"}),
    # "… le courrier de M. le Maire": the letter's request, whatever the model reads in the body; a letter about
    # invoices is no invoice (its date is the request's)
    ("Courrier - transmission des factures", "Bonjour,\n\nVeuillez trouver ci-joint le courrier de M. le Maire.",
     "courrier_maire_factures.docx", ["Objet : envoi des factures par courriel - contrat n° MNT-21-0388",
                                      "Madame, Monsieur,", "Je vous informe qu'à compter du 1er mars 2027, les factures "
                                      "relatives au contrat cité en objet devront être adressées exclusivement par "
                                      "courriel à l'adresse factures@mairie-exemple.fr."],
     "invoice_by_email", {"new_email": "factures@mairie-exemple.fr", "effective_date": "2027-03-01"}),
    # "l'office sera exploité par la SELARL …, SIREN …": the company that carries on is the new one
    ("Transformation de l'étude", "Madame, Monsieur,\nNotre étude change de forme juridique au 1er juillet 2027. Vous "
     "trouverez ci-joint le courrier de Maître Dupré. Merci de modifier l'entité facturée en conséquence.",
     "Courrier_SELARL.docx", ["Je vous informe qu'à compter du 1er juillet 2027, l'office sera exploité par la SELARL "
                              "DUPRE NOTAIRES, SIREN 732829304, dont le siège est inchangé."],
     "billing_entity_change", {"siren": "732829304", "effective_date": "2027-07-01"}),
])
def test_a_letter_sent_with_a_word_is_read_for_its_request_and_its_date(subject, body, name, paragraphs, situation, fields):
    analysis = analyze(mail(subject, body, [(name, "application/vnd.openxmlformats-officedocument.wordprocessingml."
                                             "document", docx(paragraphs))]))
    assert analysis.situation == situation, analysis.evidence
    assert {key: analysis.fields[key] for key in fields} == fields


@pytest.mark.parametrize("what, subject, body", [
    ("a side topic beside the form", "Formulaire relevé compteurs + panne", "Bonjour,\n\nCi-joint le formulaire "
     "rempli.\n\nAutre chose : depuis lundi la varioPRINT affiche l'erreur E-205 et bourre à chaque changement de "
     "bac. Pouvez-vous envoyer un technicien rapidement ?\n\nCordialement"),
    ("a question beside the file, in English", "Meter readings / breakdown", "Hi,\n\nFile as requested. Also, the "
     "plotter shows error E-205 since Monday and jams on every roll, could you send a technician?\n\nThanks"),
])
def test_a_request_the_subject_names_and_the_file_holds_wins_over_a_side_topic(what, subject, body):
    """The subject names the readings, the file holds them, the body asks something else beside: the desk enters
    the readings and passes the side topic on (secondary "other")."""
    csv_only = "Numéro de série;Compteur N&B;Compteur couleur\n3Y2C40719;18452;\n7180-01377;6 033;11 895\n".encode()
    analysis = analyze(mail(subject, body, [("export.csv", "text/csv", csv_only)]))
    assert (analysis.situation, analysis.secondary_situation) == ("meter_read_request", "other"), (what,
                                                                                                  analysis.evidence)
    assert analysis.fields["meter_readings"] == [18452, 6033, 11895]
    assert {e.source for e in analysis.evidence if e.name == "meter_readings"} == {"attachment"}  # read in the file


class FileReader:
    """A model that reads "other" in any text but one holding ``words`` (the file's), where it reads ``situation``:
    the whole mail reads as its side topic, whatever the shipped model has learnt since."""

    SITUATIONS = tuple(default_rules().situations)

    def __init__(self, words: str, situation: str):
        self.words, self.situation = words, situation

    def predict(self, text: str) -> dict[str, float]:
        chosen = self.situation if self.words in text else "other"
        return {s: 0.91 if s == chosen else 0.01 for s in self.SITUATIONS}

    def predict_many(self, texts):
        return [self.predict(text) for text in texts]


def test_the_files_request_the_subject_names_wins_over_the_side_topic_the_whole_mail_reads():
    """Where the whole mail reads as its side topic (a breakdown), the subject naming the readings and the file
    holding them make the request: read from the file (evidence attached_request), the breakdown secondary."""
    csv_only = "Numéro de série;Compteur N&B;Compteur couleur\n3Y2C40719;18452;\n".encode()
    raw = mail("Formulaire relevé compteurs + panne", FORM_AND_BREAKDOWN, [("export.csv", "text/csv", csv_only)])
    analysis = analyze(raw, model=FileReader("Compteur N&B", "meter_read_request"))
    assert (analysis.situation, analysis.secondary_situation) == ("meter_read_request", "other"), analysis.evidence
    assert any(e.name == "attached_request" and e.text == "export.csv" for e in analysis.evidence)
    # the same file under a subject that names no request: the side topic stays the situation
    raw = mail("Panne varioPRINT", FORM_AND_BREAKDOWN, [("export.csv", "text/csv", csv_only)])
    assert analyze(raw, model=FileReader("Compteur N&B", "meter_read_request")).situation == "other"


FORM_AND_BREAKDOWN = ("Bonjour,\n\nCi-joint le formulaire rempli.\n\nAutre chose : depuis lundi la varioPRINT affiche "
                      "l'erreur E-205 et bourre à chaque changement de bac. Pouvez-vous envoyer un technicien rapidement ?"
                      "\n\nCordialement")


def test_a_side_topic_stays_other_when_only_the_file_holds_readings():
    files = [("export.csv", "text/csv", "N° série;Noir\n3Y2C40719;18452\n".encode())]
    analysis = analyze(mail("Panne varioPRINT", FORM_AND_BREAKDOWN, files))
    assert analysis.situation == "other", analysis.evidence
    assert not any(e.name == "attached_request" for e in analysis.evidence)


def test_the_readings_form_announced_but_a_brochure_attached_asks_for_the_readings():
    """Subject and body say the filled readings form is sent; the file is a brochure: the readings are what is
    missing (the reply asks for them), the breakdown is passed on beside (secondary "other")."""
    files = [("brochure.pdf", "application/pdf", pdf(["Découvrez la nouvelle gamme varioPRINT", "Offre spéciale"]))]
    analysis = analyze(mail("Formulaire relevé compteurs + panne", FORM_AND_BREAKDOWN, files))
    assert (analysis.situation, analysis.secondary_situation) == ("meter_read_request", "other"), analysis.evidence
    assert "meter_readings" in analysis.missing and analysis.fields["meter_readings"] == []


@pytest.mark.parametrize("what, body", [
    ("a body that asks something else", "Bonjour,\n\nnous avons un bourrage papier sur le traceur, pouvez-vous "
     "envoyer un technicien ?\n\nCordialement"),
    ("a body that disputes an invoice", "Bonjour, la facture jointe est fausse.\nCordialement"),
])
def test_a_body_with_words_of_its_own_is_not_replaced_by_its_attachment(what, body):
    csv_only = "N° série;Noir\n3Y2C40719;18452\n".encode("cp1252")
    analysis = analyze(mail("Question", body, [("export.csv", "text/csv", csv_only)]))
    assert analysis.situation == "other", what
    assert not any(e.name == "attached_request" for e in analysis.evidence)


@pytest.mark.parametrize("what, subject, body, files", [
    ("a purchase order that quotes a counter", "Nouveau bon de commande", "Bonjour,\nci-joint notre nouveau bon de "
     "commande pour 2027.\nCordialement", [("BC_2027.pdf", "application/pdf", pdf(
         ["Bon de commande n° BC-2027-0451", "Contrat Canon : CT-2024-00871", "Compteur noir : 6156"]))]),
    ("an invoice attached to a request for remote reading", "Remote meter reading", "Hello,\nwe would like the meter "
     "reads of our varioPRINT (serial 4107733291) sent automatically. Invoice attached.",
     [("Invoice_9402319941.pdf", "application/pdf", pdf(["Invoice 9402319941", "Black counter: 1,250,000"]))]),
])
def test_readings_are_taken_from_attachments_only_for_a_request_of_readings(what, subject, body, files):
    analysis = analyze(mail(subject, body, files))
    assert analysis.situation in ("po_change", "automatic_meter_reads"), what
    assert analysis.fields["meter_readings"] == [], what


@pytest.mark.parametrize("subject, body", [
    ("Passage aux relevés automatiques", "Bonjour,\nNous souhaitons passer à la transmission automatique des compteurs "
     "pour notre varioPRINT iX3200 (n° série 3Y0A1111).\nPour ce trimestre, je joins quand même le relevé du jour."),
    ("Transfert", "Bonjour,\nMerci de déménager le traceur n° de série 3Y0A1111 au 5 rue Pasteur, 31000 Toulouse.\n"
     "Je joins aussi les compteurs relevés avant démontage."),
])
def test_readings_the_body_says_it_attaches_are_read_beside_another_request(subject, body):
    analysis = analyze(mail(subject, body, [("releve.csv", "text/csv", CSV_FORM)]))
    assert analysis.situation in ("automatic_meter_reads", "equipment_move")
    assert analysis.fields["meter_readings"] == [120400, 30220]


def test_a_k_bis_that_only_restricts_permissions_is_read():
    """An owner password only (registry extracts often have one): it opens with an empty password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(KBIS_PDF)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    analysis = analyze(mail("Rachat", "Bonjour, notre société est rachetée par Helios Print au 1er mars 2027 pour la "
                            "machine n° série 3Y012345. Vous trouverez ci-joint le K-bis.",
                            [("Martin_Holding_2027.pdf", "application/pdf", out.getvalue())]))
    assert analysis.fields["kbis"] is True and analysis.fields["siren"] == "732 829 320"


@pytest.mark.parametrize("what, subject, body, name, expected", [
    ("final counters with a termination, in English", "Termination", "Please terminate contract 4471-2290 (serial "
     "3Y0A1111) on 30 June 2027. Please find attached the final counter figures.", "counters.csv", [120400, 30220]),
    ("an inventory is no invoice", "Relevé", "Ci-joint le relevé de compteurs de notre traceur.",
     "INV_parc_compteurs.csv", [120400, 30220]),
])
def test_readings_attached_by_name_and_words(what, subject, body, name, expected):
    analysis = analyze(mail(subject, body, [(name, "text/csv", CSV_FORM)]))
    assert analysis.fields["meter_readings"] == expected, what


def test_an_invoice_passed_on_with_voir_pj_is_not_a_request():
    invoice = "Facture n° 9100448812\nContrat n° 4471-2290\nN° de série 3Y0A1111\nRelevé compteurs au 28/02/2027 : " \
              "Noir 45 210 - Couleur 12 034\n".encode()
    analysis = analyze(mail("TR: facture", "Bonjour,\n\nVoir PJ.\n\nCordialement,\nJean Martin",
                            [("scan0001.txt", "text/plain", invoice)]))
    assert analysis.situation == "other"


def test_an_old_contracts_start_in_a_copy_attached_is_no_effective_date():
    letter = "Contrat de maintenance n° 4471-2290\nDate de démarrage : 01/09/2021\n".encode()
    analysis = analyze(mail("Résiliation", "Nous souhaitons résilier le contrat 4471-2290 (traceur n° de série "
                            "3Y0A1111) à son échéance. Ci-joint une copie du contrat.",
                            [("contrat.txt", "text/plain", letter)]))
    assert analysis.fields["effective_date"] is None


def test_a_k_bis_gives_its_denomination_and_date_as_evidence():
    analysis = analyze(mail("Cession", "Bonjour, cession à Helios Print au 1er mars 2027 pour la machine n° "
                            "série 3Y012345, voir pièce jointe.", [("doc.pdf", "application/pdf", KBIS_PDF)]))
    found = {e.name: e.text for e in analysis.evidence if e.stage == "kbis"}
    assert found == {"denomination": "HELIOS PRINT SAS", "up_to_date": "02/10/2026"}


def test_the_body_comes_first():
    analysis = analyze(mail("Nouveau bon de commande", "Bonjour, notre nouveau bon de commande est le BC-2027-9999 "
                            "pour le contrat CT-2024-00871.", [("BC.pdf", "application/pdf", PO_PDF)]))
    assert analysis.fields["po_number"] == "BC-2027-9999"
    assert analysis.details["spans"]["po_number"]["source"] == "new"


@pytest.mark.parametrize("name, kbis", [("document.pdf", False), ("Kbis_Arts_Graphiques.pdf", True)])
def test_a_k_bis_locked_by_a_password_counts_only_when_named_so(name, kbis):
    """Said to be attached, in a locked document of no name: nobody can check it, so the request still lacks it;
    a locked file named as the K-bis is the K-bis (it is there; the desk asks for the password)."""
    analysis = analyze(mail("Changement d'entité", "Bonjour, suite à la fusion avec Arts Graphiques du Centre, merci "
                            "d'établir les factures de la machine n° série 6180T-009273 à son nom au 1er octobre 2027. "
                            "Vous trouverez le K-bis en pièce jointe (document sécurisé).",
                            [(name, "application/pdf", encrypted_pdf())]))
    assert analysis.situation == "billing_entity_change"
    assert analysis.fields["kbis"] is kbis and ("kbis" in analysis.missing) is not kbis, analysis.evidence


@pytest.mark.parametrize("name, ctype, data, kbis", [
    ("IMG_20270312_0931.png", "image/png", b"\x89PNG\r\n\x1a\n", False),  # a phone's photo: nothing to check
    ("document.pdf", "application/pdf", pdf([""]), False),                 # a scan with no text
    ("Kbis_Ouvrages_Lorrains.png", "image/png", b"\x89PNG\r\n\x1a\n", True),  # named so: it is there
    ("document.pdf", "application/pdf", pdf(["Extrait Kbis", "RCS Nancy 842 156 903"]), True),
])
def test_a_k_bis_said_attached_as_a_picture_counts_only_when_named_so(name, ctype, data, kbis):
    """Said to be attached, but only a picture of no name is: no K-bis can be checked, so the request lacks it."""
    analysis = analyze(mail("Cession", "Bonjour,\nSuite à la cession de notre société au Groupe Ouvrages Lorrains, la "
                            "facturation du PlotWave 500 (s/n PW500-77120) passera sur la nouvelle entité au 1er avril "
                            "2027.\nVeuillez trouver ci-joint le Kbis.", [(name, ctype, data)]))
    assert analysis.situation == "billing_entity_change"
    assert analysis.fields["kbis"] is kbis and ("kbis" in analysis.missing) is not kbis, analysis.evidence


SCANNED = b"%PDF-1.4\n% an image-only scan: no text to read\n%%EOF\n"


@pytest.mark.parametrize("what, body, name, expected", [
    ("an order named in the file name of an unreadable scan", "Bonjour,\nci-joint le nouveau bon de commande annuel "
     "du contrat CT-2024-00871, applicable au 1er mars 2027.", "BC_4500912277_Canon_2027.pdf", "4500912277"),
    ("… its label apart from a lettered value", "Bonjour, vous trouverez le bon de commande 2027 en pièce jointe "
     "pour le contrat CT-2024-00871.", "BDC LYON-2027-0118.pdf", "LYON-2027-0118"),
    ("… a dashed order keeps its letters", "Bonjour, nouveau bon de commande joint pour le contrat CT-2024-00871.",
     "BC-NORD-27-0412.pdf", "BC-NORD-27-0412"),
    ("… not a file name with no order label", "Bonjour, ci-joint notre nouveau bon de commande pour le contrat "
     "CT-2024-00871.", "scan_20270301_0042.pdf", None),
    ("… holding a shorter number the body named", "Bonjour, ci-joint le nouveau bon de commande du contrat n° 4471.",
     "BC_4500447123.pdf", "4500447123"),
    ("… not the contract the body named", "Ci-joint l'engagement juridique valable pour 2027 relatif au contrat n° "
     "C2027/0561.", "EJ_2027_C2027-0561.pdf", None),
    ("a year's word glued to its year is no order", "Vous trouverez ci-joint notre bon de commande pour l'exercice 2027 "
     "(le document est protégé).", "BC_exercice2027.pdf", None),
    # a month glued to its year is a date; a short number in a name a page, a day or a version
    ("a month glued to its year is no order", "Bonjour, ci-joint le nouveau bon de commande du contrat CT-2024-00871.",
     "PO_juillet2027.pdf", None),
    ("… nor four digits in a scan's name", "Bonjour, ci-joint le nouveau bon de commande du contrat CT-2024-00871.",
     "Scan_BC_0901.pdf", None),
    ("… nor a short number after a letter code", "Bonjour, ci-joint notre engagement juridique pour le contrat "
     "CT-2024-00871.", "EJ_2100_signe.pdf", None),
    ("… five digits are", "Bonjour, ci-joint le nouveau bon de commande du contrat CT-2024-00871.",
     "BC_27-00915.pdf", "27-00915"),
    ("… four digits not led by a 0 nor a year's are", "Bonjour, ci-joint le nouveau bon de commande du contrat "
     "CT-2024-00871.", "BC_4512.pdf", "4512"),
])
def test_an_order_in_an_attachments_name(what, body, name, expected):
    analysis = analyze(mail("Nouveau bon de commande", body, [(name, "application/pdf", SCANNED)]))
    assert analysis.fields["po_number"] == expected, what
    if expected:
        where = analysis.details["spans"]["po_number"]
        assert (where["source"], where["attachment"], where["place"]) == ("attachment", name, "nom du fichier")
        shown = [e for e in analysis.evidence if e.name == "po_number"]
        assert [(e.source, e.place) for e in shown] == [("attachment", f"{name}, nom du fichier")]
        assert "po_number" not in analysis.missing


def test_the_body_comes_before_a_file_name():
    analysis = analyze(mail("Nouveau bon de commande", "Bonjour, notre nouveau bon de commande est le BC-2027-9999 "
                            "pour le contrat CT-2024-00871.", [("BC_4500912277.pdf", "application/pdf", SCANNED)]))
    assert analysis.fields["po_number"] == "BC-2027-9999"


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(PO_PDF)).pages:
        writer.add_page(page)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("what, name, ctype, data, why", [
    ("an encrypted PDF", "BC.pdf", "application/pdf", encrypted_pdf(), "encrypted"),
    ("a truncated PDF", "BC.pdf", "application/pdf", PO_PDF[: len(PO_PDF) // 3], "unreadable"),
    ("garbage named .pdf", "BC.pdf", "application/pdf", b"%PDF-1.4 not really", "unreadable"),
    ("a zip bomb as xlsx", "form.xlsx", XLSX, zip_bomb(), "zip bomb"),
    ("not a zip as xlsx", "form.xlsx", XLSX, b"PK\x03\x04 broken", "unreadable"),
    ("an image", "scan.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 jpeg", "OCR"),
    ("an image-only PDF", "scan.pdf", "application/pdf", pdf([]), "OCR"),
])
@pytest.mark.timing
def test_a_bad_attachment_is_unreadable_with_its_reason_and_the_rest_is_read(what, name, ctype, data, why):
    analyze(mail("Bonjour", "Bonjour", []))  # the process's first analysis loads the rules and the model: not timed
    started = time.perf_counter()
    analysis = analyze(mail("Nouveau bon de commande", "Bonjour, notre nouveau bon de commande BC-2027-1111 "
                            "pour le contrat CT-2024-00871, ci-joint.", [(name, ctype, data)]))
    assert time.perf_counter() - started < 5
    assert analysis.fields["po_number"] == "BC-2027-1111"  # the body is still read
    [entry] = analysis.details["attachments"]
    assert entry["read"] is False and why in entry["why"], entry


@pytest.mark.timing
def test_thousands_of_pages_are_read_only_up_to_the_cap():
    big = pdf(["Releve du compteur"], pages=300)
    started = time.perf_counter()
    document = read("big.pdf", "application/pdf", big)
    assert time.perf_counter() - started < 5 and len(document.pages) == MAX_PAGES


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("BC.pdf", "application/pdf", PO_PDF), ("f.xlsx", XLSX, XLSX_FORM),
                        ("k.pdf", "application/pdf", KBIS_PDF)]),
       st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=20))
def test_mutated_attachments_never_break_analyze(file, flips):
    name, ctype, data = file
    mutated = bytearray(data)
    for at, value in flips:
        mutated[at % len(mutated)] = value
    analysis = analyze(mail("Nouveau bon de commande", "ci-joint le bon de commande", [(name, ctype, bytes(mutated))]))
    assert analysis.situation


def test_the_forward_says_where_a_value_was_read():
    from mailbot.compose.forward_words import evidence_lines

    analysis = analyze(mail("Nouveau bon de commande", "Bonjour,\nci-joint notre nouveau bon de commande.",
                            [("BC_2027.pdf", "application/pdf", PO_PDF)]))
    lines = evidence_lines([e.as_dict() for e in analysis.evidence], {}, analysis.confidence, 30)
    assert {"label": "n° de commande (P.O) lu dans la pièce jointe BC_2027.pdf, page 1", "text": "BC-2027-0451"} in lines


def kbis_register(seat: str = "Adresse du siege : 27 rue de Gerland 69007 Lyon") -> bytes:
    return pdf(["Greffe du Tribunal de Commerce de LYON", "EXTRAIT D'IMMATRICULATION PRINCIPALE AU REGISTRE DU "
                "COMMERCE ET DES SOCIETES", "a jour au 8 janvier 2027", "Immatriculation au RCS, numero : 891174203 R.C.S. Lyon",
                "Denomination ou raison sociale : MARLOWE PRINT SOLUTIONS", seat])


KBIS_REGISTER = kbis_register()
MOVE_FORM = pdf(["Fiche de transfert de materiel", "N° de serie : 1650-00412-ZB", "Adresse actuelle",
                 "27 cours de Verdun - 33000 Bordeaux", "Nouvelle adresse d'installation",
                 "5 avenue Henri Vigneau - 33700 Merignac"])


@pytest.mark.parametrize("seat", ["Adresse du siege : 27 rue de Gerland 69007 Lyon", "Siege : 27 rue de Gerland 69007 Lyon",
                                  "Siège social : 27 rue de Gerland, 69007 Lyon"])
def test_a_register_extract_gives_the_siren_written_before_rcs_and_the_registered_office(seat):
    analysis = analyze(mail("Change of invoiced entity", "Following the merger, please invoice the equipment "
                            "3Y0A1111 to the absorbing company. The Kbis extract is attached.",
                            [("document.pdf", "application/pdf", kbis_register(seat))]))
    assert (analysis.fields["kbis"], analysis.fields["siren"]) == (True, "891174203")
    assert analysis.fields["new_address_postcode"] == "69007"  # the new entity's registered office
    assert {e.name: e.text for e in analysis.evidence if e.stage == "kbis"}["denomination"] == "MARLOWE PRINT SOLUTIONS"


def test_a_body_that_says_here_is_the_kbis_has_it_read():
    """"Voici le Kbis de la nouvelle structure": the file named like a K-bis is read for the SIREN and the seat."""
    analysis = analyze(mail("RE: Changement d'entité facturée", "Bonjour,\nVoici le Kbis de la nouvelle structure. Les "
                            "machines sont le PlotWave 345 n° de série 3YA01234 et le 3YB05567.",
                            [("EXTRAIT_RCS_20270201.pdf", "application/pdf", KBIS_REGISTER)]))
    assert analysis.situation == "billing_entity_change"
    assert (analysis.fields["kbis"], analysis.fields["siren"]) == (True, "891174203")
    assert analysis.fields["new_address_postcode"] == "69007"


def test_a_move_form_gives_the_destination_the_body_lacks():
    analysis = analyze(mail("Transfert de notre Colorado", "Bonjour, nous déménageons notre Colorado, voir la fiche "
                            "de transfert ci-jointe.", [("fiche_transfert.pdf", "application/pdf", MOVE_FORM)]))
    assert analysis.fields["new_address_postcode"] == "33700"
    assert analysis.details["new_address"]["city"].startswith("Merignac")


@pytest.mark.parametrize("when, expected", [
    ("Date souhaitée : 15/03/2027", "2027-03-15"),  # a move's day, under a weak cue
    ("Fait à Cherbourg, le 02/10/2026", None),  # the form's own date, gone by, is none
    ("Fait à Cherbourg, le 05/10/2026", None),  # … or the mail's own day
    ("Contact disponible le 02/12/2026 pour une visite technique", None),  # a visit's day, not the move's
    ("Date de signature : 05/10/2026", None),
    # a field's key on its line, its value alone on the next
    ("Date d'emménagement\n26/03/2027", "2027-03-26"),
    ("Date de signature\n05/12/2026", None),
    ("Horaires d'accès\n26/03/2027", None),
    # a key alone on its line names the move, and a keyed "Date souhaitée" wins over it
    ("Date de fin de bail des anciens locaux\n30/06/2027\nDate souhaitée : 15/03/2027", "2027-03-15"),
    ("Date de livraison des nouveaux locaux\n01/02/2027\nDate du transfert : 15/03/2027", "2027-03-15"),
    ("Date limite de retour de la fiche\n15/12/2026", None),
])
def test_a_move_form_gives_its_day(when, expected):
    form = pdf(["FICHE DE TRANSFERT DE MATERIEL", "N° de série : 6KB 004 217", "Site actuel : Port Chantereyne, "
                "50100 Cherbourg", "Site de destination : 3 rue de l'Escale, 50110 Cherbourg-en-Cotentin",
                *when.split("\n")])
    analysis = analyze(mail("Transfert traceur", "Bonjour, vous trouverez ci-joint la fiche de transfert de notre "
                            "traceur dans le cadre de notre déménagement.", [("fiche.pdf", "application/pdf", form)]))
    assert analysis.situation == "equipment_move"
    assert analysis.fields["effective_date"] == expected


def test_a_letter_attached_gives_both_the_new_postal_and_e_mail_addresses():
    """The desk records what the letter says: the new postal address and the e-mail box, not one of them."""
    letter = docx(["Madame, Monsieur,", "À compter du 1er décembre, merci d'adresser vos factures (compte client "
                   "0081224519) à notre nouvelle adresse : Menuiserie Keller, 12 rue de Molsheim, 67000 Strasbourg.",
                   "Les factures au format PDF sont à envoyer à compta.fournisseurs@menuiserie-keller.fr.",
                   "Le directeur financier"])
    analysis = analyze(mail("Changement d'adresse de facturation", "Bonjour,\nVeuillez trouver ci-joint le courrier "
                            "de notre directeur financier.\nCordialement",
                            [("Lettre.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              letter)]))
    assert analysis.situation == "invoice_address_change"
    assert analysis.fields["new_address_postcode"] == "67000"
    assert analysis.fields["new_email"] == "compta.fournisseurs@menuiserie-keller.fr"


@pytest.mark.parametrize("name, ctype, data, siren", [
    ("Fiche_nouvelle_entite.txt", "text/plain", "FICHE FOURNISSEUR - NOUVELLE ENTITE\nRaison sociale : Vendôme Print "
     "SAS\nSIREN : 732 829 320\nAdresse de facturation : 14 rue de la Paix, 41100 Vendôme\n".encode(), "732 829 320"),
    ("Courrier_reprise.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     docx(["Vendôme Print SAS", "SIREN : 732 829 320", "14 rue de la Paix – 41100 Vendôme", "Madame, Monsieur,",
           "Nous reprenons à compter du 1er juin les contrats de l'Imprimerie Ronsard. Merci d'établir vos factures au "
           "nom de Vendôme Print SAS, 14 rue de la Paix, 41100 Vendôme."]), "732 829 320"),
    # a letterhead whose company the letter does not name as the new one is not taken for it
    ("Courrier_reprise.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     docx(["Cabinet Lemaire SAS", "SIREN : 732 829 320", "14 rue de la Paix – 41100 Vendôme", "Madame, Monsieur,",
           "Nous reprenons à compter du 1er juin les contrats de l'Imprimerie Ronsard. Merci d'établir vos factures au "
           "nom de Vendôme Print SAS, 14 rue de la Paix, 41100 Vendôme."]), None),
])
def test_a_takeovers_letter_or_form_attached_gives_the_new_entitys_siren_and_address(name, ctype, data, siren):
    """A takeover's body sends to the file for the new entity's details: the desk reads its address there
    (situations.toml ``attached``), though the request needs it not to go on, and its SIREN when the file says it is
    the new entity's: a letterhead's may be the ceding company's, so only one whose company the letter or the body
    names as the new one ("au nom de Vendôme Print SAS" under the letterhead "Vendôme Print SAS")."""
    analysis = analyze(mail("Changement d'entité de facturation", "Bonjour,\nSuite à la reprise de l'Imprimerie "
                            "Ronsard par Vendôme Print SAS, nos traceurs PlotWave 3600 n° 7712034 et 7712211 seront "
                            "facturés à la nouvelle société à compter du 1er juin 2027. Vous trouverez ci-joint les "
                            "coordonnées complètes de la nouvelle entité ; le K-bis suivra.\nCordialement",
                            [(name, ctype, data)]))
    assert analysis.situation == "billing_entity_change"
    assert analysis.fields["siren"] == siren
    assert analysis.fields["new_address_postcode"] == "41100"
    assert analysis.details["spans"]["new_address_postcode"]["attachment"] == name


def test_an_old_entitys_letter_attached_gives_no_siren_as_the_new_ones():
    """The ceding company's own letterhead is the old entity's: its SIREN is no new one."""
    letter = docx(["Imprimerie Ronsard SARL", "SIREN : 732 829 320", "Ancienne adresse : 2 rue Ronsard, 41000 Blois",
                   "Madame, Monsieur,", "Notre société cesse son activité ; nos contrats sont repris par une société "
                   "dont le K-bis vous sera transmis."])
    analysis = analyze(mail("Changement d'entité de facturation", "Bonjour,\nNotre imprimerie est reprise : nos "
                            "traceurs PlotWave 3600 n° 7712034 et 7712211 seront facturés à la nouvelle société. "
                            "Ci-joint notre courrier.\nCordialement",
                            [("Courrier.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              letter)]))
    assert analysis.fields["siren"] is None
    assert analysis.fields["new_address_postcode"] is None


@pytest.mark.parametrize("body, siren", [
    # the writer's company, named as the one the contracts go to: its signature's SIREN
    ("Following the merger of Hexagone SARL into Stratis Engineering SAS, please transfer contract no. 4410-2291-07 "
     "(PlotWave 5000, serial 19400312) to our company from 1 April 2027.\n\nKind regards,\n\nMarc Oberlin\nStratis "
     "Engineering SAS - SAS au capital de 250 000 EUR\nSIREN 732829320 - RCS Strasbourg", "732829320"),
    # the writer's company is the one ceded: its signature's SIRET is the old entity's
    ("Notre SARL a été cédée et le cessionnaire reprendra le contrat de notre traceur ColorWave 3700, n° de série "
     "1730 4415. Le Kbis de la nouvelle société vous sera adressé.\n\nSalutations distinguées,\nPierre Lafargue\n"
     "Atelier Garonne Architectes - 4 rue Sainte-Catherine, 33000 Bordeaux\nSIRET : 73282932000074", None),
    # the writer's company named inside the cue's words, or as today's holder: the old entity
    ("Following the merger of Alpha Services Ltd into Beta Conseil SAS on 1 April 2027, please transfer our contract "
     "(serial 19400312).\n\nKind regards,\nJean Martin\nAlpha Services SAS\nSIREN 552100554", None),
    ("Dans le cadre de la cession de la société Alpha Services à la société Beta Conseil au 1er avril 2027, merci de "
     "transférer le contrat du traceur n° 19400312.\n\nCordialement,\nJean Martin\nAlpha Services SAS\nSIREN : "
     "552100554", None),
    ("Le contrat du traceur n° 19400312, actuellement au nom du Groupe Alpha, doit être transféré à la société Beta "
     "Conseil à partir du 1er avril 2027.\n\nCordialement,\nJean Martin\nGroupe Alpha SAS\nSIREN : 552100554", None),
])
def test_a_takeovers_signature_gives_the_siren_of_the_company_it_names_new(body, siren):
    analysis = analyze(mail("Changement d'entité de facturation", body, []))
    assert analysis.situation == "billing_entity_change"
    assert analysis.fields["siren"] == siren
    if siren:
        assert analysis.details["spans"]["siren"]["source"] == "signature"


def test_a_letter_attached_gives_the_siren_of_the_company_an_agency_is_ceded_to():
    """"Cession de notre agence à la société X …, immatriculée au RCS de Bordeaux sous le numéro …": X's, though the
    letter is the ceding company's and the body's signature gives its own SIRET."""
    letter = docx(["Atelier Garonne Architectes SARL", "Bordeaux, le 21 septembre 2026", "Madame, Monsieur,",
                   "Nous vous informons de la cession de notre agence à la société Garonne Design Studio SAS, 21 quai "
                   "des Chartrons, 33000 Bordeaux, immatriculée au RCS de Bordeaux sous le numéro 732 829 320.",
                   "Pierre Lafargue, gérant"])
    analysis = analyze(mail("Cession", "Madame, Monsieur,\n\nNotre SARL a été cédée et le cessionnaire reprendra le "
                            "contrat de notre traceur ColorWave 3700, n° de série 1730 4415.\nVous trouverez ci-joint le "
                            "courrier de cession.\n\nSalutations distinguées,\nPierre Lafargue\nAtelier Garonne "
                            "Architectes\nSIRET : 55210055400013",
                            [("courrier_cession.docx",
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document", letter)]))
    assert analysis.fields["siren"] == "732 829 320"
    assert analysis.details["spans"]["siren"]["attachment"] == "courrier_cession.docx"


def test_a_serial_read_in_a_files_name_for_a_request_of_readings():
    """A list of serials from a name (a second reader's crash: the order rule read a list as a text)."""
    analysis = analyze(mail("Relevé compteur", "Bonjour,\n\nVeuillez trouver ci-joint le relevé compteur de notre "
                            "traceur.\n\nCordialement,\nJean Martin",
                            [("Releve_compteur_SN_3Y012345.pdf", "application/pdf", SCANNED)]))
    assert analysis.situation == "meter_read_request"
    assert analysis.fields["serial_numbers"] == ["3Y012345"]


def test_the_ceding_companys_letter_names_the_other_company_as_new():
    letter = ("Alpha Services SAS\nSIREN : 552 100 554\n12 rue de la Paix 69003 Lyon\n\nMadame, Monsieur,\nNous vous "
              "informons de la cession de la société Alpha Services à la société Beta Conseil à compter du 1er avril "
              "2027.\n").encode()
    analysis = analyze(mail("Cession de contrat", "Bonjour,\n\nVeuillez trouver ci-joint notre courrier : la société "
                            "Alpha Services cède son contrat (traceur n° 19400312) à la société Beta Conseil au 1er avril "
                            "2027.\n\nCordialement,\nJean Martin", [("courrier.txt", "text/plain", letter)]))
    assert analysis.fields["siren"] is None


def test_a_form_filled_in_gives_the_invoice_address_the_body_lacks():
    form = pdf(["DEMANDE D'ENVOI DES FACTURES PAR E-MAIL", "N° de contrat Canon : MC 2025 0712",
                "Adresse e-mail de reception des factures (non nominative) : fournisseurs@clinique-valdorge.fr",
                "Nom du signataire : Arnaud Pichon"])
    analysis = analyze(mail("Formulaire envoi des factures par e-mail", "Bonjour, vous trouverez ci-joint le "
                            "formulaire de dématérialisation des factures dûment complété et signé.",
                            [("Formulaire.pdf", "application/pdf", form)]))
    assert analysis.fields["new_email"] == "fournisseurs@clinique-valdorge.fr"
    assert analysis.details["new_email"]["nominative"] is False
    assert analysis.details["spans"]["new_email"]["attachment"] == "Formulaire.pdf"
    assert "new_email" not in analysis.missing


def test_a_machine_the_body_leaves_out_is_left_out_of_the_files_list():
    """"Seule exception : le PlotWave 340 (n° 3Y0071902) … restera en relevé manuel": the fleet list attached still
    names it, the desk does not enrol it."""
    fleet = xlsx([["N° de série", "Modèle", "Site"], ["4FK02281", "PlotWave 3500", "Siège"],
                  ["3Y0071902", "PlotWave 340", "Sous-sol"], ["CW37-004418", "ColorWave 3700", "Agence"]])
    analysis = analyze(mail("Mise en place télérelève", "Bonjour,\n\nNous souhaitons passer tout notre parc en "
                            "relève automatique des compteurs ; la liste des machines est dans le fichier joint.\n"
                            "Seule exception : le PlotWave 340 du sous-sol (n° 3Y0071902), qui n'est pas raccordé au "
                            "réseau et restera en relevé manuel.\n\nCordialement",
                            [("parc.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", fleet)]))
    assert analysis.situation == "automatic_meter_reads"
    assert analysis.fields["serial_numbers"] == ["4FK02281", "CW37-004418"]


@pytest.mark.parametrize("sentence, expected", [
    ("Nous vous notifions la résiliation du contrat à compter du 31 décembre 2027.", "2027-12-31"),
    ("Nous vous notifions la résiliation du contrat à l'échéance contractuelle du 31 décembre 2027.", "2027-12-31"),
    ("Nous vous informons de notre décision de résilier le contrat cité en objet au 31 décembre 2027.", "2027-12-31"),
    ("We hereby terminate the contract referenced above on 31 December 2027.", "2027-12-31"),
    # the day a technician comes is no day the termination takes effect
    ("Nous résilions le contrat ; votre technicien passera le 15 décembre 2027 pour récupérer le matériel.", None),
    ("We hereby terminate the contract; your engineer may collect the plotter on 15 December 2027.", None),
])
def test_a_termination_letter_attached_gives_its_date(sentence, expected):
    """A termination has no notice to meet, but the date it takes effect is still the letter's."""
    letter = pdf(["Objet : Résiliation du contrat n° 2019-PPP-04417 - traceur n° de série 5YB00871", sentence])
    analysis = analyze(mail("Résiliation contrat traceur", "Bonjour, veuillez trouver ci-joint notre courrier de "
                            "résiliation.", [("LRAR.pdf", "application/pdf", letter)]))
    assert analysis.situation == "contract_termination"
    assert analysis.fields["effective_date"] == expected


@pytest.mark.parametrize("period, expected", [
    ("Période couverte : du 01/01/2027 au 31/12/2027", "2027-01-01"),
    ("Période d'exécution : du 01/02/2027 au 31/01/2028", "2027-02-01"),
    ("Date d'émission : 16/11/2026", None),  # the order's own date is not when it applies
])
def test_an_attached_orders_period_dates_it(period, expected):
    """An order document says when it applies by the period it covers, though no cue of the body's says so."""
    order = pdf(["BON DE COMMANDE", "N° de commande : VA-BC-27-0058", "Référence contrat Canon : 2025/PPP/0412", period])
    analysis = analyze(mail("Bon de commande 2027", "Bonjour, ci-joint notre nouveau bon de commande, à faire apparaître "
                            "sur vos prochaines factures.", [("Bon de commande.pdf", "application/pdf", order)]))
    assert analysis.fields["po_number"] == "VA-BC-27-0058"
    assert analysis.fields["effective_date"] == expected


@pytest.mark.parametrize("note", [
    "Note: the Arizona 6170 (S/N AZ61-0098) was collected by your team in October, so please stop estimating pages on "
    "it.",
    "Note that unit AZ61-0098 was disconnected last month, so there is no reading for it.",
    "Le traceur n° AZ61-0098 a été débranché le mois dernier : pas de relevé pour lui.",
])
def test_a_machine_said_collected_leaves_the_attached_readings_machines_to_the_file(note):
    """"The Arizona (S/N AZ61-0098) was collected in October": the readings attached are of the other machines."""
    analysis = analyze(mail("Q4 meter reads", f"Hi,\nPlease find our meter readings for Q4 attached.\n\n{note}",
                            [("reads.csv", "text/csv", CSV_FORM)]))
    assert analysis.situation == "meter_read_request"
    assert analysis.fields["serial_numbers"] == ["3Y0A1111"]
    assert analysis.details["spans"]["serial_numbers"][0]["source"] == "attachment"


def test_a_logo_attached_lists_no_machine():
    """Only a file of text can list the machines a reading is of: beside a logo, the machine named leaving is the one."""
    body = ("Bonjour,\nLe traceur 3Y012345 a été récupéré par votre équipe le 15 octobre ; voici son dernier relevé : "
            "45 678.\n\nLe lun. 28 sept. 2026 à 09:00, Service Contrats <contrats.service.wfps@cf.canon.fr> a écrit :\n"
            "> Merci de nous transmettre les relevés des traceurs 3Y012345 et 3Y099999.")
    analysis = analyze(mail("RE: Relevés compteurs", body, [("logo.png", "image/png", b"\x89PNG\r\n\x1a\n")]))
    assert analysis.fields["serial_numbers"] == ["3Y012345"]
    assert analysis.fields["meter_readings"] == [45678]


def test_a_letter_that_promises_a_k_bis_is_none():
    """An announcement letter attached speaks of the extract ("disponible sur demande"): it is not one."""
    letter = pdf(["IRO SAS - Information a nos partenaires", "Nous vous annoncons la fusion-absorption de Chevalier "
                  "Impressions par IRO SAS.", "Extrait Kbis disponible sur demande apres inscription modificative."])
    body = ("Bonjour, la société Chevalier Impressions (contrat n° 2021-CH-3307) sera absorbée par IRO SAS (SIREN 443 091 "
            "582) le 1er janvier 2027 : merci de facturer IRO SAS à compter de cette date. Le Kbis vous sera adressé "
            "dès sa mise à jour. Vous trouverez ci-joint notre courrier d'information.")
    analysis = analyze(mail("Fusion-absorption - facturation", body, [("Information.pdf", "application/pdf", letter)]))
    assert analysis.situation == "billing_entity_change"
    assert analysis.fields["kbis"] is False
    assert "kbis" in analysis.missing


def test_an_invoice_attached_for_its_references_gives_no_effective_date():
    """The invoice bills a period gone by; the request ("dorénavant") names no date of its own."""
    invoice = pdf(["FACTURE N° 9026318847", "Contrat : MC-2021-44187",
                   "Période facturée : à compter du 1er janvier 2027 jusqu'au 31 mars 2027"])
    analysis = analyze(mail("Envoi factures par mail", "Bonjour, merci de nous envoyer dorénavant les factures par mail "
                            "à factures@groupe-loire.fr. Vous trouverez les références sur la facture jointe.",
                            [("FAC_9026318847.pdf", "application/pdf", invoice)]))
    assert analysis.situation == "invoice_by_email"
    assert analysis.fields["contract_number"] == "MC-2021-44187"  # its references are read
    assert analysis.fields["effective_date"] is None


@pytest.mark.parametrize("sentence", [
    "Ci-joint, pour exemple, une facture dématérialisée que nous recevons déjà d'un autre fournisseur.",
    "Attached, as an example, is an e-invoice we already receive from another supplier.",
])
def test_an_invoice_attached_as_another_suppliers_example_gives_none_of_its_numbers(sentence):
    invoice = pdf(["FACTURE N° FA-889123", "Contrat : AC-2025-17", "Client : C-77-1204"])
    analysis = analyze(mail("Factures par email", "Bonjour, nous souhaitons recevoir vos factures par e-mail à "
                            "compta@imprimerie-vallee.fr. " + sentence, [("FA-889123.pdf", "application/pdf", invoice)]))
    assert analysis.situation == "invoice_by_email"
    assert analysis.fields["contract_number"] is None and "contract_number" in analysis.missing


def test_a_letter_attached_by_a_customer_leaving_for_another_supplier_is_read():
    letter = pdf(["Objet : Resiliation du contrat de maintenance n° MNT-2021-04417",
                  "PlotWave 345 - n° de serie 345-0051172, a l'echeance du 30 septembre 2027."])
    analysis = analyze(mail("Résiliation", "Bonjour, nous résilions notre contrat de maintenance, ayant retenu l'offre "
                            "d'un autre fournisseur : voir la lettre ci-jointe.",
                            [("lettre.pdf", "application/pdf", letter)]))
    assert analysis.fields["serial_numbers"] == ["345-0051172"]


def test_a_purchase_orders_account_is_no_customer_number():
    order = pdf(["Bon de commande n° BC-2027-0451", "Contrat Canon : CT-2024-00871", "Compte budgetaire 6152"])
    analysis = analyze(mail("Nouveau bon de commande", "ci-joint notre nouveau bon de commande",
                            [("BC.pdf", "application/pdf", order)]))
    assert analysis.fields["po_number"] == "BC-2027-0451" and analysis.fields["customer_number"] is None


@pytest.mark.parametrize("name, lines, expected", [
    # a letter the body sends to: its client label names the sender's customer number, needed or not
    ("LRAR_resiliation.docx", ["Objet : Résiliation du contrat de maintenance n° 4471-GF-2019", "Code client : CL-88412",
                               "Nous résilions le contrat du traceur n° de série 3404-771-09 au 30 juin 2027."],
     "CL-88412"),
    # … not a number two words after "client", nor an invoice's (another supplier's, maybe)
    ("Rapport_intervention.docx", ["Rapport d'intervention RI-27-0611", "Client : GARONNE SERVICES - 31300 Toulouse",
                                   "Traceur n° de série 3404-771-09"], None),
    ("Facture_2027-0612.docx", ["Facture 2027-0612", "Code client : C-3301", "Traceur n° de série 3404-771-09"], None),
])
def test_a_customer_number_no_request_needs_is_read_only_under_its_own_label(name, lines, expected):
    letter = docx(lines)
    analysis = analyze(mail("Résiliation", "Bonjour, vous trouverez ci-joint notre courrier de résiliation.",
                            [(name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", letter)]))
    assert analysis.situation == "contract_termination"
    assert analysis.fields["serial_numbers"] == ["3404-771-09"]
    assert analysis.fields["customer_number"] == expected


def decompression_bomb() -> bytes:
    """A valid PDF whose one content stream inflates to 400 MB (390 KB on disk)."""
    import zlib

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PO_PDF)))
    stream = StreamObject()
    stream._data = zlib.compress(b" " * 400_000_000, 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.timing
def test_a_decompression_bomb_stays_under_two_seconds_and_300_mb(tmp_path):
    import subprocess
    import sys

    body = "ci-joint notre bon de commande BC-2027-1111 pour le contrat CT-2024-00871"
    bomb = tmp_path / "bomb.eml"
    bomb.write_bytes(mail("Nouveau bon de commande", body, [("BC.pdf", "application/pdf", decompression_bomb())]))
    (tmp_path / "plain.eml").write_bytes(mail("Nouveau bon de commande", body, []))
    # the same mail without its attachment first: the process's one-time start (spaCy's import and the classifier's
    # load, ~0.6 s here; 2-6 s when it compiled spaCy's French tokenizer patterns) is not the bomb's cost. Then the
    # peak memory of the analysing process itself: VmHWM (ru_maxrss would carry over the test's own peak through
    # fork and exec)
    probe = ("import re, sys, time, json\nfrom mailbot.read.analyze import analyze\n"
             "analyze(open(sys.argv[2], 'rb').read())\n"
             "raw = open(sys.argv[1], 'rb').read()\nt = time.perf_counter()\na = analyze(raw)\n"
             "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
             "print(json.dumps([time.perf_counter() - t, peak, a.details['attachments'], a.fields['po_number']]))")
    done = subprocess.run([sys.executable, "-c", probe, str(bomb), str(tmp_path / "plain.eml")],
                          capture_output=True, text=True, timeout=60)
    import json

    seconds, rss_kb, attachments, po = json.loads(done.stdout.strip().splitlines()[-1])
    assert seconds < 2 and rss_kb / 1024 < 300, (seconds, rss_kb)
    assert attachments[0]["read"] is False and "Limit" in attachments[0]["why"] and po == "BC-2027-1111"


@pytest.mark.timing
def test_deeply_nested_objects_never_hurt():
    import re

    found = re.search(rb"/Resources\s+(\d+) 0 R", PO_PDF)
    depth = 200_000
    nested = PO_PDF[:found.start()] + b"/Resources << /Nest " + b"[" * depth + b"]" * depth + b" >>" + PO_PDF[found.end():]
    started = time.perf_counter()
    analysis = analyze(mail("Nouveau bon de commande", "ci-joint notre bon de commande BC-2027-1111 pour le contrat "
                            "CT-2024-00871", [("BC.pdf", "application/pdf", nested)]))
    assert time.perf_counter() - started < 5 and analysis.fields["po_number"] == "BC-2027-1111"
    assert analysis.details["attachments"][0]["read"] is False


def test_the_k_bis_confirming_the_bodys_siren_keeps_it_as_the_body_writes_it():
    analysis = analyze(mail("Reprise", "Bonjour, suite au rachat par Helios Print (SIREN 732829320), merci de facturer "
                            "la machine n° série 3Y012345 à cette société à compter du 1er mars 2027. K-bis ci-joint.",
                            [("Kbis.pdf", "application/pdf", KBIS_PDF)]))
    assert analysis.fields["siren"] == "732829320"
    assert analysis.details["spans"]["siren"]["source"] == "new"
