"""The new part of a message is cut from its history and signature.

Each fixture's new content says NOUVEAU and its quoted content ANCIEN: the new
part must keep NOUVEAU and lose every ANCIEN, header and separator line.
"""

import pytest

from mailbot.read.quotes import points_to_history, request, says_nothing, split, unquote

HISTORY = [
    ("Outlook FR", "De : Service <s@example.com>\nEnvoyé : lundi 3 février 2025 10:00\nÀ : Moi <m@example.fr>\n"
                   "Objet : Relance\n\nANCIEN texte"),
    ("Outlook FR with no-break spaces", "De\u00a0: Service <s@example.com>\nEnvoyé\u00a0: lundi 3 février 2025\n"
                                        "À\u00a0: Moi\nObjet\u00a0: Relance\n\nANCIEN"),
    ("Outlook without space before colon", "De: Service\nDate: 3 févr. 2025\nÀ: Moi\nObjet: Relance\n\nANCIEN"),
    ("Outlook underscores", "________________________________\nDe : Service\nEnvoyé : hier\n\nANCIEN"),
    ("markdown bold header", "**De :** Service\n**Envoyé :** hier\n**Objet :** x\n\nANCIEN"),
    ("bold header with blanks around the stars", "** De ** :  Service\n** Envoyé ** : hier\n\nANCIEN"),
    ("Message d'origine", "-----Message d'origine-----\nDe : Service\nANCIEN"),
    ("Original Message", "-----Original Message-----\nFrom: Service\nANCIEN"),
    ("Gmail FR", "Le lun. 3 févr. 2025 à 10:00, Service <s@example.com> a écrit :\n> ANCIEN"),
    ("Gmail FR wrapped on two lines",
     "Le lun. 3 févr. 2025 à 10:00, Service Contrats\n<s@example.com> a écrit :\n\nANCIEN"),
    ("Gmail FR wrapped on three lines",
     "Le lun. 3 févr. 2025 à 10:00,\nService Contrats\n<s@example.com> a écrit :\nANCIEN"),
    ("narrow no-break space before colon", "Le 3 févr. 2025 à 10:00, Service a écrit\u202f:\nANCIEN"),
    ("Thunderbird FR", "Le 03/02/2025 à 10:00, Jean a écrit :\n> ANCIEN"),
    ("iOS", "Envoyé de mon iPhone\n\n> Le 3 févr. 2025 à 10:00, Service a écrit :\n> ANCIEN"),
    ("quote marks only", "> ANCIEN\n> encore ANCIEN"),
    ("Outlook EN", "From: Service <s@example.com>\nSent: Monday, February 3, 2025 10:00 AM\nTo: Me\n"
                   "Subject: Reminder\n\nANCIEN"),
    ("Gmail EN", "On Mon, Feb 3, 2025 at 10:00 AM Service <s@example.com> wrote:\n> ANCIEN"),
]
FORWARDS = [
    ("Thunderbird forward", "-------- Message transféré --------\nSujet : x\nDe : y\n\nANCIEN"),
    ("Gmail forward FR", "---------- Forwarded message ---------\nDe : y\nDate: lun.\n\nANCIEN"),
    ("Apple forward", "Début du message réexpédié :\n\nDe: y\nObjet: x\n\nANCIEN"),
    ("Gmail forward EN", "---------- Forwarded message ---------\nFrom: y\nDate: Mon\n\nANCIEN"),
]


@pytest.mark.parametrize("what, history", HISTORY + FORWARDS, ids=[c[0] for c in HISTORY + FORWARDS])
def test_history_is_cut(what, history):
    parts = split(f"Bonjour,\n\nNOUVEAU message.\n\n{history}\n")
    assert "NOUVEAU" in parts.new
    assert "ANCIEN" not in parts.new
    assert "ANCIEN" in parts.quoted
    for marker in ("De :", "From:", "a écrit", "wrote:", "-----", "____"):
        assert marker not in parts.new


@pytest.mark.parametrize("what, history", FORWARDS, ids=[c[0] for c in FORWARDS])
def test_forwards_are_flagged(what, history):
    assert split(f"NOUVEAU\n{history}").forwarded


def test_forward_recognised_from_subject():
    parts = split("Pour info.\n\nDe : y\nEnvoyé : hier\nÀ : z\n\nANCIEN", subject="TR: Votre facture")
    assert parts.forwarded
    assert not split("Merci.\n\nDe : y\nEnvoyé : hier\n\nANCIEN", subject="RE: Votre facture").forwarded


