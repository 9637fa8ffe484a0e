"""HTML bodies become lines the quote splitter and the extractors can read."""

import pytest

from mailbot.read.htmltext import fold, html_to_text, normalize_spaces

CASES = [
    # (what, html, expected text)
    ("br breaks lines", "Bonjour,<br>ligne deux<br/>ligne trois", "Bonjour,\nligne deux\nligne trois"),
    ("a paragraph ends with a blank line, a div is a line", "<p>Un</p><p>Deux</p><div>Trois</div>",
     "Un\n\nDeux\n\nTrois"),
    ("Outlook's paragraphs with no margin are lines", "<p class=MsoNormal>Un</p><p class=MsoNormal>Deux</p>",
     "Un\nDeux"),
    ("a paragraph styled with no margin is a line", '<p style="margin:0">Un</p><p style="margin: 0px;">Deux</p>',
     "Un\nDeux"),
    ("a rule ends a paragraph", "Merci<hr>Clinique – 1 avenue du Port – 34200 Sète", "Merci\n\nClinique – 1 avenue du "
     "Port – 34200 Sète"),
    ("empty Outlook paragraph is a blank line", "<p>Un</p><p>&nbsp;</p><p>Deux</p>", "Un\n\nDeux"),
    ("table row on one line", "<table><tr><td>N° client</td><td><p>458812</p></td><td>Lyon 3e</td></tr>"
     "<tr><td>a</td><td>b</td></tr></table>", "N° client | 458812 | Lyon 3e\na | b"),
    ("list items", "<ul><li>PW345-0061287</li><li>CW3800-0006109</li></ul>", "- PW345-0061287\n- CW3800-0006109"),
    ("style, script, head and title dropped",
     "<html><head><title>T</title><style>p {color:red}</style></head><body><script>x=1</script>Texte</body></html>",
     "Texte"),
    ("conditional comment dropped", "<!--[if mso]><p>MSO seulement</p><![endif]-->Visible", "Visible"),
    ("display:none hidden, even with !important",
     '<div style="display:none !important;mso-hide:all">Prévisualisation</div><p>Corps</p>', "Corps"),
    ("hidden attribute", "<span hidden>caché</span>montré", "montré"),
    ("entities decoded", "R&eacute;siliation &amp; reprise &lt;ok&gt; 1<sup>er</sup> janvier",
     "Résiliation & reprise <ok> 1er janvier"),
    ("no-break spaces normalised", "De&nbsp;: 18&#8239;732&#8201;m²", "De : 18 732 m²"),
    ("blockquote is marked as quoted", "<p>Nouveau</p><blockquote><p>Ancien</p><p>texte</p></blockquote>",
     "Nouveau\n\n> Ancien\n> texte"),
    ("a blockquote after an introduction indents", "<p>à l'adresse suivante :</p><blockquote>15 rue X<br>"
     "86073 Poitiers</blockquote><p>Merci</p>", "à l'adresse suivante :\n\n15 rue X\n86073 Poitiers\nMerci"),
    ("…but a cited one after a colon quotes", "<p>Voir :</p><blockquote type=\"cite\">Ancien</blockquote>",
     "Voir :\n\n> Ancien"),
    ("…and one after 'a écrit :' quotes", "<p>Le 3 mars 2027, X a écrit :</p><blockquote>Ancien</blockquote>",
     "Le 3 mars 2027, X a écrit :\n\n> Ancien"),
    ("unclosed tags do not break", "<p>Un<p>Deux<table><tr><td>a<td>b</table>Fin", "Un\nDeux\na | b\nFin"),
    ("whitespace in source collapsed", "<p>Un\n   mot\t et   un autre</p>", "Un mot et un autre"),
    ("pipes at either end of a line go, inner ones stay", "<p>| a | b |</p><p>x|y</p>", "a | b\n\nx|y"),
    ("a tag left open at the end is text", 'Fin <a b="x', 'Fin <a b="x'),
    ("comments left open, then markup", "<p>a</p><!--x><!--x><!--x><p>b</p>", "a\n\n<!--x><!--x><!--x>\nb"),
    ("many tags left open at the end are text", "Fin " + "<a " * 10, "Fin" + " <a" * 10),
]


@pytest.mark.parametrize("what, html, expected", CASES, ids=[c[0] for c in CASES])
def test_html_to_text(what, html, expected):
    assert html_to_text(html).strip() == expected


def test_empty_and_garbage_do_not_raise():
    assert html_to_text("").strip() == ""
    assert isinstance(html_to_text("<<>>< p <b texte </ <!-- jamais fermé"), str)


@pytest.mark.parametrize(
    "raw, expected",
    [("a\u00a0:", "a :"), ("1\u202f000", "1 000"), ("x\u2009y", "x y"), ("z\u200bw", "zw")],
)
def test_normalize_spaces(raw, expected):
    assert normalize_spaces(raw) == expected


def test_fold_keeps_length_and_strips_accents():
    text = "À compter du 1er FÉVRIER, l’échéance"
    folded = fold(text)
    assert folded == "a compter du 1er fevrier, l'echeance"
    assert len(folded) == len(text)
