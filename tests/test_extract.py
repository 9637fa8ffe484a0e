"""Fields come from what the customer writes now, never from old values, signatures or history."""

from datetime import date
from email.message import EmailMessage

import pytest

from mailbot.extract import extract, fraud_signals
from mailbot.mime import parse
from mailbot.quotes import split

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
    ("SIRET without new-entity context", "Notre SIRET 732 829 320 00074.", "siren", None),
    ("meter readings with units", "PW340-0047719 : 18 732 m²\nCW3800-0006109 : noir 4 310 m² / couleur 12 875 m²",
     "meter_readings", [18732, 4310, 12875]),
    ("readings in a sentence", "Compteurs relevés ce matin : 25 604 pour le noir et 9 812 pour la couleur.",
     "meter_readings", [25604, 9812]),
    ("readings in a table", "Série | Compteur\nPW345-0061287 | 45210\nPW345-0061288 | 3120", "meter_readings",
     [45210, 3120]),
    ("no readings in a phone line", "Compteurs : appelez le 04 78 00 00 00 le 12/03", "meter_readings", []),
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
    ("current address is not the new one", "Notre adresse actuelle : 12 quai Neuf, 69002 Lyon.", "new_address_postcode",
     None),
    ("delivery address is not a new address", "Livraison au 3 rue du Stade, 29860 Plouvenec.", "new_address_postcode",
     None),
    ("CS number is not a postcode", "à l'adresse suivante : 14 rue Emile Borel CS 28646 75809 PARIS CEDEX 17",
     "new_address_postcode", "75809"),
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
    ],
    ids=["named Kbis", "named extrait k-bis", "said attached", "promised later", "said but nothing attached",
         "other document"],
)
def test_kbis(body, attachments, expected):
    assert read(body, attachments=attachments)["kbis"] is expected


def test_fraud_signals():
    assert fraud_signals("Nous avons reçu un avis de changement de coordonnées bancaires.", "")
    iban = fraud_signals("", "Nouveau compte : FR76 3000 6000 0112 3456 7890 189")
    assert any(s.name == "iban" for s in iban)
    assert all("3000 6000" not in s.text for s in iban)  # never echo the IBAN
    assert fraud_signals("Pouvez-vous confirmer que votre banque est toujours BNP Paribas ?", "") == []