SIGNATURES = [
    ("Cordialement", "Cordialement,\nJean Dupont\n12 rue X – 69002 Lyon"),
    ("Bien cordialement", "Bien cordialement\nJean Dupont\nSIRET 412 583 906 00031"),
    ("Bien à vous", "Bien à vous,\nJean"),
    ("dash-dash", "-- \nJean Dupont\nTél. 01 02 03 04 05"),
    ("Veuillez agréer", "Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.\nJean"),
    ("Regards", "Best regards,\nJohn Smith\nAcme Ltd"),
    ("Kind regards", "Kind regards\nJohn"),
    ("closing with blanks around it", "   Cordialement ,\nJean"),
    ("at your disposal", "Reste à votre disposition,\nSecrétariat – Cabinet Lemoine\nOrdre des géomètres n° 04512"),
    ("thanking in advance", "En vous remerciant par avance,\nJean Dupont"),
    ("a first name alone, then the block", "Aurélie\n\nAurélie Guérin\nResponsable services généraux\n02 51 83 40 27"),
    ("name block after the last sentence", "Jean Dupont\nImprimerie Dupont\n69002 Lyon\n04 78 00 00 00"),
    ("Cdt", "Cdt,\nBruno Chevalier\nChevalier Bois Construction – ZA du Bois Joli – 85500 Les Herbiers"),
]


@pytest.mark.parametrize("what, signature", SIGNATURES, ids=[c[0] for c in SIGNATURES])
def test_signature_is_separated(what, signature):
    parts = split(f"Bonjour,\n\nNOUVEAU message.\n\n{signature}")
    assert parts.new.endswith("NOUVEAU message.")
    assert parts.signature.startswith(signature.split("\n")[0].strip())


def test_body_lists_and_addresses_are_kept():
    text = (
        "Bonjour,\n\nMatériels :\n- PW345-0061287\n- CW3800-0006109\n\n"
        "Nouvelle adresse :\nSociété Martin\n3 rue Neuve\n69100 Villeurbanne\n\nCordialement,\nJean"
    )
    parts = split(text)
    assert "- CW3800-0006109" in parts.new
    assert "69100 Villeurbanne" in parts.new  # an address after a colon is content, not a signature
    assert parts.signature.startswith("Cordialement")


def test_a_line_with_a_number_is_no_signature_name():
    parts = split("Bonjour,\n\nLe compteur indique 56 780 m².\n\nContrat CW-2024-1187.\n\nHélène Barbier\nSCP Marrot")
    assert parts.new.endswith("Contrat CW-2024-1187.")
    assert parts.signature.startswith("Hélène Barbier")


def test_closing_word_at_the_start_is_not_a_signature():
    assert split("Merci\nde noter notre nouvelle adresse.").new.startswith("Merci")


def test_unquote_strips_markers():
    assert unquote("> a\n>> b\nc") == "a\nb\nc"


def test_bare_forward_exposes_the_forwarded_request():
    text = (
        "Pour traitement.\n\n---------- Forwarded message ---------\nDe : Marie <m@example.fr>\n"
        "Date: lun. 3 févr. 2025\nSubject: Résiliation\nTo: Jean\n\n"
        "Bonjour,\nNous souhaitons résilier le contrat.\n\nCordialement,\nMarie\n75001 Paris"
    )
    inner = request(split(text))
    assert inner.new == "Pour traitement.\n\nBonjour,\nNous souhaitons résilier le contrat."
    assert inner.signature.startswith("Cordialement")


def test_a_thunderbird_forwards_sujet_line_is_a_header():
    """"Sujet :" heads a forwarded message as "Objet :" does: the request below it is read, not the header lines."""
    text = ("Je vous transfère la demande de notre DAF ci-dessous.\n\n-------- Message transféré --------\n"
            "Sujet : Canon - factures + BDC 2027\nDate : Fri, 27 Nov 2026 18:02:33 +0100\nDe : Olivier <o@x.fr>\n"
            "Pour : Sabrina <s@x.fr>\n\nSabrina,\n\nPeux-tu demander à Canon d'envoyer les factures à factures@x.fr ?\n\n"
            "Merci,\nOlivier")
    inner = request(split(text))
    assert "Peux-tu demander à Canon" in inner.new and "Sujet" not in inner.new


