"""Fields come from what the customer writes now, never from old values, signatures or history."""

import json
import re
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr

import pytest

from mailbot.read.analysis import FIELD_KEYS
from mailbot.read.analyze import analyze
from mailbot.decide.measures import is_nominative
from mailbot.read.extract import extract, extract_all, fraud_signals
from mailbot.read.mime import parse
from mailbot.read.quotes import request, split
from mailbot.read.rules import load_rules
from tests.support import reading_decision

REF = date(2026, 11, 20)


def read(body: str, *, subject: str = "Demande", sender: str = "jean.dupont@client.fr",
         attachments: tuple[tuple[str, str], ...] = ()) -> dict:
    """Fields extracted from a message with this body (split as analyze does)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "contrats@example.com"
    msg["Subject"] = subject
    msg.set_content(body)
    for filename, subtype in attachments:
        msg.add_attachment(b"%PDF-1.4 test", maintype="application", subtype=subtype, filename=filename)
    mail = parse(msg.as_bytes())
    parts = split(mail.text, mail.subject)
    fields, evidence = extract(parts.new, parts.quoted, mail, REF)
    for name, value in fields.items():
        if value:  # every value found says where it came from
            assert any(e.name == name for e in evidence), name
    return fields


CASES = [
    # (what, body, field, expected)
    ("contract with label", "Notre contrat n° CT-2025-04417 est reconduit.", "contract_number", "CT-2025-04417"),
    ("contract kept as written", "le contrat de maintenance n° CT 2023-07782 arrive à échéance", "contract_number",
     "CT 2023-07782"),
    ("numeric contract", "Pour le contrat 4500171934, merci de noter.", "contract_number", "4500171934"),
    ("contract number first", "N° de contrat : 4500162207\nMerci.", "contract_number", "4500162207"),
    ("contract in English", "Our contract number is CT-2026-00012.", "contract_number", "CT-2026-00012"),
    ("contract shape without label", "Réf. CT-2024-00871, merci.", "contract_number", "CT-2024-00871"),
    ("no contract", "Bonjour, une question sur nos factures.", "contract_number", None),
    ("serials with model prefix", "n° de série PW345-0061287 et ColorWave CW3800-0006109", "serial_numbers",
     ["PW345-0061287", "CW3800-0006109"]),
    ("Océ serials in a list", "Matériels :\n- 3Y051902\n- 3Y051917\n", "serial_numbers", ["3Y051902", "3Y051917"]),
    ("spaced serial kept as written", "pour le matériel n° 3Y 064219", "serial_numbers", ["3Y 064219"]),
    ("labelled serial of another shape", "Numéro de série : AB12345X, merci", "serial_numbers", ["AB12345X"]),
    ("serials in a table", "PW340-0047719 | 18 732\nCW3800-0006109 | 4 310", "serial_numbers",
     ["PW340-0047719", "CW3800-0006109"]),
    ("serial in English", "Serial number: PW360-0012345", "serial_numbers", ["PW360-0012345"]),
    ("new PO", "Notre nouveau numéro de commande : BC-2027-0342.", "po_number", "BC-2027-0342"),
    ("new PO, old PO after", "Nouveau bon de commande : BC-2027-0342. L'ancien bon de commande BC-2026-0197 est clos.",
     "po_number", "BC-2027-0342"),
    ("old PO first, new one second", "L'ancien bon de commande BC-2026-0197 est remplacé par BC-2027-0342.",
     "po_number", "BC-2027-0342"),
    ("replace X by Y", "Merci de remplacer le numéro de commande 4511000001 par 4511000099.", "po_number",
     "4511000099"),
    ("engagement number after contract",
     "voici le numéro d'engagement pour le contrat 4500162207 en 2027 : EJ-2027-000518", "po_number", "EJ-2027-000518"),
    ("BC abbreviation", "Voici le BC pour 2027 : 4512009876.", "po_number", "4512009876"),
    ("PO number in the next sentence", "Nous avons émis un nouveau bon de commande.\nMerci de faire figurer le "
     "numéro BC-2027-0101 sur les factures. Il remplace le numéro BC-2026-0088.", "po_number", "BC-2027-0101"),
    ("PO in English", "Please use our new purchase order PO-77120 from January.", "po_number", "PO-77120"),
    ("only the old PO", "L'ancien numéro de commande BC-2026-0197 n'est plus valable.", "po_number", None),
    ("customer number", "Notre numéro client : 1039946.", "customer_number", "1039946"),
    ("customer number in parentheses", "La société X (client n° 1036614) a été rachetée.", "customer_number",
     "1036614"),
    ("spaced customer number kept", "(n° client 1 060 582)", "customer_number", "1 060 582"),
    ("bare client label", "Client 1044444.", "customer_number", "1044444"),
    ("customer number in English", "Our customer number is 1052286.", "customer_number", "1052286"),
    ("invoice number is not a customer number", "facture n° 9127009321", "customer_number", None),
    ("SIREN of the new entity", "au nom de :\nReprotech SAS\nSIREN 902 417 356", "siren", "902 417 356"),
    ("the new entity's SIREN, not the old one's", "La société A (SIREN 438 120 776) a été rachetée par B.\n"
     "Nouvelle entité de facturation :\nB SAS\nSIREN 894 215 631", "siren", "894 215 631"),
    ("valid SIRET of the new entity", "Nouvelle entité : SIRET 732 829 320 00074", "siren", "732 829 320"),
    # the new entity's SIRET over an old SIREN written another way before it
    ("the new entity's SIRET, not the old SIREN before it", "L'activité de la société A (SIREN 438 120 776) passe à "
     "une nouvelle structure.\nNouvelle entité : KLA Groupe SAS – SIRET 732 829 320 00074", "siren", "732 829 320"),
    ("the SIRET of the company invoices are issued to", "Invoices for our plotter must be issued to:\n\nVerdant SAS\n"
     "SIRET 732 829 320 00074\n8 rue Ampère, 38000 Grenoble", "siren", "732 829 320"),
    ("… not the one they are currently issued to", "Invoices are currently issued to:\n\nOld SAS\nSIRET 732 829 320 "
     "00074", "siren", None),
    ("SIRET without new-entity context", "Notre SIRET 732 829 320 00074.", "siren", None),
    # a SIRET whose SIREN holds, though its establishment's number fails the checksum: the SIREN is what it names
    ("a new entity's SIRET with a mistyped NIC", "Les contrats sont transférés à la nouvelle entité :\nGHPA SAS - SIRET "
     "732 829 320 00075", "siren", "732 829 320"),
    ("a SIRET whose SIREN fails too", "Nouvelle entité : SIRET 732 829 321 00074", "siren", None),
    ("the SIRET of the company invoiced from now on", "Nos traceurs seront facturés à compter du 01/03/2027 à la "
     "société :\n\nSAS LOIRE IMPRESSION\nSIRET 73282932000074\n2 rue des Halles, 37000 Tours", "siren", "732829320"),
    ("… not the company no longer invoiced", "Les contrats ne seront plus facturés à la société :\nSAS ANCIENNE\nSIREN "
     "732 829 320\n\nNouvelle entité : SAS NOUVELLE, SIREN 552 100 554.", "siren", "552 100 554"),
    ("… nor the one invoiced today", "Nos traceurs sont aujourd'hui facturés à la société :\nSAS ANCIENNE\nSIRET "
     "73282932000074", "siren", None),
    # "immatriculée au RCS de <ville> sous le numéro X"
    ("RCS, its town, 'sous le numéro'", "Nos contrats sont repris par la société Oxa SAS, immatriculée au RCS de "
     "Saint-Denis de La Réunion sous le numéro 732 829 320.", "siren", "732 829 320"),
    ("… not a number of another kind after it", "Société immatriculée au RCS de Lyon sous le numéro de TVA FR 12 552 "
     "100 554.", "siren", None),
    ("words between SIREN and its colon", "SIREN de la nouvelle entité : 879 334 512", "siren", "879 334 512"),
    ("words between SIRET and its colon", "Merci de facturer le contrat à la nouvelle société, SIRET de la nouvelle "
     "société : 51298733000010.", "siren", "512987330"),
    ("a merger forming an entity is no former one", "Les deux syndicats fusionnent au 1er janvier 2027 pour former le "
     "Syndicat Exemple (SIREN 215 700 469), dont le siège est situé 1 place de la Comédie, 57000 Metz.", "siren",
     "215 700 469"),
    ("the former company's SIRET", "Notre contrat est repris par la nouvelle société Beta SAS.\nSIRET de l'ancienne "
     "société : 552 100 554 00013", "siren", None),
    ("the former company's SIRET, in English", "our company was acquired by Beta SAS. SIRET of the former company: 552 "
     "100 554 00013", "siren", None),
    ("RCS with its town", "Nouvelle entité : RCS Rennes B 732 829 320", "siren", "732 829 320"),
    ("SIREN in a table cell", "New invoicing details:\n  Legal entity  | Nordhavn France SAS\n  SIREN         | "
     "921 503 448", "siren", "921 503 448"),
    ("RCS without a town", "Nouvelle entité : RCS   732 829 320", "siren", "732 829 320"),
    # the absorbing, acquiring, receiving company, however the takeover is said
    ("the absorbing company's SIRET", "La clinique fera l'objet d'une fusion-absorption par la SAS Santé Hérault, dont "
     "le siège est 1 rue de la Croix Verte, 34070 Montpellier, SIRET 732 829 320 00074.", "siren", "732 829 320"),
    ("the company a merger goes into", "Following the merger of Alpha SARL into Beta SAS (SIRET 73282932000074), please "
     "transfer the contract.", "siren", "732829320"),
    ("the company an agency is ceded to", "Cession de notre agence à la société Garonne Design SAS, SIRET 732 829 320 "
     "00074.", "siren", "732 829 320"),
    ("the SIRET of the new establishment", "Numéro SIRET du nouvel établissement : 130 026 115 00019", "siren",
     "130 026 115"),
    ("the SIRET under where invoices are to go", "À partir de cette date, merci d'adresser les factures à :\n\nUniversité "
     "X - Service facturier\n1 quai de la Fosse - 44000 Nantes\nSIRET : 732 829 320 00074", "siren", "732 829 320"),
    ("the SIRET of the company said to take over after it", "Suite à la cession, la société Delcourt Distribution "
     "(SIRET 73282932000074) reprendra les contrats au 1er avril.", "siren", "732829320"),
    ("… not the SIRET of the company taken over", "La société Delcourt (SIRET 73282932000074) a été reprise par Beta.",
     "siren", None),
    ("… nor one that ceded its business", "La société Delcourt (SIRET 73282932000074) a cédé son fonds à la société "
     "Beta.", "siren", None),
    ("SIREN in a table column", "Merci de facturer au nouvel exploitant :\n\nRaison sociale | SIREN | Adresse\nSAS FABRE "
     "| 732 829 320 | 3 route de Bordeaux, 24430 Marsac", "siren", "732 829 320"),
    # a second reader's cases: the subject of "reprendra" is another; a cue in a sentence before; two rows under the header
    ("… not an old SIREN whose company another takes over", "Notre société Alpha Services (SIREN 552 100 554) a été "
     "rachetée par Beta Conseil, qui reprendra les contrats.\nSIREN de Beta Conseil : 732 829 320", "siren",
     "732 829 320"),
    ("… nor one after a cue in a sentence before", "Notre société a été absorbée par Beta Conseil le 1er avril. Nos "
     "références : Alpha Services SARL, SIREN 552 100 554.\nLes références de Beta Conseil : SIREN 732 829 320.",
     "siren", "732 829 320"),
    ("… but a cue in the sentence before that goes on about the same company", "La facturation devra être établie au "
     "nom de la société Australe SAS à partir du 1er décembre.\nCette société est immatriculée sous le SIRET 732 829 "
     "320 00074.", "siren", "732 829 320"),
    ("a new billing entity", "New billing entity: Axione SAS, SIRET 73282932000074, 5 quai Perrache, 69002 Lyon.",
     "siren", "732829320"),
    ("… nor the first of two rows under a SIREN header", "Rôle | Raison sociale | SIREN\nCédant | Alpha | 552 100 554\n"
     "Cessionnaire | Beta | 732 829 320", "siren", None),
    ("SIREN in a markdown table's column", "| Société | SIREN |\n|---|---|\n| Beta SAS | 732829320 |", "siren",
     "732829320"),
    ("RCS with a one-letter town and a tab", "Nouvelle entité : RCS  B\t732 829 320", "siren", "732 829 320"),
    ("order label words repeated before a stray word", "Merci de noter la commande n° n° n° n° zz 12345.",
     "po_number", "12345"),
    ("meter readings with units", "PW340-0047719 : 18 732 m²\nCW3800-0006109 : noir 4 310 m² / couleur 12 875 m²",
     "meter_readings", [18732, 4310, 12875]),
    ("readings in a sentence", "Compteurs relevés ce matin : 25 604 pour le noir et 9 812 pour la couleur.",
     "meter_readings", [25604, 9812]),
    ("readings in a table", "Série | Compteur\nPW345-0061287 | 45210\nPW345-0061288 | 3120", "meter_readings",
     [45210, 3120]),
    ("no readings in a phone line", "Compteurs : appelez le 04 78 00 00 00 le 12/03", "meter_readings", []),
    # (second reader) counts after models in a list under the counters' word are readings
    ("readings after models", "Compteurs au 30/09/2026 de nos traceurs :\n- PlotWave 345 : 45210\n- ColorWave 3800 : "
     "118402", "meter_readings", [45210, 118402]),
    ("new e-mail address", "Merci d'envoyer les factures à l'adresse suivante : factures@client.fr",
     "new_email", "factures@client.fr"),
    ("new e-mail on the next line", "Adresse à utiliser pour les factures :\ncompta@client.fr", "new_email",
     "compta@client.fr"),
    ("a colleague to contact is not the new address", "Pour toute question, contactez marie.martin@client.fr.",
     "new_email", None),
    ("our own domain is never it", "Merci d'envoyer les factures à contrats@cf.canon.fr", "new_email", None),
    ("the sender's own address when stated", "Envoyez les factures à mon adresse jean.dupont@client.fr",
     "new_email", "jean.dupont@client.fr"),
    ("the sender's address in passing is not it", "Je vous écris depuis jean.dupont@client.fr.\nMerci.",
     "new_email", None),
    ("old e-mail address is not it", "L'ancienne adresse compta-old@client.fr ne doit plus être utilisée.",
     "new_email", None),
    ("new postcode", "Nouvelle adresse :\nSociété Martin\n27 rue Neuve\n69100 Villeurbanne\n\nMerci.",
     "new_address_postcode", "69100"),
    ("postcode with leading zero after a BP", "à l'adresse suivante :\n3 place du Marché – BP 40112\n07160 LE CHEYLARD",
     "new_address_postcode", "07160"),
    ("a new delivery address, whatever positive cue comes after it", "Le déménagement aura lieu le 21 juin. La "
     "nouvelle adresse\nde livraison est la suivante :\n\nCaron Imprim\n13 rue du Dauphiné\n69330 Jonage",
     "new_address_postcode", "69330"),
    ("a new facility", "We are moving part of our engineering department to our new facility at 14 avenue\nMarcel "
     "Dassault, 33700 Mérignac.", "new_address_postcode", "33700"),
    ("'please invoice:' and the entity's block", "Helio Graphics SAS will no longer be the invoiced entity. As from\n"
     "1 August 2027, please invoice:\nHelio Digital Print SAS\n220 rue Pierre-Gilles de Gennes\n34130 Mauguio",
     "new_address_postcode", "34130"),
    ("'should be installed at:' and the block", "Both units should be installed at:\nAlsace GeoServices - Bâtiment "
     "B\n5 rue des Tanneurs\n67000 Strasbourg", "new_address_postcode", "67000"),
    ("… not where a machine is installed now", "The plotter currently installed in our office, 5 rue des Tanneurs, "
     "67000 Strasbourg, needs a new roll holder.", "new_address_postcode", None),
    ("a cue with a typo", "Notre nouvelle adrsse de facturation sera :\nTransports Carré et Fils\n9 rue des Frères "
     "Lumière\n10600 La Chapelle-Saint-Luc", "new_address_postcode", "10600"),
    ("current address is not the new one", "Notre adresse actuelle : 12 quai Neuf, 69002 Lyon.", "new_address_postcode",
     None),
    ("delivery address is not a new address", "Livraison au 3 rue du Stade, 29860 Plouvenec.", "new_address_postcode",
     None),
    ("CS number is not a postcode", "à l'adresse suivante : 14 rue Emile Borel CS 28646 75809 PARIS CEDEX 17",
     "new_address_postcode", "75809"),
    ("'Postal code:' as a key (the second reader's case)", "Please relocate plotter serial 7XK01234 on 15 April 2027 "
     "to our new site:\nStreet: 3 rue de l'Industrie\nPostal code: 35000\nCity: Rennes", "new_address_postcode", "35000"),
    ("'CP :' as a key", "Merci de déménager le traceur 7XK01234 à notre nouvelle adresse :\nRue : 3 rue de "
     "l'Industrie\nCP : 35000\nVille : Rennes", "new_address_postcode", "35000"),
    ("effective date", "À compter du 1er janvier 2027, merci de changer le bon de commande.", "effective_date",
     "2027-01-01"),
]


@pytest.mark.parametrize("what, body, field, expected", CASES, ids=[c[0] for c in CASES])
def test_field(what, body, field, expected):
    assert read(body)[field] == expected


def test_values_in_the_signature_are_not_taken():
    body = (
        "Bonjour,\n\nMerci de noter notre changement.\n\nCordialement,\nJean Dupont\n"
        "Imprimerie Dupont – 14 rue des Tanneurs – 25000 Besançon\nSIREN 732 829 320\nTél. 03 81 00 00 00"
    )
    fields = read(body)
    assert fields["siren"] is None
    assert fields["new_address_postcode"] is None


def test_the_customers_first_message_pointed_to_gives_its_values_but_not_its_signatures_address():
    """"Les informations de mon premier message restent valables": the history's request is read (its SIREN, its
    date), but a postcode after its closing formula is its signature's, not a new address."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "pierre@mpjura.fr", "contrats@example.com", "RE: Rachat"
    msg["Date"] = "Thu, 11 Feb 2027 18:00:00 +0100"
    msg.set_content("Bonjour Madame,\n\nVoici les numéros de série : 5830112 et 5830113. Pour le reste, les informations "
                    "de mon premier message restent valables.\n\nPierre Vauclair\n\n"
                    "Le lun. 8 févr. 2027 à 11:02, Pierre Vauclair <pierre@mpjura.fr> a écrit :\n"
                    "> Bonjour,\n> Mécanique du Jura a été rachetée par le Groupe Vauclair Industrie\n> (SIREN 732829320). "
                    "Merci de facturer la nouvelle entité à compter du 1er mars 2027.\n> Cordialement,\n"
                    "> Pierre Vauclair - MPJ - 39100 Dole - 03 84 72 10 55\n")
    analysis = analyze(msg.as_bytes())
    assert analysis.situation == "billing_entity_change"
    assert (analysis.fields["siren"], analysis.fields["effective_date"]) == ("732829320", "2027-03-01")
    assert analysis.fields["new_address_postcode"] is None


def test_values_in_the_quoted_history_are_not_taken():
    body = (
        "Merci, c'est noté.\n\nDe : Contrats <contrats@example.com>\nEnvoyé : lundi 2 mars 2026\nÀ : Jean\n"
        "Objet : Confirmation\n\nContrat CT-2025-00001, client n° 1049310, n° de série PW345-0000001."
    )
    fields = read(body)
    assert fields["contract_number"] is None
    assert fields["customer_number"] is None
    assert fields["serial_numbers"] == []


def test_quoted_history_is_read_when_the_customer_points_to_it():
    body = (
        "Nous souhaitons résilier le contrat mentionné ci-dessous.\n\nDe : Contrats <c@example.com>\n"
        "Envoyé : lundi 2 mars 2026\nÀ : Jean\nObjet : Votre contrat\n\nVotre contrat CT-2025-00001 arrive à échéance."
    )
    assert read(body)["contract_number"] == "CT-2025-00001"


def test_a_sentence_starting_on_a_day_that_says_we_wrote_keeps_its_date():
    body = ("On 3 February we wrote to your sales team that we want to terminate our plotter contract 4471-2290 "
            "(serial 7XK01234) with effect from 30 June 2027.")
    assert read(body)["effective_date"] == "2027-06-30"


@pytest.mark.parametrize("wrote", [
    "Le mer. 14 avr. 2027 à 11:05, Service Contrats WFPS <contrats.service.wfps@cf.canon.fr> a écrit :",
    "On Wed, 14 Apr 2027 at 11:05, Service Contrats WFPS <contrats.service.wfps@cf.canon.fr> wrote:",
])
def test_when_a_quoted_mail_was_sent_is_no_effective_date(wrote):
    body = ("Bonjour,\n\nC'est le n° de série 3Y-4452-0817. Pour le reste, tout est dans mon premier message.\n\n"
            f"JB\n\n{wrote}\n> Bonjour,\n> merci de nous préciser le numéro de série du matériel à déménager.\n")
    assert read(body)["effective_date"] is None


def test_a_new_address_in_the_subject():
    result, _ = read_all("Bonjour,\n\nTout est dans l'objet : merci de mettre à jour l'adresse d'envoi de nos factures "
                         "à compter du 15 juillet.\nAncienne adresse : 2 route du Rhin, 67400 Illkirch-Graffenstaden.\n\n"
                         "Client n° 67412", subject="Changement adresse facturation -> 5 ter rue des Tanneurs 67000 Strasbourg")
    assert result.fields["new_address_postcode"] == "67000"
    assert result.details["spans"]["new_address_postcode"]["source"] == "subject"


@pytest.mark.parametrize("body", ["Ci-dessous les compteurs du mois pour la machine en objet :\nnoir 1 008 337",
                                  "Merci de mettre en place la télérelève sur le traceur cité en objet."])
def test_a_machine_said_to_be_in_the_subject_takes_the_subjects_serial(body):
    result, _ = read_all(body, subject="telereleve 2BK-55C-0907")
    assert result.fields["serial_numbers"] == ["2BK-55C-0907"]


def test_subject_is_a_source():
    assert read("Merci de noter.", subject="Contrat CT-2025-04417 – nouveau bon de commande BC-2027-1")[
        "contract_number"
    ] == "CT-2025-04417"


@pytest.mark.parametrize(
    "body, attachments, expected",
    [
        ("Ci-joint les documents.", (("Kbis_Societe_2027.pdf", "pdf"),), True),
        ("Ci-joint les documents.", (("extrait-k-bis.pdf", "pdf"),), True),
        ("Vous trouverez le K-bis de la nouvelle société en pièce jointe.", (("scan001.pdf", "pdf"),), True),
        ("Le K-bis vous sera envoyé dès que nous l'aurons reçu.", (("courrier_cession.pdf", "pdf"),), False),
        ("Vous trouverez le K-bis en pièce jointe.", (), False),
        ("Voici notre courrier.", (("courrier.pdf", "pdf"),), False),
        ("Ci-joint les documents.", (("extrait-immatriculation-RCS-AGC.pdf", "pdf"),), True),
        ("dont vous trouverez l’extrait d’immatriculation en pièce jointe.", (("scan.pdf", "pdf"),), True),
        ("Vous trouverez ci-joint l'avis de situation SIRENE de la nouvelle structure (un établissement public n'a pas "
         "de K-bis).", (("avis_situation.pdf", "pdf"),), False),
        ("Please find attached our registration certificate instead of a K-bis.", (("certificate.pdf", "pdf"),), False),
    ],
    ids=["named Kbis", "named extrait k-bis", "said attached", "promised later", "said but nothing attached",
         "other document", "named extrait immatriculation", "said attached, typographic apostrophe",
         "a K-bis said not to exist", "another document instead of a K-bis"],
)
def test_kbis(body, attachments, expected):
    assert read(body, attachments=attachments)["kbis"] is expected


def test_fraud_signals():
    assert fraud_signals("Nous avons reçu un avis de changement de coordonnées bancaires.", "")
    iban = fraud_signals("", "Nouveau compte : FR76 3000 6000 0112 3456 7890 189")
    assert any(s.name == "iban" for s in iban)
    assert all("3000 6000" not in s.text for s in iban)  # never echo the IBAN
    assert fraud_signals("Pouvez-vous confirmer que votre banque est toujours BNP Paribas ?", "") == []
    named = fraud_signals("", "", sender_name="Compta RIB FR 76 3000 6000 0112 3456 7890 189")
    assert [(s.name, s.detail) for s in named] == [("iban", "IBAN in the name text")]


# --- details: each value with the text span it came from -------------------------------------------------------


