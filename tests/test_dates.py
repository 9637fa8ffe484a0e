"""Effective dates are found, resolved against the message date, and told apart from other dates."""

from datetime import date

import pytest

from mailbot.read.dates import deadline, effective_date, find_dates

REF = date(2026, 11, 20)

EFFECTIVE = [
    # (text, expected ISO date or None)
    ("Compteur total : 77 412\nDate du relevé : 29/06/2026", None),
    # a year the customer calls the order valid for, against the old order's end
    ("Ce BC est valable pour 2027. Il remplace le BC 4500187733 qui arrive à échéance le 31/12/2026.", "2027-01-01"),
    ("Pour l'exercice 2027, les factures devront mentionner le nouveau numéro. L'ancien bon de commande arrive à "
     "échéance le 31/12/2026.", "2027-01-01"),
    # the new period a new order covers, after the old one's end
    ("Notre commande annuelle arrive à échéance le 31 juillet.\nPour la nouvelle période (1er août 2027 – 31 juillet "
     "2028), merci d'indiquer le nouveau numéro.", "2027-08-01"),
    ("Our annual PO expires on 31 March. For the new period (1 April 2027 - 31 March 2028) please quote PO 7781.",
     "2027-04-01"),
    ("Pour la nouvelle période de facturation du 01/04/2027 au 31/03/2028, merci d'indiquer notre nouveau numéro.",
     "2027-04-01"),
    ("La facture de la période de facturation du 01/01/2027 au 31/03/2027 est erronée.", None),  # a past one's
    # "it starts with …": when the new order applies
    ("Sure — 3100045567.\nIt starts with our new fiscal year (1 April).", "2027-04-01"),
    ("The new PO begins on 1 March 2027.", "2027-03-01"),
    # "les factures du contrat" names the invoices, not an invoice's date; "la facture du 12/11" is one
    ("Nous souhaitons recevoir les factures du contrat rappelé en objet par courriel au 1er février.", "2027-02-01"),
    ("Suite à la facture du 12/11/2026, merci de corriger l'adresse.", None),
    ("Les factures du contrat émises en janvier 2027 sont erronées.", None),
    # a remark in brackets before a date introduces nothing
    ("Nous quittons nos locaux de Lille (adresse qui figure actuellement sur vos factures) en juin, pour nous "
     "installer sur un site plus grand.", "2027-06-01"),
    ("Two printers will have to be relocated: see the table.\n\nMoving day is May 10th. Could you send us a quote?",
     "2027-05-10"),
    # a range's first day takes its last day's year: a past period is no date to come
    ("Nous contestons la facture : le forfait y est facturé deux fois pour la période du 1er septembre au 30 "
     "novembre 2026.", None),
    ("Le nouveau BC vaut pour la période du 1er février au 31 décembre 2027.", "2027-02-01"),
    # a period's end is no start, in French and in English
    ("Pour la période du 1er janvier au 31 décembre 2027, merci d'utiliser le nouveau numéro.", "2027-01-01"),
    ("For the period from 1 January to 31 December 2027, please quote the new PO.", "2027-01-01"),
    # a range written without "du": its end is still no start
    ("N° bon de commande\nBC-27-000318\nPériode couverte\n01/01/2027 au 31/12/2027\n\nLe bon de commande BC-26-000"
     "291 n'est plus valable.", "2027-01-01"),
    ("PO valid 01/02/2027 - 31/12/2027", "2027-02-01"),
    # an answer alone on its line under the question or list item that asks for it
    ("Pour mettre à jour l'entité de facturation, merci de nous préciser :\n- les numéros de série ;\n  >> 3Y017A455\n"
     "- la date de prise d'effet du changement ;\n  >> 01/01/2027\n- et le K-bis.\n  >> en PJ", "2027-01-01"),
    ("Quelle est la date de prise d'effet souhaitée ?\n=> 01/03/2027", "2027-03-01"),
    # the day a sale of the business takes effect: "entrée en jouissance", a dotted two-digit year
    ("La cession du fonds est signée avec entrée en jouissance au 01.10.26.", "2026-10-01"),
    # the end of the term in force, right before its date; a terse "on arrête … fin mars"
    ("We wish to terminate the service agreement for the following two units at the end of the current term (30 June "
     "2027):", "2027-06-30"),
    ("Nous résilions le contrat à la fin de la période en cours (31/03/2027).", "2027-03-31"),
    ("Notre adresse actuelle restera valable jusqu'à la fin de la période en cours, le 31/03/2027.", None),
    ("Bjr, on arrête le contrat du colorado SN 1650-00218 fin mars (trop peu de volume).", "2027-03-31"),
    ("La société est devenue une filiale du groupe en avril. Au 1er septembre 2027, la facturation passe au groupe.",
     "2027-09-01"),
    ("Meter reading date: 05/10/2026", None),
    ("les factures doivent partir à partir du 15 du mois prochain sur la nouvelle boîte", "2026-12-15"),
    ('Le changement prendra effet au 1er février prochain.', '2027-02-01'),
    ('Merci de prendre en compte ce changement pour les factures de janvier.', None),
    ("valable à partir de l'exercice 2027", '2027-01-01'),
    ('Starting next month, please send invoices to the new address.', '2026-12-01'),
    ('From 1st January 2027 our PO number will be 4500998877.', '2027-01-01'),
    ('Ce nouveau numéro est à utiliser dès janvier.', '2027-01-01'),
    ('La résiliation doit intervenir le 31 mars 2027 au plus tard.', None),
    ('Nous souhaitons résilier le contrat à sa date anniversaire, le 15/04/2027.', '2027-04-15'),
    ('Notre déménagement est prévu la semaine du 8 mars 2027.', '2027-03-08'),
    ('Effective April 1, 2027, our new entity will be invoiced.', '2027-04-01'),
    ("à compter du 01.03.27, merci d'utiliser la nouvelle adresse", '2027-03-01'),
    ('Le transfert se fera courant mars.', '2027-03-01'),
    ("Merci de nous répondre avant le 15 décembre ; le changement s'appliquera au 1er janvier.", '2027-01-01'),
    ("Nous avons reçu votre facture du 12/11/2026 ; à partir du 1er décembre merci d'utiliser le nouveau PO.",
     '2026-12-01'),
    ('The move will take place on 3rd May.', '2027-05-03'),
    ('à la date du 1er avril 2027', '2027-04-01'),
    ("je vous notifie la résiliation du contrat n° 26-PPP-000418, à l'échéance du 31 décembre 2026.", "2026-12-31"),
    ("PO date: 05/02/2027\nValidity: 01/04/2027 - 31/03/2028", "2027-04-01"),
    ("Le bon de commande utilisé en 2026 sera clôturé au 31/12/2026. Pour l'exercice 2027, merci d'utiliser le "
     "nouveau numéro.", "2027-01-01"),
    ("Le traceur, actuellement au 27 rue Sainte, 13001 Marseille,\ndoit être déplacé le 15/03.", "2027-03-15"),
    ("La presse part avec nous en février, avec le reste de l'atelier.", "2027-02-01"),
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
    # a body's decision: "par délibération du conseil municipal du 15 décembre", "board meeting of 3 May"
    ("Par délibération du conseil municipal du 15 décembre, la commune a décidé de ne pas reconduire le contrat à son "
     "échéance.", None),
    ("Following the board meeting of 15 December, we will not renew the contract.", None),
    ("Suite à la décision de notre conseil, le contrat sera résilié au 31 décembre.", "2026-12-31"),
    ("La résiliation du contrat, décidée en conseil à compter du 1er janvier 2027, vous est notifiée.", "2027-01-01"),
    ("Merci de facturer 50% du 1er mars 2027 au 30 juin 2027 à notre filiale.", "2027-03-01"),
    ("Merci de noter notre nouveau n° de commande 00045812 pour le contrat CF-2291 (la facture 9124578803 du 30/09 "
     "portait encore l'ancien n°).", None),
    ("Merci de valider le devis avant fin juin.", None),
    ("Nos bureaux s'installent à Nantes courant mai (bail en cours de signature).", None),  # not settled
    ("Pouvez-vous dorénavant envoyer les factures par e-mail ?", None),
    ("Nous avons reçu deux factures pour la même période (janvier 2027).", None),
    ("réglée par virement le 10/02", None),
    ("Réf. RC/2026/11/0932 et contrat CT-2025-04417", None),
    ("Les factures du 12/11   au 20/11 sont payées ; le transfert aura lieu le 1er février.", "2027-02-01"),
    # a month without a day: its 1st, the next such month when no year is given
    ("Le déménagement aura lieu en juin.", "2027-06-01"),
    # "au cours du premier trimestre": some time within it, no day the change applies from
    ("Nous allons déménager notre plateforme vers notre nouvel entrepôt au cours du premier trimestre.", None),
    ("Nous déménageons au début du premier trimestre, le 4 janvier.", "2027-01-04"),
    # the end of a school or academic year is no 31 December
    ("Nous envisageons d'arrêter le contrat en fin d'année scolaire.", None),
    ("Nous arrêtons le contrat en fin d'année.", "2026-12-31"),
    # a date the customer asks us to propose is not settled
    ("Le traceur part au nouveau magasin. Merci de nous proposer une date en avril.", None),
    ("Could you suggest a date in April for the move?", None),
    ("Nous déménageons le 12 avril : pouvez-vous nous proposer un créneau pour le transfert du traceur ?", "2027-04-12"),
    ("We propose a date of 12 April for the move of the plotter.", "2027-04-12"),
    ("Le déménagement aura lieu le 12 avril. Merci de nous proposer un horaire pour le démontage.", "2027-04-12"),
    ("Nous déménageons en novembre.", "2027-11-01"),  # November 2026 has begun: the next one
    ("À partir de mars 2027, la nouvelle adresse de facturation est la suivante.", "2027-03-01"),
    ("From June, please send the invoices to our new address.", "2027-06-01"),
    ("The move will take place in June.", "2027-06-01"),
    ("Nous avons changé d'adresse en mars dernier.", None),
    # a year the change applies to: 1 January
    ("Le nouveau bon de commande PO-2027-0042 est valable pour 2027.", "2027-01-01"),
    # a key line's date is its key's: "Ancien …" on the line above holds no sway over it
    ("N° engagement (nouveau) : 1900 2245 87\nAncien engagement : 1900 1988 02\nPériode : 01/09/2027 - 31/08/2028",
     "2027-09-01"),
    ("Ancien engagement : 1900 1988 02, valable jusqu'au\n31/08/2027", None),
    ("Notre ancien bon de commande reste valable jusqu'à la date suivante :\nDate : 31/12/2026", None),
    ("Ancienne adresse : 4 rue Nobel, 75001 Paris, occupée jusqu'au\nDate : 15/01/2027", None),
    ("Voici notre numéro de commande pour l'exercice 2027 : PO-2027-0042", "2027-01-01"),
    ("Numéro de commande exercice 2027 : 4500012345", "2027-01-01"),
    ("Please find our new purchase order for 2027: 4500012345", "2027-01-01"),
    ("New purchase order for FY2027: 4500012345", "2027-01-01"),
    # … and a year anywhere else is not a date
    ("Notre bon de commande pour 2026 était le BC-2026-0197.", None),  # not a year to come
    ("Merci d'utiliser le bon de commande PO-2027-0042.", None),
    ("Référence FY2027-PO-0042 à rappeler sur les factures", None),
    ("Notre budget 2027 est validé.", None),
    ("En 2027 nous changerons peut-être de prestataire.", None),
    # relative wordings
    ("Le transfert aura lieu fin du mois prochain.", "2026-12-31"),
    ("The move is planned for the end of next month.", "2026-12-31"),
    ("Nous déménagerons à la rentrée.", "2027-09-01"),
    ("Merci de passer à l'envoi des factures par e-mail à la rentrée 2028.", "2028-09-01"),
    ("La nouvelle entité reprend le contrat au 3e trimestre 2027.", "2027-07-01"),
    ("Changement de bon de commande au premier trimestre.", "2027-01-01"),
    ("New billing entity from Q1 2027", "2027-01-01"),
    # a day and month without a year: the next such date
    ("Nous déménageons le 25 novembre.", "2026-11-25"),
    ("La résiliation prend effet le 10 novembre.", "2027-11-10"),
    # numeric forms
    ("Date de déménagement : 15/03/2027", "2027-03-15"),
    ("Changement d'adresse de facturation au 01.03.27", "2027-03-01"),
    ("Résiliation au 30-06-2027", "2027-06-30"),
    # a weak cue (or a "Date :" label) is enough for the only future date
    ("Date : 01/03/2027", "2027-03-01"),
    ("Date souhaitée | 01/03/2027", "2027-03-01"),
    ("Nouvelle adresse de facturation au 1er mars.", "2027-03-01"),
    ("Merci d'envoyer les factures par e-mail en février.", "2027-02-01"),
    ("Merci d'envoyer les factures à compta@client.fr pour le 1er février.", "2027-02-01"),
    ("Nouvelle adresse au 1er mars ou au 1er avril, je vous le confirmerai.", None),  # two: not the only one
    # a cue reaches over a line break (wrapped lines, table cells), not over a blank line
    ("Le nouveau numéro de commande s'appliquera à compter du\n1er janvier 2027.", "2027-01-01"),
    ("please use the new PO from\n1 January 2027", "2027-01-01"),
    ("Date d'effet | 01/01/2027", "2027-01-01"),
    ("Date d'effet\n01/01/2027", "2027-01-01"),
    ("Le nouveau bon de commande s'applique à partir du\n15/01", "2027-01-15"),
    ("Le nouveau bon de commande s'applique à partir du\n\n15/01", None),
    ("Je serai de retour\nle 4 janvier 2027.", None),  # a wrapped negative cue still holds
    ("Ancien numéro valable jusqu'au 31 décembre\nNouveau numéro au 1er janvier 2027", "2027-01-01"),
    # deadlines are not effective dates
    ("Merci de nous répondre d'ici mi-juillet.", None),
    ("Merci de nous envoyer le K-bis d'ici le 15.", None),
    ("Merci de valider avant le 30.", None),
    ("Le bon de commande doit nous parvenir au plus tard le 15 janvier 2027.", None),
    ("Merci de nous retourner le formulaire le 10 décembre au plus tard.", None),
    ("Please confirm by the end of June.", None),
    ("Please send the new PO no later than 1 December 2026.", None),
    ("Please reply before 1 March.", None),
    ("Merci de confirmer d'ici le 15 décembre ; le changement s'applique à compter du 1er janvier 2027.",
     "2027-01-01"),
    # other dates that are not effective dates
    ("Votre facture du 3 décembre 2026 est erronée.", None),
    ("Extrait K-bis du 12 décembre 2026 ci-joint.", None),
    ("Nous avons déménagé le 2 novembre 2026.", None),
    ("From: Jean Dupont\nSent: Tuesday, March 3, 2026 10:05 AM\nSubject: contrat", None),  # a header, not a cue
    ("Notre site ferme le 30 septembre. Nous souhaitons résilier, à compter de cette date, le contrat.", "2027-09-30"),
    ("La bascule de la facturation se fera fin du mois prochain.", "2026-12-31"),
    ("Le bureau d'études quitte le bâtiment B le 15 mars.", "2027-03-15"),
    ("Date limite de retour : 10/04/2027", None),
    ("Nous allons transférer deux matériels à la rentrée, le lundi 6 septembre 2027.", "2027-09-06"),
    ("Le nouveau numéro s'applique au 1er janvier, passé ce délai l'ancien est refusé.", "2027-01-01"),
    # a negative cue held over a colon, unless a new clause names an event: "nos locaux actuels … : nous
    # emménageons le 22 mars", not "Date du relevé : le 29/06"
    ("Le cabinet quitte ses locaux actuels de la rue Nationale : nous emménageons le 8 février dans le nouvel "
     "immeuble.", "2027-02-08"),
    ("Date du relevé : le 29/06/2026", None),
    # … or the old address it introduced: the date after it is the move's
    ("Notre bureau d'études quitte ses locaux actuels du 45 cours Émile Zola à Villeurbanne (69100) le 14 septembre "
     "prochain.", "2027-09-14"),
    ("Le contrat actuel n° 55102 prend fin le 30 juin.", None),
    ("Notre bureau quitte ses locaux actuels du 12 Rue des Tilleuls le 14 septembre.", "2027-09-14"),
    ("Notre bureau quitte ses locaux actuels du 12 Allée des Tilleuls le 14 septembre.", "2027-09-14"),
    ("Comme évoqué au téléphone la semaine dernière, nous déménageons notre bureau d'études le 19 octobre.",
     "2027-10-19"),  # … or a comma
    ("Comme évoqué la semaine dernière, le relevé du 19 octobre est correct.", None),
    # a month, then the day in that month: the day ("le mois prochain … prévu le 12 décembre")
    ("Notre agence quitte ses locaux le mois prochain. Le transfert du traceur est prévu le 12 décembre ; merci "
     "de nous faire un devis.", "2026-12-12"),
    ("Nous déménageons en février 2027, le jeudi 18 février exactement.", "2027-02-18"),
    # "the date … is": the day itself, over a vaguer "next month"
    ("Our team is moving to new premises next month and the plotter has to go with them.\nTarget date for the move is "
     "March 8th; the movers have the slot booked.", "2027-03-08"),
    ("The planned date of the switch will be 3 May.", "2027-05-03"),
    ("Nous déménageons en février 2027 ; la visite technique aura lieu le 28 janvier.", "2027-02-01"),
    # "à compter de cette date" points to the nearest date before it, a date in words too
    ("Comme annoncé à votre commercial lors de son passage le 12 janvier, la cession sera effective fin du mois "
     "prochain.\n\nÀ compter de cette date, merci d'établir les factures au nom du repreneur.", "2026-12-31"),
    # "à son échéance du": the term named is when the termination applies
    ("Nous résilions le contrat n° OCE-MT-004412 portant sur le traceur PlotWave 340 à son échéance du 30 juin 2027.",
     "2027-06-30"),
    # an abbreviation's full stop ends no sentence: the move is still the date's event
    ("Could you arrange the move of the Colorado 1650 (serial no. CL16-500932) on 12 October? We also need inks "
     "next month.", "2027-10-12"),
    ("Merci de déménager le traceur réf. TX-3300 n° 44-1 le 12 octobre ; il nous faut aussi du papier le mois "
     "prochain.", "2027-10-12"),
    # the period a new order covers, from its first month
    ("Notre nouveau bon de commande BC-27/118 couvre la période de janvier 2027 à décembre 2027.", "2027-01-01"),
    ("Le bon de commande 4500-771 couvre la période d'avril 2027 à mars 2028.", "2027-04-01"),
    # a vague time is no date; a month past is this year's, not next year's
    ("Nous allons déménager dans le courant de l'année prochaine, l'adresse n'est pas encore connue.", None),
    ("As our Lille office closed in February, we would like to terminate the contract.", None),
    ("Notre agence de Lille a fermé en février, merci de résilier le contrat.", None),
    ("The plotter will be moved in February to our new site.", "2027-02-01"),
    # … nor a message's date; a request's own date stays its own whatever must be done before it
    ("Nous avons bien reçu votre message du 26 août concernant le changement d'adresse.", None),
    ("Comme indiqué lors de notre échange du 12 mars, nous ne conserverons pas le traceur.", None),
    ("As agreed during our call of 3 May, we will not renew.", None),
    ("Nous résilions le contrat du traceur au 31 mars 2027. Merci de venir récupérer la machine avant cette date.",
     "2027-03-31"),
    # a month named after "courant de" or a passive is a month; a period gone by is none
    ("Nous déménageons dans le courant de mars 2027.", "2027-03-01"),
    ("We would like to have our PlotWave moved in April.", "2027-04-01"),
    ("Our Lyon office is getting closed in March 2027, please terminate the contract.", "2027-03-01"),
    ("Le BC-2026-0102 couvrait la période de janvier 2026 à décembre 2026. Merci de reporter désormais le nouveau "
     "BC-2027-0451.", None),
    # the end of the term in force, named before its date
    ("Please terminate our maintenance contract at the end of its current term, i.e. 31 December 2027.", "2027-12-31"),
    ("Merci de résilier le contrat à la fin de la période en cours, soit le 31/12/2027.", "2027-12-31"),
    # a day's "morning of", "scheduled"; "courant mars" is the 1st (FORMAT.md)
    ("The move is scheduled for the morning of\nMay 3rd.", "2027-05-03"),
    ("Nous transférons l'atelier dans notre nouveau bâtiment courant mars.", "2027-03-01"),
    ("Notre cabinet s'installe dans de nouveaux locaux courant mai (bail en cours de signature, adresse définitive "
     "encore à confirmer).", None),
    # a date the customer says is not settled is none; a place not settled leaves the date as it is
    ("- la date souhaitée :\n=> PAS ENCORE FIXÉE, PROBABLEMENT FIN JUILLET", None),
    ("The move is planned around mid-September, exact date to be confirmed with the landlord.", None),
    ("We plan to move around the end of October. Could you send us a quote?", None),
    ("Le déménagement se fera entre le 2 et le 6 novembre, la date exacte n'est pas encore arrêtée.", None),
    ("Nous déplaçons les traceurs vers un autre site du groupe, sans doute à la rentrée.", None),
    # a hedge of something else, or an approximation of no date, leaves the date as it is
    ("From 1 January 2027 please send our invoices to ap@acme.com, as we process around 200 supplier invoices a "
     "month.", "2027-01-01"),
    ("Our move is confirmed for 3 March 2027 and will take around two days.", "2027-03-03"),
    ("Le déménagement aura lieu le 15 mars 2027, le nom de notre contact sur place n'est pas encore connu.",
     "2027-03-15"),
    ("Nous déménageons le 3 mars 2027 dans nos nouveaux bureaux aux alentours de Lyon.", "2027-03-03"),
    ("Le déménagement est prévu le 12 avril 2027, peut-être faudra-t-il démonter le bac.", "2027-04-12"),
    ("On doit déplacer le plotter vers notre nouvel atelier en février 2027, adresse exacte à confirmer.", "2027-02-01"),
    ("Notre agence déménage à la rentrée 2027 (début septembre), l'adresse définitive n'est pas encore arrêtée.",
     "2027-09-01"),
]