def test_a_bare_forward_keeps_the_signature_of_who_passes_it_on():
    """Both sign for the customer: the forwarder's "N° client Canon" is the customer's number."""
    text = ("Bonjour,\n\nJe vous transfère les relevés de notre site de Tours.\n\nCordialement,\nService comptabilité\n"
            "N° client Canon : 40028817\n\n---------- Forwarded message ---------\nDe : Hugo <h@example.fr>\n"
            "Date: jeu. 1 oct. 2026\nSubject: relevés\nTo: Compta\n\nSalut,\nen PJ le fichier pour Canon.\n\nHugo")
    inner = request(split(text))
    assert "40028817" in inner.signature and inner.signature.startswith("Hugo")  # the customer's own first


def test_a_reply_pointing_below_keeps_its_own_words_first():
    """The customer's own lines are read before the history they point to, never dropped."""
    text = ("Bonjour,\n\nVoir mes réponses directement dans votre message ci-dessous (précédées de -->), "
            "et notre n° client 612 004 87.\n\nNadia\n\n"
            "De : Contrats Service <contrats@cf.canon.fr>\nEnvoyé : mardi 5 janvier 2027 09:40\nObjet : adresse\n\n"
            "Merci de nous préciser :\n- la date de prise d'effet :\n--> au 1er février")
    inner = request(split(text))
    assert inner.new.startswith("Bonjour,\n\nVoir mes réponses") and inner.new.endswith("--> au 1er février")


def test_details_below_with_no_history_are_the_new_text():
    parts = split("Hi,\n\nWe would like to stop paper invoices. Details below:\n\n- Contract: CTR-88-2041\n")
    assert request(parts) is parts


def test_forward_with_own_request_stays_as_written():
    text = (
        "Bonjour, nous avons reçu ce message ci-dessous qui nous paraît suspect, pouvez-vous "
        "nous confirmer vos coordonnées bancaires ?\n\n-------- Message transféré --------\nANCIEN"
    )
    parts = split(text)
    assert request(parts) is parts


@pytest.mark.parametrize("new", ["Réponses dans votre message ci-dessous.", "mes réponses dans le texte",
                                 "See my answers inline below.", "Mes réponses sous vos questions."])
def test_a_short_reply_answering_inside_the_history_exposes_it(new):
    """"Réponses dans le texte": the answers are in the quoted request, which is read as the request."""
    text = (f"Bonjour,\n\n{new}\n\nHervé\n\n"
            "Le lun. 29 mars 2027 à 10:05, Julien Ferrand <julien.ferrand@cf.canon.fr> a écrit :\n"
            "Bonjour,\n\nPour établir le devis, j'ai besoin de :\n- numéro de série du matériel :\nCW36-108221\n\n"
            "Cordialement,\nJulien")
    inner = request(split(text))
    assert "CW36-108221" in inner.new and "a écrit" not in inner.new


@pytest.mark.parametrize("new, points", [
    ("Les autres informations restent celles indiquées ci-dessous.", True),
    ("Voir ci-dessous :", True),  # nothing under it in the new text: the history
    ("Voir ci-dessous :\n\nCordialement,\nHervé", True),
    ("Réponses dans votre message ci-dessous.", True),
    # a list of values right under the line that introduces it is the customer's own
    ("Ci-dessous nos compteurs au 28/12 :\n\nPlotWave 345 – n° 3450-552901\n   cpt N&B : 1 024 553", False),
    ("Please find our readings below:\nBlack: 412,908", False),
    ("Ci-dessous, nos compteurs au 28/12 :\n\nPlotWave 345 – cpt N&B : 1 024 553", False),
    ("Pour la période indiquée dans votre message ci-dessous, notre bon de commande est le :\n27-88415", True),
    ("Voici le nouveau bon de commande pour la période indiquée ci-dessous :\nBC-26-8120", True),
    ("Hi Claire,\n\nAs requested below:\n\nBlack 45 310\nColour 12 004", True),  # what our request below asks
    # the customer's own earlier message, quoted below ours
    ("Pour le reste, les informations de mon premier message restent valables.", True),
    ("Everything else is as in my original request.", True),
    ("Tout le reste est dans ma première demande.", True),
    ("Le numéro de contrat est bien celui de votre message.", True),
    ("Nous avons lu celui de votre collègue.", False),
    ("Le numéro de contrat n'est pas celui de votre message : il s'agit du 2021-PW-0417.", False),
    ("C'est mon premier contrat avec vous.", False),
    ("Ceci est mon premier message à votre service, merci de m'indiquer à qui l'adresser.", False),
])
def test_the_new_text_points_to_the_history(new, points):
    assert points_to_history(new) is points