def read_all(body: str, *, subject: str = "Demande", sender: str = "jean.dupont@client.fr", sender_name: str = "",
             attachments: tuple[tuple[str, str], ...] = ()):
    """extract_all on a message with this body, after checking every span points at what it claims."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender))
    msg["To"] = "contrats@example.com"
    msg["Subject"] = subject
    msg.set_content(body)
    for filename, subtype in attachments:
        msg.add_attachment(b"%PDF-1.4 test", maintype="application", subtype=subtype, filename=filename)
    mail = parse(msg.as_bytes())
    assert mail.from_name == sender_name
    parts = split(mail.text, mail.subject)
    result = extract_all(parts.new, parts.quoted, mail, REF)
    texts = {"new": parts.new, "quoted": parts.quoted, "subject": mail.subject}
    fields, details = result.fields, result.details
    assert set(fields) == set(FIELD_KEYS)
    assert set(details["spans"]) == {name for name, value in fields.items() if value}
    for name, where in details["spans"].items():
        for one in where if isinstance(where, list) else [where]:
            if one["source"] == "attachment":
                assert one["span"] is None
                continue
            start, end = one["span"]
            assert texts[one["source"]][start:end] == one["text"], name
    for name in ("contract_number", "po_number", "customer_number", "siren", "new_address_postcode", "new_email"):
        if fields[name]:
            assert details["spans"][name]["text"] == fields[name], name  # the value as written
    for value, where in zip(fields["serial_numbers"], details["spans"].get("serial_numbers", [])):
        assert where["text"] == value
    assert [r["value"] for r in details["meter_readings"]] == fields["meter_readings"]
    for reading in details["meter_readings"]:
        start, end = reading["span"]
        assert int(re.sub(r"\D", "", parts.new[start:end])) == reading["value"]
    address = details["new_address"]
    assert (address["postcode"] if address else None) == fields["new_address_postcode"]
    if address:
        start, end = address["span"]  # in the text its postcode's span names (the new text, the subject, …)
        assert texts[details["spans"]["new_address_postcode"]["source"]][start:end] == address["text"]
        for part in ("street", "postcode", "city"):
            assert address[part] is None or address[part] in address["text"], part
    email = details["new_email"]
    assert (email["address"] if email else None) == fields["new_email"]
    if email:
        start, end = email["span"]
        assert texts[details["spans"]["new_email"]["source"]][start:end] == email["address"]
    return result, parts


ADDRESSES = [
    # (what, body, expected new_address without span/text, or None)
    ("one line after the cue", "Nouvelle adresse : 8 impasse des Lilas, 44300 Nantes",
     {"street": "8 impasse des Lilas", "complement": None, "postcode": "44300", "city": "Nantes", "cedex": None}),
    ("street line then postcode line in capitals", "Merci de noter notre nouvelle adresse :\n41 boulevard Carnot\n"
     "21000 DIJON\n\nMerci.",
     {"street": "41 boulevard Carnot", "complement": None, "postcode": "21000", "city": "DIJON", "cedex": None}),
    ("CS line and Cedex", "À compter du 1er mars, notre adresse de facturation sera :\nSociété Orvalis\n"
     "6 rue de l'Industrie\nCS 70214\n67403 Illkirch Cedex",
     {"street": "6 rue de l'Industrie", "complement": "CS 70214", "postcode": "67403", "city": "Illkirch",
      "cedex": "Cedex"}),
    ("building line between street and postcode", "Nous déménageons le 12 avril. Nouvelle adresse :\n"
     "17 avenue Jean Jaurès\nBâtiment B\n31400 Toulouse",
     {"street": "17 avenue Jean Jaurès", "complement": "Bâtiment B", "postcode": "31400", "city": "Toulouse",
      "cedex": None}),
    ("zone line above the street", "Le traceur doit être transféré dans nos nouveaux locaux :\nZI des Vignes\n"
     "9 rue des Artisans\n49070 Beaucouzé\n\nCordialement,\nPaul",
     {"street": "9 rue des Artisans", "complement": "ZI des Vignes", "postcode": "49070", "city": "Beaucouzé",
      "cedex": None}),
    ("BP on the street line", "Merci d'envoyer les factures à l'adresse suivante : 2 quai Lamartine BP 311 "
     "76600 Le Havre",
     {"street": "2 quai Lamartine", "complement": "BP 311", "postcode": "76600", "city": "Le Havre", "cedex": None}),
    ("CS and numbered Cedex on one line", "Nouvelle adresse de facturation : 18 rue de la Paix CS 40021 "
     "75083 PARIS CEDEX 02",
     {"street": "18 rue de la Paix", "complement": "CS 40021", "postcode": "75083", "city": "PARIS",
      "cedex": "CEDEX 02"}),
    ("BP line without a street", "Nos factures doivent désormais être envoyées à l'adresse suivante :\nBP 58\n"
     "86100 CHÂTELLERAULT CEDEX",
     {"street": None, "complement": "BP 58", "postcode": "86100", "city": "CHÂTELLERAULT", "cedex": "CEDEX"}),
    ("address inside a sentence", "Nous déménageons au 5 rue Paul Bert à 69003 Lyon à partir du 2 février.",
     {"street": "5 rue Paul Bert", "complement": None, "postcode": "69003", "city": "Lyon", "cedex": None}),
    ("hyphenated city with accents", "Notre siège est transféré au 140 route de Saint-Jean, 13090 Aix-en-Provence.",
     {"street": "140 route de Saint-Jean", "complement": None, "postcode": "13090", "city": "Aix-en-Provence",
      "cedex": None}),
    ("city in words with a particle", "Nouvelle adresse : 3 chemin du Moulin, 78180 Montigny le Bretonneux",
     {"street": "3 chemin du Moulin", "complement": None, "postcode": "78180", "city": "Montigny le Bretonneux",
      "cedex": None}),
    ("company line is not the address", "Nouvelle adresse :\nAtelier Kerguelen SARL\n7 allée des Mouettes\n"
     "29480 Le Relecq-Kerhuon",
     {"street": "7 allée des Mouettes", "complement": None, "postcode": "29480", "city": "Le Relecq-Kerhuon",
      "cedex": None}),
    ("business park and street in a bullet", "Voici les éléments :\n- nouvelle adresse : Parc Technopolis, "
     "3 avenue du Canada, 91940 Les Ulis\n- date : 4 mai",
     {"street": "3 avenue du Canada", "complement": "Parc Technopolis", "postcode": "91940", "city": "Les Ulis",
      "cedex": None}),
    ("postcode and city only", "Notre nouveau siège sera à 33700 Mérignac.",
     {"street": None, "complement": None, "postcode": "33700", "city": "Mérignac", "cedex": None}),
    ("old then new address, on lines", "Ancienne adresse :\n10 rue Victor Hugo\n62000 Arras\n\nNouvelle adresse :\n"
     "22 rue Nationale\n62223 Saint-Laurent-Blangy",
     {"street": "22 rue Nationale", "complement": None, "postcode": "62223", "city": "Saint-Laurent-Blangy",
      "cedex": None}),
    ("old then new address, one line each", "Ancienne adresse : 10 rue Victor Hugo, 62000 Arras\n"
     "Nouvelle adresse : 22 rue Nationale, 62223 Saint-Laurent-Blangy",
     {"street": "22 rue Nationale", "complement": None, "postcode": "62223", "city": "Saint-Laurent-Blangy",
      "cedex": None}),
    ("current address, then where invoices go", "Notre adresse actuelle : 12 quai Neuf, 69005 Lyon.\n"
     "À partir du 1er avril, merci d'envoyer vos factures au 3 rue Pasteur, 69007 Lyon.",
     {"street": "3 rue Pasteur", "complement": None, "postcode": "69007", "city": "Lyon", "cedex": None}),
    ("only the old address", "Notre ancienne adresse (10 rue Victor Hugo, 62000 Arras) ne doit plus être utilisée.",
     None),
    ("postcode in the signature",
     "Bonjour,\nNous déménageons bientôt, la nouvelle adresse suivra.\n\nCordialement,\n"
     "Anne Roux\nImprimerie Roux – 4 rue du Port – 56100 Lorient\n02 97 00 00 00", None),
    ("two addresses side by side, the header names the new one",
     "Adresse actuelle                    Nouvelle adresse\nAéro SAS                            Aéro SAS\n"
     "Service comptable                   Service comptable\n14 rue Marcel Dassault              37 avenue des Minimes\n"
     "31700 Blagnac                       31200 Toulouse",
     {"street": None, "complement": None, "postcode": "31200", "city": "Toulouse", "cedex": None}),
    ("a table with a column of row names", "Transfert prévu le 15 octobre.\n\n"
     "                Adresse actuelle            Nouvelle adresse\nRue             27 rue Bossuet              "
     "112 avenue Jean Jaurès\nCP / Ville      69006 Lyon                  69007 Lyon",
     {"street": None, "complement": None, "postcode": "69007", "city": "Lyon", "cedex": None}),
    ("a table's cell on two lines", "Voici notre nouvelle adresse de facturation.\n\n"
     "                Adresse actuelle                  Nouvelle adresse\n"
     "Adresse         18 rue d'Alsace-Lorraine          ZAC Saint-Martin\n"
     "                                                  2 rue Nicéphore Niépce\n"
     "CP / Ville      31000 Toulouse                    31240 L'Union",
     {"street": None, "complement": None, "postcode": "31240", "city": "L'Union", "cedex": None}),
    ("delivery and installation", "Adresse de livraison et d'installation :\nCentre technique municipal\n"
     "45 route de Thizy\n69400 Villefranche-sur-Saône",
     {"street": "45 route de Thizy", "complement": None, "postcode": "69400", "city": "Villefranche-sur-Saône",
      "cedex": None}),
    ("keys 'ancienne :' then 'nouvelle :'", "Adresse de facturation\n  ancienne : Fromageries Jura, 2 rue du Collège, "
     "39100 Dole\n  nouvelle : Fromageries Jura – Service comptabilité, BP 30112, 25001 Besançon Cedex",
     {"street": None, "complement": "BP 30112", "postcode": "25001", "city": "Besançon", "cedex": "Cedex"}),
    ("issue invoices … to:", "Please issue future invoices for the contract referenced in the subject line to:\n\n"
     "Meridian Imaging France SAS\n41 rue de Villiers\n92200 Neuilly-sur-Seine",
     {"street": "41 rue de Villiers", "complement": None, "postcode": "92200", "city": "Neuilly-sur-Seine",
      "cedex": None}),
    ("a table of keys and values under the cue", "Please update the invoicing address on our account as follows:\n\n"
     "Company | Ashford Retail France SAS\nStreet | 7 rue du Colonel Moll\nPostcode / City | 75017 Paris\n\n"
     "Invoices sent to our former address will no longer be processed.",
     {"street": None, "complement": None, "postcode": "75017", "city": "Paris", "cedex": None}),
    ("a table of keys and values whose first row is no header", "New invoicing details:\n\n  Legal entity        | "
     "Nordhavn France SAS\n  SIREN               | 921 503 448\n  Registered office   | 5 rue Royale, 75008 Paris\n",
     {"street": "5 rue Royale", "complement": None, "postcode": "75008", "city": "Paris", "cedex": None}),
    ("… and its keys say which is new", "Déménagement du traceur :\n\nSite actuel | 12 rue des Lilas, 44000 Nantes\n"
     "Nouveau site | 3 allée Verte, 44300 Rezé",
     {"street": "3 allée Verte", "complement": None, "postcode": "44300", "city": "Rezé", "cedex": None}),
    ("a new site after the one it leaves", "we're relocating the Colorado 1640 from our Gennevilliers site to our "
     "new warehouse:\n\nNorthbridge Logistics - Building B\nUnit 4, ZAC des Portes de l'Ouest\n95310 Saint-Ouen-l'Aumône",
     {"street": None, "complement": "Building B, Unit 4, ZAC des Portes de l'Ouest", "postcode": "95310",
      "city": "Saint-Ouen-l'Aumône", "cedex": None}),
    ("a new entity after the one invoiced today", "all Canon invoices currently addressed to Cartoplan must be issued "
     "to the new entity:\n\nTerralis France SAS\nSIREN 903 557 218\n11 rue Jacques Cartier, 78280 Guyancourt",
     {"street": "11 rue Jacques Cartier", "complement": None, "postcode": "78280", "city": "Guyancourt",
      "cedex": None}),
    ("'facturer dorénavant … à :'", "nous vous remercions de bien vouloir facturer dorénavant le matériel référencé "
     "en objet à :\n\nHydrosol Conseil SA\nService comptabilité fournisseurs\n9 rue Claude Chappe, 57070 Metz",
     {"street": "9 rue Claude Chappe", "complement": None, "postcode": "57070", "city": "Metz", "cedex": None}),
    ("a passive cue with words between", "Please note that all invoices under contract CTR-55120 must from now on "
     "be addressed to the absorbing company:\n\nHydrotech SAS\nTour Oxygène, 10 boulevard Vivier-Merle\n69003 Lyon",
     {"street": "10 boulevard Vivier-Merle", "complement": "Tour Oxygène", "postcode": "69003", "city": "Lyon",
      "cedex": None}),
    ("no longer sent to the old one", "Les factures ne devront plus être envoyées au 2 rue Pierre Brousse, "
     "86000 Poitiers.", None),
    ("invoiced to a company given below", "Les matériels ci-dessous devront désormais être facturés à cette "
     "société :\n\nCampus Print SAS\nSIREN : 919 554 021\n2 avenue Gustave Eiffel\n45100 Orléans",
     {"street": "2 avenue Gustave Eiffel", "complement": None, "postcode": "45100", "city": "Orléans", "cedex": None}),
    ("invoice these machines to, then the block", "À compter de cette date, merci de facturer nos deux traceurs à :\n\n"
     "Groupe Géoplan SAS – SIREN 443 061 841\n6 avenue Henri Becquerel\n33700 Mérignac",
     {"street": "6 avenue Henri Becquerel", "complement": None, "postcode": "33700", "city": "Mérignac", "cedex": None}),
    ("a paragraph announcing the next one", "Bonjour,\n\nNotre nouvelle implantation sera la suivante, à partir de "
     "cette date.\n\nZA du Pont Rouge\n12 rue des Fusains\n59650 Villeneuve-d'Ascq\n\nPourriez-vous nous envoyer un devis ?",
     {"street": "12 rue des Fusains", "complement": "ZA du Pont Rouge", "postcode": "59650", "city": "Villeneuve-d'Ascq",
      "cedex": None}),
    ("delivery address", "Merci de livrer le toner au 3 rue du Stade, 29860 Plabennec.", None),
    ("the old site named in brackets, then where the machine goes", "The plotter currently installed in our "
     "warehouse (Parc des Chênes, 38070) has to be relocated to our new hub:\n\nHub Est\n14 rue Antoine Becquerel\n"
     "69330 Meyzieu",
     {"street": "14 rue Antoine Becquerel", "complement": None, "postcode": "69330", "city": "Meyzieu", "cedex": None}),
    ("the move's verb, the old site in brackets, then towards", "Il faut faire déplacer la Colorado, actuellement à "
     "Noisy-le-Grand (93160), vers :\n\nZA des Grands Prés\n14 allée Gustave Eiffel\n77600 Bussy-Saint-Georges",
     {"street": "14 allée Gustave Eiffel", "complement": "ZA des Grands Prés", "postcode": "77600",
      "city": "Bussy-Saint-Georges", "cedex": None}),
    ("move from the old address to the new one", "Please relocate the plotter from our office at 8 rue Vernier, "
     "75017 Paris to:\n\n22 avenue de la Gare\n92300 Levallois-Perret",
     {"street": "22 avenue de la Gare", "complement": None, "postcode": "92300", "city": "Levallois-Perret",
      "cedex": None}),
    ("the old site, then no destination", "Il faut faire déplacer la Colorado, actuellement à Noisy-le-Grand "
     "(93160), dans le bâtiment B.\n\nCordialement,\nBruno Lefèvre\n3 rue Lavoisier\n93160 Noisy-le-Grand", None),
    ("a new shop", "2. L'adresse complète du nouveau magasin\nMaisons Cormoran – Centre commercial Atlantis, "
     "boulevard Salvador Allende,\n44800 Saint-Herblain",
     {"street": "boulevard Salvador Allende", "complement": "Centre commercial Atlantis", "postcode": "44800",
      "city": "Saint-Herblain",
      "cedex": None}),
    ("invoices sent, with an aside, to the accountant", "Merci d'adresser dorénavant vos factures (contrat n° LOC "
     "2023 / 0871, traceur du cabinet) à notre expert-comptable :\n\nCabinet Audit Phocéen\n27 boulevard Périer\n"
     "13008 Marseille",
     {"street": "27 boulevard Périer", "complement": None, "postcode": "13008", "city": "Marseille", "cedex": None}),
    ("an installation address", "Nous partons à la rentrée.\n\nAdresse d'installation :\nCabinet Mattei\n"
     "12 boulevard Paoli\n20200 Bastia",
     {"street": "12 boulevard Paoli", "complement": None, "postcode": "20200", "city": "Bastia", "cedex": None}),
    ("an indented block is no table", "La facturation devra être établie au nom de la nouvelle entité :\n\n"
     "    Caraïbe Construction SAS\n    Zone de la Jambette – Immeuble Alizés\n    97232 Le Lamentin\n",
     {"street": None, "complement": "Zone de la Jambette, Immeuble Alizés", "postcode": "97232",
      "city": "Le Lamentin", "cedex": None}),
    # English order: the city, then the postcode (and the country)
    ("English order, the street on the line above", "Please move the plotter to our new office:\n\nHarbor Labs "
     "France\n18 rue des Arts\nToulouse 31000\nFrance",
     {"street": "18 rue des Arts", "complement": None, "postcode": "31000", "city": "Toulouse", "cedex": None}),
    ("English order on one line, then the country", "New billing address: Quantis SAS, 7 boulevard Voltaire, "
     "Saint-Nazaire 44600, France. Thank you.",
     {"street": "7 boulevard Voltaire", "complement": None, "postcode": "44600", "city": "Saint-Nazaire",
      "cedex": None}),
    ("a contract number's last group is no postcode", "Les prochaines factures relatives au contrat CTR/2025/11873 "
     "devront être établies au nom de :\n\nLMT Construction SAS\n1 bis rue Blaise Pascal\n35170 Bruz\n\nCi-joint le K-bis.",
     {"street": "1 bis rue Blaise Pascal", "complement": None, "postcode": "35170", "city": "Bruz", "cedex": None}),
    ("'send all invoices for account no. X to:', English order", "From next month, please send all invoices for "
     "account no. FR-C-118204 to:\n\nHexadyne France SAS, Accounts Payable, 4th floor, 27 rue Garibaldi, Lyon 69003\n\n"
     "The delivery address stays the same (Parc Technologique, 69570 Dardilly).",
     {"street": "27 rue Garibaldi", "complement": None, "postcode": "69003", "city": "Lyon", "cedex": None}),
    ("a number alone in another row's cell is no postcode", "Merci de nous établir un devis pour le transfert de notre "
     "traceur :\n\nN° client | 97521\nMatériel | PlotWave 345 – n° de série 780044921\nAdresse actuelle | 14 rue "
     "Juliette Dodu, 97400 Saint-Denis\nLieu d'installation | 2 rue Emile Hugot, 97490 "
     "Sainte-Clotilde\nDate | à convenir",
     {"street": "2 rue Emile Hugot", "complement": None, "postcode": "97490", "city": "Sainte-Clotilde",
      "cedex": None}),
    ("'Address for delivery and installation:' after the site it leaves", "We need the ColorWave 3900 moved from our "
     "Toulouse site (Colomiers) to our Mérignac facility. Address for delivery and installation:\n\nKestrel SAS\n"
     "6 rue Lavoisier\n33700 Mérignac\n\nCould you send a quote?",
     {"street": "6 rue Lavoisier", "complement": None, "postcode": "33700", "city": "Mérignac", "cedex": None}),
    ("'Départ :' and 'Arrivée :' as keys, the departure first", "Merci de déplacer le traceur PW 7H3210502.\n"
     "Départ : 14 rue Ampère, 38000 Grenoble\nArrivée : 3 avenue Jean Jaurès, 69007 Lyon",
     {"street": "3 avenue Jean Jaurès", "complement": None, "postcode": "69007", "city": "Lyon", "cedex": None}),
    ("English order, a remark in brackets after it", "Please move our plotter to: 7 boulevard Voltaire, Saint-Nazaire "
     "44600 (ground floor).",
     {"street": "7 boulevard Voltaire", "complement": None, "postcode": "44600", "city": "Saint-Nazaire", "cedex": None}),
    ("a customer number ending its 'key :' line is no postcode", "Merci de mettre à jour nos coordonnées de "
     "facturation :\n\nN° client : 69412\nAncienne adresse : 3 quai Perrache, 69002 Lyon\nNouvelle adrese de "
     "facturaton : 61 rue de Marseille, 69007 Lyon\nDate d'effet : 1er mars",
     {"street": "61 rue de Marseille", "complement": None, "postcode": "69007", "city": "Lyon", "cedex": None}),
    ("the city, then its postcode in brackets", "nos factures ne devront plus être adressées à notre siège du 8 rue "
     "Grignan (13001 Marseille) mais à :\n\nPhocéenne Ingénierie\nLes Docks – Atrium 10.4\n10 place de la Joliette\n"
     "Marseille (13002)\n\nMerci.",
     {"street": "10 place de la Joliette", "complement": None, "postcode": "13002",
      "city": "Marseille", "cedex": None}),
    ("'facturer le contrat du traceur (n° …) à :'", "À partir de cette date, merci de facturer le contrat du traceur "
     "PW 3500 (n° 8811 3027) à :\nSELARL Géomètres Associés Béarn\n5 place Clemenceau\n64000 Pau\n\nMerci.",
     {"street": "5 place Clemenceau", "complement": None, "postcode": "64000", "city": "Pau", "cedex": None}),
    ("'l'ensemble de vos factures … devra être adressé à'", "l'ensemble de vos factures relatives à notre compte "
     "client n° 0073351 devra être adressé à notre centre de services partagés :\nHauser Ingénierie\nBâtiment C - 3e "
     "étage\n12 avenue de l'Europe\nCS 70412\n67412 ILLKIRCH CEDEX\nL'adresse actuelle (4 rue de la Nuée-Bleue, "
     "67000 Strasbourg) ne devra plus être utilisée.",
     {"street": "12 avenue de l'Europe", "complement": "Bâtiment C, 3e étage, CS 70412", "postcode": "67412",
      "city": "ILLKIRCH", "cedex": "CEDEX"}),
    ("an address said unchanged", "Nous n'avons pas reçu votre facture de mars. L'adresse de facturation n'a pas "
     "changé (12 rue Thiers, 38000 Grenoble), je ne comprends donc pas.", None),
    # the second reader's cases
    ("'ne change pas' said of something else", "Notre SIRET ne change pas, mais merci d'envoyer à compter du 1er avril "
     "2027 les factures à l'adresse suivante : Société Dupont, 12 rue des Lilas, 69003 Lyon.",
     {"street": "12 rue des Lilas", "complement": None, "postcode": "69003", "city": "Lyon", "cedex": None}),
    ("a date of departure is no 'Départ :' key", "Merci de transférer le traceur n° de série 7XK01234 à l'adresse "
     "ci-dessous.\nDate de départ : 15/04/2027\n14 allée des Chênes\n44300 Nantes",
     {"street": "14 allée des Chênes", "complement": None, "postcode": "44300", "city": "Nantes", "cedex": None}),
    ("a postcode after a building's number and a slash", "Merci de déménager le traceur à notre nouvelle adresse :\n3 "
     "rue de l'Industrie - Bât. 4/35000 Rennes",
     {"street": "3 rue de l'Industrie", "complement": "Bât. 4/", "postcode": "35000", "city": "Rennes", "cedex": None}),
    ("the seat of the absorbing company", "la société Garonne Offset sera absorbée par la société Impressions du "
     "Sud-Ouest SAS, dont le siège est situé :\n\nCS 40021 – 31035 TOULOUSE CEDEX 1",
     {"street": None, "complement": "CS 40021", "postcode": "31035", "city": "TOULOUSE", "cedex": "CEDEX 1"}),
]


@pytest.mark.parametrize("what, body, expected", ADDRESSES, ids=[c[0] for c in ADDRESSES])
def test_new_address(what, body, expected):
    result, parts = read_all(body)
    found = result.details["new_address"]
    if expected is None:
        assert found is None
        assert result.fields["new_address_postcode"] is None
        return
    assert {k: v for k, v in found.items() if k not in ("span", "text")} == expected
    parts_in_order = sorted((found["text"].find(p), p) for p in (expected["street"], expected["postcode"]) if p)
    assert found["text"].startswith((expected["complement"] or "").split(", ")[0]) or found["text"].startswith(
        parts_in_order[0][1])  # the span starts at the address, not at the company name or the cue
    assert found["text"].endswith((expected["cedex"] or expected["city"], f"{expected['city']} {expected['postcode']}",
                                   f"{expected['city']} ({expected['postcode']})"))
    assert result.details["spans"]["new_address_postcode"]["text"] == expected["postcode"]


EMAILS = [
    # (what, body, sender display name, expected address, expected nominative)
    ("factures@", "Merci d'envoyer désormais les factures à factures@atelier-noe.fr", "", "factures@atelier-noe.fr",
     False),
    ("comptabilite@", "Nouvelle adresse de réception des factures : comptabilite@groupe-lys.fr", "",
     "comptabilite@groupe-lys.fr", False),
    ("accounts.payable@", "Please send invoices to accounts.payable@harbor-print.co.uk from now on.", "",
     "accounts.payable@harbor-print.co.uk", False),
    ("ap@", "Please send all invoices to ap@norden-graphics.com", "", "ap@norden-graphics.com", False),
    ("invoices@", "Our new invoice address is invoices@norden-graphics.com", "", "invoices@norden-graphics.com",
     False),
    ("fournisseurs@", "Les factures sont à envoyer à fournisseurs@brevia.fr", "", "fournisseurs@brevia.fr", False),
    ("dematerialisation@", "Adresse à utiliser pour les factures : dematerialisation@ville-exemple.fr", "",
     "dematerialisation@ville-exemple.fr", False),
    ("firstname.lastname@", "Merci d'adresser les factures à paul.garnier@brevia.fr", "", "paul.garnier@brevia.fr",
     True),
    ("initial.lastname@", "Les factures sont à envoyer à m.leclerc@brevia.fr", "", "m.leclerc@brevia.fr", True),
    ("common first name@", "Pouvez-vous envoyer les factures à sophie@brevia.fr ?", "", "sophie@brevia.fr", True),
    ("the sender's own names", "Merci d'envoyer nos factures à hbastide@brevia.fr", "Hélène Bastide",
     "hbastide@brevia.fr", True),
    ("same address, sender unknown", "Merci d'envoyer nos factures à hbastide@brevia.fr", "", "hbastide@brevia.fr",
     False),
    ("'Lastname, Firstname' sender", "New invoice address: okafor@harbor-print.co.uk", "Okafor, Grace",
     "okafor@harbor-print.co.uk", True),
    ("an answer's arrow under the question", "merci de nous indiquer :\n- une adresse e-mail non nominative :\n\n"
     "=> factures@brasserie-dunord.fr (et pas celle de Julie svp)", "", "factures@brasserie-dunord.fr", False),
    ("a service named after nobody", "Adresse pour les factures : compta.clients@brevia.fr", "Marc Lenoir",
     "compta.clients@brevia.fr", False),
    ("a PDF copy of the invoices", "Invoices should be sent to:\n\nEurofret Services\nTSA 30412\n92099 La Défense Cedex\n\n"
     "with a PDF copy to ap-invoices@eurofret-services.fr.", "", "ap-invoices@eurofret-services.fr", False),
]


@pytest.mark.parametrize("what, body, sender_name, address, nominative", EMAILS, ids=[c[0] for c in EMAILS])
def test_new_email_and_whether_it_is_nominative(what, body, sender_name, address, nominative):
    result, _ = read_all(body, sender="someone@elsewhere.fr", sender_name=sender_name)
    assert result.fields["new_email"] == address
    assert result.details["new_email"]["nominative"] is nominative
    assert any(e.name == "new_email" and ("nominative" if nominative else "generic") in e.detail
               for e in result.evidence)


def test_a_pdf_named_on_the_line_before_a_contact_gives_no_invoice_address():
    result, _ = read_all("Voici le nouveau bon de commande 4500786612 pour le contrat 0098-4471, en PDF.\nMarie Durand "
                         "(m.durand@dupont-sa.fr) reste votre interlocutrice.", sender="someone@elsewhere.fr")
    assert result.fields["new_email"] is None


def test_decide_uses_the_nominative_flag_of_extract():
    """One rule: the address extract calls nominative is the one decide finds missing for invoice_by_email."""
    body = "Pour le contrat CT-2026-00912, merci d'envoyer les factures par e-mail à hbastide@brevia.fr"
    result, _ = read_all(body, sender="h.bastide@brevia.fr", sender_name="Hélène Bastide")
    flag = result.details["new_email"]["nominative"]
    assert flag is True
    rules = load_rules()
    decision = reading_decision("invoice_by_email", result.fields, rules, email_nominative=flag)
    assert decision.missing == ["new_email"]
    assert is_nominative("hbastide@brevia.fr", "Hélène Bastide") is flag  # the same function, not a twin
    generic, _ = read_all(body.replace("hbastide@", "factures@"), sender_name="Hélène Bastide")
    assert reading_decision("invoice_by_email", generic.fields, rules,
                            email_nominative=generic.details["new_email"]["nominative"]).missing == []


READINGS = [
    # (what, body, [(value, counter, serial), …])
    ("a table whose header says which columns count", "Voici nos compteurs relevés :\n"
     "Matériel | N° de série | Compteur N&B | Compteur couleur | Volume moyen / mois\n"
     "VarioPrint 6180 Titan | 60412877 | 1 254 330 | – | ≈ 95 000\n"
     "imagePRESS C910 | 2RJ05871 | 412 908 | 388 127 | ≈ 21 000",
     [(1254330, "noir", "60412877"), (412908, "noir", "2RJ05871"), (388127, "couleur", "2RJ05871")]),
    ("a total column counts", "Voici nos relevés :\nN° de série | Noir | Couleur | Total\n"
     "CW3700-A-55120 | 38 902 | 126 455 | 165 357",
     [(38902, "noir", "CW3700-A-55120"), (126455, "couleur", "CW3700-A-55120"), (165357, "total", "CW3700-A-55120")]),
    ("a zero in a counter's cell", "Voici nos compteurs au 29/06 :\nN° de série | Noir & blanc | Couleur | Total\n"
     "7019384 | 1 254 887 | 312 450 | 1 567 337\n7019522 | 88 410 | 0 | 88 410",
     [(1254887, "noir", "7019384"), (312450, "couleur", "7019384"), (1567337, "total", "7019384"),
      (88410, "noir", "7019522"), (0, "couleur", "7019522"), (88410, "total", "7019522")]),
    ("a zero in a column that counts no pages", "Voici nos compteurs :\nN° de série | Compteur total | Bourrages\n"
     "7019522 | 88 410 | 0", [(88410, "total", "7019522")]),
    ("a zero outside a table reads nothing", "Compteur noir : 88 410, couleur 0 (machine monochrome)",
     [(88410, "noir", None)]),
    ("a form's label with its unit in brackets, the value on the next line", "N° de série : 30733090\n"
     "Compteur total (m²) :\n77 412\nDate du relevé :\n29/06/2026", [(77412, "total", "30733090")]),
    ("a reply's initials before the answer", "N° de série du matériel : PW-365-0042871   [JMP] oui\n"
     "Compteur total :                           [JMP] 1.045.871", [(1045871, "total", "PW-365-0042871")]),
    ("counters under each machine", "Voici les compteurs :\n\nPlotWave 3600 – n° de série PW3600-0031945\n"
     "  compteur noir : 21 307\n\nColorWave 3700 – n° de série CW3700-0011582\n  compteur noir : 6 044\n"
     "  compteur couleur : 3 518",
     [(21307, "noir", "PW3600-0031945"), (6044, "noir", "CW3700-0011582"), (3518, "couleur", "CW3700-0011582")]),
    ("table with the counter type in a column", "Relevés :\nSérie | Type | Index\nPW3600-0031945 | noir | 21 307\n"
     "CW3700-0011582 | couleur | 1 882",
     [(21307, "noir", "PW3600-0031945"), (1882, "couleur", "CW3700-0011582")]),
    ("table with one column per counter", "Série | Noir | Couleur\nCW3700-0011582 | 6 044 | 3 518\n"
     "CW3700-0011590 | 12 100 | 4 007",
     [(6044, "noir", "CW3700-0011582"), (3518, "couleur", "CW3700-0011582"), (12100, "noir", "CW3700-0011590"),
      (4007, "couleur", "CW3700-0011590")]),
    ("no-break spaces as thousands separators", "Compteur noir : 48\u00a0120\nCompteur couleur : 9\u202f301",
     [(48120, "noir", None), (9301, "couleur", None)]),
    ("square metres on a wide-format printer", "Relevé du traceur n° de série PW365-0027741 : 3 912 m²",
     [(3912, "m2", "PW365-0027741")]),
    ("colour kind after the number", "Index relevés hier : 14 800 pour le noir et 2 215 pour la couleur.",
     [(14800, "noir", None), (2215, "couleur", None)]),
    ("kinds after numbers, slash between", "Compteurs : 7 520 noir / 1 310 couleur",
     [(7520, "noir", None), (1310, "couleur", None)]),
    ("total counter of an Océ serial", "3Y118204 : compteur total 102 455 pages", [(102455, "total", "3Y118204")]),
    ("paper sizes", "Compteur A4 : 8 120\nCompteur A3 : 1 045", [(8120, "A4", None), (1045, "A3", None)]),
    ("several machines named above: serial unknown", "Pour PW3600-0031945 et CW3700-0011582, voici les compteurs :\n"
     "noir : 11 000\ncouleur : 2 400", [(11000, "noir", None), (2400, "couleur", None)]),
    ("serials and readings on one line: the nearest serial before",
     "Compteurs : PW3600-0031945 noir 21 307, CW3700-0011582 noir 6 044",
     [(21307, "noir", "PW3600-0031945"), (6044, "noir", "CW3700-0011582")]),
    ("a reading before the serial of its line", "Compteur noir 21 307 pour PW3600-0031945",
     [(21307, "noir", "PW3600-0031945")]),
    ("the kind another cell of the row names", "Relevés :\nPW3600-0031945 | 21 307 | noir | 1 882",
     [(21307, "noir", "PW3600-0031945"), (1882, "noir", "PW3600-0031945")]),
    ("a verb gives the value", "Le compteur de la machine 3Y0A1234 indique 456 789 au 30/09.",
     [(456789, None, "3Y0A1234")]),
    ("abbreviated counters, one per serial", "voici les cpt : 3Y0A1111 : 12 345 / 3Y0A2222 : 67 890",
     [(12345, None, "3Y0A1111"), (67890, None, "3Y0A2222")]),
    ("a second reading in the same enumeration", "Dernier relevé des compteurs, effectué le 24 mai : 145 002 pour "
     "le premier appareil, 98 760 pour le second.", [(145002, None, None), (98760, None, None)]),
    ("the number on the line after its counter word", "Bonjour,\nimagePRESS C910 – série 2HX00457 : compteur total\n"
     "113 002\nCordialement", [(113002, "total", "2HX00457")]),
    ("a volume 'approx.' is no reading", "Compteur noir : 1 204 553\nOur average monthly volume is approx. 95,000 pages.",
     [(1204553, "noir", None)]),
    ("a volume 'autour de' is no reading", "Série 4453B21907 : compteur total 1 284 557\nNotre volume mensuel tourne "
     "autour de 40 000 pages par machine.", [(1284557, "total", "4453B21907")]),
    ("an allowance per quarter is no reading", "Total m²: 61,204\nNote: our contract allowance is 5,000 m² per quarter.",
     [(61204, "total", None)]),
    ("a serial of digits alone in a list under the counters' word is no reading", "Nous souhaitons mettre en place la "
     "remontée automatique des compteurs pour nos trois traceurs :\n\n- PlotWave 345 : 3AB-081120\n- ColorWave 3600 : "
     "60019921", []),
    ("… nor is it under a list of readings, the reading beside it is", "Voici nos compteurs :\n- ColorWave 3600 "
     "n° 60019921 : 1 204 330", [(1204330, None, "60019921")]),
]


@pytest.mark.parametrize("what, body, expected", READINGS, ids=[c[0] for c in READINGS])
def test_meter_readings_with_counter_and_serial(what, body, expected):
    result, parts = read_all(body)
    got = [(r["value"], r["counter"], r["serial"]) for r in result.details["meter_readings"]]
    assert got == expected
    assert result.fields["meter_readings"] == [v for v, _, _ in expected]


def test_reading_spans_keep_the_number_as_written():
    result, parts = read_all("Compteur noir : 48\u00a0120 (ligne 2)\nCompteur couleur : 9.301")
    assert [parts.new[s:e] for s, e in (r["span"] for r in result.details["meter_readings"])] == ["48 120", "9.301"]
    raw = "Compteur noir : 48\u00a0120"  # read without the splitter's space normalisation
    mail = parse(b"From: a@b.fr\nSubject: x\n\n" + raw.encode())
    readings = extract_all(raw, "", mail, REF).details["meter_readings"]
    assert [raw[slice(*r["span"])] for r in readings] == ["48\u00a0120"]


SPANS = [
    # (what, body, subject, field, text as written, source)
    ("contract", "Notre contrat n° CT-2025-09314 est reconduit.", "Demande", "contract_number", "CT-2025-09314",
     "new"),
    ("contract from the subject", "Merci de noter.", "Contrat CT-2025-09314", "contract_number", "CT-2025-09314",
     "subject"),
    ("contract from the quoted history",
     "Nous souhaitons résilier le contrat mentionné ci-dessous.\n\nDe : Contrats <c@example.com>\n"
     "Envoyé : lundi 2 mars 2026\nÀ : Jean\nObjet : Votre contrat\n\n"
     "Votre contrat CT-2024-07731 arrive à échéance.",
     "RE: Votre contrat", "contract_number", "CT-2024-07731", "quoted"),
    ("new PO, not the old", "L'ancien bon de commande BC-2026-0411 est remplacé par BC-2027-0733.", "Demande",
     "po_number", "BC-2027-0733", "new"),
    ("spaced customer number", "(n° client 1 072 519)", "Demande", "customer_number", "1 072 519", "new"),
    ("SIREN", "Nouvelle entité de facturation : SIREN 732 829 320", "Demande", "siren", "732 829 320", "new"),
    ("effective date", "À compter du 1er février 2027, merci de changer le bon de commande.", "Demande",
     "effective_date", "1er février 2027", "new"),
    ("postcode", "Nouvelle adresse : 8 impasse des Lilas, 44300 Nantes", "Demande", "new_address_postcode", "44300",
     "new"),
    ("e-mail", "Merci d'envoyer les factures à factures@atelier-noe.fr.", "Demande", "new_email",
     "factures@atelier-noe.fr", "new"),
    ("K-bis said attached", "Vous trouverez le K-bis de la nouvelle société en pièce jointe.", "Demande", "kbis",
     "Vous trouverez le K-bis de la nouvelle société en pièce jointe", "new"),
]


@pytest.mark.parametrize("what, body, subject, name, text, source", SPANS, ids=[c[0] for c in SPANS])
def test_each_value_says_where_it_was_read(what, body, subject, name, text, source):
    attachments = (("scan.pdf", "pdf"),) if name == "kbis" else ()
    result, parts = read_all(body, subject=subject, attachments=attachments)
    where = result.details["spans"][name]
    assert (where["text"], where["source"]) == (text, source)
    start, end = where["span"]
    assert {"new": parts.new, "quoted": parts.quoted, "subject": subject}[source][start:end] == text


def test_serial_spans_are_a_list_and_a_named_kbis_has_no_span():
    result, parts = read_all("Matériels :\n- 3Y 052210\n- PW345-0071236\n- 3Y 052210",
                             attachments=(("Kbis_Nouvelle_Societe.pdf", "pdf"),))
    assert [(w["text"], w["source"]) for w in result.details["spans"]["serial_numbers"]] == [
        ("3Y 052210", "new"), ("PW345-0071236", "new")]
    assert result.details["spans"]["kbis"] == {"text": "Kbis_Nouvelle_Societe.pdf", "span": None,
                                               "source": "attachment"}


def test_analysis_carries_the_details_and_keeps_the_format_fields():
    raw = (b"From: Luc Martel <l.martel@brevia.fr>\nTo: contrats@example.com\nSubject: Releves compteurs\n"
           b"Date: Fri, 20 Nov 2026 09:00:00 +0100\nMessage-ID: <t1@brevia.fr>\n"
           b"Content-Type: text/plain; charset=utf-8\n\n"
           + "Bonjour,\n\nVoici les relevés : PW3600-0031945 | noir | 21 307\n\nCordialement,\nLuc".encode())
    result = analyze(raw).as_dict()
    assert set(result["fields"]) == set(FIELD_KEYS)
    assert result["fields"]["meter_readings"] == [21307]
    assert set(result["details"]) == {"new_address", "new_email", "meter_readings", "deadline", "spans", "attachments"}
    assert result["details"]["meter_readings"][0]["counter"] == "noir"
    assert result["details"]["meter_readings"][0]["serial"] == "PW3600-0031945"
    json.dumps(result, default=str)  # the CLI prints it


# Generalisation: wordings and shapes that the dev corpus does not show (serials of other shapes, tables
# from HTML or aligned with spaces, spaced contract numbers, no-break spaces, old and new addresses).
GENERAL_CASES = [
    # (what, body, field, expected)
    ("serial after SN :", "Notre imagePRESS C910 (SN : QWE12345) est à déplacer.", "serial_numbers", ["QWE12345"]),
    ("serial after S/N", "Matériel S/N XKB07731 à résilier.", "serial_numbers", ["XKB07731"]),
    ("Océ serial of 9 characters", "N° série : 4Y0012288, merci", "serial_numbers", ["4Y0012288"]),
    ("second serial after et", "numéro de série JCF22019 et JCF22020 à Lyon", "serial_numbers",
     ["JCF22019", "JCF22020"]),
    ("serial list in English", "Serial numbers: TRX50611, TRX50612 and TRX50613.", "serial_numbers",
     ["TRX50611", "TRX50612", "TRX50613"]),
    ("serial column of an HTML table", "Modèle | N° de série | Site\nimagePROGRAF TX-3100 | HKD01923 | Nantes\n"
     "imagePROGRAF TX-4100 | HKD01988 | Brest", "serial_numbers", ["HKD01923", "HKD01988"]),
    ("serial column aligned with spaces", "Matériel        N° de série     Lieu\nArizona 1380    AZB00734        Lille\n"
     "Arizona 2280    AZB00912        Douai", "serial_numbers", ["AZB00734", "AZB00912"]),
    ("serials in a numbered list", "Les index :\n1) KLM40021 : 3 120\n2) KLM40022 : 980", "serial_numbers",
     ["KLM40021", "KLM40022"]),
    ("model : serial", "Sur nos matériels :\n- Colorado 1630 : YCH00417\n- PlotWave 550 : 7Y0034412",
     "serial_numbers", ["YCH00417", "7Y0034412"]),
    ("serials after a model and n°", "nos ColorWave 3800 n° 3W0044120 et 3W0044121 installés à Reims",
     "serial_numbers", ["3W0044120", "3W0044121"]),
    ("serial before its model", "le traceur 8X0031177 (PlotWave 345) est à reprendre", "serial_numbers",
     ["8X0031177"]),
    ("a toner order still names its serial", "Merci de nous livrer 2 toners noirs pour l'imagePRESS C910 "
     "(S/N : QWE12345).", "serial_numbers", ["QWE12345"]),
    ("a phone number after a serial label is not a serial", "N° de série : 0612345678", "serial_numbers", []),
    ("a phone number is not a serial", "Matériel PlotWave 345, tél. 0478120034", "serial_numbers", []),
    ("a SIRET is not a serial", "Numéro de série : 73282932000074", "serial_numbers", []),
    ("a serial's label after a model's family is no model's letters", "Merci de résilier le contrat du traceur PlotWave "
     "SN 4106 B 0072 au 31/12/2026.", "serial_numbers", ["4106 B 0072"]),
    ("… 'ID' neither", "Relevé du Colorado ID 45123 : 18 402 m².", "serial_numbers", ["45123"]),
    ("a SIRET in a signature is not a serial", "Cordialement\nSIRET 73282932000074", "serial_numbers", []),
    ("invoice numbers are not serials", "Concerne les factures n° FA2026-10045 et FA2026-10046.",
     "serial_numbers", []),
    ("an invoice number after a model is not a serial", "PlotWave 345 : facture n° 9126003982",
     "serial_numbers", []),
    ("an IBAN is not a serial", "Nouveau RIB, IBAN : FR7630006000011234567890189", "serial_numbers", []),
    ("a spaced IBAN is not a serial", "IBAN FR76 3000 6000 0112 3456 7890 189", "serial_numbers", []),
    ("a postcode is not a serial", "Nouvelle adresse : 12 rue des Forges, 69003 Lyon", "serial_numbers", []),
    ("an order reference in a list is not a serial", "Références :\n- PO-2027-0042\n- BC-2027-0311",
     "serial_numbers", []),
    ("a customer number is not a serial", "N° client | 5510234\nN° de série | 3Y0778120", "serial_numbers",
     ["3Y0778120"]),
    ("customer number in a table row", "N° client | 5510234\nN° de série | 3Y0778120", "customer_number", "5510234"),
    ("customer code in a table row", "Code client | 77 412\nContrat | CT-2025-00412", "customer_number", "77 412"),
    ("customer number in an English table", "Customer number | 4410023", "customer_number", "4410023"),
    ("P.O is not a piece of a spaced contract", "The new purchase order for contract CT 2026-00012 (PlotWave 3600)"
     ":\n\n    PO-88120\n\nThanks.", "po_number", "PO-88120"),
    ("P.O after a spaced contract", "Pour le contrat CT 2025-04417, le nouveau bon de commande : 4500123987.",
     "po_number", "4500123987"),
    ("new P.O in a table after the old one", "Merci de changer le numéro de commande ci-dessous.\n"
     "N° client | 300122\nAncien n° de commande | OA-2026-55\nNouveau n° de commande | OA-2027-12",
     "po_number", "OA-2027-12"),
    ("the customer number is never the P.O", "Changement du numéro de commande ci-dessous.\nN° client | 300122",
     "po_number", None),
    ("readings with no-break spaces", "Compteur noir : 125\u00a0430, compteur couleur : 8\u202f917",
     "meter_readings", [125430, 8917]),
    ("readings after an introduction and a blank line", "Voici les index relevés ce matin :\n\n"
     "Colorado 1630 – S/N YCH00417 : 45 210\nPlotWave 550 – S/N 7Y0034412 : 3 008", "meter_readings", [45210, 3008]),
    ("readings in a table aligned with spaces", "N° de série     Noir        Couleur\nHKD01923        12 004      3 410\n"
     "HKD01988        980         77", "meter_readings", [12004, 3410, 980, 77]),
    ("readings in an HTML table", "Série | Compteur N&B | Compteur couleur\nAZB00734 | 1 204 550 | 88 310",
     "meter_readings", [1204550, 88310]),
    ("a reading date is not an effective date", "Index relevés le 27/11/2026 : noir 4 520", "effective_date", None),
    ("the reading of a dated index", "Index relevés le 27/11/2026 : noir 4 520", "meter_readings", [4520]),
    ("replace the old e-mail by the new one", "Merci de remplacer factures@lemoine.fr par "
     "compta.fournisseurs@lemoine.fr pour l'envoi des factures.", "new_email", "compta.fournisseurs@lemoine.fr"),
    ("the old e-mail first, then the new one", "L'ancienne adresse était factures@lemoine.fr, la nouvelle est "
     "compta@lemoine.fr.", "new_email", "compta@lemoine.fr"),
    ("an address no longer read, then the new one", "L'adresse factures@lemoine.fr que vous utilisez n'est plus "
     "consultée. Merci d'envoyer les factures à compta@lemoine.fr.", "new_email", "compta@lemoine.fr"),
    ("instead of paper does not make the address old", "Merci d'envoyer nos factures par e-mail au lieu du papier, "
     "à l'adresse factures@lemoine.fr.", "new_email", "factures@lemoine.fr"),
    ("an e-mail address spelt with [at]", "Merci d'envoyer les factures à compta [at] dupont-sa.fr.",
     "new_email", "compta@dupont-sa.fr"),
    ("a move to a new workshop", "Merci de déplacer notre traceur vers notre nouvel atelier, 4 rue des Forges, "
     "44300 Nantes.", "new_address_postcode", "44300"),
]


@pytest.mark.parametrize("what, body, field, expected", GENERAL_CASES, ids=[c[0] for c in GENERAL_CASES])
def test_field_generalises(what, body, field, expected):
    assert read(body)[field] == expected


def _situation(subject: str, body: str) -> str:
    msg = EmailMessage()
    msg["From"] = "Jean Dupont <jean.dupont@client.fr>"
    msg["To"] = "contrats@example.com"
    msg["Subject"] = subject
    msg["Date"] = "Fri, 20 Nov 2026 10:00:00 +0100"
    msg.set_content(body)
    return analyze(msg.as_bytes()).situation


@pytest.mark.parametrize("subject, body, expected", [
    ("Factures", "Bonjour,\nNous souhaitons recevoir nos factures par e-mail au lieu du papier, à l'adresse "
     "factures@dupont-sa.fr.\nContrat CT-2025-00412.", "invoice_by_email"),
    ("Dématérialisation", "Bonjour,\nMerci de nous envoyer les factures en PDF plutôt que par courrier, à "
     "l'adresse compta@garage-martin.fr.\nN° client : 554120", "invoice_by_email"),
    ("Passage à la facture électronique", "Bonjour,\nNous souhaitons passer à la facturation électronique. "
     "Merci d'envoyer désormais les factures à :\nAdresse e-mail | compta@bois-sa.fr\nN° client | 77120",
     "invoice_by_email"),
    ("Changement d'adresse", "Bonjour,\nMerci d'envoyer désormais nos factures à l'adresse suivante : "
     "compta.fournisseurs@bois-sa.fr au lieu de factures@bois-sa.fr.\nN° client : 77120", "invoice_address_change"),
    ("Nouvelle adresse de facturation", "Bonjour,\nNotre adresse de facturation change : 12 rue des Lilas, "
     "69003 Lyon.\nN° client : 77120", "invoice_address_change"),
])
def test_paper_to_email_is_invoice_by_email(subject, body, expected):
    assert _situation(subject, body) == expected


# -- the reading policy: subject, new text, and the history only when pointed to (issue #10) --------

def policy_mail(subject: str, new: str, quoted: str) -> dict:
    msg = EmailMessage()
    msg["From"] = "Claire Dubois <claire.dubois@bati-concept.fr>"
    msg["To"] = "contrats.service.wfps@cf.canon.fr"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 01 Feb 2027 10:00:00 +0100"
    msg["Message-ID"] = f"<{abs(hash(new))}@bati-concept.fr>"
    msg.set_content(f"{new}\n\nLe lun. 25 janv. 2027 à 09:00, Service Contrats <contrats.service.wfps@cf.canon.fr> "
                    f"a écrit :\n{quoted}")
    return analyze(msg.as_bytes()).fields


NUMBERED_QUESTIONS = ("Bonjour,\nAfin de traiter votre demande, merci de nous préciser :\n1) la date à laquelle la "
                      "nouvelle adresse doit être prise en compte,\n2) votre numéro client (en haut à droite de la "
                      "facture),\n3) la nouvelle adresse complète.\nCordialement,\nLe service Contrats")
POLICY = [
    ("a forward pointed to gives what the new text lacks",
     "TR: Changement d'adresse du siège",
     "Bonjour,\nPour information, ci-dessous le courrier envoyé à nos fournisseurs. Merci d'en tenir compte "
     "pour l'envoi de vos factures (notre n° client Canon : 209914).",
     "Madame, Monsieur,\nÀ compter du 1er avril 2027, toute facture devra être envoyée à notre nouvelle adresse :\n"
     "45 avenue Kennedy\n33700 Mérignac",
     "new_address_postcode", "33700"),
    ("a reading quoted under a request for remote reading is the old mail's",
     "RE: Relevés compteurs - Colorado",
     "Bonjour,\nPour éviter ce genre de relance, nous voudrions que les compteurs de la machine mentionnée ci-dessous "
     "remontent automatiquement. Est-ce possible ?",
     "Bonjour,\nVoici le compteur de notre Colorado 1650 (n° série Y7340012) : 25 880 m².",
     "meter_readings", []),
    ("… but a reading the new text points to in the history is read",
     "RE: Relevés compteurs - Colorado",
     "Bonjour,\nVoir le relevé dans votre message ci-dessous. Pourriez-vous mettre en place l'envoi automatique des "
     "compteurs ?",
     "Bonjour,\nVoici le compteur de notre Colorado 1650 (n° série Y7340012) : 25 880 m².",
     "meter_readings", [25880]),
    ("… its machine is still the one pointed to",
     "RE: Relevés compteurs - Colorado",
     "Bonjour,\nPour éviter ce genre de relance, nous voudrions que les compteurs de la machine mentionnée ci-dessous "
     "remontent automatiquement. Est-ce possible ?",
     "Bonjour,\nVoici le compteur de notre Colorado 1650 (n° série Y7340012) : 25 880 m².",
     "serial_numbers", ["Y7340012"]),
    ("'la nouvelle période' points to the period our request names",
     "RE: Votre contrat n° MNT-0092834 - renouvellement commande",
     "Bonjour Madame,\n\nSuite à votre mail, le numéro de commande pour la nouvelle période est le :  DA-27-00781",
     "De : Gestion Contrats WFPS <contrats.service.wfps@cf.canon.fr>\nEnvoyé : mardi 1 décembre 2026 16:42\n"
     "Objet : Votre contrat\n\nMadame, Monsieur,\n\nLe bon de commande BC-2026-1187 associé à votre contrat MNT-0092834 "
     "arrive à échéance le 31/12/2026.\n\nMerci de nous transmettre le nouveau numéro de commande couvrant la période "
     "du 01/01/2027 au 31/12/2027, au moins un mois avant le début de la période.",
     "effective_date", "2027-01-01"),
    ("history not pointed to is not read",
     "RE: Bon de commande",
     "Bonjour,\nMerci, nous vous enverrons le nouveau bon de commande la semaine prochaine, le contrat est le "
     "CT-2024-00871.",
     "Bonjour,\nVotre bon de commande BC-2026-0088 arrive à échéance.",
     "po_number", None),
    ("a doubt about a quoted mail takes nothing from it",
     "TR: Changement de coordonnées bancaires",
     "Bonjour,\nNous avons reçu le message ci-dessous, prétendument de Canon France. Pouvez-vous nous confirmer "
     "vos coordonnées bancaires officielles ? Nous suspendons tout paiement en attendant.",
     "Merci de régler dès aujourd'hui les factures du contrat CT-2024-00933 sur notre nouveau compte.",
     "contract_number", None),
    ("answers written inside the quoted request",
     "RE: Votre demande de déménagement",
     "Bonjour,\n\nRéponses dans votre message ci-dessous.\n\nAntoine",
     "Bonjour,\nPour établir le devis de déménagement, merci de me préciser :\n- le numéro de série de la "
     "machine :\nSN 30712456 (PlotWave 345)\n- la nouvelle adresse d'installation :\n140 rue de la Croix Nivert, "
     "75015 Paris",
     "serial_numbers", ["30712456"]),
    ("a short answer to our question for one number",
     "RE: Résiliation contrat 0040018807",
     "9470 334 812",
     "Bonjour,\nPour traiter votre demande de résiliation, pourriez-vous nous indiquer le numéro de série du "
     "traceur concerné ?",
     "serial_numbers", ["9470 334 812"]),
    ("… in spaced pieces with a letter among them",
     "Re: Activation télérelève",
     "Bonjour,\nc'est le 4106 B 0072.\nMerci",
     "Bonjour,\nSuite à votre demande de télérelève, pourriez-vous nous indiquer le numéro de série du matériel "
     "concerné ?",
     "serial_numbers", ["4106 B 0072"]),
    ("… but two serials side by side are no one value",
     "Re: Activation télérelève",
     "Bonjour,\n3YA01234 3YA01299\nMerci",
     "Bonjour,\nSuite à votre demande de télérelève, pourriez-vous nous indiquer le numéro de série du matériel "
     "concerné ?",
     "serial_numbers", []),
    ("a correction to the customer's previous message keeps the rest of it",
     "RE: Résiliation",
     "Bonjour,\n\nPetite erreur dans mon précédent message : le numéro de série du traceur à résilier n'est pas "
     "3G770122 mais 3G770212. Le reste est inchangé.\n\nNicole Fabre",
     "Bonjour,\n\nNous souhaitons résilier le contrat du traceur n° de série 3G770122 à compter du 30 juin 2027.\n\n"
     "Nicole Fabre",
     "effective_date", "2027-06-30"),
    ("a short answer naming two machines, a third said not concerned",
     "RE: Résiliation contrat",
     "Bonjour,\n\nIl s'agit des 7KQ00412 et 7KQ00468. Le 7KQ00455 a été repris l'an dernier, il n'est donc pas "
     "concerné.\n\nCordialement,\nLouis Marchand",
     "Bonjour,\nPour traiter votre demande de résiliation, merci de nous indiquer les numéros de série des matériels "
     "concernés.",
     "serial_numbers", ["7KQ00412", "7KQ00468"]),
    ("… a short one too",
     "RE: Résiliation contrat",
     "Les 7KQ00412 et 7KQ00468.",
     "Bonjour,\nPour traiter votre demande de résiliation, merci de nous indiquer les numéros de série des matériels "
     "concernés.",
     "serial_numbers", ["7KQ00412", "7KQ00468"]),
    ("a reply's phone numbers are no machines listed",
     "RE: Résiliation contrat",
     "Je n'ai pas les numéros sous la main. Vous pouvez me joindre au 0145678910 ou 0612345678.",
     "Bonjour,\nPour traiter votre demande de résiliation, merci de nous indiquer les numéros de série des matériels "
     "concernés.",
     "serial_numbers", []),
    ("… nor its invoices' numbers",
     "RE: Résiliation contrat",
     "Les factures 9124578803 et 9124578804 portent les références. Je regarde pour les numéros.",
     "Bonjour,\nPour traiter votre demande de résiliation, merci de nous indiquer les numéros de série des matériels "
     "concernés.",
     "serial_numbers", []),
    ("… nor postcodes deep in a sentence",
     "RE: Résiliation contrat",
     "Je transmets votre demande : les responsables de nos sites de 75015 et 92100 doivent vérifier.",
     "Bonjour,\nPour traiter votre demande de résiliation, merci de nous indiquer les numéros de série des matériels "
     "concernés.",
     "serial_numbers", []),
    ("a short answer signed with a name",
     "RE: Fin de contrat",
     "41 07 2291\n\nM. Kerjean",
     "Bonjour,\nPour traiter votre demande, merci de nous indiquer le numéro de série de la machine.",
     "serial_numbers", ["41 07 2291"]),
    # answers numbered like our numbered questions: each fills the field its question names
    ("numbered answers to our numbered questions", "RE: Votre demande de modification d'adresse",
     "Bonjour,\n1) au 1er mars\n2) 3300917\n3) Vignobles Caussade, 5 rue Achard, 33300 Bordeaux\nCordialement",
     NUMBERED_QUESTIONS, "customer_number", "3300917"),
    ("… the address answering ours", "RE: Votre demande de modification d'adresse",
     "Bonjour,\n1) au 1er mars\n2) 3300917\n3) Vignobles Caussade, 5 rue Achard, 33300 Bordeaux\nCordialement",
     NUMBERED_QUESTIONS, "new_address_postcode", "33300"),
    ("… the date answering ours", "RE: Votre demande de modification d'adresse",
     "Bonjour,\n1. 1er mars 2027\n2. 3300917\nCordialement", NUMBERED_QUESTIONS, "effective_date", "2027-03-01"),
    ("… not a numbered list of another kind under a question without numbers", "RE: Votre demande",
     "Bonjour,\n1) 3300917\n2) 4400128\nCordialement", "Merci de nous indiquer votre numéro client.",
     "customer_number", None),
]


POLICY += [
    ("a short answer that is a reading answers no question for a number",
     "RE: Demande de relevé compteur - N° série 702 551 093",
     "Bonjour,\n\nCompteur total au 28/02 : 87 455",
     "Dans le cadre de votre contrat de maintenance, merci de nous communiquer le relevé du compteur total du "
     "matériel référencé en objet.",
     "contract_number", None),
    ("an e-mail address alone above a signature answers our question for one",
     "RE: Envoi des factures par e-mail – contrat 5512-0071",
     "compta.fournisseurs@lefevre-charpentes.fr\n\nHugo Lefèvre\nLefèvre Charpentes – 88000 Épinal\n03 29 34 11 57",
     "Bonjour,\nMerci de nous indiquer une adresse e-mail générique (type compta@ ou factures@).",
     "new_email", "compta.fournisseurs@lefevre-charpentes.fr"),
    ("a number of the answer already read as another field answers nothing else",
     "RE: Votre demande",
     "Contrat 0040018807\n\nY. Le Bihan",
     "Bonjour,\nMerci de nous indiquer le numéro de contrat et le numéro de série du traceur.",
     "serial_numbers", []),
    ("a termination 'à l'échéance' takes the term our quoted question gave",
     "Re: Renouvellement contrat",
     "Bonjour,\nAprès réflexion, nous ne renouvellerons pas : je vous confirme la résiliation du contrat de notre "
     "PlotWave 360 (n° de série 62 01 88 41), à l'échéance.\n\nLéa",
     "Bonjour Léa,\nVotre contrat arrive à échéance le 30/04/2027. Souhaitez-vous le renouveler ?",
     "effective_date", "2027-04-30"),
    ("a short answer takes the date the customer's own request gave, below",
     "Re: Changement n° de commande contrat 8100-4472",
     "Le voici : DA-27-1142\n\nThomas",
     "Bonjour,\nMerci de nous communiquer le nouveau numéro de commande dès que vous l'aurez.\n\n"
     "Le jeu. 21 janv. 2027 à 11:05, Thomas Ferrand <thomas.ferrand@ferrand-paysage.fr> a écrit :\n"
     "> À partir du 1er mars nous changeons de numéro de commande pour le contrat 8100-4472.",
     "effective_date", "2027-03-01"),
    ("a question's deadline below a short answer is no effective date",
     "Re: Bon de commande",
     "Le voici : DA-27-1142",
     "Bonjour,\nMerci de nous communiquer le nouveau numéro de commande avant le 15/02/2027.",
     "effective_date", None),
]


_PASSED_ON = ("Bonjour,\nJe vous fais suivre le courrier de notre avocat concernant la cession du cabinet. Pour le "
              "traceur de l'agence, les factures devront être adressées à la nouvelle structure à partir du 1er "
              "juillet. Vous trouverez ci-joint le K-bis de la nouvelle société.\n\nMarion Keller")
_LAWYER = ("Chère Madame,\nJe vous confirme que la cession de l'activité au profit de la SELARL KF Architecture "
           "(SIREN 931 206 448, siège : 2 rue du Dôme, 67000 Strasbourg) prendra effet au 1er juillet 2027.")
POLICY += [
    ("a value alone above a signature the split missed is a short answer", "RE: Résiliation contrat 0040018807",
     "9470 334 812\n\nY. Le Bihan\nArmor Plans – 02 96 33 70 41",
     "Bonjour Monsieur Le Bihan,\nNous avons bien reçu votre demande de résiliation du contrat 0040018807. Pour la "
     "traiter, pourriez-vous nous indiquer le numéro de série du traceur concerné ?", "serial_numbers",
     ["9470 334 812"]),
    ("a short answer's signature with a postcode and town gives no second value", "RE: Compteurs automatiques",
     "YD4-20617\n\nDelphine Roux\nAssistante\nCabinet Roux Topographie – 3 rue Blatin – 63000 Clermont-Ferrand\n"
     "04 73 90 21 66", "Bonjour Madame Roux,\n\nPour activer la remontée automatique des compteurs, pouvez-vous nous "
     "indiquer le numéro de série du matériel concerné ?", "serial_numbers", ["YD4-20617"]),
    ("the subject's one value fills the field the new text says is in the subject",
     "Relève automatique des compteurs - PW 6KL00873",
     "Bonjour,\n\nPourriez-vous activer la relève automatique des compteurs pour le matériel dont le numéro de série "
     "figure en objet ?\n\nMerci par avance,\nOlivier Bertin", "", "serial_numbers", ["6KL00873"]),
    ("… the contract number the new text says is in the subject", "MX-772210 – nouveau bon de commande",
     "Bonjour,\nPour le contrat indiqué en objet, le nouveau bon de commande est le 4500998812.\nCordialement",
     "", "contract_number", "MX-772210"),
    ("an answer written under our quoted question, alone on its line, is the value it asks for",
     "Re: Transfert de votre PlotWave vers Saint-Herblain",
     "Bonjour Marc,\n\nRéponses dans votre message ci-dessous.\n\nLoïc",
     "> Bonjour Monsieur Guérin,\n>\n> Pour établir le devis de transfert, j'ai besoin de :\n> - le numéro de série "
     "du traceur (étiquette à l'arrière, format 3Y0 xxx xxx)\n3Y0 118 274\n> - l'adresse complète de destination\n"
     "ZA des Joncs, 5 impasse Lavoisier, 44800 Saint-Herblain\n> - la date souhaitée\nà caler avec votre technicien",
     "serial_numbers", ["3Y0 118 274"]),
    ("a machine the new text leaves out, by its model, is left out of the list below",
     "Fwd: factures estimées – traceurs",
     "Bonjour,\n\nNous souhaitons activer l'envoi automatique des compteurs pour les traceurs listés dans le mail de "
     "notre comptable ci-dessous, sauf le PlotWave 340 qui sera restitué en fin d'année.\n\nMerci,\nSamuel",
     "Samuel,\n\nEncore des factures Canon avec des pages estimées. Les machines concernées :\nPlotWave 340 – n° "
     "3Y0340098\nPlotWave 500 – n° 3Y0500612\nColorWave 3800 – n° 3Y3800551\n\nMartine",
     "serial_numbers", ["3Y0500612", "3Y3800551"]),
    ("a correction that keeps the date takes the date of the request below", "RE: Déménagement PW 3600",
     "Petite correction : le traceur n'ira finalement pas à Boulogne mais sur notre site de Cergy :\n\n8 rue des "
     "Chauffours\n95800 Cergy\n\nLa date reste inchangée.\n\nAurélie",
     "Bonjour,\n\nNous déménageons notre traceur PlotWave 3600 le 2 juillet prochain vers :\n41 rue de Silly, 92100 "
     "Boulogne-Billancourt.", "effective_date", "2027-07-02"),
    ("… \"pour la date, rien ne change\"", "Re: Résiliation – liste des matériels",
     "Petite correction : finalement seul le traceur n° 41199870 est à résilier.\nPour la date, rien ne change.\n\n"
     "Vincent", "Bonjour,\nNous souhaitons résilier les contrats des matériels suivants à compter du 30 septembre "
     "2027 :\n- PlotWave 345 n° 41199866\n- PlotWave 345 n° 41199870", "effective_date", "2027-09-30"),
    ("'le voici :' answers our question, whatever else the reply says", "Re: Changement n° de commande traceur",
     "Bonjour,\n\nLe voici : 8812-CTR-0934\nLe nouveau bon de commande reste celui indiqué dans mon premier message."
     "\n\nBonne journée,\nThomas",
     "Bonjour Monsieur Lebrun,\n\nAfin de traiter votre demande, merci de nous communiquer le numéro de\ncontrat "
     "Canon concerné (il figure en page 2 de vos factures).\n\nCordialement,\nService Contrats WFPS",
     "contract_number", "8812-CTR-0934"),
    ("… and so does 'voici le numéro demandé :'", "RE: Envoi des factures par e-mail",
     "Bonjour,\n\nVoici le numéro demandé : CNT/CW/2024/0193\nPour le reste, cf. ma demande ci-dessous.\n\nChantal",
     "Bonjour Madame,\nPouvez-vous nous indiquer le numéro de contrat concerné ?\nCordialement,\nService Contrats WFPS",
     "contract_number", "CNT/CW/2024/0193"),
    ("'celui de votre message' takes the number from our message quoted below", "Re: Envoi des factures par e-mail",
     "Bonjour,\n\nVoici l'adresse à utiliser : factures@scieries-limousin.fr\nLe numéro de contrat est bien celui de "
     "votre message.\n\nHélène",
     "Madame,\n\nNous avons bien noté votre souhait de recevoir les factures du contrat\nn° 55-0719-PW par e-mail. Merci "
     "de nous indiquer l'adresse de réception.\n\nLe service Contrats – Canon France",
     "contract_number", "55-0719-PW"),
    ("… and 'voici le numéro de contrat demandé :'", "RE: Envoi des factures par e-mail",
     "Bonjour,\n\nVoici le numéro de contrat demandé : CNT/CW/2024/0193\nPour le reste, cf. ma demande ci-dessous.\n\n"
     "Chantal", "Bonjour Madame,\nPouvez-vous nous indiquer le numéro de contrat concerné ?\nCordialement,\nService "
     "Contrats WFPS", "contract_number", "CNT/CW/2024/0193"),
    ("… and 'here is the number you asked for:'", "RE: Invoices by e-mail",
     "Hello,\n\nHere is the number you asked for: CNT/CW/2024/0193. Everything else is in my first message below, and it "
     "has not changed since then.\n\nKind regards,\nJohn",
     "Hello,\nCould you give us your contract number?\nKind regards,\nContracts team", "contract_number",
     "CNT/CW/2024/0193"),
    ("… \"on garde le PlotWave 340\"", "RE: Votre demande de résiliation",
     "Bonjour Madame Vasseur,\n\nCe sont les deux premiers de votre liste ci-dessous ; on garde le PlotWave 340 qui "
     "tourne encore bien. Résiliation à effet fin août.\n\nBernard",
     "Bonjour Monsieur Quéméner,\n\nVoici les matériels actuellement sous contrat chez vous :\n- PlotWave 500, n° "
     "5001003310\n- PlotWave 340, n° 340-0877-03\n\nMerci de me préciser les matériels concernés.",
     "serial_numbers", ["5001003310"]),
    ("… and out of a forwarded list read as the request", "TR: Liste des matériels à transférer",
     "Bonjour,\n\nJe vous transfère ci-dessous le recensement fait par notre technicien. Les traceurs listés doivent "
     "être déplacés vers notre nouveau centre technique, sauf le PlotWave 500 qui reste à Tournus :\n\nCentre "
     "technique - 410 route de Lyon\n71000 Mâcon\n\nAgnès",
     "Agnès,\n\nVoici les matériels du local de Tournus :\n- traceur PlotWave 345 : n° série 100488215\n- PlotWave "
     "500 : n° série 100533871\n\nRomain", "serial_numbers", ["100488215"]),
    ("a machine said to stay, by its family name alone, is left out", "Transfert matériel vers Ajaccio",
     "Les matériels suivants sont sous contrat chez vous :\n- PlotWave 345 - n° 6107-7720\n- ColorWave 550 - n° "
     "6107-8841\n\nLe PlotWave 345 est à déménager ; la ColorWave reste à Bastia.", "", "serial_numbers",
     ["6107-7720"]),
    ("… but not a line that names another machine besides it", "Résiliation",
     "Le traceur à résilier :\n5512 0043 (le PlotWave 360 ; le PlotWave 450 reste chez nous)", "", "serial_numbers",
     ["5512 0043"]),
    ("… and every machine but the only one said to be concerned", "Transfert matériel",
     "Nos matériels :\n- PlotWave 345 - n° 6107-7720\n- ColorWave 550 - n° 6107-8841\n\nSeul le PlotWave 345 est "
     "à déménager.", "", "serial_numbers", ["6107-7720"]),
    ("a short answer to our request for a reading is that reading", "Re: Demande de relevé compteur",
     "Bonjour,\n\n412 877\n\n(pour la machine de votre demande, relevé fait ce matin)\n\nHugo",
     "Madame, Monsieur,\nDans le cadre de la facturation de votre contrat, nous vous remercions de nous communiquer "
     "le relevé du compteur de votre matériel :\n\nMatériel : PlotWave 500      N° de série : 6421057",
     "meter_readings", [412877]),
    ("… and no contract number", "Re: Demande de relevé compteur",
     "Bonjour,\n\n412 877\n\nHugo",
     "Madame, Monsieur,\nDans le cadre de la facturation de votre contrat, nous vous remercions de nous communiquer "
     "le relevé du compteur de votre matériel :\n\nMatériel : PlotWave 500      N° de série : 6421057",
     "contract_number", None),
    ("a short answer fills the field the question asks for, not one it names in passing", "RE: Résiliation",
     "FX2-0093-114\n\nGérard Pellegrin", "Bonjour Monsieur Pellegrin,\nNous avons bien pris note de votre souhait de "
     "résilier votre contrat. Afin de traiter votre demande, pourriez-vous nous communiquer le numéro de série du "
     "matériel concerné ?\n\nKarine Dubreuil", "serial_numbers", ["FX2-0093-114"]),
    ("a forward passed on and doubted gives nothing of it", "TR: Changement de coordonnées bancaires - Canon France",
     "Bonjour,\nJe vous transfère le message ci-dessous, reçu vendredi. Il nous paraît suspect : pouvez-vous nous "
     "confirmer si vos coordonnées bancaires ont réellement changé ? Nous ne modifierons rien avant votre retour.",
     "Madame, Monsieur,\nNous vous informons qu'à compter du 1er mars 2027, nos coordonnées bancaires changent. Merci "
     "d'effectuer vos prochains règlements sur le compte suivant :\nIBAN : FR76 1695 8000 0145 2219 8734 062",
     "effective_date", None),
    ("a short answer's greeting line does not make it long", "RE: Contrat CF-2025-03317 - bon de commande",
     "Bonjour Madame Aubert,\n\nVoici le numéro demandé : 7800045521, valable pour l'exercice 2027.",
     "Bonjour,\nLe bon de commande associé à votre contrat arrive à échéance le 31/12/2026. Merci de nous "
     "communiquer le nouveau numéro de bon de commande.", "po_number", "7800045521"),
    ("readings with no machine are for the machine our quoted request named", "Re: Demande de relevé compteur",
     "Bonjour,\n\nVoici les compteurs relevés ce soir sur la machine :\nnoir : 148 203\ncouleur : 22 917\n\nRomain",
     "Bonjour,\nSauf erreur de notre part, nous n'avons pas reçu les relevés compteurs de votre matériel n° de série "
     "QJ7-00412.\n\nService Contrats", "serial_numbers", ["QJ7-00412"]),
    ("the machine of our quoted request is not taken without readings", "Re: Demande de relevé compteur",
     "Bonjour,\n\nJe vous les envoie la semaine prochaine.\n\nRomain",
     "Bonjour,\nSauf erreur de notre part, nous n'avons pas reçu les relevés compteurs de votre matériel n° de série "
     "QJ7-00412.\n\nService Contrats", "serial_numbers", []),
    ("the only machine, leaving, is the mail's", "Termination of maintenance contract – PlotWave 3000",
     "Dear Mr Lebreton,\nWe would like to terminate the maintenance contract for our PlotWave 3000, serial no. "
     "PW3K-772194, as the unit is being decommissioned on 15 December.\nNina", "Bonjour,\nVotre contrat ...",
     "serial_numbers", ["PW3K-772194"]),
    ("a machine leaving in the new text leaves the ones below to the forward passed on", "TR: relevés compteurs juin",
     "Bonjour,\nJe vous transmets ci-dessous les relevés que m'a envoyés notre atelier. Attention, la 3e machine "
     "(n° 4720 9916) a été reprise par Canon en mars : elle n'est plus chez nous.\n\nAgnès",
     "Agnès,\nRelevés du 30 juin :\nvarioPRINT 135 n° 4720 9807 : 2 871 402\nvarioPRINT 135 n° 4720 9811 : 1 994 057",
     "serial_numbers", ["4720 9807", "4720 9811"]),
    ("a forward passed on gives what the new text lacks", "TR: Cession du cabinet", _PASSED_ON, _LAWYER,
     "siren", "931 206 448"),
    ("a forward to 'take into account' is passed on", "TR: Centralisation des factures fournisseurs",
     "Bonjour,\nMerci de prendre en compte la note ci-dessous pour notre compte client 55120-B.\n\nRomain Dufour",
     "À tous nos fournisseurs,\nÀ compter du 15 octobre, nos factures sont centralisées par notre prestataire de "
     "numérisation. Merci d'adresser vos factures exclusivement à :\nVITROLLES AGROTECH – Service Factures\n"
     "TSA 40123\n92891 Nanterre Cedex 9", "new_address_postcode", "92891"),
    ("a forward passed on gives the new entity's seat", "TR: Cession du cabinet", _PASSED_ON, _LAWYER,
     "new_address_postcode", "67000"),
    ("the readings asked for are of the machine our request named", "RE: Demande de relevé compteur",
     "Bonjour,\n\nVoici les compteurs demandés, relevés ce matin :\ncpt N&B : 1.204.337\ncpt coul. : 88.412",
     "Madame, Monsieur,\nMerci de nous communiquer les index du matériel suivant :\nModèle : ColorWave 3500 – N° de "
     "série : 3500-61-09126", "serial_numbers", ["3500-61-09126"]),
    ("what the new text says below is to be ignored is not read", "RE: Relevés compteurs T4",
     "Bonjour,\n\nBien reçu. Notre technicien est absent cette semaine ; je vous transmets les compteurs dès son retour."
     "\n\nLes relevés ci-dessous sont ceux du trimestre précédent, ne pas en tenir compte.\n\nSabine",
     "Bonjour,\nColorWave 3500 n° série CW35-A-00312 : cpt NB 88 421 – cpt couleur 27 310\nSabine",
     "meter_readings", []),
    # answers written under each line of our quoted request, pointed to in other words than "réponses"
    ("figures put under each line of our message are the answers", "Re: Relevé de compteurs en attente",
     "Bonjour,\n\nJ'ai noté les chiffres juste sous chaque ligne de votre message.\n\nBonne journée,\nLéa Marchetti",
     "> Madame, Monsieur,\n>\n> Merci de nous retourner :\n> N° de série : 6620-0418\n> Compteur noir :\n"
     "2 418 770\n> Compteur couleur :\n96 305\n>\n> Le service Contrats", "meter_readings", [2418770, 96305]),
    ("… and give the machine our request named", "Re: Relevé de compteurs en attente",
     "Bonjour,\n\nI have typed the figures under each line of your message.\n\nBest,\nLea",
     "> Madame, Monsieur,\n>\n> Merci de nous retourner :\n> N° de série : 6620-0418\n> Compteur noir :\n"
     "2 418 770\n> Compteur couleur :\n96 305\n>\n> Le service Contrats", "serial_numbers", ["6620-0418"]),
    ("figures below said wrong are no answers", "Re: Relevé de compteurs",
     "Attention, les chiffres ci-dessous sont faux, je me suis trompé de machine. Je vous renvoie les bons relevés "
     "demain.", "> Bonjour,\n> Compteur noir : 1 204 998\n> Compteur couleur : 96 305\n> Léa", "meter_readings", []),
    ("a short answer's question is read without its signature", "RE: Activation relevés automatiques",
     "Bonjour,\n\n5830-0912-774\n\nCordialement\nYannick",
     "Bonjour,\nPour activer la transmission automatique des compteurs, pouvez-vous nous préciser le numéro de série "
     "du matériel à connecter ?\n\nBien cordialement,\nChloé Martineau\nGestionnaire contrats – Canon France",
     "serial_numbers", ["5830-0912-774"]),
    # "le contrat mentionné ci-dessous" sends the reader below for the contract only, not the machine our letter named
    ("a pointer below that names the contract takes only it", "Re: Renouvellement bon de commande",
     "Bonjour,\n\nVoici notre nouveau numéro de commande pour le contrat mentionné ci-dessous, valable pour 2027 : "
     "PO-ATL-2027-019\n\nClaire", "Votre contrat n° 40017733 (PlotWave 345, n° de série 3X0451122) arrive à échéance "
     "le 31/12/2026. Merci de nous transmettre votre nouveau bon de commande.", "serial_numbers", []),
    ("… and takes the contract", "Re: Renouvellement bon de commande",
     "Bonjour,\n\nVoici notre nouveau numéro de commande pour le contrat mentionné ci-dessous, valable pour 2027 : "
     "PO-ATL-2027-019\n\nClaire", "Votre contrat n° 40017733 (PlotWave 345, n° de série 3X0451122) arrive à échéance "
     "le 31/12/2026. Merci de nous transmettre votre nouveau bon de commande.", "contract_number", "40017733"),
    ("… the machine when the history names the contract by it only", "Re: Renouvellement bon de commande",
     "Bonjour,\n\nVoici notre nouveau numéro de commande pour le contrat mentionné ci-dessous, valable pour 2027 : "
     "PO-ATL-2027-019\n\nClaire", "Votre contrat du PlotWave 345 (n° de série 3X0451122) arrive à échéance le "
     "31/12/2026. Merci de nous transmettre votre nouveau bon de commande.", "serial_numbers", ["3X0451122"]),
    ("a pointer to the machine below still takes the contract beside it", "Re: Renouvellement bon de commande",
     "Bonjour,\n\nVoici notre nouveau numéro de commande pour le matériel ci-dessous : PO-ATL-2027-019\n\nClaire",
     "Votre contrat n° 40017733 (PlotWave 345, n° de série 3X0451122) arrive à échéance le 31/12/2026. Merci de nous "
     "transmettre votre nouveau bon de commande.", "contract_number", "40017733"),
]


@pytest.mark.parametrize("what, subject, new, quoted, field, expected", POLICY, ids=[p[0] for p in POLICY])
def test_reading_policy(what, subject, new, quoted, field, expected):
    assert policy_mail(subject, new, quoted)[field] == expected


@pytest.mark.parametrize("situation, expected", [("other", None), ("contract_termination", "2026-12-31"),
                                                 ("bank_details_check", None)])
def test_a_mail_asking_no_change_has_an_effective_date_only_when_said_outright(situation, expected):
    """"Notre contrat arrive à échéance le 31/12 ; sera-t-il reconduit ?" asks for no change: no effective date."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "jean.dupont@client.fr", "contrats@example.com", "Contrat"
    msg.set_content("Notre contrat n° 8812-CF-2022 arrive à échéance le 31/12. Sera-t-il reconduit ?")
    mail = parse(msg.as_bytes())
    parts = split(mail.text, mail.subject)
    assert extract_all(parts.new, parts.quoted, mail, REF, situation).fields["effective_date"] == expected
    strong = "Merci de noter ce changement à compter du 1er janvier 2027."
    msg.set_content(strong)
    mail = parse(msg.as_bytes())
    assert extract_all(mail.text, "", mail, REF, situation).fields["effective_date"] == "2027-01-01"