@pytest.mark.parametrize("text, expected", EFFECTIVE, ids=[t[:45] for t, _ in EFFECTIVE])
def test_effective_date(text, expected):
    hit = effective_date(text, REF)
    assert (hit.iso if hit else None) == expected


@pytest.mark.parametrize("text, expected", [
    # FORMAT.md: "valable pour 2027" is 1 January 2027, even written in 2027 (then the notice is missed)
    ("Veuillez trouver ci-joint notre bon de commande valable pour l'année 2027.", "2027-01-01"),
    ("Le nouveau bon de commande est valable pour 2027.", "2027-01-01"),
    # a year past is none, and the current year under a weak cue is none either
    ("Le bon de commande valable pour 2026 est clos.", None),
    ("Nous avons commandé du papier pour 2027 le mois dernier.", None),
])
def test_the_year_a_change_applies_to_written_in_that_year(text, expected):
    hit = effective_date(text, date(2027, 1, 15))
    assert (hit.iso if hit else None) == expected


@pytest.mark.parametrize("text, expected", [
    ("Le traceur ColorWave du 2e étage doit suivre l'équipe travaux au nouveau bâtiment le 4 octobre :", "2027-10-04"),
    ("The plotter will go to our new building on 4 October.", "2027-10-04"),
    ("Notre nouveau site internet sera en ligne le 4 octobre.", None),  # no machine goes anywhere
    ("La facture suivra le 4 octobre.", None),
    ("Pour suivre votre dossier, nous vous rappellerons le 4 octobre.", None),
])
def test_a_machine_going_to_a_new_building_dates_its_move(text, expected):
    hit = effective_date(text, REF, weak=False)
    assert (hit.iso if hit else None) == expected


