"""The nine situations as conversations: an incomplete request, then the
customer's answer with what was missing (used by tests/test_cases_e2e.py).

Customer: Imprimerie Valmont (valmont-print.fr), in DIRECTORY_CSV below.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

CUSTOMER = "paul.martin@valmont-print.fr"
CUSTOMER_NAME = "Paul Martin"
ACCOUNT_MANAGER = "gest.valmont@cf.canon.fr"
SALES_CONTACT = "commercial.valmont@cf.canon.fr"
CONTRACTS_TEAM = "equipe.contrats@cf.canon.fr"
CONTRACT = "CT-2025-05512"
SERIALS = ("PW345-0070011", "CW3800-0007120")
CUSTOMER_NUMBER = "1047755"
SENT = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)
# What our MTA writes on the customer's mail (tests/support.AUTHSERV_ID).
AUTHENTICATED = "mx.cf.canon.fr; dkim=pass header.d=valmont-print.fr; dmarc=pass header.from=valmont-print.fr"

DIRECTORY_CSV = (
    "customer_number,customer_name,email_domains,account_manager_email,sales_contact_email,"
    "contract_number,serial_number,site_address\n"
    + "".join(f"{CUSTOMER_NUMBER},Imprimerie Valmont,valmont-print.fr,{ACCOUNT_MANAGER},{SALES_CONTACT},"
              f"{CONTRACT},{serial},\"3 rue Neuve, 42000 Saint-Étienne\"\n" for serial in SERIALS)
    + "2099001,Autre Client,autre-client.fr,gest.autre@cf.canon.fr,com.autre@cf.canon.fr,"
      "CT-2024-09999,PW345-0099999,\"1 place Bellecour, 69002 Lyon\"\n"
)


@dataclass(frozen=True)
class Conversation:
    situation: str
    subject: str
    first: str                # the incomplete request
    missing: tuple[str, ...]  # what the request for information must ask for (field keys)
    answer: str               # the customer's answer, with the missing number
    forward_to: str | None    # who gets the complete case (None: the reply is the whole answer)
    attachment: str | None = None  # a file name attached to the first message


CONVERSATIONS = (
    Conversation(
        "po_change", "Nouveau numéro de commande 2027",
        "Bonjour,\n\nÀ compter du 1er février 2027, merci de faire figurer notre nouveau numéro de "
        "commande BC-2027-0815 sur vos factures.\n\nCordialement,\nPaul Martin\nService achats",
        ("contract_number",),
        f"Bonjour,\n\nIl s'agit du contrat {CONTRACT}.\n\nCordialement,\nPaul Martin",
        CONTRACTS_TEAM),
    Conversation(
        "equipment_move", "Déménagement de notre traceur",
        "Bonjour,\n\nNous changeons de locaux en mars et souhaitons faire déménager notre traceur "
        "PlotWave.\nNouvelle adresse : 8 rue des Forges, 42000 Saint-Étienne.\n\nCordialement,\nPaul Martin",
        ("serial_numbers",),
        f"Bonjour,\n\nLe numéro de série du traceur est {SERIALS[0]}.\n\nCordialement,\nPaul Martin",
        SALES_CONTACT),
    Conversation(
        "billing_entity_change", "Changement d'entité de facturation",
        "Bonjour,\n\nSuite au rachat de notre société par le groupe Helios Print, les factures devront "
        "être établies au nom de la nouvelle entité à partir du 1er mars 2027. Vous trouverez ci-joint "
        "le K-bis de la nouvelle entité.\n\nCordialement,\nPaul Martin",
        ("serial_numbers",),
        f"Bonjour,\n\nLes matériels concernés sont les n° de série {SERIALS[0]} et {SERIALS[1]}.\n\n"
        "Cordialement,\nPaul Martin",
        ACCOUNT_MANAGER, attachment="Kbis_Helios_Print.pdf"),
    Conversation(
        "invoice_address_change", "Nouvelle adresse de facturation",
        "Bonjour,\n\nÀ partir du 1er février 2027, merci d'adresser nos factures à la nouvelle adresse "
        "suivante :\nImprimerie Valmont - Comptabilité\n25 avenue Carnot\n42100 Saint-Étienne\n\n"
        "Cordialement,\nPaul Martin",
        ("customer_number",),
        f"Bonjour,\n\nNotre numéro de client est le {CUSTOMER_NUMBER}.\n\nCordialement,\nPaul Martin",
        ACCOUNT_MANAGER),
    Conversation(
        "invoice_by_email", "Envoi des factures par e-mail",
        f"Bonjour,\n\nNous souhaitons recevoir nos factures par e-mail plutôt que par courrier à partir "
        f"du 1er février 2027, à l'adresse paul.martin@valmont-print.fr (contrat {CONTRACT}).\n\n"
        "Cordialement,\nPaul Martin",
        ("new_email",),
        "Bonjour,\n\nEntendu, merci d'utiliser l'adresse factures@valmont-print.fr.\n\n"
        "Cordialement,\nPaul Martin",
        ACCOUNT_MANAGER),
    Conversation(
        "meter_read_request", "Re: Demande de relevés compteurs",
        "Bonjour,\n\nSuite à votre demande de relevés compteurs, voici nos index du jour :\n"
        "compteur noir et blanc : 125430\ncompteur couleur : 48210\n\nCordialement,\nPaul Martin",
        ("serial_numbers",),
        f"Bonjour,\n\nCes relevés concernent le matériel n° de série {SERIALS[1]}.\n\n"
        "Cordialement,\nPaul Martin",
        ACCOUNT_MANAGER),
    Conversation(
        "automatic_meter_reads", "Relevés compteurs automatiques",
        "Bonjour,\n\nNous aimerions mettre en place l'envoi automatique des compteurs de notre traceur, "
        "pour ne plus avoir à saisir les relevés à la main chaque trimestre.\n\nCordialement,\nPaul Martin",
        ("serial_numbers",),
        f"Bonjour,\n\nLe numéro de série est {SERIALS[0]}.\n\nCordialement,\nPaul Martin",
        None),
    Conversation(
        "contract_termination", "Résiliation de contrat",
        "Bonjour,\n\nNous souhaitons résilier le contrat de notre traceur ColorWave, que nous "
        "n'utilisons plus depuis la fermeture de notre atelier.\n\nCordialement,\nPaul Martin",
        ("serial_numbers",),
        f"Bonjour,\n\nIl s'agit du traceur n° de série {SERIALS[1]}.\n\nCordialement,\nPaul Martin",
        SALES_CONTACT),
    Conversation(
        "bank_details_check", "Vérification de vos coordonnées bancaires",
        "Bonjour,\n\nAvant de régler votre dernière facture, notre service comptable souhaite vérifier "
        "vos coordonnées bancaires. Pouvez-vous nous confirmer le nom de votre banque ?\n\n"
        "Cordialement,\nPaul Martin",
        (), "", None),
)


def first_message(conv: Conversation, domain: str = "valmont-print.fr") -> tuple[bytes, str]:
    """The customer's first message and its Message-ID."""
    msg = EmailMessage()
    msg["Authentication-Results"] = AUTHENTICATED  # as our MTA adds it
    msg["From"] = f"{CUSTOMER_NAME} <{CUSTOMER}>"
    msg["To"] = "contrats.service.wfps@cf.canon.fr"
    msg["Subject"] = conv.subject
    msg["Date"] = format_datetime(SENT)
    message_id = make_msgid(conv.situation, domain)
    msg["Message-ID"] = message_id
    msg.set_content(conv.first)
    if conv.attachment:
        msg.add_attachment(b"%PDF-1.4\n% K-bis\n", maintype="application", subtype="pdf",
                           filename=conv.attachment)
    return bytes(msg), message_id