@pytest.mark.parametrize("situation, email", [("bank_details_check", None), ("other", None),
                                              ("invoice_by_email", "factures@client.fr")])
def test_a_mail_asking_no_change_gives_no_new_address(situation, email):
    """A doubt about bank details quotes the suspicious address; a toner order gives where it goes: neither is new."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "jean.dupont@client.fr", "contrats@example.com", "Factures"
    msg.set_content("Merci d'envoyer désormais les factures à factures@client.fr, nouvelle adresse : "
                    "3 rue Pasteur, 69007 Lyon.")
    mail = parse(msg.as_bytes())
    fields = extract_all(mail.text, "", mail, REF, situation).fields
    assert fields["new_email"] == email
    assert fields["new_address_postcode"] == (None if email is None else "69007")


@pytest.mark.parametrize("situation, postcode", [("meter_read_request", None), ("automatic_meter_reads", None),
                                                  ("equipment_move", "76600")])
@pytest.mark.parametrize("own", ["Pour la machine ci-dessous : noir 310 442, couleur 95 017.",
                                 # a forward that passes our request on: its text is read as the request's
                                 "Je vous transfère la demande reçue : noir 310 442, couleur 95 017."])
def test_a_request_that_gives_no_new_address_reads_none(situation, postcode, own):
    """A request of readings answers ours, whose "Adresse d'installation" is where the machine is (situations.toml
    ``new_address = false``); a move's is where it goes."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "jean.dupont@client.fr", "contrats@example.com", "TR: relevé"
    msg.set_content(f"{own}\n\n-----Message d'origine-----\n"
                    "De : Service Contrats\nObjet : relevé\n\nN° de série : ZX-00417-F\nAdresse d'installation : "
                    "Quai de Saône, 76600 Le Havre")
    mail = parse(msg.as_bytes())
    inner = request(split(mail.text, mail.subject))
    rule = load_rules().situations[situation]
    fields = extract_all(inner.new, inner.quoted, mail, REF, situation, addressed=rule.new_address).fields
    assert fields["new_address_postcode"] == postcode
    assert fields["serial_numbers"] == ["ZX-00417-F"]


