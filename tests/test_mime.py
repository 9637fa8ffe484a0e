"""Parsing absorbs every oddity of real mail and never raises."""

from datetime import datetime, timedelta, timezone

import pytest

from mailbot.read.mime import decode_header_value, parse

PLAIN_QP = (
    b"From: =?utf-8?q?Herv=C3=A9_Goasdou=C3=A9?= <h.goasdoue@example.fr>\r\n"
    b"To: contrats@example.com, \"Dupont, Marie\" <m.dupont@example.fr>\r\n"
    b"Cc: compta@example.fr\r\n"
    b"Reply-To: factures@example.fr\r\n"
    b"Subject: =?utf-8?q?R=C3=A9siliation_du?= contrat\r\n"
    b"Date: Mon, 01 Mar 2027 11:20:00 +0100\r\n"
    b"Message-ID: <abc@example.fr>\r\n"
    b"In-Reply-To: <q1@example.com>\r\n"
    b"References: <q0@example.com>\r\n <q1@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"N=C2=B0 de s=C3=A9rie : 18=C2=A0732\r\n"
)


def test_plain_quoted_printable_message():
    mail = parse(PLAIN_QP)
    assert mail.from_name == "Hervé Goasdoué"
    assert mail.from_addr == "h.goasdoue@example.fr"
    assert mail.to == ["contrats@example.com", "m.dupont@example.fr"]
    assert mail.cc == ["compta@example.fr"]
    assert mail.reply_to == "factures@example.fr"
    assert mail.subject == "Résiliation du contrat"
    assert mail.date == datetime(2027, 3, 1, 11, 20, tzinfo=timezone(timedelta(hours=1)))
    assert mail.message_id == "<abc@example.fr>"
    assert mail.in_reply_to == "<q1@example.com>"
    assert mail.references == ["<q0@example.com>", "<q1@example.com>"]
    assert mail.text.strip() == "N° de série : 18 732"  # no-break space normalised
    assert mail.attachments == []
    assert ("Subject", "Résiliation du contrat") in mail.headers


def _simple(charset: bytes, body: bytes, extra: bytes = b"") -> bytes:
    return (
        b"From: a@example.fr\r\nSubject: test\r\n" + extra
        + b"Content-Type: text/plain; charset=" + charset + b"\r\n\r\n" + body
    )


CP1252_AS_UTF8 = "charset utf-8 declared but bytes are not utf-8: read as cp1252"

BODY_CHARSETS = [
    # (id, charset parameter or None, body bytes, text read, defect recorded or None)
    ("utf-8", b"utf-8", "déjà".encode("utf-8"), "déjà", None),
    ("cp1252", b"windows-1252", "Reçu".encode("cp1252"), "Reçu", None),
    ("latin-1 label on cp1252 text", b"iso-8859-1", "Montant : 12 € – échéance".encode("cp1252"),
     "Montant : 12 € – échéance", None),
    ("latin-1 label, cp1252 quotes", b"ISO-8859-1", b"l\x92adresse \x93nouvelle\x94 \x85",
     "l’adresse “nouvelle” …", None),
    ("latin-1 label, byte cp1252 leaves undefined", b"latin1", b"a\x81b", "a\x81b", None),
    ("cp1252 bytes labelled utf-8", b"utf-8", b"caf\xe9 mal \xe9tiquet\xe9", "café mal étiqueté", CP1252_AS_UTF8),
    ("cp1252 punctuation labelled utf-8", b"UTF-8", b"\x93A compter du 1er janvier\x94 \x96 l\x92ancien",
     "“A compter du 1er janvier” – l’ancien", CP1252_AS_UTF8),
    ("utf-8 and one stray cp1252 byte", b"utf-8", "Déjà ".encode() + b"l\x92ancien", "Déjà l’ancien",
     CP1252_AS_UTF8),
    ("cp1252 bytes labelled us-ascii", b"us-ascii", b"R\xe9siliation", "Résiliation",
     "charset us-ascii declared but bytes are not utf-8: read as cp1252"),
    ("cp1252 bytes without charset", None, b"R\xe9siliation", "Résiliation",
     "no charset declared but bytes are not utf-8: read as cp1252"),
    ("utf-8 without charset", None, "Résiliation".encode(), "Résiliation", None),
    ("unknown charset, utf-8 bytes", b"x-unknown-charset", "prévu".encode("utf-8"), "prévu",
     "unknown charset 'x-unknown-charset'"),
    ("charset that is not a text encoding", b"base64", "prévu".encode(), "prévu", "unknown charset 'base64'"),
    ("unknown charset, cp1252 bytes", b"x-unknown-charset", "prévu".encode("cp1252"), "prévu",
     "unknown charset 'x-unknown-charset'; charset x-unknown-charset declared but bytes are not utf-8: read as cp1252"),
]


