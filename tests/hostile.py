"""Hostile mail, as an attacker would write it to the contracts mailbox (SECURITY.md).

Each builder returns the raw bytes of one message. The victims are customers
of the sample directory (classifiers/directory.sample.csv): Gaudemard TP
(gaudemard-tp.fr, contract CT-2025-07350, serial TX3100-0040128, sales contact
antoine.ferrand@cf.canon.fr). Used by tests/test_hostile.py (Maildir demo) and
tests/test_hostile_servers.py (Dovecot and SMTP).
"""

from __future__ import annotations

from email.utils import make_msgid

from tests.support import AUTHSERV_ID

BOT = "contrats.service.wfps@cf.canon.fr"
VICTIM = "victim@thirdparty.example"
ATTACKER = "attacker@evil.example"
CUSTOMER = "t.gaudemard@gaudemard-tp.fr"
CUSTOMER_DOMAIN = "gaudemard-tp.fr"
CONTRACT = "CT-2025-07350"
SERIAL = "TX3100-0040128"
SALES_CONTACT = "antoine.ferrand@cf.canon.fr"
ACCOUNT_MANAGER = "claire.vasseur@cf.canon.fr"
PHISHING_URL = "https://canon-payments.example/portal"
PHISHING_NAME = f"URGENT: Canon payment portal moved, pay at {PHISHING_URL}"
DATE = "Mon, 30 Nov 2026 10:00:00 +0100"


def mail(body: str, *, sender: str = ATTACKER, subject: str = "Demande", headers: tuple[str, ...] = (),
         auth: str | None = None, content_type: str = "text/plain; charset=utf-8") -> bytes:
    """One message; ``sender`` is the whole From value; ``auth`` the DMARC result our MTA writes on
    top (None: no Authentication-Results at all)."""
    domain = sender.rpartition("@")[2].strip(">")
    top = [f"Authentication-Results: {AUTHSERV_ID}; dmarc={auth} header.from={domain}"] if auth else []
    head = [*top, f"From: {sender}", f"To: {BOT}", f"Subject: {subject}", f"Date: {DATE}",
            f"Message-ID: {make_msgid('hostile', domain or 'x.example')}", "MIME-Version: 1.0",
            f"Content-Type: {content_type}", "Content-Transfer-Encoding: 8bit", *headers]
    return ("\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")


PO_CHANGE = (f"Bonjour,\n\nÀ compter du 1er mars 2027, merci d'indiquer notre nouveau numéro de commande "
             f"BC-2027-0042 sur les factures du contrat {CONTRACT}.\n\nCordialement,\nService achats")


def relay() -> bytes:
    """An open relay attempt: a Reply-To to a third party, phishing in the display name and subject."""
    return mail(PO_CHANGE, sender=f'"{PHISHING_NAME}" <{ATTACKER}>',
                subject=f"Nouveau bon de commande – portail {PHISHING_URL}",
                headers=(f"Reply-To: {VICTIM}",), auth="pass")


def plus_addressed(i: int) -> bytes:
    """The same stranger under ``victim+i@`` (and changing case): one address for the caps."""
    local = "Victim" if i % 2 else "victim"
    return mail(PO_CHANGE, sender=f"{local}+{i}@thirdparty.example", subject=f"Commande {i}")


def stranger(i: int) -> bytes:
    """A stranger of a domain of their own (the hourly cap for unknown senders)."""
    return mail(PO_CHANGE, sender=f"someone@stranger{i}.example", subject="Nouveau bon de commande")


def long_name_customer() -> bytes:
    """A real customer (authenticated) whose display name is 2,700 characters with a link."""
    name = f"Thierry Gaudemard {PHISHING_NAME} " + "x" * 2700
    return mail(PO_CHANGE, sender=f'"{name}" <{CUSTOMER}>',
                subject=f"Nouveau bon de commande, voir {PHISHING_URL}", auth="pass")


INVOICE_BY_EMAIL = (f"Bonjour,\n\nÀ compter du 1er mars 2027, merci d'envoyer les factures du contrat {CONTRACT} "
                    "par e-mail à factures@gaudemard-tp-compta.fr.\n\nCordialement,\nThierry Gaudemard")


def spoofed_customer(auth: str | None = "fail") -> bytes:
    """A forged From of a customer, to a look-alike invoice address; our MTA says DMARC ``auth``."""
    return mail(INVOICE_BY_EMAIL, sender=f"Thierry Gaudemard <{CUSTOMER}>",
                subject="Envoi des factures par e-mail", auth=auth)


def forged_authentication_results() -> bytes:
    """Our MTA says fail on top; the sender wrote a 'pass' with our name below it."""
    raw = spoofed_customer(auth="fail")
    forged = f"Authentication-Results: {AUTHSERV_ID}; dmarc=pass header.from={CUSTOMER_DOMAIN}\r\n".encode()
    head, _, rest = raw.partition(b"\r\n")
    return head + b"\r\n" + forged + rest


def encoded_reply_to() -> bytes:
    """A real customer, but a Reply-To written as an encoded word that decodes to a third party."""
    po = PO_CHANGE.replace("BC-2027-0042", "BC-2027-0043")
    return mail(po, sender=f"Thierry Gaudemard <{CUSTOMER}>", subject="Nouveau bon de commande",
                headers=("Reply-To: =?utf-8?q?victim=40thirdparty.example?=",), auth="pass")


def quoted_local_part() -> bytes:
    """A From whose quoted local part holds another address: the domain looks like the customer's."""
    return mail(INVOICE_BY_EMAIL, sender=f'"spy@evil.example?subject="@{CUSTOMER_DOMAIN}',
                subject="Envoi des factures par e-mail", auth="pass")