def test_a_request_written_in_the_subject_gives_its_date_and_address():
    """"Tout est dans l'objet": the subject is read as part of the request, for dates and e-mail addresses
    as for numbers; the new text comes first when it says them too."""
    msg = EmailMessage()
    msg["From"], msg["To"] = "o.dasilva@chi-vallee.fr", "contrats.service.wfps@cf.canon.fr"
    msg["Subject"] = "Factures par mail - contrat 2019-PPP-00457 - factures@chi-vallee.fr - à partir du 01/08/2027"
    msg["Date"] = "Thu, 15 Jul 2027 07:36:58 +0200"
    msg.set_content("Bonjour, merci de prendre en compte la demande en objet.\nCdt\nO. Da Silva")
    fields = analyze(msg.as_bytes()).fields
    assert (fields["effective_date"], fields["new_email"]) == ("2027-08-01", "factures@chi-vallee.fr")
    msg.replace_header("Subject", "Factures par mail à partir du 01/08/2027")
    msg.set_content("Bonjour, merci d'envoyer nos factures par mail à compta@chi-vallee.fr à compter du "
                    "1er septembre 2027.")
    fields = analyze(msg.as_bytes()).fields
    assert (fields["effective_date"], fields["new_email"]) == ("2027-09-01", "compta@chi-vallee.fr")