_OUR_QUESTION = ("De : Claire Bonnafous <claire.bonnafous@cf.canon.fr>\nEnvoyé : jeudi 14 janvier 2027 11:05\n"
                 "À : Stéphane Vasseur <s.vasseur@imprimerie-vasseur.fr>\nCc : contrats.service.wfps@cf.canon.fr\n"
                 "Objet : RE: Déménagement de notre presse\n\nBonjour Monsieur Vasseur,\n\nPouvez-vous nous indiquer le "
                 "numéro de série de la presse à déménager ?\n\nBien cordialement,\nClaire Bonnafous\n\n")
_THEIR_REQUEST = ("De : Stéphane Vasseur <s.vasseur@imprimerie-vasseur.fr>\nEnvoyé : mardi 12 janvier 2027 09:41\n"
                  "À : Claire Bonnafous <claire.bonnafous@cf.canon.fr>\nObjet : Déménagement de notre presse\n\n"
                  "Bonjour Claire,\n\nNotre presse (contrat 21-0877) devra être transférée à partir du 15 février à "
                  "l'adresse suivante :\n\nParc de la Vatine – 27 rue Raymond Aron\n76130 Mont-Saint-Aignan\n\n"
                  "Stéphane Vasseur")


@pytest.mark.parametrize("new, reads_theirs", [
    ("Le voici : 9830014572\n\nPour le reste, tout est dans mon message ci-dessous.", True),
    ("Here it is: 9830014572. Everything else is in my original e-mail below.", True),
    ("Le voici : 9830014572. Les informations que je vous ai envoyées (ci-dessous) restent valables.", True),
    # an answer alone too: it answers our question about their request, which says what the mail is about (the
    # question names the field the answer fills)
    ("Le voici : 9830014572", True),
    ("Le voici : 9830014572. Merci de votre retour rapide, nous attendons votre devis pour ce transfert et les "
     "conditions tarifaires détaillées pour chacune des options proposées par votre service", False),  # not short
])
def test_an_answer_pointing_to_the_customers_own_message_under_our_question_reads_it(new, reads_theirs):
    """"Tout est dans mon message ci-dessous" under our question: the customer's request is the message below ours."""
    parts = split(f"Bonjour Claire,\n\n{new}\n\nStéphane\n\n{_OUR_QUESTION}{_THEIR_REQUEST}")
    inner = request(parts)
    assert inner.new.startswith("Bonjour Claire,") and "76130" not in inner.new  # the answer, read first
    assert ("76130 Mont-Saint-Aignan" in inner.earlier) is reads_theirs
    assert "Pouvez-vous nous indiquer" in inner.quoted  # our question stays the history the answer replies to


@pytest.mark.parametrize("own, passed_on", [
    ("Je vous transfère l'info de notre service achats, voir ci-dessous. Merci de mettre à jour.", True),
    ("Pour information et mise à jour de votre côté, voir la note ci-dessous de notre DAF. Notre numéro de client "
     "chez Canon est le 0000 41 77 52.", True),
    ("Je vous transfère la demande d'Erwan ci-dessous, merci de nous faire une proposition. L'adresse exacte du futur "
     "entrepôt n'est pas encore arrêtée (promesse de bail en cours), je vous la communiquerai dès que possible, sans "
     "doute avant la fin du mois.", True),  # however long the forward's own words
    ("Pouvez-vous activer l'envoi automatique des compteurs pour les machines listées ci-dessous par notre service "
     "informatique ? Elles sont toutes connectées.", False),  # its own request: the forward is information
])
def test_a_forward_passing_a_request_on_is_read_as_the_request(own, passed_on):
    text = (f"Bonjour,\n\n{own}\n\nJulien\n\n-------- Message transféré --------\nDe : Achats <a@x.fr>\n"
            "Date : mardi 1 septembre 2026 17:48\nObjet : Nouveau PO\n\nPour le contrat CNT 0098 2213, le nouveau PO est "
            "le n° 26/0419.\n\nLaura")
    parts = split(text, "TR: Nouveau PO")
    assert ("26/0419" in request(parts).new) is passed_on


def test_a_reply_with_its_own_request_is_not_redirected():
    text = ("Bonjour,\n\nNous déménageons le traceur n° de série 3Y0612300 à Lyon le 3 mars, voir aussi le plan "
            "ci-dessous envoyé par notre service généraux pour l'accès au bâtiment.\n\n"
            "Le lun. 29 mars 2027 à 10:05, Julien <j@cf.canon.fr> a écrit :\nBonjour")
    parts = split(text)
    assert request(parts) is parts


