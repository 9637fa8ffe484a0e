"""Lines a mail client wrapped mid-sentence are rejoined; lists, tables, address blocks are not."""

from __future__ import annotations

import pytest

from mailbot.read.softwraps import join_soft_wraps

LONG = "Nous vous informons que notre service comptable change d'adresse et que les factures"  # > 60

CASES = [
    ("a cue at the end of a line", "Le nouveau numéro s'applique à compter du\n1er janvier 2027.", True),
    ("English cue", "The new order number applies from\n1 January 2027.", True),
    ("a long line cut mid-sentence", f"{LONG}\ndevront être envoyées à notre siège.", True),
    ("a sentence that ends", "Merci de noter ce changement.\nCordialement", False),
    ("a label then its block", "Nouvelle adresse :\n12 rue des Lilas", False),
    ("an address block", "12 rue des Lilas\n35000 Rennes", False),
    ("list items", "Voici nos machines :\n- 3Y0612300\n- 3Y0612301", False),
    # an item's own text goes on, indented under it, in lower case
    ("a list item wrapped under itself", "- Arizona 1380 GT, serial ARZ-1380-0415 (this one is not network-connected\n"
     "  and will be decommissioned, so please leave it out)", True),
    ("a list item, then a line of its own", "- Arizona 1380 GT, serial ARZ-1380-0415 (this one is not connected)\n"
     "merci de laisser celui-ci de côté", False),
    ("a list item, then a short one's note", "- PlotWave 450\n  au 2e étage", False),
    ("table rows", "Série | Noir\n3Y0612300 | 18 452", False),
    ("a greeting after", f"{LONG}\nCordialement,", False),
    ("a short line", "Bonjour Marie\nvoici le numéro", False),
    # a long line cut after a comma, the sentence going on in lower case; an address's comma before its postcode,
    # or a short line's, ends nothing
    ("a long line cut after a comma", "Le 4e traceur (S/N 3Y0498870, agence de Morlaix) part au rebut en fin d'année,"
     "\ninutile de le paramétrer.", True),
    ("an address line's comma", "Atelier Lefort, Immeuble Le Quadrille, 41 quai Rambaud, bâtiment B, 2e étage,\n"
     "69002 Lyon", False),
    ("a short line's comma", "Bonjour Marie,\nvoici le numéro", False),
]


@pytest.mark.parametrize("what, text, joined", CASES, ids=[c[0] for c in CASES])
def test_soft_wraps(what, text, joined):
    out = join_soft_wraps(text)
    assert len(out) == len(text), "offsets are kept"
    assert (out.count("\n") < text.count("\n")) == joined, out


def test_only_the_soft_break_changes():
    text = f"Bonjour,\n\n{LONG}\nseront envoyées à compter du\n1er mars.\n\nCordialement"
    out = join_soft_wraps(text)
    assert out == text.replace("factures\nseront", "factures seront").replace("du\n1er", "du 1er")