NEW_POSTCODES = [  # (text, the new address's postcode or None): cues written in many ways, and what is no new address
 # where something stays is no new address; what stays elsewhere leaves the destination one
 ("Notre siège change d'adresse le 1er mars 2027, mais la comptabilité reste au 12 rue des Lilas, 69003 Lyon : merci "
  "de continuer à y adresser les factures.", None),
 ("Les traceurs listés doivent être déplacés vers notre nouveau centre technique, sauf le PlotWave 500 qui reste à "
  "Tournus :\n\nSyndicat Mixte\nCentre technique - 410 route de Lyon\n71000 Mâcon", "71000"),
 ("Merci de m'envoyer la confirmation de résiliation par courrier à : ACME SA – Service Achats, 5 rue de Paris, "
  "75001 Paris.", None),
 ("Merci de facturer à partir du 1er avril 2027 la société Durand Impression SAS, 4 rue Monge, 75005 Paris.", "75005"),
 # a delivery address where the machine goes to the new site named before it
 ("Le traceur PlotWave du 2e étage doit partir sur le nouveau site de Mérignac. Adresse de livraison :\nParc Cadera "
  "Sud – bâtiment C\n12 avenue Henri Vigneau\n33700 Mérignac", "33700"),
 ("Notre nouveau site ouvre en mars. Pour les consommables, adresse de livraison : 12 rue du Port, 33300 Bordeaux",
  None),
 # "factures à partir de": a date, not where invoices go
 ("Pour info et prise en compte sur vos factures à partir de septembre.\n\nService comptabilité fournisseurs\n"
  "Valtéo Habitat – 112 rue Nationale – 59800 Lille", None),
 # a verb of change, many words between "envoyer" and "à :", a bulleted block
 ("Notre service comptable change d'adresse. Merci d'envoyer les factures concernant le compte client en objet à :\n\n"
  "- Ateliers Daubigny\n- Bâtiment C, 140 avenue de la Marne\n- 59290 Wasquehal\nL'adresse d'installation de nos "
  "matériels reste inchangée (23 rue de l'Espérance, 59100 Roubaix).", "59290"),

 ("Merci d'envoyer désormais vos factures au : Service comptable, 18 rue des Acacias, 69003 Lyon", "69003"),
 ("Our new billing address as of 1 March:\nAcme France SAS\n5 avenue de l'Europe\n67300 Schiltigheim", "67300"),
 ("Veuillez noter le changement d'adresse de notre siège : 44 quai de la Loire, 75019 Paris.", "75019"),
 ("Le traceur sera installé dans nos nouveaux bureaux situés 12 allée Turing, 31000 Toulouse.", "31000"),
 # in the plural, after a list of the machines that ends the cue's reach
 ("Nous souhaitons faire déplacer les traceurs suivants :\n- 4471-022 (atelier)\n- 4471-031 (accueil)\n\nIls seront "
  "installés au :\nParc des Lilas, 7 rue Becquerel, 97490 Sainte-Clotilde", "97490"),
 ("Nous quittons nos bureaux de la rue Paradis à la fin du mois. À compter du 3 novembre, notre agence sera "
  "installée :\n\nLes Docks – Atrium 10.4\n10 place de la Joliette\n13002 Marseille", "13002"),
 ("Le traceur de la salle de TP doit être transféré vers un autre bâtiment du campus. Merci de nous indiquer les "
  "modalités et le coût de l'intervention.\n\nAdresse de livraison :\nBâtiment 12D\n263 avenue du Général Leclerc\n"
  "35042 Rennes Cedex", "35042"),
 ("Nous avons commandé du papier.\n\nAdresse de livraison :\n4 rue Nobel\n35000 Rennes", None),
 # the old premises where it is picked up, then where it is to be installed
 ("Le traceur sera à enlever dans nos anciens locaux d'Ajaccio et à installer dès le 2 juin à l'adresse suivante :\n"
  "Atelier Castellu - ZA de Baliccia\n20167 Mezzavia", "20167"),
 ("Notre ancienne adresse, avant le déménagement : 4 rue Fesch, 20000 Ajaccio.", None),
 # "sont désormais à adresser à :" after a label and its value
 ("Les factures relatives à notre compte client : 7 100 233 sont désormais à adresser à : Mairie de Cayenne – "
  "Service Finances – 1 place Léopold Héder – 97300 Cayenne.", "97300"),
 ("Les commandes de papier sont à adresser à : Service achats, 4 rue Nobel, 35000 Rennes.", None),
 ("Les bons de commande sont désormais à adresser à : Service Achats, 4 rue Nobel, 35000 Rennes.", None),
 ("Les réclamations sont désormais à adresser au service qualité, 4 rue Nobel, 35000 Rennes.", None),
 # "transférée" said of the accounting, not of a machine, above a delivery heading for supplies
 ("Merci de nous envoyer les consommables ; notre comptabilité a été transférée au siège.\n\nAdresse de livraison :\n"
  "4 rue Nobel\n35000 Rennes", None),
 # the heading under the words that say the machine goes, after a cue of the move's quote ("devis de transfert")
 ("Notre service de radiologie quitte le bâtiment A pour le pôle Santé Nord. Le traceur (n° 3471 0099) doit suivre ; "
  "merci de nous chiffrer le transfert.\n\nLieu de livraison :\nPôle Santé Nord, niveau 2\n5 rue des Écoles, 97300 "
  "Cayenne", "97300"),
 ("They are currently installed at our Blagnac site (4 chemin de la Crabe, 31700 Blagnac). The new workshop is "
  "located at:\n\nParc Technologique du Canal\n8 rue Hermès\n31520 Ramonville-Saint-Agne", "31520"),
 # "sera dorénavant à": where the machine stands from now on, after the one that stays ("reste sur place")
 ("Seul le PlotWave (n° 3410 5502) déménage ; le ColorWave reste sur place. Le PlotWave sera dorénavant à notre "
  "atelier de production :\n12 rue du Landy, 93300 Aubervilliers", "93300"),
 ("From 1 June the plotter will now be at our depot, 4 rue Nobel, 77420 Champs-sur-Marne.", "77420"),
 ("Le contrat sera désormais à la charge de notre service achats, 4 rue Nobel, 77420 Champs-sur-Marne.", None),
 ("Invoices will now be in PDF. Our plotter is at 4 rue Nobel, 77420 Champs-sur-Marne.", None),
 ('Adresse de facturation à compter du 01/02 :\n\nMairie de Pontivy\nService Finances\nPlace Aristide '
  'Briand\n56300 Pontivy', '56300'),
 ("Nous déménageons ! À partir du 15 mai, nous serons au 3 boulevard Vauban, 59000 Lille.", "59000"),
 ("Dorénavant, les factures sont à libeller et à envoyer à la société Beta SAS, 9 rue Foch, 33000 Bordeaux", "33000"),
 ("Please send the invoices to our accounting firm: Cabinet Martin, 2 place Bellecour, 69002 Lyon.", "69002"),
 ("Transfert du matériel vers le site de Rennes : ZA de la Janais, 35170 Bruz", "35170"),
 ("Merci de mettre à jour l'adresse de facturation : BP 4021 - 97300 Cayenne", "97300"),
 ("Nouvelle adresse postale pour l'envoi des factures :\nCHU de Nîmes – Direction des Finances\nCS 70001\n30029 "
  'Nîmes Cedex 9', '30029'),
 ("La machine doit rejoindre notre entrepôt de Saint-Priest (12 rue de l'Aviation, 69800 Saint-Priest) début juin.",
  '69800'),
 ('Nos locaux actuels : 4 rue Pasteur, 44000 Nantes. Nous partons pour le 8 rue Newton, 44800 Saint-Herblain le '
  '1er avril.', '44800'),
 ('Les factures doivent maintenant être adressées à notre maison mère :\nGroupe Alpha\n1 cours Lafayette\n69006 '
  'Lyon', '69006'),
 ("Changement d'adresse à compter du 1er juillet : 7 impasse des Tilleuls 21000 DIJON", "21000"),
 ("merci de modifier l'adresse d'envoi des factures pour notre compte client CL-30218 : Bureau Fabre, BP 124, "
  "12000 Rodez, à partir du 1er mars 2027.", "12000"),
 ("À partir du 14 octobre, le traceur n° ZBK00712 se trouvera au\n\nPôle Graphique du Lac\n12 rue Pierre Loti\n"
  "74000 Annecy", "74000"),
 ("Le service quitte ses locaux actuels du centre-ville. Nos bureaux se trouveront alors au :\n8 allée des "
  "Tanneurs\nBâtiment C\n67100 Strasbourg", "67100"),
 ("From March the plotter will be located at our Reims plant, 9 rue Gustave Eiffel, 51100 Reims.", "51100"),
 ("Adresse de livraison / réinstallation :\nAgence Nord\n12 rue des Artisans\n38300 Bourgoin-Jallieu", "38300"),
 ("les factures relatives à nos équipements (presse du centre éditique) doivent être adressées, à compter du 1er "
  "mars, à :\n\nMutuelle Armorique\nCS 91234\n29219 Brest Cedex 2\n\net non plus au 7 rue de Siam, 29200 Brest.",
  "29219"),
 ("We are relocating our design office from the Sélestat plant (ZA du Ried, 67600 Sélestat) to our new offices.\n\n"
  "New address:\nDesign Office\n9 rue du Grand Pré\n68100 Mulhouse", "68100"),
 ("Merci de livrer le toner à l'adresse suivante : 3 rue Pasteur, 69007 Lyon.", None),
 ("We will relocate the printer to our new building. The new address is\n\nBâtiment 4\n185 rue Guillaume du Vair\n"
  "13290 Aix-en-Provence", "13290"),
 ('Site actuel | Nouveau site\n4 rue Pasteur, 44000 Nantes | 8 rue Newton, 44800 Saint-Herblain', '44800'),
 ('Merci de noter notre nouvelle adresse de facturation à compter du 1er mars : SAS Delta, 15 avenue Foch, 75116 '
  'PARIS', '75116'),
 ('Please update our billing address to: Omega Ltd France, 2 rue de la Paix, 75002 Paris.', '75002'),
 ('New invoicing address (from 1 April): Zeta SAS – Accounts payable – BP 118 – 13603 Aix-en-Provence Cedex 1',
  '13603'),
 ('Le matériel doit être livré et installé à notre nouvelle adresse : ZAC des Portes, Bât. C, 27100 Val-de-Reuil.',
  '27100'),
 ('Destination : Lycée Jean Moulin, 1 place du Lycée, 83000 Toulon', '83000'),
 ('Le transfert concerne le PlotWave 345 (SN 3Y0612300), de notre siège de Lyon vers notre agence : 5 allée des '
  'Cèdres, 38240 Meylan.', '38240'),
 ("Merci d'envoyer dorénavant les factures papier à notre cabinet comptable :\nFiduciaire Martin\n3 bd "
  'Carnot\n06400 Cannes', '06400'),
 ("Changement d'adresse de facturation : 97 rue Victor Hugo 97200 Fort-de-France", '97200'),
 ('Our company has moved. The new head office is located at 10 quai de Bercy, 94220 Charenton-le-Pont.', '94220'),
 ("Pour rappel, l'adresse actuelle est 4 rue Pasteur, 69007 Lyon ; elle ne change pas.", None),
 ('Technicien à envoyer au 12 rue des Lilas, 35000 Rennes pour la panne.', None),
 ('Bonjour, nous déménageons au 15 mars au 2 impasse du Moulin, 49000 Angers. Le traceur suit.', '49000'),
 ("À partir du 3 novembre, nos factures fournisseurs sont centralisées à Lille. Merci d'envoyer les vôtres à :\n"
  "Nordimmo Gestion – Pôle factures\n8 place de la Gare\n59800 Lille", "59800"),
 ("Merci d'envoyer le technicien à : 12 rue des Lilas, 35000 Rennes.", None),
 ("Coordonnées de l'entité à facturer :\nALTAPRINT SAS – ZI Nord, 120 rue Marcel Mérieux, 69960 Corbas", "69960"),
 ("Notre ancienne adresse, avant le déménagement : 4 rue des Lilas, 35000 Rennes.", None),
 ("Pas de changement d'adresse pour nous : 3 rue Pasteur, 69007 Lyon.", None),
 ("Nos locaux actuels : 4 rue Pasteur, 44000 Nantes.", None),
 ("Merci de livrer le toner au 3 rue Pasteur, 69007 Lyon.", None),
 # a heading on its own line below the current site's table
 ("Les machines ci-dessous sont à transférer depuis notre site actuel :\nMachine | N° de série | Site actuel\n"
  "Colorado 1650 | 60420117 | Lille\nNouvelle adresse d'installation :\nZA du Moulin\n3 rue Pierre et Marie Curie\n"
  "59700 Marcq-en-Barœul", "59700"),
 ("L'opération sera effective fin du mois prochain ; à compter de cette date, merci de facturer :\nHESTIA HABITAT "
  "GROUPE SA\nTour Cristal – 7 quai André Citroën\n75015 Paris", "75015"),
 # a cell of columns aligned with spaces goes on over the lines below its row
 ("Matériel          N° de série     Adresse actuelle          Nouvelle adresse\n"
  "ColorWave 3800    CW38-0071544    14 quai Claude Bernard    ZA des Pierrailles\n"
  "                                  38000 Grenoble            27 rue des Tisserands\n"
  "                                                            38430 Moirans", "38430"),
 ("Merci de mettre à jour la réception de nos factures :\n\n                   Ancienne                              "
  "Nouvelle\nAdresse postale    12 place Caffe, 73000 Chambéry        5 avenue de Brogny, 74000 Annecy", "74000"),
 ("Please send all paper invoices for our plotter contract MS-PW-20419 to:\nSolvane Composites France – Accounts "
  "Payable\n9 rue Paulin Talabot\n31100 Toulouse\nOur previous address (Zone Aéroconstellation, 31700 Blagnac) is no "
  "longer staffed.", "31100"),
 ("C'est donc elle qui devra recevoir les factures.\n\nCoordonnées de facturation :\nDORVAL NUMÉRIQUE SAS\n"
  "40 quai de la Fosse\n44000 Nantes", "44000"),
 ("voici nos nouvelles coordonnées de facturation, applicables à partir de mars 2027 :\n\n * adresse postale : "
  "Serenis Santé - Pôle finances, 2 place de l'Europe, CS 17004, 21070 Dijon Cedex", "21070"),
 ("all future invoices for the equipment listed below should be issued to:\n\nTessaly Group France SAS\n"
  "1 place Giovanni da Verrazzano\n69009 Lyon", "69009"),
 ("Matériel       | N° de série | Emplacement actuel            | Nouvel emplacement\nPlotWave 550   | 6PW5-20873  | "
  "18 rue Félix Faure, 69003 Lyon | Immeuble Le Quadrille, 41 quai Rambaud, 69002 Lyon", "69002"),
 ("La nouvelle adresse de livraison du traceur est donc :\n\nSCP Ravel & Kerhervé\nParc d'activités des Champs "
  "Blancs\n5 allée des Peupliers\n35510 Cesson-Sévigné", "35510"),
 ("As of 1 September 2027 the equipment should be invoiced to our French subsidiary, Brightwater Signs France SAS "
  "(SIREN 921 440 086), 27 rue de la Mare, 58000 Nevers.", "58000"),
 ("Nous cédons notre fonds de commerce à la société Graphicom Aquitaine (SIREN 852 330 917, siège : 18 quai de "
  "Bacalan, 33300 Bordeaux).", "33300"),
 ("The two ColorWave 3800 printers need to be moved from our Nantes city-centre office to:\n\nNordhavn "
  "Engineering France\nZAC de la Lorie – 2 allée des Cormorans\n44800 Saint-Herblain", "44800"),
 ("New delivery address:\nAerolis Systems – Building Orion\n4 rue Ampère\n31670 Labège", "31670"),
 ("Site de départ | Site d'arrivée\nAdresse | 41 avenue Louis Roche 92230 Gennevilliers | 8 rue des Gobelins 95100 "
  "Argenteuil", "95100"),
 ("Merci de noter notre nouvelle adrresse pour la réception des factures :\n\nSantoni Menuiseries\n2 bis avenue des "
  "Belges\n13100 Aix-en-Provence", "13100"),
 ("En revanche, à compter du 04.01.27, merci d'adresser vos factures à notre nouveau siège.\n\nAlsatherm SA – Service "
  "comptabilité\nImmeuble Le Cardinal\n21 quai Kléber\n67000 Strasbourg", "67000"),
 ("Site actuel\tNouveau site\n\nAdresse\t17 rue Lamoricière\tZA des Grands Champs – 4 allée Ampère\n\n"
  "CP / Ville\t44100 Nantes\t44470 Carquefou", "44470"),
 ("Au 1er mars, notre atelier est cédé à la société Imprimerie Vasseur (SIREN 552 100 554), 4 rue Lafayette, "
  "59000 Lille.", "59000"),
 ("Notre activité reprographie est cédée à la société Orvia Print, 22 rue du Commerce, 42000 Saint-Étienne.", "42000"),
 # a cue whose address is an e-mail names no postal address after it
 ("Merci d'envoyer les factures à l'adresse compta@orvia.fr dès juillet. Les envois papier à notre siège (ZA des "
  "Écluses, 80100 Abbeville) pourront alors cesser.", None),
 ("Merci d'envoyer les factures à l'adresse suivante : 3 rue Jean Jaurès, 80100 Abbeville.", "80100"),
 ("Our invoices should no longer be sent to 8 rue de Clichy, 75009 Paris, but to:\nBrightline Events SAS\n"
  "Attn: Accounts Payable\n27 rue Oberkampf\n75011 Paris", "75011"),
 ("Les factures ne doivent plus être envoyées au 8 rue de Clichy, 75009 Paris, mais à :\nBrightline SAS\n"
  "27 rue Oberkampf\n75011 Paris", "75011"),
 # an e-mail beside a cue, not its object, leaves the postal address after it new
 ("Nos nouvelles coordonnées de facturation :\nE-mail : compta@acme-industrie.fr\nAdresse : 12 rue Pasteur, 69003 "
  "Lyon\nCompte client 0081224519.", "69003"),
 ("Nouvelle adresse de facturation (contact : compta@acme-industrie.fr) :\nACME Industrie\n12 rue Pasteur\n69003 Lyon",
  "69003"),
 ("Our new billing address, effective 1 January (queries to ap@northgate.co.uk):\nNorthgate Print Ltd\n14 Rue de la "
  "Paix\n75002 Paris", "75002"),
 # a column headed "To" or "Vers" beside "From" / "De": where each machine goes
 ("Machine | Serial | From | To\nPlotWave 3500 | 3Y0-71100 | Rouen (76000) | 4 rue Jacquard, 76800 "
  "Saint-Étienne-du-Rouvray", "76800"),
 ("Traceur           N° série        De                    Vers\nColorWave 3700    CW37-0091     Lorient (56100)       "
  "ZI de Kerpont, 56850 Caudan", "56850"),
 # a column headed by the day it starts from ("À partir du 14/09"), beside the current one: a header, not a row
 ("Nous quittons nos locaux de Vallauris.\n\n                 | Actuellement                                | À partir "
  "du 14/09\nAdresse          | 1450 chemin de la Fontonne, 06220 Vallauris | ZA des Bréguières, 12 allée des Artisans, "
  "06600 Antibes\nContact sur site | S. Carrère                                  | S. Carrère", "06600"),
 ("Les factures seront désormais à envoyer, à compter du 1er octobre 2026, au :\n\nAtlantique Cartographie\nCS 30217\n"
  "44307 NANTES CEDEX 3\n\net non plus au 5 rue Crucy, 44000 Nantes.", "44307"),
 # a delivery address after the machine is said to leave: where it goes
 ("Comme évoqué, le Colorado de l'agence de Toulouse (15 chemin de la Flambère,\n31300 Toulouse) doit partir à Bordeaux "
  "d'ici fin février. Adresse de livraison :\n\nGroupe Isocel – Agence Bordeaux Lac\n21 rue Jean Gabriel Domergue\n"
  "33300 Bordeaux", "33300"),
 ("Merci de noter notre nouvelle adresse de facturation pour le contrat. Adresse de livraison (inchangée) :\n"
  "21 rue Jean Gabriel Domergue\n33300 Bordeaux", None),
 ("Nouveau bon de commande pour le traceur (installé à Toulouse) à compter du 1er octobre 2027.\nAdresse de livraison des "
  "consommables : 5 allée Jean Jaurès, 31000 Toulouse.", None),
 ("Le traceur doit partir au recyclage. Merci d'organiser l'enlèvement à notre adresse de livraison, 5 allée Jean "
  "Jaurès, 31000 Toulouse.", None),
 ("Please send invoices by e-mail to ap@dupont-sa.fr from 1 October 2027. The delivery address for the plotter stays "
  "5 allée Jean Jaurès, 31000 Toulouse.", None),
 # a day's words at a paragraph's start are no column's header
 ("We are moving plotter 4017289 on 15 November 2027.\n\nFrom 2 Main Street, 69002 Lyon\n\nTo our new site: 3 rue "
  "Pasteur, 69003 Lyon", "69003"),
 ("Machine | To | Note\nPlotWave 3500 | Rouen | send to 4 rue Jacquard, 76800 Saint-Étienne-du-Rouvray", None),
 ("Les factures ne devront plus être envoyées au 2 rue Pierre Brousse, 86000 Poitiers.", None),
 ("le traceur mentionné plus bas n'ira pas à Vitrolles mais dans notre atelier de Salon, à l'adresse suivante :\n\n"
  "ZI du Quintin, 58 avenue de la Crau\n13300 Salon-de-Provence", "13300"),  # "mentionné plus" is no "ne … plus"
 ("La cession de l'activité au profit de la SELARL KF (siège : 2 rue du Dôme, 67000 Strasbourg) prend effet le "
  "1er juillet.", "67000"),
 ("Dans le cadre du déménagement, nous quittons le bâtiment C pour le site de Saint-Priest :\n210 rue Maryse Bastié, "
  "69800 Saint-Priest.", "69800"),
 ("Nous quittons le 12 rue de la Paix, 75002 Paris.", None),
 ("Petite correction : le traceur (n° en objet) n'ira finalement pas à Boulogne mais sur notre site de Cergy :\n\n"
  "Groupe Hexaplan – Plateau technique\n8 rue des Chauffours\n95800 Cergy\n\nLa date reste inchangée.", "95800"),
 # a plain-text table's rule line under its header
 ("Machine         | N° de série | Site actuel                       | Site de destination\n"
  "----------------+-------------+-----------------------------------+--------------------------------------------\n"
  "ColorWave 3800  | 6142087113  | 27 quai Pierre Scize, 69009 Lyon  | ZA des Prés Secs, 12 rue des Artisans, 69380 "
  "Lozanne\nPlotWave 5000   | 6130024490  | idem                              | idem", "69380"),
 # a correction names the right address; a sale names the buyer's
 ("Petite correction : l'adresse transmise était celle de notre ancien siège.\nLa bonne adresse pour l'envoi des "
  "factures, à compter du 01/03/2027, est :\n\nBâti Normand – Comptabilité\n14 rue Alfred Kastler\n14000 Caen",
  "14000"),
 ("The address I sent was wrong. The correct billing address is: 14 rue Alfred Kastler, 14000 Caen.", "14000"),
 ("Following the sale, the equipment will be invoiced to the buyer with effect from March 1st.\n\nSerial numbers:"
  "\nCW3600-55812\n\nBuyer's registered address: Nordprint Solutions SAS, 40 rue de l'Epeule,\n59100 Roubaix.",
  "59100"),
 ("Suite à la cession, adresse de l'acquéreur : Imprimerie Baud, 3 rue Neuve, 38000 Grenoble.", "38000"),
 # English order needs a street before the city: a model and its serial are no city and postcode
 ("Current address: 9 rue Sainte-Catherine, Bordeaux 33000\nNew address: 4 quai Louis XVIII, Bordeaux 33000, France",
  "33000"),
 ("Our current office, 9 rue Sainte-Catherine, Bordeaux 33000, will close.", None),
 ("New address to follow.\nThe plotter at 14 rue des Lilas:\nPlotWave 34500", None),
 ("Nouvelle adresse de facturation à venir.\nMachine : Colorado 16400", None),
 ("Merci d'organiser le déménagement de notre traceur vers notre nouveau bâtiment au 18 rue des Arts (bâtiment B)\n"
  "Colorado 16400\n\nContrat n° 54-220-118, n° de série 1650-02291.", None),
 ("Nouvelle adresse : 18 rue des Arts\nEtage 12000", None),
 ("New address: 4 rue du Sentier, Paris 75002 France", "75002"),
 # an HTML table whose corner cell is empty: its header has one cell fewer than its rows
 ("Please update the address where invoices are sent:\n\nCurrent address | New address\nCustomer ID | FR-10442\n"
  "Street | 12 rue Paradis | 3 avenue Victor Hugo\nPostcode / City | 13001 Marseille | 13100 Aix-en-Provence", "13100"),
 # a trailing pipe is no empty corner cell
 ("Merci de mettre à jour l'adresse de facturation :\n\nAncienne | Nouvelle\n12 rue Paradis, 13001 Marseille | "
  "3 avenue Victor Hugo, 13100 Aix-en-Provence |", "13100"),
 # "moving X (…) to:", the destination below
 ("Could you quote for moving the PlotWave 550 (the one in the basement\nof our Nantes office) to:\n\n  Brennan Marine France\n"
  "  12 quai de la Fosse\n  44000 Nantes", "44000"),
 # invoices made out in the buyer's name, its address below
 ("Notre activité est cédée à la société Ouest Signalétique SAS. Les factures du traceur devront être libellées à son "
  "nom à\nOUEST SIGNALETIQUE SAS\nParc d'activités de la Lande\n35760 Saint-Grégoire", "35760"),
 # the new entity's address after the list of machines its cue introduces
 ("From 1 October all invoices for the equipment listed below must be addressed to the new entity:\n\n"
  "  - PlotWave 3500, s/n 3Y0-55120\n  - ColorWave 3800, s/n 7104-22871\n\nHarlow Print SAS – 8 rue Oberkampf, "
  "75011 Paris.", "75011"),
 # the business sold "au profit de" the new entity, its address after its name
 ("La cession du fonds de commerce de l'Agence Orbite au profit de la société Orbite Conseil SAS (RCS Paris 901 556 "
  "742), 27 rue du Faubourg Montmartre, 75009 Paris, est signée.", "75009"),
 # the place it leaves, named in a few words before "vers :"
 ("Pourriez-vous planifier le déménagement de notre presse (n° de série 6190 4472 11) depuis Évreux vers :\n\n"
  "Normandie Emballages – Usine 2\nRoute de Rouen\n27400 Louviers", "27400"),
 # a move within the building: the address it stays at is where it goes
 ("Nous souhaitons déplacer le traceur du bâtiment B vers le bâtiment D. L'adresse postale ne change pas :\n\n"
  "ALSATHERM INDUSTRIE\nBâtiment D\n12 rue de l'Industrie - ZI Nord\n68100 Mulhouse", "68100"),
 ("Le traceur doit être déplacé du rez-de-chaussée au 3e étage du même bâtiment.\n\nAdresse (inchangée) :\nParc "
  "Cadéra Sud – 14 avenue Ariane\n33700 Mérignac", "33700"),
 ("The printer is to be moved from the 2nd to the 5th floor of our building. The address stays the same: 18 rue de la "
  "Pépinière, 75008 Paris.", "75008"),
 ("Le traceur part à Lyon. L'adresse de facturation ne change pas : 12 rue Thiers, 38000 Grenoble.", None),
 # the address where the invoices are received
 ("Please update the address where we receive your invoices, effective\n1 March 2027:\n\nHolt Lavigne Architects - "
  "Accounts Payable\n14 rue Oberkampf\n75011 Paris", "75011"),
 ("Merci de modifier l'adresse à laquelle vous envoyez vos factures : 3 place du Marché, 69002 Lyon.", "69002"),
 ("The address where we receive your invoices is still 14 rue Oberkampf, 75011 Paris, but please use our new contact.",
  None),
 # (second reader) an order's buyer, the address where invoices go by post today, shares sold to a partner, the site
 # a list's key gives as the current one
 ("Please find below our new purchase order.\nPO number: 4500918273\nBuyer details: Emma Stone, Procurement, Harbour "
  "Re France, 52 avenue Hoche, 75008 Paris", None),
 ("We would like your invoices by e-mail only, at ap@harbour-re.fr.\nFor information, the address where we receive "
  "your invoices by post today: 52 avenue Hoche, 75008 Paris; you can stop sending paper copies there.", None),
 ("Suite à la cession de la totalité des parts de M. Dupont au profit de son associé, le gérant change. La société "
  "reste la même : Dumas Reprographie, 12 rue Garibaldi, 69003 Lyon.", None),
 ("Les machines suivantes doivent être transférées sur notre nouveau site :\n\n- PlotWave 345, s/n 3ZC00412\n\n"
  "Adresse : 12 rue Garibaldi, 69003 Lyon (site actuel, accès par la cour)", None),
 # … or its key ("Adresse : …"), the list of machines between
 ("Notre activité a été reprise par la société MBI.\nMerci d'émettre désormais les factures des machines suivantes au nom "
  "de MBI :\n\n* PlotWave 3000 - n° série 3Y0457712\n* ColorWave 550 - n° série 4K0098123\n\nAdresse : Zone "
  "industrielle de la Lézarde, 97232 Le Lamentin.", "97232"),
 ("Invoices for the machines below must be addressed to the new entity:\n\n- PlotWave 3500, s/n 3Y0-55120\n\n"
  "Address: 8 rue Oberkampf, 75011 Paris", "75011"),
 ("Merci de déménager les traceurs suivants :\n\n- PlotWave 550 n° 3Y0-55120\n- ColorWave 3800 n° 7104-22871\n\n"
  "Nous restons joignables au 4 rue des Tanneurs, 67000 Strasbourg.", None),
 # a table's row keys: where the machine leaves from, where it arrives
 ("Le transfert est confirmé.\n         | Adresse\nDépart   | 14 rue Ampère, 38000 Grenoble\n"
  "Arrivée  | ZA des Prés, 9 rue du Moulin, 38070 Saint-Quentin-Fallavier", "38070"),
 # "depuis" of time is no place the machine leaves from; "depuis" a site is
 ("Depuis la reprise de la gestion par le groupe, les factures doivent être adressées à :\n\nGroupe Loire Santé\n"
  "TSA 20455\n49044 Angers Cedex 1", "49044"),
 ("Depuis le 1er mars nos factures doivent être envoyées à notre siège : 8 rue Lafayette, 25000 Besançon.", "25000"),
 ("Le traceur sera transféré depuis notre site de Lorient, 12 rue Jules Verne, 56100 Lorient.", None),
 # a town whose name starts like a month is a place ("depuis Marseille", "depuis Maisons-Alfort")
 ("Notre traceur sera transféré le 15 janvier 2027 depuis Marseille, 12 rue de Rome, 13001 Marseille, vers notre "
  "site d'Aix : 5 avenue Victor Hugo, 13100 Aix-en-Provence.", "13100"),
 ("Afin de traiter votre demande de transfert depuis le 5 quai Rambaud, 69002 Lyon, merci de préciser la date.", None),
 # an adverb inside the cue; an overseas postcode
 ("Notre agence ferme le 30 juin. Le traceur sera dorénavant installé à notre siège :\n\nOIT – Topographie\n"
  "ZAC La Mare – 12 rue Henri Cornu\n97438 Sainte-Marie", "97438"),
 # "les suivantes" are the invoices to come, not an address that follows: the signature's is the sender's own
 ("Merci de rééditer la facture avec cette référence et de l'utiliser pour les suivantes.\n\nPaul Léger\nResponsable "
  "des finances\nMairie de Brives-Charensac – Place de la Mairie – 43700 Brives-Charensac\n04 71 00 00 00", None),
 ("Merci d'utiliser désormais la suivante :\nSCI Léger, 4 rue Haute, 43700 Brives-Charensac", "43700"),
 # "Adresse à utiliser", and a city before its postcode after a spaced hyphen
 ("Adresse à utiliser à partir du 1er novembre 2027 :\n\nGROUPE HALVA - Centre de services partagés\nTour Égée - 9-11 "
  "allée de l'Arche\nCS 60032\n92058 Paris La Défense Cedex", "92058"),
 ("Merci d'organiser le transfert du traceur vers :\n\nAtelier Phocéen - ZI Saint-Henri - 25 chemin de la "
  "Madrague-Ville - Marseille 13016\n\nLe démontage peut se faire à partir du 11 janvier.", "13016"),
 # a technician named before where the machine goes: "vers nos nouveaux locaux" is its destination
 ("Nous souhaitons que votre technicien déplace notre traceur PlotWave 345 (n° de série PW345-7110283) vers nos "
  "nouveaux locaux :\n\nAtelier Exemple Architectes\n27 boulevard Longchamp\n13001 Marseille\n\nLe quai de livraison "
  "est rue Consolat.", "13001"),
 # what is billed now, then the block the colon opens; an entity that "devient" another, its address after it
 ("Le traceur PlotWave 360 (n° de série 36004000) actuellement facturé au Syndicat devra donc être facturé à :\n"
  "Communauté d'agglomération Exemple\nSIREN 200 071 843\nHôtel communautaire, 5 avenue de la République, 63200 Riom",
  "63200"),
 ("Le traceur actuellement facturé au 2 rue Haute, 63000 Clermont-Ferrand, restera facturé à la même adresse.", None),
 ("Suite à la fusion, merci d'informer nos fournisseurs que l'entité facturable devient\nVallon Exemple SAS (SIREN 884 "
  "512 330), 3 rue du Moulin, 07100 Annonay.", "07100"),
 # a short heading alone between the sentence that names the new address and its block
 ("Suite à notre changement de locaux, merci d'envoyer les factures à la nouvelle adresse ci-dessous à partir du 1er "
  "février.\n\nL'adresse :\n\nExemple Architectes\nHôtel d'entreprises – 2 rue Édouard Herriot\n21000 Dijon", "21000"),
 ("Nous devons transférer le traceur PlotWave 345 (numéro de série : 391 004 00) de notre usine de Woippy vers notre "
  "nouveau bureau d'études, dès que possible.\n\nAdresse de livraison :\n\nFonderie Exemple – Bureau d'études\n3 rue du "
  "Saulnois\n57100 Thionville", "57100"),
 ("Merci pour votre retour rapide.\n\nAdresse :\n\nExemple Architectes\n2 rue Édouard Herriot\n21000 Dijon", None),
 # rows keyed "Ancienne" / "Nouvelle" under a header whose corner cell was empty
 ("Merci de noter la nouvelle adresse de réception des factures pour le 1er octobre :\n\nAdresse\nAncienne | Hôtel de "
  "communauté, 152 chemin des Merles, 34400 Lunel\nNouvelle | Pôle Finances - 9 avenue de la Gare, 34160 Castries",
  "34160"),
 # English: where the office will be, the group a company joins, whom suppliers must invoice
 ("We are relocating our Paris office.\n\nFrom 25 June 2027 our office will be at:\n\n40 avenue de Wagram\n75017 Paris",
  "75017"),
 ("As of July 1st, 2027, Ateliers Exemple becomes part of KESSLER EXEMPLE SAS (SIREN 523418903), registered office: 3 "
  "rue de l'Industrie, 68100 Mulhouse.", "68100"),
 ("From that date all suppliers must invoice Vaubois Exemple SELAS, 8 rue de la Bourse, 69002 Lyon.", "69002"),
 # an invoice, an owner, a cheque's payee, a former seat: no new address
 ("Please remember to invoice the Lyon site (12 rue des Lilas, 69003 Lyon) separately from Paris.", None),
 ("Canon will invoice the prints of our office at 12 rue des Lilas, 69003 Lyon, as usual.", None),
 ("La société devient propriétaire du traceur installé au 12 rue des Lilas, 69003 Lyon.", None),
 ("Merci de nous envoyer un chèque à l'ordre de Canon France, 17 quai du Président Paul Doumer, 92400 Courbevoie.",
  None),
 ("Notre siège était anciennement au 12 rue des Lilas, 69003 Lyon.", None),
 # a heading of what is now is no new address, whatever follows it
 ("Hello,\nPlease update your records.\nOur current billing address:\nAcme SAS\n12 rue des Lilas\n69003 Lyon\n\nNew "
  "billing address:\nAcme SAS\n4 avenue Foch\n75016 Paris", "75016"),
 ("Our current billing address:\nAcme SAS\n12 rue des Lilas\n69003 Lyon", None),
 # "l'ancien site" (masculine) is the old one; what the move goes to after it
 ("Le traceur doit être transféré de l'ancien site (2 boulevard de Lattre, 21000 Dijon) vers :\nBâtiment Méridien - 1 "
  "rue Professeur Marion\n21079 Dijon Cedex", "21079"),
 # a machine that "sera dorénavant à :"; an entity "à l'ordre de"; a form's departure site is no new address
 ("Nos bureaux (Quai des Annexes, 97200 Fort-de-France) ferment. Le traceur sera dorénavant à : Exemple Fret, Zone de "
  "la Lézarde, lot 14, 97232 Le Lamentin.", "97232"),
 ("Merci de libeller vos prochaines factures pour les matériels suivants :\n- PlotWave 5000 n° 6010055000\n- ColorWave "
  "3700 n° 6020011000\nà l'ordre de : EXEMPLE PRINT SERVICES SAS, Zone de la Jambette, 97232 Le Lamentin.", "97232"),
 # the seat of the entity a merger forms; invoices sent "for" an account "to" a centre, its address after the colon
 # the sentence ends with
 ("Les deux syndicats fusionnent au 1er janvier 2027 pour former le Syndicat Exemple (SIREN 215 700 469), dont le siège "
  "est situé 1 place de la Comédie, 57000 Metz.", "57000"),
 ("Please send all invoices for Cust. ID F-55000 to our shared service centre from 1 January 2027: Exemple Logistics "
  "SSC, 2 rue Alfred Kastler, 67400 Illkirch-Graffenstaden.", "67400"),
 ("Our registered office has not changed.\n\nRegards,\nAP Team\nRegistered office: 5 rue de la Belle Borne, 95700 "
  "Roissy-en-France", None),
 # a plotter relocated "from our office to:"; "la facturation … devra être adressée, à compter du …, à : …"
 ("We would like to relocate our Colorado 1640 (SN: 8103700) from our Toulouse office to:\n\nExemple Antilles\nZone "
  "industrielle de Jarry\n12 rue Ferdinand Forest\n97122 Baie-Mahault\n\nThe ColorWave stays in Toulouse.", "97122"),
 ("Suite à la cession de notre activité à la société EXEMPLE INGÉNIERIE (SAS, SIREN 907 153 829), la facturation du "
  "contrat n° 4100-2200 devra être adressée, à compter du 1er avril, à : EXEMPLE INGÉNIERIE, Immeuble Le Trident, Cité "
  "Mont-Royal, 97200 Fort-de-France.", "97200"),
 # keys "de :" and "vers :" (or "from:" and "to:") before the old address and the new one
 ("Merci d'organiser le déménagement de notre varioPRINT 140, numéro de série 6210 334 00, le 28 août 2027 :\n\n- de : "
  "Zone industrielle de Jarry, rue Ferdinand Forest, 97122 Baie-Mahault\n- vers : Parc d'activités de Dothémare, lot "
  "14, 97139 Les Abymes\n\nContact sur place : M. Exemple", "97139"),
 ("Please move our PlotWave 450 on 3 May:\n- from: 12 rue des Lilas, 69003 Lyon\n- to: 4 avenue Foch, 75016 Paris",
  "75016"),
 ("Supplier: CANON FRANCE SAS\nShip-to: Exemple Cryogenics SAS, 11 chemin du Vieux Chêne, 38240 Meylan", None),
 # (second reader) the old company's seat, a company introducing itself, Canon's address under "To:", a billing
 # that goes on as before, the same address as before
 ("La société Alpha SARL, dont le siège est situé 12 rue des Fleurs, 75010 Paris, a été absorbée par Beta SAS, 4 "
  "boulevard Haussmann, 75009 Paris, SIREN 552 100 554.", "75009"),
 ("Nous sommes la société Gamma, dont le siège est situé 1 place Bellecour, 69002 Lyon. Notre traceur a un problème de "
  "facturation : la facture FA-2027-1182 est erronée.", None),
 ("could you send me a copy of invoice 90012345? Our company Acme France SAS, SIREN 552 100 554 Registered office: 21 "
  "avenue de la Grande Armée, 75017 Paris", None),
 ("To: Canon France - Contracts department\n17 quai du Président Paul Doumer\n92400 Courbevoie\n\nDear Sir or Madam, "
  "could you send us a copy of the last invoice?", None),
 ("the plotter will move on 1 June.\n\nTo: Canon France, 17 quai du Président Paul Doumer, 92400 Courbevoie\nNew site: "
  "22 rue de Rivoli, 75004 Paris", "75004"),
 ("la facturation des consommables sera envoyée comme d'habitude à notre siège, 4 rue du Port, 44000 Nantes.", None),
 ("notre facturation sera transmise par notre comptable, 4 rue du Port, 44000 Nantes, qui reste votre contact.", None),
 ("la facturation ne sera pas modifiée et sera adressée comme avant au 4 rue du Port, 44000 Nantes. Seul le traceur "
  "déménage au 9 rue Neuve, 44100 Nantes.", "44100"),
 ("please send all invoices for our site in Lyon to the same address as before: 12 avenue de l'Europe, 67000 "
  "Strasbourg. Nothing changes.", None),
 ("Changement de programme : le matériel ne partira finalement pas à\nSchœlcher mais sur la plateforme logistique du "
  "Lamentin :\n\nCHU Exemple - Plateforme logistique\nZone industrielle de la Lézarde\n97232 Le Lamentin", "97232"),
 ("As before, please send invoices to our accounts team, who moved to: 5 rue Victor Hugo, 69003 Lyon", "69003"),
 ("Nous avons déménagé. Comme avant, les factures doivent être adressées au service comptable, désormais au 5 rue "
  "Victor Hugo, 69003 Lyon.", "69003"),
 ("FICHE DE TRANSFERT DE MATERIEL\nSite de depart : Usine de Cholet, 12 rue de la Sevre, 49300 Cholet\nSite d'arrivee : "
  "Usine Nord - Batiment B, 4 rue des Forges, 59600 Maubeuge", "59600"),
 # English order under its cue, a building but no street ("Harbour Gate, Block C⏎Dunkerque 59140")
 ("From 1 March please address your invoices to our new finance office:\nNordmer Logistics – Accounts\n"
  "Harbour Gate, Block C\nDunkerque 59140\n\nKind regards,", "59140"),
 ("Our new office:\nParc Technopolis, Bâtiment 4\nLabège 31670", "31670"),
 ("Please note our meter total is 45000 and our ref is Etage 12000.", None),
 # a turn with words before its colon: "ne plus … à l'usine mais au service comptable :"
 ("Dès le 1er avril, les factures ne doivent plus être envoyées à l'usine mais au service comptable :\n\n"
  "Brevan Industries - Comptabilité\n14 rue des Tanneurs\nBP 412\n25000 Besançon", "25000"),
 ("Invoices should no longer go to the plant but to the head office team:\nOrlen Print\n3 rue Neuve\n59000 Lille",
  "59000"),
 ("Les factures ne doivent plus être envoyées au siège mais au service achats, qui reste au 4 rue du Port, 44000 Nantes.",
  None),
 ("Le PlotWave sera dorénavant à la charge de notre filiale, 8 rue Haute, 67000 Strasbourg.", None),
 # a negative cue in brackets ends with them: "(l'atelier reste sur place), les factures devront être adressées à :"
 ("Après le transfert de notre direction (les machines restent sur place), les factures devront être adressées dès le "
  "1er mai à : Cabinet Lenoir, 4 rue Saint-Rome, 31000 Toulouse.", "31000"),
 ("Les factures devront être adressées (comme actuellement) au 4 rue Saint-Rome, 31000 Toulouse.", None),
 # a plural participle: "nos boutiques seront reprises par la société X, …"
 ("Nos boutiques seront reprises par la société Bellec Distribution (SIREN 732 829 320), 8 rue de Siam, 29200 Brest, "
  "au 1er juin.", "29200"),
 ("Nos deux agences ont été rachetées par le groupe Vauban, 3 place Jean Bart, 59140 Dunkerque.", "59140"),
 # the machines listed between the cue and the entity's block (no bullets: a model on each line)
 ("À compter du 1er mai, les factures des traceurs ci-dessous devront être établies au nom de la nouvelle entité :\n\n"
  "  PlotWave 3600 ........ n° série 7712034\n  ColorWave 3800 ....... n° série 7712211\n\nIMPRIMERIE DU PORT SAS\n"
  "5 quai Lunel\n06300 Nice", "06300"),
 # "de notre site actuel (…, 35000 Rennes) vers :": the current site's address closes, then where it goes
 ("Le traceur doit être transféré de notre site actuel (3 rue Jean Macé, 35000 Rennes) vers :\n\nAtelier Breizh\n"
  "12 rue de Lorient\n35200 Rennes", "35200"),
 # "facturés, à compter du …, à la société :" and the entity's block
 ("Nos deux traceurs seront facturés à compter du\n01/03/2027 à la société :\n\nSAS LOIRE IMPRESSION\n"
  "2 rue des Halles, 37000 Tours", "37000"),
 ("Nos traceurs sont facturés depuis 2019 à la société mère, 2 rue des Halles, 37000 Tours.", None),
 # a turn and the day it applies from: "mais à partir de juin à :", "but from 1 June to:"
 ("Nos factures ne doivent plus être envoyées au 10 rue de la Bourse, 69002 Lyon, mais à partir de juin à :\n\n"
  "Banque Exemple - Factures fournisseurs\nTSA 40112\n69441 Lyon Cedex 03", "69441"),
 ("Invoices should no longer go to the plant but, from 1 June, to:\nOrlen Print\n3 rue Neuve\n59000 Lille", "59000"),
 # (a second reader's sentences) a turn of phrase after "mais" or "but" is no destination
 ("Rien ne change mais au cas où, notre adresse :\n\nBrevan\n14 rue des Tanneurs\n25000 Besançon", None),
 ("Notre adresse ne change pas mais au cas où voici :\n\nBrevan\n14 rue des Tanneurs\n25000 Besançon", None),
 ("We are not moving but to confirm, our address is:\nOrlen Print\n3 rue Neuve\n59000 Lille", None),
 ("Our address has not changed but to be sure:\nOrlen Print\n3 rue Neuve\n59000 Lille", None),
 # "sera dorénavant à" and two blanks that are no blank line
 ("Le traceur sera dorénavant à  usage partagé avec notre agence du 14 rue des Tanneurs, 25000 Besançon.", None),
 ("Le loyer sera désormais à  régler par virement. Pour rappel notre adresse : 14 rue des Tanneurs, 25000 Besançon.",
  None),
 # a bracket that says nothing changes still counts
 ("Rien ne change pour nous (adresse actuelle inchangée), les factures devront être adressées à : Cabinet Lenoir, "
  "4 rue Saint-Rome, 31000 Toulouse.", None),
 ("Merci de continuer (comme actuellement) à envoyer les factures à : Cabinet Lenoir, 4 rue Saint-Rome, 31000 "
  "Toulouse.", None),
 # a case, a ticket or a phone's extension is no city
 ("Merci d'adresser les factures à notre nouveau siège :\nNordmer, Bâtiment 4\nPoste 45012", None),
 ("Merci d'adresser les factures à notre nouveau siège :\nNordmer, Bâtiment 4\nDossier 45012", None),
 # a line that starts like a phone's closing is the mail's own
 ("Bonjour,\nLe colis de toner a été\nenvoyé à partir de votre entrepôt de Rungis, mais notre nouvelle adresse de "
  "livraison est :\n4 rue des Forges\n59600 Maubeuge\nMerci", "59600"),
 # machines collected by the carrier: no takeover
 ("Nous résilions le contrat. Les imprimantes seront reprises par votre transporteur à notre entrepôt, 4 rue des "
  "Forges, 59600 Maubeuge.", None),
 # the new billing entity's seat, keyed or in a clause (FORMAT.md: the address of the new billing entity)
 ("Suite à l'apport partiel d'actifs, facturez désormais la société Vercors Topographie.\n\nSiège : 9 chemin des "
  "Éparres, 38080 L'Isle-d'Abeau\nSIREN 552 100 554", "38080"),
 ("The plotter contract moves to Harbour Print Ltd on 1 May. Their Kbis is attached. Registered office: 3 quai de "
  "la Fosse, 44000 Nantes.", "44000"),
 ("Le fonds est cédé à la société Atelier Mistral (SIREN 552 100 554), dont le siège est fixé au 14 cours "
  "Mirabeau, 13100 Aix-en-Provence.", "13100"),
 ("Les traceurs devront être facturés au Groupe Hospitalier Sud, 2 avenue de la Soude, 13009 Marseille.", "13009"),
 ("Following the sale of our survey unit to Geo Relief SAS (11 rue Lamartine, 63000 Clermont-Ferrand), please bill "
  "them from June.", "63000"),
 ("Notre société a été rachetée par Littoral Print SAS (SIREN 552 100 554), siège : 4 rue des Goélands, 17000 La "
  "Rochelle. Merci de facturer cette société.", "17000"),
 # … not the sender's own seat: a letter's head, "our company … registered office"
 ("ATELIER DUPRAT\nSiège : 5 rue des Tanneurs - 64100 Bayonne\n\nObjet : facturation", None),
 ("Question sur une facture de notre société, Duprat SAS (Siège : 5 rue des Tanneurs, 64100 Bayonne).", None),
 # the old entity's seat before it is taken over stays no new address
 ("La société Alpha, dont le siège est situé 3 rue Nationale, 37000 Tours, a été absorbée le 1er mars.", None),
 # cues written other ways: no colon after "à envoyer à", the verb in -ing, "être installé à :", "au :"
 ("Dès le 1er juin, les factures liées au compte client en objet sont à envoyer à\n\nCabinet Roux – Comptabilité\n"
  "6 place Plumereau\n37000 Tours", "37000"),
 ("We are relocating our PlotWave 3500 (serial 3500-11-0042) from our Dunkirk office to:\n\nHarbour House\n"
  "2 rue de l'Écluse\n59140 Dunkerque", "59140"),
 ("Le Colorado quitte notre site de Vitré pour être installé à :\n\nCoopérative du Pays\nZA de la Baratière\n"
  "35500 Vitré", "35500"),
 ("Merci d'adresser dorénavant les factures du contrat n° 4410-PW-0031 (traceur de la voirie) au :\n\nMairie de "
  "Sète\nDirection des finances\n20 rue Paul Valéry\n34200 Sète", "34200"),
 ("We are relocating our print room from our Lille site (18 rue Nationale, 59000 Lille) to our new hub: Parc "
  "Nord, 4 rue des Transporteurs, 59810 Lesquin.", "59810"),
 ("Merci d'envoyer les factures, à partir de la prochaine facture, à notre siège :\nMaison du Nord - Comptabilité, "
  "2 allée des Tilleuls, 59650 Villeneuve-d'Ascq", "59650"),
 # a second reader's hostile cases: what is old, another place, the sender's own, a delivery, a past or a
 # continued practice, a word that only starts like a cue
 ("Nouvelle adresse : 8 rue Thiers, 38100 Grenoble." " L'ancien code postal est 38000.", "38100"),
 ("New address: 8 rue Thiers, 38100 Grenoble. Our old postcode is 38000.", "38100"),
 ("New address: 8 rue Thiers, 38100 Grenoble. Our previous zip code is 38000.", "38100"),
 ("Nouvelle adresse : 8 rue Thiers, 38100 Grenoble." " Pour info, le code postal de notre agence de Lyon est 69003.", "38100"),
 ("Nouvelle adresse : 8 rue Thiers, 38100 Grenoble." " Le code postal du siège est 75008.", "38100"),
 ("Nouvelle adresse : 8 rue Thiers, 38100 Grenoble." " Sur votre dernière facture le code postal indiqué est 38000 au lieu de 38100.", "38100"),
 ("Nouvelle adresse : 8 rue Thiers, 38100 Grenoble." " Sur vos factures, le code postal est 38000, c'est une erreur.", "38100"),
 ("Nouvelle adresse : 8 rue Thiers, 38100 Grenoble (le code postal de la mairie est 38000 mais nous sommes bien en 38100).", "38100"),
 ("Bonjour,\nSiège de la nouvelle entité : 4 rue des Goélands, 17000 La Rochelle", "17000"),
 ("Hello,\nRegistered office of the new entity: 3 quai de la Fosse, 44000 Nantes", "44000"),
 ("Bonjour,\nMerci de facturer désormais la société Helios Print SAS\nSiège : 4 rue des Goélands, 17000 La Rochelle", "17000"),
 ("Suite à la fusion, notre société devient Helios Print SAS, siège : 4 rue des Goélands, 17000 La Rochelle.", "17000"),
 ("Le vendredi 3 mars au matin, notre agence, dont le siège est au 5 rue des Tanneurs, 64100 Bayonne, a reçu le technicien.", None),
 ("We stopped the sale of printed maps to tourists at our Annecy shop (4 rue Royale, 74000 Annecy).", None),
 ("After the sale of the Annecy building to the city, the plotter stays with us at 4 rue Royale, 74000 Annecy.", None),
 ("Could you send the new label rolls to our office at 5 rue des Tanneurs, 64100 Bayonne?", None),
 ("We need a new baseline reading. Our office: 5 rue des Tanneurs, 64100 Bayonne.", None),
 ("Vous avez adressé les factures du contrat CT-2022-00099 au :\n\n24 allée des Pins\n69003 Lyon\n\nalors que nous avons déménagé. Notre nouvelle adresse : 8 rue Thiers, 38100 Grenoble.", "38100"),
 ("Merci de continuer à envoyer les factures du contrat CT-2022-00099 au :\n\n24 allée des Pins\n69003 Lyon", None),
 ("Le traceur, qui devait être installé à Lyon (24 allée des Pins, 69003 Lyon), restera finalement dans nos locaux.", None),
 ("Les copieurs continueront d'être facturés au Groupe Médipôle, 24 allée des Pins, 69003 Lyon, sans changement.", None),
 ("Nous souhaitons continuer à être facturés au siège : 5 rue des Tanneurs, 64100 Bayonne.", None),
 ("La société Dupont SAS (siège : 5 rue des Tanneurs, 64100 Bayonne) souhaite résilier le contrat CT-2022-00099 au 31/12/2026.", None),
 ("Adresse du siège : 5 rue des Tanneurs, 64100 Bayonne (inchangée).", None),
 ("Pour mémoire, siège : 5 rue des Tanneurs, 64100 Bayonne", None),
 ("Head office: 5 rue des Tanneurs, 64100 Bayonne\nPlease find our meter reading: 12345", None),
 ("Following the relocation of our accounts team, please keep delivering toner to our delivery address: 5 rue des Tanneurs, 64100 Bayonne.", None),
 ("We are relocating the plotter next month. Delivery address for toner: 5 rue des Tanneurs, 64100 Bayonne.", None),
 # the block's name in its own paragraph, between the colon and the street
 ("Les factures devront être envoyées à l'adresse suivante :\n\nNORDIS – Comptabilité fournisseurs\n\n"
  "8 rue Faidherbe\n59000 Lille", "59000"),
 # a postcode stated as such corrects the address, here or in the history the mail points to
 ("Correction : le code postal de la nouvelle adresse est 44190 (Clisson), pas 44100. Les autres informations restent "
  "celles de mon message ci-dessous.\n\nLe 3 mars 2027, Anne Roux a écrit :\n> Nouvelle adresse de facturation : "
  "2 rue des Halles, 44100 Nantes", "44190"),
 ("Nouvelle adresse : 8 rue Thiers, 38000 Grenoble. Attention, the postcode is 38100, not 38000.", "38100"),
 ("Nouvelle adresse : 8 rue Thiers, 38100 Grenoble. Notre code postal actuel est 38000.", "38100"),
 # an abbreviated key with a typo; a move towards a new place named; "ship it to …:"; a takeover's receiving company
 ("Nouvelle adr. de facturaiton à compter du 1er novembre 2027 :\nProvence Emballages - Service Comptabilité\nZI Les Paluds - 180 avenue de la Fleuride\n13400 AUBAGNE CEDEX", "13400"),
 ("Nous souhaitons faire déplacer le traceur actuellement installé au bâtiment B vers le nouveau pôle administratif :\n\nPôle administratif - Route de Châteauboeuf\n97200 Fort-de-France", "97200"),
 ("Change of plan: the plotter will NOT go to the Paris office. Please ship it\nto our Lyon office instead:\n\nHennequin & Cie – Lyon branch\n40 Rue de la République\n69002 Lyon", "69002"),
 ("Dans le cadre de la cession de notre activité emballage à la société\nCartonnages du Vexin (SIREN 811774025), sise 4 rue des Tanneurs, 27140 Gisors, les deux presses devront être facturées à cette société.", "27140"),
 # a serial's digits are no postcode, though a town-like word follows on the next line
 ("Merci d'organiser le déménagement de :\n- imagePRESS C10010VP, n° série QXM 01245\nLe second système reste à Fos.\n\nNouvelle adresse : Zone de la Lézarde, Lot 14,\n97232 Le Lamentin", "97232"),
 ("Nous déménageons le traceur SN 69002\nLyon reste notre siège, l'adresse suivra.", None),
 # a street ending like "série" is no serial's label
 ("Notre nouvelle adresse : 12 quai de la Mégisserie 75001 Paris.", "75001"),
 ("Nouvelle adresse de facturation : Alpha Services - 5 rue de la Brasserie 67000 Strasbourg", "67000"),
]