@pytest.mark.parametrize("charset, body, expected, defect", [c[1:] for c in BODY_CHARSETS],
                         ids=[c[0] for c in BODY_CHARSETS])
def test_body_charsets(charset, body, expected, defect):
    content_type = b"text/plain" + (b"; charset=" + charset if charset else b"")
    mail = parse(b"From: a@example.fr\r\nSubject: test\r\nContent-Type: " + content_type + b"\r\n\r\n" + body)
    assert mail.text.strip() == expected
    assert "\ufffd" not in mail.text
    assert "; ".join(d for d in mail.defects if "charset" in d) == (defect or "")


def test_cp1252_labelled_utf8_in_quoted_printable_html():
    raw = (b"From: a@example.fr\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>Date d=92effet : 1er f=E9vrier</p>")
    mail = parse(raw)
    assert mail.text.strip() == "Date d’effet : 1er février"
    assert CP1252_AS_UTF8 in mail.defects


def test_unknown_charset_is_a_defect_not_an_error():
    mail = parse(_simple(b"x-unknown-charset", b"ok"))
    assert any("unknown charset" in d for d in mail.defects)


def test_html_only_body_becomes_text():
    raw = (
        b"From: a@example.fr\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{}</style></head><body><p>Bonjour</p><table><tr><td>PW345-0061287</td>"
        b"<td>18&nbsp;732</td></tr></table></body></html>"
    )
    mail = parse(raw)
    assert mail.text_from_html
    assert mail.text.strip() == "Bonjour\n\nPW345-0061287 | 18 732"


def test_plain_preferred_over_html_and_attachments_listed():
    raw = (
        b"From: a@example.fr\r\nSubject: K-bis\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b'--M\r\nContent-Type: multipart/alternative; boundary="A"\r\n\r\n'
        b"--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTexte brut\r\n"
        b"--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Texte HTML</p>\r\n--A--\r\n"
        b"--M\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''Extrait%20K-bis%20soci%C3%A9t%C3%A9.pdf\r\n\r\n"
        b"JVBERi0xLjQK\r\n"
        b"--M\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y\r\nSubject: old\r\n\r\nAncien corps\r\n"
        b"--M--\r\n"
    )
    mail = parse(raw)
    assert mail.text.strip() == "Texte brut"
    assert mail.attachments[0] == {
        "filename": "Extrait K-bis société.pdf", "content_type": "application/pdf", "size": 9
    }
    assert mail.attachments[1]["content_type"] == "message/rfc822"
    assert "Ancien corps" not in mail.text


def _alternative(plain: bytes, html: bytes) -> bytes:
    return (b"From: a@example.fr\r\nSubject: Releves\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/alternative; boundary="A"\r\n\r\n'
            b"--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + plain + b"\r\n"
            b"--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + b"\r\n--A--\r\n")


TABLE = (b"<p>Bonjour,</p><p>Suite \xc3\xa0 votre demande, voici nos relev\xc3\xa9s :</p><table><tr><th>S\xc3\xa9rie</th>"
         b"<th>Noir</th><th>Couleur</th></tr><tr><td>JWE10234</td><td>1 254 877</td><td>842 311</td></tr>"
         b"<tr><td>QKM03390</td><td>310 402</td><td>95 117</td></tr></table><p>Cordialement,<br>Atelier PAO</p>")


@pytest.mark.parametrize("plain, from_html", [
    (b"Bonjour,\r\nci-dessous nos relev\xc3\xa9s.\r\nCordialement", True),  # a stub: the table is only in the HTML
    # the same words as the HTML, as a mail client writes its plain alternative: the plain text is read
    (b"Bonjour,\r\n\r\nSuite \xc3\xa0 votre demande, voici nos relev\xc3\xa9s :\r\n\r\nS\xc3\xa9rie | Noir | Couleur\r\n"
     b"JWE10234 | 1 254 877 | 842 311\r\nQKM03390 | 310 402 | 95 117\r\n\r\nCordialement,\r\nAtelier PAO", False),
    # a short plain text that holds every number: kept, though the HTML says more around them
    (b"JWE10234 1 254 877 842 311 QKM03390 310 402 95 117", False),
])
def test_a_plain_stub_of_its_html_alternative_gives_way_to_the_html(plain, from_html):
    mail = parse(_alternative(plain, TABLE))
    assert mail.text_from_html is from_html
    assert "1 254 877" in mail.text


def test_delivery_report_type():
    raw = (
        b"From: MAILER-DAEMON@example.com\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; x@example.fr\r\nAction: failed\r\n\r\n--R--\r\n"
    )
    mail = parse(raw)
    assert (mail.content_type, mail.report_type) == ("multipart/report", "delivery-status")
    assert mail.text.strip() == "Not delivered."


@pytest.mark.parametrize(
    "date_header, expected",
    [
        (b"Date: Tue, 1 Dec 2026 10:05:00 +0100\r\n", datetime(2026, 12, 1, 9, 5, tzinfo=timezone.utc)),
        (b"Date: Tue, 1 Dec 2026 10:05:00 -0000\r\n", datetime(2026, 12, 1, 10, 5, tzinfo=timezone.utc)),
        (b"Date: demain matin\r\n", None),
        (b"Date: Tue, 1 Dec 1970 10:05:00 +0000\r\n", None),
        (b"", None),
    ],
    ids=["with zone", "unknown zone is UTC", "garbage", "absurd year", "absent"],
)
def test_dates(date_header, expected):
    mail = parse(_simple(b"utf-8", b"x", date_header))
    assert mail.date == expected
    assert mail.date is None or mail.date.tzinfo is not None


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage without headers",
        b"Subject: =?utf-8?q?broken_=ZZ?= =?unknown?b?AAAA?=\r\n\r\nbody",
        b"From: <<<>>>@@@\r\nTo: ,,,;\r\nSubject: \xe9t\xe9 \xff\r\n\r\nbody",
        b"Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\n--other\r\nno end",
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64",
    ],
    ids=["empty", "binary", "broken encoded words", "8-bit headers", "missing boundary", "bad base64"],
)
def test_never_raises(raw):
    mail = parse(raw)
    assert isinstance(mail.text, str)
    assert isinstance(mail.subject, str)