def test_a_machine_that_leaves_with_us_is_an_event_that_dates_its_move():
    """"la presse part avec nous en février": the month is the move's, even where a weak cue alone would not do."""
    text = "Pour le dossier Canon : la presse VarioPrint n° 711024389 part avec nous en février, avec l'atelier."
    assert effective_date(text, REF, weak=False).iso == "2027-02-01"


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
        ("fin du mois prochain", "2026-12-31"),
        ("end of next month", "2026-12-31"),
        ("début du mois prochain", "2026-12-01"),
        ("à la rentrée", "2027-09-01"),
        ("rentrée 2028", "2028-09-01"),
        ("15-03-2027", "2027-03-15"),
        ("01.03.27", "2027-03-01"),
        ("Q1 2027", "2027-01-01"),
        ("mi-juillet 2027", "2027-07-15"),
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


DEADLINES = [
    # (text, the deadline it states, or None)
    ("Merci de nous répondre d'ici mi-juillet.", "2027-07-15"),
    ("Merci de nous envoyer le K-bis d'ici le 15.", "2026-12-15"),
    ("Merci de valider avant le 30.", "2026-11-30"),
    ("Merci de valider le devis avant fin juin.", "2027-06-30"),
    ("Réponse souhaitée d'ici la fin du mois.", "2026-11-30"),
    ("Le bon de commande doit nous parvenir au plus tard le 15 janvier 2027.", "2027-01-15"),
    ("Merci de nous retourner le formulaire le 10 décembre au plus tard.", "2026-12-10"),
    ("Please confirm by the end of June.", "2027-06-30"),
    ("Please send the new PO no later than 1 December 2026.", "2026-12-01"),
    ("Please reply before 1 March.", "2027-03-01"),
    ("Please send it before the 15th.", "2026-12-15"),
    ("Merci de confirmer d'ici le 15 décembre ; le changement s'applique à compter du 1er janvier 2027.",
     "2026-12-15"),
    ("Date limite de retour : 10/04/2027", "2027-04-10"),
    ("Deadline: 15 January 2027.", "2027-01-15"),
    # no deadline
    ("À compter du 1er janvier 2027, merci d'utiliser le nouveau numéro.", None),
    ("L'adresse actuelle reste valable jusqu'au 28 février.", None),
    ("Le 15 rue des Lilas est notre nouvelle adresse.", None),  # a bare day only after a deadline word
]