def two_from_fields() -> bytes:
    return mail(PO_CHANGE, sender=f"Thierry Gaudemard <{CUSTOMER}>", subject="Nouveau bon de commande",
                headers=(f"From: {ATTACKER}",), auth="pass")


def cross_customer_move() -> bytes:
    """A stranger asks to move another customer's equipment to a new address."""
    return mail(f"Bonjour,\n\nMerci de déménager le traceur n° de série {SERIAL} (contrat {CONTRACT}) à notre "
                "nouvelle adresse : 12 rue des Lilas, 75011 Paris.\n\nCordialement,\nP. Martin",
                sender="P. Martin <p.martin@intrus.example>", subject="Déménagement de matériel")


def cross_customer_termination() -> bytes:
    return mail(f"Bonjour,\n\nNous souhaitons résilier le contrat {CONTRACT} pour le matériel n° de série "
                f"{SERIAL}.\n\nCordialement,\nP. Martin",
                sender="P. Martin <p.martin@intrus.example>", subject="Résiliation de contrat")


def customer_citing_another_customers_serial() -> bytes:
    """A real customer (Ormeval) cites Gaudemard's serial."""
    return mail(f"Bonjour,\n\nNous souhaitons résilier le contrat pour le matériel n° de série {SERIAL}."
                "\n\nCordialement,\nService technique",
                sender="Atelier <atelier@ormeval-impression.fr>", subject="Résiliation", auth="pass")


def iban_with_hyphens() -> bytes:
    return mail(PO_CHANGE, sender=f"Thierry Gaudemard <{CUSTOMER}>",
                subject="Commande – RIB FR76-3000-6000-0112-3456-7890-189", auth="pass")


def forged_bounce(victim: str = CUSTOMER) -> bytes:
    """Not a real bounce: it names a customer in X-Failed-Recipients and quotes none of our messages."""
    return mail("This message was created automatically by mail delivery software.\n\nA message that you sent "
                f"could not be delivered to one or more of its recipients:\n\n  {victim}\n",
                sender="Mail Delivery System <mailer-daemon@evil.example>",
                subject="Mail delivery failed: returning message to sender",
                headers=(f"X-Failed-Recipients: {victim}", "Auto-Submitted: auto-replied"))


def bounce_of(message_id: str, recipient: str) -> bytes:
    """A real delivery-status report of our message ``message_id`` to ``recipient``."""
    body = ("--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
            "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.gaudemard-tp.fr\r\n\r\n"
            f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
            "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"From: {BOT}\r\nTo: {recipient}\r\nMessage-ID: {message_id}\r\n\r\n--B--\r\n")
    return mail(body, sender="MAILER-DAEMON@mx.gaudemard-tp.fr", subject="Undelivered Mail Returned to Sender",
                content_type='multipart/report; report-type=delivery-status; boundary="B"')


FUZZER = "fuzzer@junk.example"


def pipes_html() -> bytes:
    """An HTML body of 64,000 "|": quadratic in the old HTML-to-text step."""
    return mail("<html><body><p>" + "|" * 64_000 + "</p></body></html>", subject="Facture",
                content_type="text/html; charset=utf-8", sender=FUZZER)


def meter_line() -> bytes:
    """A 64 KB line of "noir 12 ": quadratic in the old meter-reading extractor."""
    return mail("Relevés compteurs : " + "noir 12 " * 8_000, subject="Relevés compteurs", sender=FUZZER)


def spaces_then_x() -> bytes:
    """63,000 spaces then "x": quadratic in the old closing-line pattern."""
    return mail("Bonjour,\n" + " " * 63_000 + "x\n", subject="Question", sender=FUZZER)


def many_parts(parts: int = 40_000) -> bytes:
    """40,000 MIME parts: 13.5 s and 2.7 MB of stored analysis before the caps."""
    body = "".join(f"--P\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(parts)) + "--P--\r\n"
    return mail(body, subject="Pièces", content_type='multipart/mixed; boundary="P"', sender=FUZZER)


def non_ascii_customer() -> bytes:
    """A known customer whose address is non-ASCII before the @ (SMTPUTF8 needed)."""
    return mail(PO_CHANGE.replace("BC-2027-0042", "BC-2027-0044"), sender=f"José <josé.garcía@{CUSTOMER_DOMAIN}>",
                subject="Nouveau bon de commande", auth="pass")


def plus_addressed_customer(i: int) -> bytes:
    """A real customer (authenticated) under ``compta+i@``: the per-address limit counts them as one."""
    return mail(PO_CHANGE.replace("BC-2027-0042", f"BC-2027-10{i}"), sender=f"compta+{i}@{CUSTOMER_DOMAIN}",
                subject=f"Nouveau bon de commande {i}", auth="pass")


def split_from() -> bytes:
    """One From field that parsers read two ways (a vertical tab): the customer's, or the attacker's."""
    return mail(INVOICE_BY_EMAIL.replace("factures@gaudemard-tp-compta.fr", "factures@gaudemard-tp.fr"),
                sender=f"<\x0b@@\x0b{CUSTOMER}<{ATTACKER}>", subject="Envoi des factures par e-mail",
                auth="fail")


def iban_in_the_name() -> bytes:
    """A customer address whose display name carries an IBAN (in a form the old masking missed)."""
    return mail(PO_CHANGE.replace("BC-2027-0042", "BC-2027-0077"), sender=f'"Compta RIB FR 76 3000 6000 0112 3456 '
                f'7890 189" <{CUSTOMER}>', subject="Nouveau bon de commande", auth="pass")