def test_raw_8bit_header_decoded_as_utf8_or_cp1252():
    assert parse("Subject: Résiliation\r\n\r\nx".encode("utf-8")).subject == "Résiliation"
    assert parse("Subject: Résiliation\r\n\r\nx".encode("cp1252")).subject == "Résiliation"


def test_decode_header_value_is_safe():
    assert decode_header_value("=?utf-8?q?caf=C3=A9?=") == "café"
    assert decode_header_value("=?nonsense?x?zz?=") == "=?nonsense?x?zz?="


@pytest.mark.parametrize("disposition, expected", [
    (b'attachment; filename="=?utf-8?q?Bon_de_commande_n=C2=B0_2027.pdf?="', "Bon de commande n° 2027.pdf"),
    (b"attachment; filename*=iso-8859-1''r%E9siliation.pdf", "résiliation.pdf"),
    (b'attachment;\r\n filename="relev\xc3\xa9s.xlsx"', "relevés.xlsx"),
    (b"attachment", ""),
])
def test_attachment_names_however_encoded(disposition, expected):
    """The parser keeps headers raw (policy.compat32, for speed): names are decoded by mime itself."""
    raw = (b'From: a@example.fr\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
           b"--M\r\nContent-Type: text/plain\r\n\r\nci-joint\r\n"
           b"--M\r\nContent-Type: application/octet-stream\r\nContent-Disposition: " + disposition +
           b"\r\n\r\nabc\r\n--M--\r\n")
    assert [a["filename"] for a in parse(raw).attachments] == [expected]


NO_ID = (b"From: a@client.fr\r\nTo: contrats@cf.canon.fr\r\nSubject: Nouveau bon\r\n"
         b"Date: Mon, 4 Jan 2027 10:00:00 +0100\r\n\r\nNotre BC 4500123456.\r\n")


@pytest.mark.parametrize("other, same", [
    (b"Return-Path: <a@client.fr>\r\nReceived: from mx by imap; Mon, 4 Jan 2027\r\n" + NO_ID, True),
    (NO_ID.replace(b"\r\n", b"\n"), True),  # stored with other line ends
    (NO_ID.replace(b"Subject: Nouveau bon", b"Subject: Nouveau\r\n bon"), True),  # folded otherwise
    (NO_ID.replace(b"4500123456", b"4500123457"), False),
    (NO_ID.replace(b"10:00:00", b"10:00:01"), False),
    (b"", False),
    (bytes(range(256)) * 20, False),  # garbage with no header block is its bytes, not an empty message
])
def test_fingerprint_names_a_message_by_what_its_author_wrote(other, same):
    from mailbot.read.mime import fingerprint

    assert (fingerprint(other) == fingerprint(NO_ID)) is same


@pytest.mark.parametrize("head, expected", [
    (b"From: a@x.fr\r\nMessage-ID: <1.2@x.fr>\r\n\r\nbody", "<1.2@x.fr>"),
    (b"From: a@x.fr\r\nMessage-ID:\r\n <179647518315.326.12778679807864083952.po_change@valmont-print.fr>\r\n\r\nb",
     "<179647518315.326.12778679807864083952.po_change@valmont-print.fr>"),  # folded past 78 characters
    (b"From: a@x.fr\r\n\r\nMessage-ID: <in.the@body>", None),
])
def test_the_message_id_of_raw_bytes_even_folded(head, expected):
    from mailbot.read.mime import message_id_of

    assert message_id_of(head) == expected