@pytest.mark.parametrize("text, expected", DEADLINES, ids=[t[:45] for t, _ in DEADLINES])
def test_deadline(text, expected):
    hit = deadline(text, REF)
    assert (hit.iso if hit else None) == expected


def test_a_machine_decommissioned_on_a_date_is_an_event():
    """Not only the one date still to come (weak=False): the machine leaving is what the date is of."""
    text = ("We would like to terminate the contract for our PlotWave 3000, serial no. PW3K-772194, as the unit is "
            "being decommissioned on 15 December.")
    hit = effective_date(text, REF, weak=False)
    assert hit is not None and hit.iso == "2026-12-15"


@pytest.mark.parametrize("text", [
    "Date de mise en place souhaitée : 01/05/2027",
    "Date de démarrage : 01/05/2027",
    "Start date: 1 May 2027",
    "Go-live date: 01/05/2027",
    # the date a request asks, on a form or as the answer to our question about it
    "Date souhaitée : 01/05/2027",
    "> - la date souhaitée de fin de contrat ?\n→ 01/05/2027",
    "Date de résiliation : 1er mai 2027",
    "Requested date: 1 May 2027",
    # a table's column header
    "N° client Canon | Nouvelle adresse | Date d'effet\nCL-304817 | invoices@lrad.com | 01/05/2027",
    "| Client | Date d'effet | x |\n|---|---|---|\n| CL-1 | 01/05/2027 | y |",
])
def test_a_forms_start_date_is_a_strong_cue(text):
    """A form's "date de mise en place" says when the change takes effect, as "à compter du" does: an attachment's
    dates are taken only on such a cue (extract._from_attachments)."""
    hit = effective_date(text, REF)
    assert hit is not None and hit.iso == "2027-05-01" and hit.cue == "strong"


