"""Effective dates are found, resolved against the message date, and told apart from other dates."""

from datetime import date

import pytest

from mailbot.dates import effective_date, find_dates

REF = date(2026, 11, 20)

EFFECTIVE = [
    # (text, expected ISO date or None)
    ("À compter du 1er janvier 2027, merci d'utiliser le nouveau numéro.", "2027-01-01"),
    ("Le changement s'applique au 01/02/27.", "2027-02-01"),
    ("à compter de mars 2027 les factures iront à la nouvelle entité", "2027-03-01"),
    ("Ce changement vaut dès le mois prochain.", "2026-12-01"),
    ("Le transfert aura lieu à la fin du mois.", "2026-11-30"),
    ("La résiliation prendra effet fin juin.", "2027-06-30"),
    ("Le nouveau bon de commande s'applique au 1er trimestre 2027.", "2027-01-01"),
    ("à partir du 1er avril, envoyez les factures par e-mail", "2027-04-01"),
    ("à partir du 25 novembre", "2026-11-25"),
    ("à partir du 15/01", "2027-01-15"),
    ("Les factures seront émises à partir du 1er février 2027.", "2027-02-01"),
    ("Nous déménageons le 15 mars 2027.", "2027-03-15"),
    ("date du déménagement : lundi 6 juillet", "2027-07-06"),
    ("Nous souhaitons résilier le contrat à son échéance, le 30 juin 2027.", "2027-06-30"),
    ("Notre société cesse son activité au 31 décembre.", "2026-12-31"),
    ("début avril 2027, la nouvelle entité reprend le contrat", "2027-04-01"),
    ("from 1 January 2027 please use the new PO", "2027-01-01"),
    ("effective January 1st, 2027", "2027-01-01"),
    ("as of March 2027 invoices go to the new company", "2027-03-01"),
    ("starting Q2 2027", "2027-04-01"),
    ("Il s'applique dès la première facture de l'année, soit au 1er janvier.", "2027-01-01"),
    # dates that are not effective dates
    ("L'ancien numéro ne doit plus être utilisé après le 31/12/2026.", None),
    ("L'adresse actuelle reste valable jusqu'au 28 février.", None),
    ("Je suis absente du 21 décembre 2026 au 4 janvier 2027 inclus.", None),
    ("Je serai de retour le lundi 4 janvier 2027.", None),
    ("Vous trouverez ci-joint l'extrait K-bis daté du 22 février 2027.", None),
    ("facture n° 9126003982 du 02/02/2027 – 1 284,60 € TTC", None),
    ("Merci de valider le devis avant fin juin.", None),
    ("Nos bureaux s'installent à Nantes courant mai.", None),
    ("Pouvez-vous dorénavant envoyer les factures par e-mail ?", None),
    ("Nous avons reçu deux factures pour la même période (janvier 2027).", None),
    ("réglée par virement le 10/02", None),
    ("Réf. RC/2026/11/0932 et contrat CT-2025-04417", None),
    ("Les factures du 12/11   au 20/11 sont payées ; le transfert aura lieu le 1er février.", "2027-02-01"),
]


@pytest.mark.parametrize("text, expected", EFFECTIVE, ids=[t[:45] for t, _ in EFFECTIVE])
def test_effective_date(text, expected):
    hit = effective_date(text, REF)
    assert (hit.iso if hit else None) == expected


def test_the_trigger_date_wins_over_an_end_date():
    text = (
        "Merci de faire figurer sur les factures émises à partir du 1er janvier 2027 le nouveau numéro. "
        "L'ancien ne doit plus être utilisé après le 31/12/2026."
    )
    hit = effective_date(text, REF)
    assert hit.iso == "2027-01-01"
    assert hit.text == "1er janvier 2027"
    assert text[hit.start : hit.end].strip() == hit.text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("le 3 févr. 2025", "2025-02-03"),
        ("le 15 mars", "2027-03-15"),
        ("January 1st, 2027", "2027-01-01"),
        ("Tue, Mar 3, 2027", "2027-03-03"),  # "mar" is March here, not mardi
        ("mar. 1 déc. 2026", "2026-12-01"),
        ("2027-04-01", "2027-04-01"),
        ("01.02.2027", "2027-02-01"),
        ("l'année prochaine", "2027-01-01"),
        ("fin d'année", "2026-12-31"),
    ],
)
def test_parsing_without_regard_to_effectiveness(text, expected):
    assert [h.iso for h in find_dates(text, REF)] == [expected]


def test_without_reference_only_full_dates_resolve():
    assert effective_date("à compter du 1er avril", None) is None
    assert effective_date("à compter du 1er avril 2027", None).iso == "2027-04-01"


@pytest.mark.parametrize("text", ["le 31 février 2027", "au 45/13/2027", "à compter du 0 mars 2027"])
def test_impossible_dates_are_skipped(text):
    assert effective_date(text, REF) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        # the date of a reading is not an effective date
        ("Voici les index demandés, relevés le 27/11/2026 :", None),
        ("index au 30/11 : 45 012 pages", None),
        ("Compteurs arrêtés au 30/11/2026.", None),
        ("Meter readings taken on 27 November 2026: 12 400", None),
        # … but a date that starts the automatic reads is one
        ("À partir du 1er janvier 2027, les compteurs seront relevés automatiquement.", "2027-01-01"),
        ("Merci d'activer l'envoi automatique des compteurs au 1er janvier 2027.", "2027-01-01"),
    ],
)
def test_reading_dates_are_not_effective_dates(text, expected):
    hit = effective_date(text, REF)
    assert (hit.iso if hit else None) == expected