@pytest.mark.parametrize("text, postcode", NEW_POSTCODES, ids=[t[:50] for t, _ in NEW_POSTCODES])
def test_the_postcode_of_a_new_address(text, postcode):
    result, _ = read_all(text)
    assert result.fields["new_address_postcode"] == postcode


READING_VALUES = [  # (text, the readings in the order written): counters written in many ways
 # what an invoice counted, its number and date between ("la facture n° … du 15/04 mentionne 3 200 m²")
 ("Par ailleurs, la facture n° 9100238000 du 15/04 mentionne 3 200 m² alors que nous n'avons quasiment pas imprimé ce "
  "trimestre : pouvez-vous vérifier ?", []),
 # a monthly average's column, though it names black
 ("Relevés :\nN° de série | Site | N&B | Couleur | Moyenne mensuelle N&B\nYQB11800 | Basse-Terre | 1045678 | 402311 | "
  "21500\n3Y0601200 | Basse-Terre | 77654 |  | 1200", [1045678, 402311, 77654]),
 # a real counter beside an estimated one; a nota bene's count
 ("Votre facture reprend un compteur estimé, le compteur réel ce matin est de 152 330 m².", [152330]),
 ("NB: 2 450 exemplaires de la brochure ont été imprimés chez un autre prestataire.", []),
 # "NB" for black without a colon; a counter's label wrapped before its value, not a serial under the machine
 ("Bonjour\nNB 234.567\ncoul. 98.004\nCdt", [234567, 98004]),
 # "total" keying its line's number, under a sentence that names the counters without a colon; not an amount's total
 ("Bonjour voici les compteurs du traceur de l'agence\ntotal 48 215\ncouleur 12 007\nclient 0056120", [48215, 12007]),
 ("Bonjour, voici les compteurs du traceur.\nTotal HT 279,50\nnoir 41 388", [41388]),
 # an overage the invoice charged is no reading
 ("La facture 9127004400 comporte un dépassement de\n12 400 pages que nous contestons. Merci de nous envoyer un avoir.",
  []),
 ("Overage of 3 200 pages billed on invoice 9127004400: we dispute it.", []),
 ("Pour le calcul du dépassement, compteur total 48 215", [48215]),
 ("Traceur PlotWave 450 n° de série 6103 2200 - relevé du 30/06, compteur\nm² : 48 712, et compteur mètres linéaires "
  "(rouleau 2) :\n3 305.\nCordialement,", [48712, 3305]),
 # a number its label gives another field is no reading; a paper size in a header is no number
 ("Ci-joint le tableau de relevés au 30 juin pour le contrat 66 120 349.", []),
 ("serial | black_a4 | colour_a4 | avg monthly volume | reading date\n7112A0448 | 2.304.118 | 612.007 | 48000 | "
  "31/07/2027", [2304118, 612007]),
    # the last reading we recorded, quoted back under the customer's
    ("Compteur noir (m²) :\n14 870\n\nPour information, dernier relevé enregistré : 13 202 m² (noir) au 31/05/2026.",
     [14870]),
    ("Black counter: 14 870\nFor information, last reading on record: 13 202 m² (black).", [14870]),
    ("le prix à la page couleur est passé de 0,045 € HT à 0,052 € HT", []),  # prices with a leading zero
    # a sentence naming the readings, wrapped before the colon that introduces them
    ("Please find below the readings for our PlotWave 345, serial no. 3Y5504218,\ntaken this morning:\n\n"
     "Total prints: 1,204,556\nLfm: 48,210", [1204556, 48210]),
    ("We moved last week. Our office details,\nas requested:\n\nTotal staff: 1204\nFloors: 48", []),
    # a second machine's block, apart, with the keys that gave the first one's readings
    ("here are this month's counters:\n\nColorWave 3800, serial 3800-CW-11427\n  Total prints: 45,210\n  Lfm: 12,877\n\n"
     "Colorado 1650, serial 1650-CO-00382\n  Total prints: 3,118\n  Lfm: 7,402\n\nAverage usage is roughly 1,000 Lfm "
     "per month on the Colorado.", [45210, 12877, 3118, 7402]),
    ("Our office details, as requested:\n\nTotal staff: 1204\nFloors: 48\n\nAnnex\nTotal staff: 1210\nFloors: 50", []),

 ("Compteur N&B : 123 456 / couleur : 78 901", [123456, 78901]),
 ("Relevé du jour : noir 45.210 – couleur 12.004", [45210, 12004]),
 ("cpt total 1 204 578", [1204578]),
 ("Voici l'index : 88 412 m²", [88412]),
 ("PW345-0061290 : 12 345 m²\nCW3600-0031945 : 6 044 m²", [12345, 6044]),
 ("Index N/B au 30/06 : 204 118\nIndex couleur au 30/06 : 98 220", [204118, 98220]),
 ("The counter reads 1,045,871 (black) and 233,012 (colour).", [1045871, 233012]),
 ("compteurs : 45210 (nb), 12004 (coul.)", [45210, 12004]),
 ("Voici le relevé demandé pour le matériel en objet :\n\n1 047 882 (compteur total, relevé le 06/07)", [1047882]),
 ("Nos compteurs : total 56 321 ; nous imprimons environ 3 000 pages par mois.", [56321]),
 ("Le compteur affiche 77 412 m² ce matin.", [77412]),
 ("Relevé compteur traceur SN 3Y0612300 :\n- A0 : 1 254\n- A1 : 3 120", [1254, 3120]),
 ("Meter readings as requested:\nBlack: 412,908\nColour: 388,127", [412908, 388127]),
 ("Index noir : 1 254 330 (volume mensuel ≈ 95 000)", [1254330]),
 ("Compteur : 0045871", [45871]),
 ("For your records, the last readings we sent were 2 003 114 (PW550) and 96 220 (CW650). We print roughly 30,000 A1 "
  "sheets per month.", [2003114, 96220]),
 ("cpt N&B : 1.204.877\ncpt coul. : 356 120\nPour info, notre volume moyen est d'environ 12 000 pages/mois en N&B et "
  "3 500 en couleur.", [1204877, 356120]),
 ("Afin d'éviter une facturation sur index estimé (index estimé au 30/09 : 2 390 000), merci de nous transmettre :\n"
  "Compteur total A4 : [2 418 730]", [2418730]),
 ("Date : Mon, 29 Mar 2027 07:30:12 +0200\nMerci de nous communiquer les compteurs des matériels suivants.", []),
 ("Compteurs pour la facturation : 45 210", [45210]),
 ("Compteur noir : 12 345, volume moyen : 2 000 pages/mois, compteur couleur : 3 456", [12345, 3456]),
 # an approximate figure after its number is a volume too
 ("Relevés de fin de mois :\nCompteur N&B : 2.418.330\nCompteur couleur : 1.007.214\n\nNombre de pages imprimées sur "
  "le mois : 96.000 environ (tous matériels).", [2418330, 1007214]),
 ("Compteur total du PlotWave 3Y0-12-66781 : 1 045 000 environ (l'écran est abîmé).", [1045000]),  # a counter still
 ("Relevé : volume moyen 2 000 pages par mois, compteur total : 45 000", [45000]),
 ('Compteur noir: 12 345 – Compteur couleur: 6 789', [12345, 6789]),
 ('N&B 12345 / Couleur 6789', [12345, 6789]),
 ('Relevé au 30/06 : 45 210 pages', [45210]),
 ('cpt N/B = 123456', [123456]),
 ('B&W: 12,345; Colour: 6,789', [12345, 6789]),
 ('Total counter 245 678 (as of today)', [245678]),
 ("Hi,\n\nTotal counter this morning is\n1 045 233.\n\nRegards", [1045233]),
 # a company's number on a line that speaks of a counter's word ("Noir"): no reading
 ("la reprographie est transférée à la SPL Périgord Noir Tourisme (SIREN 901 558 342). Relevé : compteur noir 45 210",
  [45210]),
 ("Le compteur total est de\n88 412.", [88412]),
 ("Dernier index connu N&B (31/03/2026) : 1 284 533\nIndex actuel N&B : 1 302 118", [1302118]),
 ("Compteur A4 noir : 2 113 904\nCompteur A3 noir : 187 226\n\n(Relevé précédent au 31/03/2026 : A4 1 980 455 - A3 "
  "171 030)", [2113904, 187226]),
 ('Le compteur total est de 98 765.', [98765]),
 ('Counter readings — black 12.345 — colour 6.789', [12345, 6789]),
 ('Index compteur | Valeur\nNoir | 54 321\nCouleur | 12 345', [54321, 12345]),
 ('Machine : PlotWave 345, SN 3Y0612300\nCompteur : 77 412 m²', [77412]),
 ('Nos relevés :\n  - noir : 1 204 587\n  - couleur : 402 118', [1204587, 402118]),
 ('Here are the readings: 23,456 black and 7,890 colour.', [23456, 7890]),
 ('Le traceur affiche 14 552 m² au compteur.', [14552]),
 ('Compteurs au 31/12/2026 : noir 88 102, couleur 22 940, total 111 042', [88102, 22940, 111042]),
 ('Relevé du compteur A0 : 3 411\nRelevé du compteur A1 : 1 287', [3411, 1287]),
 ('Counter: 0045871 (black only machine)', [45871]),
 ("Merci de nous communiquer les relevés du matériel suivant :\nN° de série : VP-110-04728\nDernier relevé connu : "
  "3 887 102 (noir)", []),
 ("Compteur total : 2 318 409\nPour information, notre volume mensuel moyen est d'environ\n45 000 pages.", [2318409]),
    # rows apart by blank lines, under a header with a day and a month; a spaced serial's pieces are not readings
    ("Matériel\tN° de série\tCompteur total au 28/12\n\nPlotWave 450\tPW450 88 2310\t514\u202f776\n\n"
     "PlotWave 450\tPW450 88 2311\t498\u202f102", [514776, 498102]),
    ("mettre en place la relève automatique des compteurs pour les machines 560 118 402, 560 118 431 et 560 120 007",
     []),
    ("- S/N 1730 4455 (ColorWave 3800, Lyon office): B/W 48,221 / colour 12,904", [48221, 12904]),
    ("N° de série : 3Y048812\nCompteur impression (m²) :\n152 330\nCompteur scan (m²) :\n28 741", [152330, 28741]),
    ("Compteur final de la ColorWave : 412 096 (relevé ce jour).", [412096]),
    ("la facture 9027114508 du 14/08 nous compte 3 412 m² de plus que le\nrelevé transmis en juillet.", []),
    ("voici les index relevés ce matin :\n1.204.551 (NB)\n98.740 (couleur)", [1204551, 98740]),
    # "mono" is no "n°"; a line right below readings continues their list
    ("Océ ColorWave 3600 – S/N 5070112233: mono 18,220 / colour 6,905\nOcé PlotWave 450 – S/N 5070098417: 41,388\n"
     "Call me on 06 48 22 19 07 if anything is missing.", [18220, 6905, 41388]),
    ("voici nos compteurs pour la machine installée à notre agence de Gap (05000), compteur noir et blanc :\n"
     "1 203 554\net compteur couleur : 88 412", [1203554, 88412]),
    ("le nombre de copies facturé ne correspond pas au compteur de notre traceur (n° série 3YB0 4471), qui affichait "
     "152 300 au 31/08.", [152300]),
    # a list of numbers alone under an introduction that names readings
    ("Relevés pour les machines ci-dessous (dans l'ordre) :\n1) 224.118\n2) 1.002.774\n\nCordialement,",
     [224118, 1002774]),
    ("Voici nos compteurs :\n- 12 204\n- 8 713", [12204, 8713]),
    ("Matériel         N° série        Compteur au 27/12/2026   Volume mensuel moyen\n"
     "PlotWave 550     5502 0918       2 318 440                ~ 18 000\n"
     "ColorWave 3600   3Y6A0075        611 902                  ~ 4 500", [2318440, 611902]),
    ("- PlotWave 3500 (n° série 3Y020187) : 52.340 m²\n\nN° de facture concernée : 927114580 ; merci de nous renvoyer "
     "une facture rectifiée si les index estimés ont déjà été facturés.", [52340]),
    ("Meter readings:\nVP-6160-0421    1 204 457\n\nBy the way, our contract includes 50,000 colour pages per quarter - "
     "could you tell us whether we went over?", [1204457]),
    ("Merci de livrer à :\n- 12 rue Pasteur\n- 69007 Lyon", []),
    # an arrow gives the value; "env." is "environ": a volume, not a reading
    ("Les chiffres relevés hier soir :\n- PlotWave 345 n° 345-77120 -> 7 321\n- PlotWave 345 n° 345-77184 → 10 096",
     [7321, 10096]),
    # the label and its date end the line above: "Compteur noir au 30/09 :⏎245 871"
    ("n° de série 3Y401-22781. Compteur noir au 30/09 :\n245 871 ; pas de compteur couleur.", [245871]),
    ("Index total relevé le 2 octobre :\n1 204 550", [1204550]),
    # an item of a list whose other items name their counters
    ("Pour les deux autres :\n* PlotWave 360 n° 360-120031 : 5 122\n* ColorWave 3700 n° 3700-009145 : noir 14 880 – "
     "couleur 6 041", [5122, 14880, 6041]),
    ("le compteur noir de notre ColorWave 3500 (n° de série 7104582) affiche ce matin 123 456 et le compteur couleur "
     "8 790.", [123456, 8790]),
    ("le compteur grand format (SN : 1201 4477 09) indique ce jour 56 780 mètres linéaires.", [56780]),
    ("Compteur 1 (m²) : 18.442\nVolume moyen mensuel sur l'ensemble du parc : env. 2.100 m².", [18442]),
    # dotted leaders between the counters and their values
    ("Relevé des compteurs au 28/09/2026 :\n   Compteur total ............ 618 447\n   dont copie ................ "
     "102 559\nNous vous remercions", [618447, 102559]),
    # a month's volume, however written
    ("compteur total 618 447 ce mois-ci.", [618447]),  # a counter dated by its month, no unit: a reading
    ("Black counter: 14 870 this month, colour counter: 2 310", [14870, 2310]),
    ("relevé de la presse (série 6400-iX-0582) :\ncpt 1 = 1 240 118\ncpt 2 = 377 904\nPour info on a fait à peu près "
     "95 000 feuilles ce mois-ci.", [1240118, 377904]),
    ("Black counter: 14 870\nWe printed nearly 3 000 pages this month.", [14870]),
    ("Compteur noir : 14 870 ; on a tiré 2 300 pages le mois dernier.", [14870]),
    # a job's size, a share, an estimate are no readings
    ("Relevé de notre Arizona (SN : AZ1380-0457) :\nProduction : 18 442 m²\nQualité : 3 207 m²\nPar ailleurs la tête n°4 "
     "est en erreur et nous avons un chantier de 600 m² de bâches à sortir cette semaine.", [18442, 3207]),
    ("Le compteur de consommables indique 15 % restants sur le cyan.", []),
    ("Le montant correspond à une estimation de 6 000 m² alors que le traceur n'est plus utilisé.", []),
    ("Le compteur affiche 45 000 m² d'impression.", [45000]),
    ("Compteur total : 1 245 000 m² depuis la mise en service.", [1245000]),
    ("Compteur : 45 000 pages des deux traceurs.", [45000]),
    ("Your last known reading for serial 3Y0-55120 is 402 118, but the current counter is 410 220.", [410220]),
    ("Votre dernier relevé enregistré était de 1 150 020, voici le nouveau : 1 204 998", [1204998]),
    # counters named as the machine names them, answering our request
    ("Lfm: 23,918\nTotal prints: 4,107", [23918, 4107]),
    ("Céline,\nMétrage total : 15 882 ml\nMétrage couleur : 6 045 ml\nPhoto jointe.", [15882, 6045]),
    ("Sortie internet en 443 via notre proxy 10.20.0.5:3128 si besoin pour le paramétrage.", []),
    # what an invoice counted is no reading
    ("Je conteste la facture n° 90412776 du 15/01/2027 : 14 200 pages facturées alors que la machine n'a pas tourné.",
     []),
    ("Compteur noir : 52 118 ; the invoice has 8 400 pages billed this quarter.", [52118]),
    ("Votre dernière facture nous semble comporter une erreur : 3 200 copies couleur facturées alors que notre "
     "traceur n'imprime qu'en noir.", []),
    ("Compteur noir : 52 118 ; 8 400 pages N&B billed this quarter.", [52118]),
    ("Nous contestons la facture ci-jointe : 41 250 pages couleur nous sont facturées sur le trimestre.", []),
    # a count right after a model's family is no model number: "PlotWave 61 340"
    ("Pour information, les derniers index : PlotWave 61 340 / ColorWave noir 12 905, couleur 30 118.",
     [61340, 12905, 30118]),
    ("Index du PlotWave 345 : 61 340.", [61340]),
    ("Le traceur (le grand Canon couleur) part avec nous. Nouvelle adresse : 27 rue Sainte-Victoire 13006 Marseille.",
     []),
    ("Compteur noir : 52 118 ; 8 400 pages were billed this quarter.", [52118]),
    # the last reading we recorded, quoted back with its date, and each value of its list
    ("Dernier relevé enregistré le 31/12/2026 : noir 1 150 020 / couleur 80 004.\nCompteur noir : 1 204 998",
     [1204998]),
    ("Last reading on record (30/06/2027): black 402 118, colour 96 004. Today: black 410 220, colour 97 118.",
     [410220, 97118]),
    # a total in a paragraph that speaks of counters, its parts below; an amount's total is none
    ("voici les index de notre imagePRESS C170, n° de série : 4QX 55 102.\nTotal : 734 112\ndont noir : 520 004\n"
     "dont couleur : 214 108", [734112, 520004, 214108]),
    ("Merci pour votre facture de relevé de compteurs.\nTotal : 1 284 € TTC\nMontant : 1 070 € HT", []),
    ("Compteur noir : 12 400 ; coût copie : 1 240 euros", [12400]),
    # an invoice named before the counter's own words: the number is the counter's
    ("Pour régulariser la facture, le compteur actuel est de 412 300 m².", [412300]),
    ("Le volume facturé ce trimestre est de 41 300 m².", []),
 # a counter of the machine introduced by "Voici", its value alone on the line below (no list of serials under it)
 ("Voici le compteur total de la machine mentionnée ci-dessous :\n2 204 118\n(relevé le 30 juin)", [2204118]),
 ("Here is the total counter of the plotter:\n45,210", [45210]),
]