def answer_message(conv: Conversation, request: EmailMessage, *, threaded: bool = True,
                   subject: str | None = None) -> tuple[bytes, str]:
    """The customer's answer to our ``request``, quoting it as mail clients do.

    ``threaded=False`` drops In-Reply-To/References (some clients do);
    ``subject`` replaces the subject (e.g. without the case reference).
    """
    quoted = request.get_body(("plain",)).get_content()
    msg = EmailMessage()
    msg["Authentication-Results"] = AUTHENTICATED
    msg["From"] = f"{CUSTOMER_NAME} <{CUSTOMER}>"
    msg["To"] = str(request["From"])
    msg["Subject"] = subject if subject is not None else "RE: " + str(request["Subject"])
    msg["Date"] = format_datetime(SENT.replace(hour=11))
    message_id = make_msgid(f"{conv.situation}.answer", "valmont-print.fr")
    msg["Message-ID"] = message_id
    if threaded:
        msg["In-Reply-To"] = request["Message-ID"]
        msg["References"] = " ".join(filter(None, [str(request.get("References") or ""),
                                                   str(request["Message-ID"])]))
    body = conv.answer + "\n\n-----Message d'origine-----\nDe : " + str(request["From"]) + "\n" \
        + "Objet : " + str(request["Subject"]) + "\n\n" + "\n".join("> " + line for line in quoted.splitlines())
    msg.set_content(body)
    return bytes(msg), message_id
