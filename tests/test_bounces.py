"""Reading who a bounce names: delivery-status fields first, then the header, then the text."""

from __future__ import annotations

import base64

import pytest

from mailbot.read.analyze import analyze
from mailbot.read.bounces import failed_recipients, is_bounce
from mailbot.read.guard import automated_hits
from mailbot.read.mime import parse
from mailbot.paths import SAMPLES_DIR

OWN = ("contrats.service.wfps@cf.canon.fr",)


def dsn(*blocks: str, text: str = "Delivery failed.", encoding: str = "") -> bytes:
    """A multipart/report with a message/delivery-status part made of ``blocks``."""
    status = "Reporting-MTA: dns; mx.example\r\n\r\n" + "\r\n\r\n".join(
        block.strip().replace("\n", "\r\n") for block in blocks) + "\r\n"
    cte = ""
    if encoding == "base64":
        cte = "Content-Transfer-Encoding: base64\r\n"
        status = base64.encodebytes(status.encode()).decode().replace("\n", "\r\n")
    return (
        "From: MAILER-DAEMON@mx.example (Mail Delivery System)\r\n"
        "To: contrats.service.wfps@cf.canon.fr\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"\r\n\r\n'
        f"--BB\r\nContent-Type: text/plain\r\n\r\n{text}\r\n"
        f"--BB\r\nContent-Type: message/delivery-status\r\n{cte}\r\n{status}"
        "--BB\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: contrats.service.wfps@cf.canon.fr\r\nTo: quoted@original.example\r\n"
        "--BB--\r\n").encode()


def plain_bounce(body: str, **headers: str) -> bytes:
    head = {"From": "MAILER-DAEMON@mx.example", "To": "contrats.service.wfps@cf.canon.fr",
            "Subject": "failure notice", "Message-ID": "<b-1@mx.example>", **headers}
    return ("".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in head.items()) + "\r\n" + body).encode()


CASES = [
    ("the bundled sample (sendmail)", (SAMPLES_DIR / "delivery_report.eml").read_bytes(),
     ["j.delmare@garnier-etancheite.fr"]),
    ("Final-Recipient, lower-cased", dsn("Final-Recipient: rfc822; Jean.Dupont@Client.example\n"
                                         "Action: failed\nStatus: 5.1.1"),
     ["jean.dupont@client.example"]),
    ("Original-Recipient first, then the Final-Recipient it was forwarded to",
     dsn("Original-Recipient: rfc822;factures@client.example\n"
         "Final-Recipient: rfc822; compta.old@client.example\nAction: failed\nStatus: 5.2.1"),
     ["factures@client.example", "compta.old@client.example"]),
    ("angle brackets in the field", dsn("Final-Recipient: RFC822; <a@client.example>\nAction: failed"),
     ["a@client.example"]),
    ("only the failed one of two", dsn("Final-Recipient: rfc822; ok@client.example\nAction: delivered\n"
                                       "Status: 2.0.0",
                                       "Final-Recipient: rfc822; ko@client.example\nAction: failed\n"
                                       "Status: 5.1.1"),
     ["ko@client.example"]),
    ("delayed is not a bounce, and the text is not read then",
     dsn("Final-Recipient: rfc822; slow@client.example\nAction: delayed\nStatus: 4.4.7",
         text="Still trying to deliver to slow@client.example"), []),
    ("no Action but a permanent Status", dsn("Final-Recipient: rfc822; x@client.example\nStatus: 5.0.0"),
     ["x@client.example"]),
    ("no Action and a temporary Status", dsn("Final-Recipient: rfc822; x@client.example\nStatus: 4.2.2"), []),
    ("an X.400 address names nobody we wrote to",
     dsn("Final-Recipient: x400; /c=fr/o=client/s=dupont\nAction: failed"), []),
    ("our own address is never suppressed",
     dsn("Final-Recipient: rfc822; contrats.service.wfps@cf.canon.fr\nAction: failed"), []),
    ("a folded field", dsn("Final-Recipient: rfc822;\n very.long.name@client.example\nAction: failed"),
     ["very.long.name@client.example"]),
    ("a base64 delivery-status part",
     dsn("Final-Recipient: rfc822; b64@client.example\nAction: failed\nStatus: 5.1.1", encoding="base64"),
     ["b64@client.example"]),
    ("X-Failed-Recipients (Exim), no report part",
     plain_bounce("This message was created automatically by mail delivery software.\r\n",
                  X_Failed_Recipients="one@client.example, Two@Client.example"),
     ["one@client.example", "two@client.example"]),
    ("a plain-text bounce (qmail): the addresses in the text, without ours and the sender's",
     plain_bounce("Hi. This is the qmail-send program at mx.example.\r\n"
                  "<gone@client.example>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n"
                  "--- Below this line is a copy of the message.\r\n"
                  "From: contrats.service.wfps@cf.canon.fr\r\nTo: gone@client.example\r\n"
                  "Reply to MAILER-DAEMON@mx.example for help\r\n"),
     ["gone@client.example"]),
    ("not a bounce at all: nothing to read", b"\x00\xff\xfe garbage", []),
    ("empty", b"", []),
]


@pytest.mark.parametrize("raw, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_failed_recipients(raw, expected):
    assert failed_recipients(raw, OWN) == expected


def robot(*headers: str, sender: str = "MAILER-DAEMON@relay.example", subject: str = "Notice") -> bytes:
    head = [f"From: {sender}", f"Subject: {subject}", "To: contrats.service.wfps@cf.canon.fr", *headers]
    return ("\r\n".join(head) + "\r\n\r\nText.\r\n").encode()


@pytest.mark.parametrize("raw, bounce", [
    (robot("MIME-Version: 1.0", 'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
           sender="relay@relay.example"), True),
    (robot("X-Failed-Recipients: x@client.example", sender="relay@relay.example"), True),
    (robot("Auto-Submitted: auto-generated (failure)", sender="relay@relay.example"), True),
    (robot(), True),  # mailer-daemon
    (robot(sender="postmaster@relay.example"), True),
    (robot(sender="relay@relay.example", subject="Undeliverable: Nouveau numéro de commande"), True),
    (robot(sender="relay@relay.example", subject="Non remis : votre demande"), True),
    (robot(sender="relay@relay.example", subject="Returned mail: see transcript for details"), True),
    # robots that are not bounces
    (robot("Auto-Submitted: auto-replied", sender="jean@client.example"), False),
    (robot(sender="jean@client.example", subject="Réponse automatique : absent"), False),
    (robot("MIME-Version: 1.0", 'Content-Type: multipart/report; report-type=disposition-notification; '
           'boundary="b"', sender="jean@client.example"), False),  # a read receipt
    (robot(sender="noreply@shop.example"), False),
    (robot("Precedence: bulk", "List-Id: <x.example>", sender="news@shop.example"), False),
    (robot(sender="jean@client.example"), False),
])
def test_is_bounce_reads_the_guards_codes(raw, bounce):
    assert is_bounce(hit.code for hit in automated_hits(parse(raw))) is bounce


@pytest.mark.parametrize("name, bounce", [("delivery_report", True), ("out_of_office", False)])
def test_the_guards_codes_on_the_samples(name, bounce):
    analysis = analyze((SAMPLES_DIR / f"{name}.eml").read_bytes(), own_addresses=OWN)
    assert analysis.automated
    assert is_bounce(e.name for e in analysis.evidence if e.stage == "guard") is bounce