@pytest.mark.parametrize("text, values", READING_VALUES, ids=[t[:50] for t, _ in READING_VALUES])
def test_reading_values(text, values):
    result, _ = read_all(text)
    assert result.fields["meter_readings"] == values


NEW_EMAILS = [  # (text, the new invoice e-mail address): cues before or after it, replacements, obfuscation
 # the address invoices go to now, in a relative clause after the date the change applies from
 ("1) À compter de septembre, nos factures, que vous nous envoyez actuellement par e-mail\nà compta@exemple.fr, "
  "doivent être adressées à la boîte suivante, gérée par notre\nprestataire comptable :\nfournisseurs@exemple-ssc.fr\n\n"
  "2) Par ailleurs, notre traceur affiche l'erreur E-1204.", "fournisseurs@exemple-ssc.fr"),
 # the address the invoices go to "comme d'habitude" is no new one; "the right mailbox is X" after invoices sent to
 # a former colleague is
 ("Le numéro de commande valable pour 2027 est le PO n°4500123900.\n\nLes factures sont à envoyer comme d'habitude à "
  "factures.fournisseurs@ch-exemple.fr.", None),
 ("We have noticed that your invoices for our Paris store are still sent to a former colleague. The right mailbox is "
  "frinvoices@exemple-retail.co.uk - please update your records.", "frinvoices@exemple-retail.co.uk"),
 # a table's column headed "Nouvelle adresse", a list of contacts whose own key names the invoices
 ("L'adresse de réception de vos factures change :\n\n                   | Ancienne adresse                    | Nouvelle "
  "adresse\nAdresse            | 18 rue Caponière                    | TSA 40217\nE-mail facturation | "
  "compta@polyclinique-exemple.fr      | factures@csp.exemple.fr", "factures@csp.exemple.fr"),
 ("Your invoices are still being sent to our former accounting address (buchhaltung@exemple.de). From next month "
  "on, the right mailbox is\naccounts.payable@fr.exemple-group.com - please update your records.",
  "accounts.payable@fr.exemple-group.com"),
 ("Dorénavant, merci d'envoyer vos factures :\n\n- non plus à : factures@maison-flandre.fr\n- mais à : "
  "dematerialisation.fournisseurs@maison-flandre.fr", "dematerialisation.fournisseurs@maison-flandre.fr"),
 ("Merci de mettre à jour votre fichier client selon le tableau ci-dessous :\n\nN° client Canon | Ancienne adresse de "
  "réception | Nouvelle adresse de réception | Date d'effet\nCL-304817 | compta.lyon@lrad-logistique.com | "
  "invoices@lrad-logistique.com | 01/08/2027", "invoices@lrad-logistique.com"),
 ("Nous souhaitons recevoir les factures du contrat n° 2023-0419-PW uniquement par e-mail. Voici nos contacts :\n\n"
  " • Envoi des bons de commande / devis : achats@lacroix-exemple.fr\n • Relevés compteurs : repro@lacroix-exemple.fr\n"
  " • Réception des factures (PDF) : factures@lacroix-exemple.fr", "factures@lacroix-exemple.fr"),
 # "mais" turns the clause: the old address before it does not make the one after old
 ("Nous vous remercions de ne plus adresser vos factures à notre ancienne adresse (4 rue Lenepveu, 49100 Angers), mais "
  "exclusivement par e-mail à l'adresse suivante :\ncomptabilite.fournisseurs@barrault-lemoine.fr",
  "comptabilite.fournisseurs@barrault-lemoine.fr"),
 ("Merci d'envoyer les factures à compta@lemoine.fr, mais plus à l'ancienne adresse jean.lemoine@lemoine.fr.",
  "compta@lemoine.fr"),
 # a colleague's address is the new one when the invoices are sent to that colleague, not when she is to be contacted
 ("Pourriez-vous nous envoyer dorénavant les factures par mail ?\n\nVous pouvez les envoyer directement à ma collègue "
  "de la compta : sylvie.marchal@menuiseries-perrin.fr", "sylvie.marchal@menuiseries-perrin.fr"),
 ("Merci d'envoyer les factures par mail. Pour toute question, adressez-vous à ma collègue : "
  "sylvie.marchal@menuiseries-perrin.fr", None),
 ("Merci de nous envoyer les factures par mail. Merci d'envoyer votre confirmation à ma collègue : "
  "marie.dupont@acme.fr", None),
 ("Please send the invoices to my colleague mary.smith@acme.co.uk from now on.", "mary.smith@acme.co.uk"),
 ("We currently receive your invoices by email at compta@meridian-eng.fr. This mailbox will be closed, so please "
  "send all future invoices to:\n\nap-invoices@meridian-eng.fr", "ap-invoices@meridian-eng.fr"),
 ('Bonjour,\nMerci de nous adresser désormais nos factures au format PDF sur la boîte : '
  'factures@omega-btp.fr\nCordialement', 'factures@omega-btp.fr'),
 ('Nouvelle adresse de réception : dematerialisation@chu-nord.fr (à la place de compta@chu-nord.fr)',
  'dematerialisation@chu-nord.fr'),
 ('Invoices: please use accounts@kappa.co.uk going forward (not john.smith@kappa.co.uk).', 'accounts@kappa.co.uk'),
 ("Pour l'envoi dématérialisé, l'adresse est : facturation.canon@lambda.fr", 'facturation.canon@lambda.fr'),
 ("Merci d'utiliser l'adresse generique compta-fournisseurs@mu.fr pour toutes les factures du contrat 2024-117.",
  'compta-fournisseurs@mu.fr'),
 ('Adresse mail pour les factures -> ap@nu-industries.com', 'ap@nu-industries.com'),
 ('Nous souhaitons recevoir les factures par mail.\nAdresse : factures@xi.fr\nContrat : CT-2023-00077',
  'factures@xi.fr'),
 ('Please note our AP mailbox changes from ap@pi.com to payables@pi.com as of 1 March.', 'payables@pi.com'),

 ("Merci d'envoyer nos factures par mail à factures@alpha.fr à compter de janvier.", "factures@alpha.fr"),
 ("Adresse de réception des factures : compta.fournisseurs@beta-sa.com", "compta.fournisseurs@beta-sa.com"),
 ("Please e-mail all invoices to ap.france@gamma.eu from now on.", "ap.france@gamma.eu"),
 ("Nouvelle adresse pour les factures dématérialisées :\n\nfactures-canon@delta.fr", "factures-canon@delta.fr"),
 ("Remplacer jean.martin@zeta.fr par facturation@zeta.fr pour l'envoi des factures.", "facturation@zeta.fr"),
 ("Pour toute question : jean.martin@eta.fr. Merci d'envoyer les factures à invoices@eta.fr", "invoices@eta.fr"),
 ("Invoices by e-mail please: accounts.payable@theta.co.uk", "accounts.payable@theta.co.uk"),
    # the one we are asked to stop using, right before the new one
    ("Dès le 1er octobre, merci de ne plus utiliser compta.vernet@fromagerie-vernet.fr et de transmettre vos factures "
     "à la boîte suivante :\n\nfactures@fromagerie-vernet.fr", "factures@fromagerie-vernet.fr"),
    ("Please stop sending invoices to ap-paris@brennan-retail.fr.\nFor customer account ACC-FR-22817, all invoices "
     "must be sent to our new mailbox from 1 March 2027 onwards: invoices.fr@brennan-retail.eu",
     "invoices.fr@brennan-retail.eu"),
    ("merci de ne plus utiliser cette adresse et d'envoyer les factures à l'attention de Mme Sandrine Koenig, "
     "sandrine.koenig@ghr-vosges-nord.fr.", "sandrine.koenig@ghr-vosges-nord.fr"),
    ("merci de nous adresser vos factures par mail à compter du 3 janvier, à l'adresse suivante :\n\n"
     "  • factures.canon@ets-morvan.fr (boîte partagée du service comptable)", "factures.canon@ets-morvan.fr"),
    ("Il ne s'agit pas de modifier notre mode de réception : les factures doivent continuer à arriver sur "
     "compta@editions-valdain.fr comme aujourd'hui.", None),
    ("We would like to get them by e-mail instead, from June onwards.\n\nPlease use:\n - invoices@lumen-displays.fr "
     "(main recipient - this is our shared AP inbox)\n - j.harper@lumen-displays.fr in copy, for my information only",
     "invoices@lumen-displays.fr"),
    ("Petite correction sur la demande de ma collègue ci-dessous : merci d'utiliser plutôt l'adresse "
     "factures-fournisseurs@thermo-conseil-idf.fr, celle indiquée par Pauline est sa boîte personnelle.",
     "factures-fournisseurs@thermo-conseil-idf.fr"),
    # an item of a list its introduction names
    ("Merci de noter qu'en juin notre service comptabilité rejoint le siège. Nouvelles coordonnées pour l'envoi des "
     "factures :\n\n- par courrier : Groupe Lesage - Comptabilité, 20 route de Bischwiller, 67300 Schiltigheim\n"
     "- par e-mail (à privilégier) : comptabilite@groupe-lesage.fr\n\nN° client : 4011872",
     "comptabilite@groupe-lesage.fr"),
    ("Voici les personnes à contacter :\n- pour la technique : paul@atelier-durand.fr", None),
    # a line of a block (an address, a table) that a line ending with a colon introduces
    ("voici notre nouvelle adrese de facturation, à compter du 01.01.27 :\n\nSAS Menuiseries Orval – Comptabilité\n"
     "14 rue Pasteur\n25300 Pontarlier\nE-mail : compta@menuiseries-orval.fr\n\n(ancienne adresse : ZI Les Prés, "
     "25500 Morteau)", "compta@menuiseries-orval.fr"),
    ("New invoicing details:\n\n  Legal entity        | Nordhavn France SAS\n  Registered office   | 5 rue Royale, "
     "75008 Paris\n  Invoicing e-mail    | AP.France@nordhavn-group.com\n", "AP.France@nordhavn-group.com"),
    ("Pour toute question, voici mes coordonnées :\n\nJean Morel\nService achats\nTél : 01 23 45 67 89\n"
     "E-mail : jean.morel@achats-morel.fr", None),
    # one the customer says not to send them to, or that took them until now
    ("We'd like to receive our invoices electronically.\n\nThe right mailbox is accounts.payable@brightfield.eu.\n\n"
     "Please don't send them to my address or to accounting@brightfield.fr, which is for customer queries.",
     "accounts.payable@brightfield.eu"),
    ("Vos bons de commande continueront d'arriver de achats@verdier-emb.fr, mais les factures, jusqu'ici envoyées à "
     "compta@verdier-emb.fr, sont à envoyer uniquement à\ndematerialisation.factures@verdier-emb.fr",
     "dematerialisation.factures@verdier-emb.fr"),
    ("Merci de ne pas envoyer les factures à jean.roux@garrigue.fr mais à factures@garrigue.fr.", "factures@garrigue.fr"),
    ("Jusqu'ici nous recevions les factures par courrier, merci de les envoyer désormais à factures@lys-imprim.fr",
     "factures@lys-imprim.fr"),
    # a portal rather than an address, or a contact person's line
    ("Merci d'envoyer les factures sur notre portail Chorus Pro (https://chorus-pro.gouv.fr), et non par mail à "
     "compta@acme-ind.fr.", None),
    ("Contact pour les factures : Mme Durand, 01 02 03 04 05, durand@acme-ind.fr. Les factures doivent être envoyées "
     "à factures@acme-ind.fr", "factures@acme-ind.fr"),
    # … but not the address that follows what not to do, nor one asked for with the invoices named before
    ("Please do not send paper invoices any more, use ap@orbis-print.co.uk instead.", "ap@orbis-print.co.uk"),
    ("Merci de ne pas envoyer les factures par courrier mais à compta@garrigue.fr", "compta@garrigue.fr"),
    ("We would like our invoices by e-mail rather than by post: ap@orbis-print.co.uk", "ap@orbis-print.co.uk"),
    ("Nous souhaitons recevoir nos factures par e-mail. Merci de les adresser, comme vos devis, à compta@garrigue.fr",
     "compta@garrigue.fr"),
    ("Interlocuteur pour les factures : Mme Durand, durand@acme-ind.fr. Les factures doivent être envoyées à "
     "factures@acme-ind.fr", "factures@acme-ind.fr"),
    # one our question refuses, and the one answered below it
    ("- une adresse e-mail NON nominative (l'adresse paul.morin@medisante.fr ne peut pas être retenue) : >> OK, "
     "UTILISEZ factures-canon@medisante.fr", "factures-canon@medisante.fr"),
    ("Your personal address j.smith@kappa-eng.co.uk cannot be accepted; please use invoices@kappa-eng.co.uk.",
     "invoices@kappa-eng.co.uk"),
    # an address for another document than the invoices: orders, readings
    ("Nos bons de commande vous seront désormais envoyés par achats@quarta-ind.fr. Les factures, elles, sont à "
     "adresser à : factures@quarta-ind.fr", "factures@quarta-ind.fr"),
    ("From now on our meter readings will be sent by facilities@orbis-print.co.uk; please send invoices to "
     "ap@orbis-print.co.uk.", "ap@orbis-print.co.uk"),
    ("Merci de nous adresser dorénavant vos devis à achats@lys-bureautique.fr.", None),
    # the whole first paragraph after the greeting is the address we asked for
    ("Bonjour,\n\ncompta.fournisseurs@cabinet-hermine.fr\n\nPour le reste, rien ne change par rapport à ma demande.",
     "compta.fournisseurs@cabinet-hermine.fr"),
 # "les" for the invoices, sent to a mailbox beside a new postal address
 ("Notre service comptabilité déménage. À compter du 1er septembre, merci d'adresser vos factures à :\n\nAtlantic "
  "Ingénierie\n4 allée des Tilleuls\n44800 Saint-Herblain\n\nVous pouvez également nous les transmettre par e-mail à "
  "compta.fournisseurs@atlantic-exemple.fr.", "compta.fournisseurs@atlantic-exemple.fr"),
]