def test_a_date_in_a_table_column_of_another_kind_is_not_cued():
    hit = effective_date("Client | Matériel | Dernier relevé\nCL-1 | PW 345 | 01/05/2027", REF)
    assert hit is None or hit.cue != "strong"


def test_a_key_and_its_value_are_no_column():
    text = "Adresse e-mail de réception | factures@exemple.fr\nMise en œuvre | pour l'exercice 2027"
    hit = effective_date(text, REF)
    assert hit is not None and hit.iso == "2027-01-01"


@pytest.mark.parametrize("text, weak, expected", [
    # a move happens on a day: a day with a weak cue, nothing else competing, is its date …
    ("Le transporteur est réservé pour le 6 juillet, l'accès se fait par l'arrière.", "day", "2027-07-06"),
    # … a month is not ("nothing is fixed yet")
    ("Ideal timing would be our plant shutdown in August, but nothing is fixed yet.", "day", None),
    ("Ideal timing would be our plant shutdown in August, but nothing is fixed yet.", True, "2027-08-01"),
    ("Le transporteur est réservé pour le 6 juillet, l'accès se fait par l'arrière.", False, None),
    # two dates to come compete: neither is taken on a weak cue
    ("Le transporteur est réservé pour le 6 juillet ; le technicien passe le 9 juillet.", "day", None),
    # a day said of something else than the move is none
    ("Pourriez-vous nous envoyer un devis ? Vous pouvez me joindre le 1er décembre.", "day", None),
    ("I am available for a call on 7 December.", "day", None),
    ("Notre comité de direction se réunit le 8 décembre.", "day", None),
])
def test_a_day_with_a_weak_cue_dates_a_request_that_happens_on_a_day(text, weak, expected):
    hit = effective_date(text, REF, weak=weak)
    assert (hit.iso if hit else None) == expected
