"""Plain addresses, folding, public providers, look-alike domains; what a reply may repeat (redact)."""

from __future__ import annotations

import pytest

from mailbot.read.addresses import aligned, fold, from_header, imitates, is_free_mail, plain
from mailbot.compose.redact import mask_ibans, shown_name, shown_subject

PLAIN = [
    ("t.gaudemard@gaudemard-tp.fr", "t.gaudemard@gaudemard-tp.fr"),
    ("Jean.Dupont@Acme.FR", "Jean.Dupont@acme.fr"),
    ("a.b-c+d@x.fr", "a.b-c+d@x.fr"),
    ("josé.garcía@exemple.fr", "josé.garcía@exemple.fr"),
    ("a@münchen.de", "a@xn--mnchen-3ya.de"),  # the domain as DNS knows it: one spelling for the limits
    ("victim@ＴＨＩＲＤＰＡＲＴＹ.example", "victim@thirdparty.example"),
    ("victim@thirdparty。example", "victim@thirdparty.example"),
    ('"spy@evil.example?subject="@gaudemard-tp.fr', None),
    ("=?utf-8?q?victim=40thirdparty.example?=", None),
    ("a..b@x.fr", None),
    (".a@x.fr", None),
    ("a@b", None),
    ("a@-x.fr", None),
    ("a b@x.fr", None),
    ("x\u202e@a.fr", None),
    ("a@x.123", None),
    ("a" * 65 + "@x.fr", None),
    ("", None),
]


@pytest.mark.parametrize("address, expected", PLAIN)
def test_plain(address, expected):
    assert plain(address) == expected


HEADERS = [
    (["Jean <jean@x.fr>"], "jean@x.fr", ""),
    (["jean@x.fr"], "jean@x.fr", ""),
    (['"URGENT: pay at https://x" <attacker@evil.example>'], "attacker@evil.example", ""),
    (["=?utf-8?q?victim=40thirdparty.example?="], None, "encoded word"),
    (['"spy@evil.example?subject="@gaudemard-tp.fr'], None, "not a plain"),
    (["victim(comment)@x.example"], None, "not written as is"),
    (["jean@x.fr (Jean)"], None, "not written as is"),
    (["a@x.fr, b@y.fr"], None, "2 addresses"),
    (["a@x.fr", "b@y.fr"], None, "more than once"),
    (["<\x0b@@\x0bt.gaudemard@gaudemard-tp.fr<attacker@evil.example>"], None, "control"),
    (["Jean\u2028 <jean@x.fr>"], None, "control"),
    ([], None, "absent"),
]


@pytest.mark.parametrize("values, address, why", HEADERS)
def test_from_header(values, address, why):
    _, found, problem = from_header(values)
    assert found == address
    assert why in problem


def test_fold_counts_plus_addressing_case_and_unicode_forms_as_one():
    assert {fold(a) for a in ("victim+1@X.example", "Victim+2@x.example", "victim@x.example",
                              "ｖｉｃｔｉｍ@x.example", "victim@Ｘ.example")} == {"victim@x.example"}


@pytest.mark.parametrize("a, b, same", [("acme.fr", "acme.fr", True), ("mail.acme.fr", "acme.fr", True),
                                        ("acme.fr", "fr", False), ("acme.fr", "notacme.fr", False)])
def test_aligned(a, b, same):
    assert aligned(a, b) is same


@pytest.mark.parametrize("domain, free", [("gmail.com", True), ("orange.fr", True), ("smtp.orange.fr", True),
                                          ("hotmail.be", True), ("outlook.de", True), ("gmx.ch", True),
                                          ("yahoo.co.uk", True), ("t-online.de", True), ("bluewin.ch", True),
                                          ("gaudemard-tp.fr", False), ("live-events.fr", False)])
def test_public_providers(domain, free):
    assert is_free_mail(domain) is free


@pytest.mark.parametrize("domain, model", [
    ("gaudemard-tp-compta.fr", "gaudemard-tp.fr"), ("gaudemard-tp.com", "gaudemard-tp.fr"),
    ("gaudemard-pt.fr", None), ("gaudemard-tq.fr", "gaudemard-tp.fr"), ("gaudernard-tp.fr", "gaudemard-tp.fr"),
    ("compta.gaudemard-tp.fr", None), ("gaudemard-tp.fr", None), ("autre.fr", None),
])
def test_look_alike_domains_are_named(domain, model):
    assert imitates(domain, ["gaudemard-tp.fr"]) == model


IBANS = [
    ("FR76 3000 6000 0112 3456 7890 189", "FR76 ****"),
    ("FR76-3000-6000-0112-3456-7890-189", "FR76 ****"),
    ("FR76.3000.6000.0112.3456.7890.189", "FR76 ****"),
    ("RIB FR 76 3000 6000 0112 3456 7890 189", "RIB FR76 ****"),
    ("FR76/3000/6000/0112/3456/7890/189", "FR76 ****"),
    ("FR76–3000–6000–0112–3456–7890–189", "FR76 ****"),
    ("ＦＲ７６３０００６００００１１２３４５６７８９０１８９", "FR76 ****"),
    ("fr7630006000011234567890189", "fr76 ****"),
    ("IBAN FR76 30006 00001 12345 67890 189 merci", "IBAN FR76 **** merci"),
    ("FR76\u00a03000\u00a06000\u00a00112\u00a03456\u00a07890\u00a0189", "FR76 ****"),
    ("FR76 3000 6000 0112 3456 7890 188 (une faute)", "FR76 **** (une faute)"),
    ("GB82WEST12345698765432", "GB82 ****"),
    ("PW345-0070011 et PW345-0070012", "PW345-0070011 et PW345-0070012"),
    ("CT-2025-07350", "CT-2025-07350"),
    ("Tél. 01 23 45 67 89", "Tél. 01 23 45 67 89"),
]


@pytest.mark.parametrize("text, masked", IBANS)
def test_ibans_are_masked_however_written(text, masked):
    assert mask_ibans(text) == masked


@pytest.mark.parametrize("subject, shown", [
    ("URGENT: Canon payment portal moved, pay at https://canon-pay.example/x now",
     "URGENT: Canon payment portal moved, pay at now"),
    ("voir www.evil.example et evil.example/pay", "voir et"),
    ("écrire à support@canon-help.example", "écrire à"),
    ("compta cañon-pay.com/iban", "compta"),
    ("voir canon-payments。example/portal", "voir"),
    ("voir ｃａｎｏｎ-pay.ｃｏｍ", "voir"),
    ("voir 203.0.113.7/portal", "voir"),
    ("voir evil\u200b.com/pay", "voir"),
    ("Contrat CT-2025.07350", "Contrat CT-2025.07350"),
    ("Changement de P.O. 2027", "Changement de P.O. 2027"),
    ("x" * 200, "x" * 99 + "…"),
])
def test_a_subject_is_repeated_short_and_without_links(subject, shown):
    assert shown_subject(subject) == shown


def test_a_name_is_repeated_short_and_without_links():
    assert shown_name("Thierry Gaudemard https://evil.example/ " + "x" * 3000).startswith("Thierry Gaudemard xxx")
    assert len(shown_name("a" * 3000)) == 60