@pytest.mark.parametrize("text, address", NEW_EMAILS, ids=[t[:50] for t, _ in NEW_EMAILS])
def test_the_new_invoice_email_address(text, address):
    result, _ = read_all(text, sender="sender@somewhere.fr")
    assert result.fields["new_email"] == address


def test_a_reading_or_a_remote_reading_request_has_no_effective_date():
    """Readings and remote reading take effect at no date: the dates such mails cite (a technician's visit, the
    end of the year) are none."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "jean.dupont@client.fr", "contrats.service.wfps@cf.canon.fr", "Compteurs"
    msg["Date"] = "Thu, 07 Jan 2027 17:03:55 +0100"
    msg.set_content("Bonjour,\nVoici nos compteurs pour le traceur 3Y0612300 : noir 45 210, couleur 12 004.\n"
                    "Le technicien ne passera que le 14 janvier pour la panne.")
    analysis = analyze(msg.as_bytes())
    assert analysis.situation == "meter_read_request"
    assert analysis.fields["effective_date"] is None and analysis.fields["meter_readings"] == [45210, 12004]



@pytest.mark.parametrize("name", ["addresses.toml", "identifiers.toml"])
def test_a_broken_cue_file_stops_start_up_naming_it(tmp_path, monkeypatch, name):
    """A quote left inside a pattern must not turn every analysis into an internal error: start-up says which file."""
    import mailbot.read.extract as extract_module
    from mailbot.read.rules import RulesError

    broken = tmp_path / name
    broken.write_text("positive = ['it's broken']\n", encoding="utf-8")
    monkeypatch.setattr(extract_module, "ADDRESSES_FILE" if name == "addresses.toml" else "IDENTIFIERS_FILE", broken)
    extract_module._address_patterns.cache_clear()
    try:
        with pytest.raises(RulesError, match=name):
            extract_module.check_reading_data()
    finally:
        monkeypatch.undo()
        extract_module._address_patterns.cache_clear()
    extract_module.check_reading_data()  # the shipped files load


def test_a_bank_details_check_has_no_effective_date():
    """A check of Canon's bank details takes effect at no date: the date of the letter the customer doubts is none."""
    msg = EmailMessage()
    msg["From"], msg["To"] = "compta@client.fr", "contrats.service.wfps@cf.canon.fr"
    msg["Subject"] = "Courrier reçu – changement de coordonnées bancaires Canon ?"
    msg["Date"] = "Thu, 07 Jan 2027 17:03:55 +0100"
    msg.set_content("Bonjour,\nNous avons reçu un courrier à en-tête Canon France nous informant d'un changement de vos "
                    "coordonnées bancaires à compter du 1er mars 2027. Pourriez-vous nous confirmer vos coordonnées "
                    "bancaires en vigueur ?\nNotre n° client : 0041-7738.")
    analysis = analyze(msg.as_bytes())
    assert analysis.situation == "bank_details_check"
    assert analysis.fields["effective_date"] is None and analysis.fields["customer_number"] == "0041-7738"


@pytest.mark.parametrize("body, expected", [
    # a change of the customer's own, on its day: "other" (FORMAT.md), its date given
    ("Nous changeons de banque au 1er septembre 2027. Merci de prélever désormais vos échéances sur notre nouveau "
     "compte (RIB ci-joint).", "2027-09-01"),
    ("We are changing banks on 1 March 2027: please collect your direct debits from our new account.", "2027-03-01"),
    # a date the mail only cites
    ("Nous avons reçu votre technicien le 1er décembre 2026 : tout fonctionne, merci.", None),
])
def test_a_mail_asking_nothing_of_ours_dates_a_change_of_its_own(body, expected):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "jean.dupont@client.fr", "contrats@example.com", "Banque"
    msg.set_content(body)
    mail = parse(msg.as_bytes())
    assert extract_all(mail.text, "", mail, REF, "other").fields["effective_date"] == expected


@pytest.mark.parametrize("body, serials, readings", [
    # a list of machines under a heading that names their readings: the serials, not readings
    ("Bonjour,\nVoici le relevé compteur du traceur suivant :\n4KW 11820", ["4KW 11820"], []),
    ("Ci-joint le relevé des traceurs ci-dessous :\n- 4KW 11820\n- 4KW 11826", ["4KW 11820", "4KW 11826"], []),
    ("Voici le compteur de chacun de nos deux traceurs :\n- 4KW 11820\n- 4KW 11826", ["4KW 11820", "4KW 11826"], []),
    # … but a count under a counter's label is its reading
    ("Voici le compteur total de la machine mentionnée ci-dessous :\n2 204 118\n(relevé le 30 juin)", [], [2204118]),
])
def test_machines_listed_under_a_heading_of_readings(body, serials, readings):
    message = EmailMessage()
    message["From"] = "a.roux@client.fr"
    message["To"] = "contrats.service.wfps@cf.canon.fr"
    message["Subject"] = "Relevé compteur"
    message["Date"] = "Mon, 01 Feb 2027 10:00:00 +0100"
    message.set_content(body)
    fields = analyze(bytes(message)).fields
    assert (fields["serial_numbers"], fields["meter_readings"]) == (serials, readings)