def test_an_address_block_followed_by_a_question_is_no_signature():
    parts = split("Bonjour,\n\nNotre nouvelle implantation sera la suivante.\n\nZA du Pont Rouge\n12 rue des Fusains\n"
                  "59650 Villeneuve-d'Ascq\n\nPourriez-vous nous envoyer un devis ?")
    assert "59650 Villeneuve-d'Ascq" in parts.new and parts.new.endswith("devis ?")


@pytest.mark.parametrize("new, reads_theirs", [
    ("Veuillez trouver ci-joint le K-bis de la nouvelle société. Le reste est inchangé, voir mon mail ci-dessous.", True),
    ("Please find attached the Kbis extract, just received. All other details remain as stated in my e-mail below.",
     True),
    ("Veuillez trouver ci-joint le K-bis de la nouvelle société.", False),  # no pointer: the history stays history
])
def test_a_follow_up_to_the_customers_own_message_reads_it_as_their_words(new, reads_theirs):
    """A customer completing their own earlier message ("as stated in my e-mail below"), with nobody between:
    that message is their own words, as it is under our question."""
    parts = split(f"Bonjour Claire,\n\n{new}\n\nStéphane\n\n{_THEIR_REQUEST}")
    inner = request(parts)
    assert inner.new.startswith("Bonjour Claire,") and "76130" not in inner.new
    assert ("76130 Mont-Saint-Aignan" in inner.earlier) is reads_theirs


@pytest.mark.parametrize("new, nothing", [
    ("Bonjour,\nVoir PJ.\nCordialement", True),
    ("Bonjour,\n\nVeuillez trouver en pièce jointe le courrier de notre Directeur Administratif et Financier concernant "
     "vos factures.\n\nCordialement", True),  # a sentence that only names what it attaches
    ("Bonjour,\nCi-joint la facture que nous contestons car le compteur est faux.\nCordialement", False),
    ("Hello,\nPlease find attached the invoice we dispute as the counter is wrong.\nRegards", False),
    ("Bonjour,\nEn pièce jointe le document reçu ce matin dont nous contestons le montant.", False),
    # a signature without a closing formula after "Cf PJ": nothing said either
    ("Cf PJ\n\nBET Lacroix Ingénierie - 64100 Bayonne", True),
    ("Bonjour,\nCf. pièce jointe.\nService Achats\nTél. 02 96 44 18 20", True),
    ("Madame, Monsieur,\nVoir PJ\nCordialement", True),  # greetings, each up to its comma
    # a short request after "Cf PJ" is no signature
    ("Bonjour,\nCf PJ\nMerci de résilier ce contrat\nJean Dupont", False),
    ("Voir PJ\nA résilier au 31/12", False),
    ("Ci-joint.\nAdresse à modifier", False),
    ("Voir PJ\nMerci de mettre à jour le contrat", False),  # a sentence after it: the body says something
    ("Ci-joint.\nNous voulons résilier.", False),
    ("Voir PJ\nPouvez-vous confirmer ?", False),
    ("Bonjour, la facture jointe est fausse.\nCordialement", False),  # words after the greeting, on its line
    ("Bonjour Madame Martin,\nVoir PJ.\nCordialement", True),
    ("Envoyé depuis mon iPhone", True),  # a phone's line
    ("Envoyé à partir de Outlook pour Android", True),
    ("Le colis de toner a été\nenvoyé à partir de votre entrepôt de Rungis, mais notre adresse de livraison est :\n"
     "4 rue des Forges\n59600 Maubeuge", False),
])
def test_a_body_that_only_names_what_it_attaches_says_nothing(new, nothing):
    assert says_nothing(new) is nothing


def test_a_distributor_forwarding_signs_after_the_customer():
    text = ("Bonjour,\n\nJe vous transfère la demande de notre client.\n\nCordialement,\nDistrib SA\nN° client Canon : "
            "0012345\n\n---------- Forwarded message ---------\nDe : Client <c@example.fr>\nDate: jeu. 1 oct. 2026\n"
            "Subject: relevés\nTo: Distrib\n\nBonjour,\nVoici nos relevés.\n\nCordialement,\nJean\nCode client : 0048812")
    inner = request(split(text))
    assert inner.signature.index("0048812") < inner.signature.index("0012345")
