"""The identifiers and values a request needs, read from the customer's new text.

Regular expressions on the raw text plus validators (reference/text-stack-
measurements.md §1, §6: NER mislabels IDs and tokenizers split them). Each
field has a label rule ("n° client", "nouveau numéro de commande") and, where
the number has a known shape (CT-…, PW345-…), a shape rule. Old values ("ancien",
"remplace"), signatures, phone numbers, invoice numbers and the quoted history
are not taken; the quoted part is read only for a number the customer points
to ("le contrat ci-dessous"). Every value comes with the text it was read from:
as evidence, and as a span in ``Extraction.details`` (see ``extract_all``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from .analysis import Evidence, empty_fields
from .dates import Spans, effective_date
from .decide import is_nominative
from .htmltext import fold
from .mime import Mail
from .redact import ibans

# An identifier: letters and digits joined by "-" or "/", with at least one digit.
_TOKEN = re.compile(r"(?<![\w/-])(?=[\w/-]*\d)[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*(?![\w-]|/\w)")
_SENTENCE_END = re.compile(r"\n|[.;!?](?:\s|$)")
_SENTENCE_GAP = re.compile(r"[.;!?]?\s*")
_OLD = re.compile(
    r"\bancien|pr[ée]c[ée]dent|\bactuel|\bold\b|\bprevious|\bcurrent|remplac|replac|au lieu d|instead of"
    r"|jusqu'[àa] pr[ée]sent|ne (?:doit|doivent) plus|n'est plus|no longer",
    re.I,
)
# Runs of spaces are taken whole (possessive: what follows never starts with a space), so a
# failing "$" does not retry every split of a run.
_NEW_BY = re.compile(
    r"(?:\bpar|\bby|\bnouveau|\bnouvelle|\bnew)\s*+(?:le\s++|la\s++|l'|the\s++)?(?:\w++\s++){0,3}:?\s*$", re.I
)

_CONTRACT_SHAPE = re.compile(r"(?<![\w-])CT[- ]?\d{4}[- ]\d{3,6}(?![\w-])", re.I)
_CONTRACT_LABEL = re.compile(  # spaces taken whole: no word of the label starts with one
    r"\bcontra[ct]t?s?\b(?:\s++(?:de\s++(?:maintenance|location|service|services)|cadre|canon))?"
    r"\s*+(?:n°|n[o°º]\.?|num(?:[ée]ro)?\.?|number|nr\.?|#|r[ée]f(?:[ée]rence)?\.?)?\s*+:?\s*+"
    r"|(?:n°|n[o°º]\.?|num[ée]ro|number|r[ée]f[ée]rence)\s*+"
    r"(?:de\s++|du\s++|of\s++(?:the\s++|your\s++|our\s++)?)?contra[ct]t\s*+(?:canon\s*+)?:?\s*+",
    re.I,
)
_CONTRACT_VALUE = re.compile(r"CT[- ]?\d{4}[- ]\d{3,6}|[A-Z]{1,4}[-/]?\d[\d/-]{4,}\d|\d{6,12}", re.I)

_PO_LABEL = re.compile(
    r"bons?\s+de\s+commande|(?:n°|n[o°]\.?|num[ée]ro|number)\s*(?:de\s+|du\s+)?(?:bon\s+de\s+)?commande"
    r"|commande\s*(?:n°|n[o°]\.?)|(?<![\w.])p\.?\s?o\.?(?![\w])|(?<![\w-])BC(?![\w-])|purchase\s+order"
    r"|order\s+(?:number|no\.?)"
    r"|(?:n°|n[o°]\.?|num[ée]ro)\s*d'engagement|engagement\s+juridique|bon\s+d'engagement",
    re.I,
)

# What may stand between an order label and its number. Each word is taken once (atomic: "n°" is
# both "n°" and "n[o°]", and trying both for every "n°" of a long run is exponential).
_PO_GAP = re.compile(
    r"[\s:|#°.]*+(?:(?>n°|n[o°]\.?|num[ée]ro|number|est|is|sera|will\s+be|le|la|the|suivant|following"
    r"|(?:de\s+)?commande)[\s:|#.]*+)*+",
    re.I,
)
# The label just before an identifier says it is something else. Spaces are taken whole, and the
# rest of a "factur…" word stops at the next "factur" (read from there), so a search over a long
# word or run of spaces does not rescan it from every position.
_NOT_AN_ORDER = re.compile(
    r"(?:\bcontra[ct]t?|s[ée]rie|serial|s/n|factur(?:(?!factur)\w)*|invoice|client|customer|siret|siren"
    r"|t[ée]l[ée]?phone|t[ée]l\.?)\s*+(?:n°|n[o°]\.?|number)?\s*+[:|]?\s*+$",
    re.I,
)

_SERIAL_SHAPES = (
    re.compile(r"(?<![\w-])[A-Z]{2}\d{3,4}-\d{6,7}(?![\w-])"),  # model prefix: PW345-0061287
    re.compile(r"(?<![\w-])\d[A-Z](?: ?\d{6}|\d{7})(?![\w-])"),  # Océ: 3Y051902, "3Y 064219", 3Z0099001
)
_SERIAL_LABEL = re.compile(  # spaces taken whole: no word of the label starts with one
    r"(?:n°|n[o°º]\.?|num[ée]ros?)\s*+(?:de\s++)?s[ée]ries?\s*+(?:canon\s*+)?[:|]?\s*+"
    r"|serials?\s*+(?:numbers?|nos?\.?|#)?\s*+[:|]?\s*+|\bs/n\s*+[:|]?\s*+|\bSN\s*+[:|]\s*+",
    re.I,
)
# A serial-shaped token: capitals and digits (one dash at most), at least two digits; its length is checked apart.
_SERIAL_TOKEN = re.compile(r"(?<![\w/.-])(?=(?:[A-Z-]*\d){2})[A-Z0-9]+(?:-[A-Z0-9]+)?(?![\w/-]|[.,]\w)")
_NOT_SERIAL_SHAPE = re.compile(  # a contract, an order reference, an IBAN, an invoice: matched at a token's start
    r"(?:CT|PO|BC|CMD|OC|FA|FAC|INV|DEV)[-/]?\d|(?<![A-Z0-9])[A-Z]{2}\d{2}[A-Z0-9]{10,}$"
)
_NOT_SERIAL_BEFORE = re.compile(  # the words just before a token say it is something else (as _NOT_AN_ORDER)
    r"(?:contra[ct]t?s?|factur(?:(?!factur)\w)*|invoices?|client|customer|commande|order|p\.?o\.?|bc"
    r"|t[ée]l[ée]?phone|t[ée]l\.?|phone|fax|mobile|portable|siret|siren|tva|vat|iban|bic|rcs|devis|quote|avoir"
    r"|dossier|ticket|colis|suivi)\s*+(?:n°|n[o°º]\.?|num[ée]ro|number|r[ée]f\.?)?\s*+[:|#]?\s*+$",
    re.I,
)
_SERIAL_HEADER = re.compile(r"s[ée]rie|serial|\bs/n\b|\bsn\b", re.I)  # a table column of serials
_MODEL = re.compile(  # a machine model: family name and number ("PlotWave 450", "Colorado 1650", "imagePRESS C910")
    r"\b(?:PlotWave|ColorWave|Colorado|Arizona|VarioPrint|VarioStream|ProStream|imagePROGRAF|imagePRESS"
    r"|imageRUNNER(?:\s+ADVANCE)?(?:\s+DX)?|i-SENSYS|TDS|TCS)\s*[A-Z]{0,3}-?\d{2,5}[A-Za-z]{0,3}"
    r"(?:\s+(?:GT|XT|XTS|MFP|UV|Pro))?(?![\w-])",
    re.I,
)
# "PlotWave 450 n° 3Y0612300", "Colorado 1650 : YCG01187", "ColorWave 3600 (3W0190245)"; spaces taken
# whole (possessive): nothing after a run of them starts with one, so no split of a run is retried.
_AFTER_MODEL = re.compile(
    r"\s*+(?:[(:,–—-]|n°|n[o°º]\.?\s|s/n|\bsn\b|#)?\s*+(?:(?:n°|n[o°º]\.?|s/n|sn)\s*+:?\s*+)?", re.I
)
_BEFORE_MODEL = re.compile(  # "3Y0612300 (PlotWave 450)": searched just before a model (blanks taken whole)
    r"(?P<v>" + _SERIAL_TOKEN.pattern + r")[ \t]*+[(,:–—-]?[ \t]*+$"
)
# The next serial of a list: "3Y0612300 et 3Y0612301", "…, YCG01187 / YCG01188". Matched right after a
# serial; the lookbehind keeps a search from rescanning a run of spaces from each of its positions.
_SERIAL_CHAIN = re.compile(
    r"(?<!\s)(?:\s*+(?:[,;/&+]|\bet\b|\band\b)\s*+|[ \t]*+\n\s*+(?:[-*•·]|\d{1,2}[.)])?\s*+)"
    r"(?:(?:n°|n[o°º]\.?)\s*+)?"
)
_LIST_ITEM = re.compile(  # "1) 3Z0099001 : 45 012", "- 3Y0612300"
    r"^[ \t]*(?:\d{1,2}[.)]|[-*•·])[ \t]*(?P<v>[A-Z0-9]+(?:-[A-Z0-9]+)?)(?=[ \t]*(?:[:|(–—-]|$))", re.M
)
_SPACED_COLUMNS = re.compile(r"(?<=\S)(?: {2,}|\t+)(?=\S)")
# A cell separator: "|" with the blanks around it, or blanks alone. Blanks before a "|" are tried from the
# start of their run only (the lookbehind), not again from each blank of the run.
_CELL_SEPARATOR = re.compile(r"(?<![ \t])[ \t]++\|[ \t]*+|\|[ \t]*+| {2,}|\t+")

_CUSTOMER_LABEL = re.compile(  # spaces taken whole: no word of the label starts with one
    r"(?:n°|n[o°º]\.?|num[ée]ro|code|r[ée]f[ée]rence|compte)\s*+(?:de\s++)?client(?:\s++canon)?"
    r"\s*+(?:est\s++(?:le\s++)?)?[:|]?\s*+"  # "N° client : 88412", a table row "N° client | 88412"
    r"|\bclient\s*+(?:canon\s*+)?(?:n°|n[o°º]\.?|num[ée]ro\.?)?\s*+[:|]?\s*+(?=\d)"
    r"|customer\s*+(?:number|no\.?|account(?:\s++number)?|id)\s*+(?:is\s++)?[:|]?\s*+"
    r"|account\s++number\s*+(?:is\s++)?[:|]?\s*+",
    re.I,
)
_CUSTOMER_VALUE = re.compile(r"\d{1,3}(?: \d{3}){1,3}(?![\d])|\d{5,10}(?!\d)")

# In the SIREN and SIRET labels, as in the others, blanks are taken whole (possessive): digits follow them.
_SIREN = re.compile(r"\bsiren\b\s*+(?:n°|:)?\s*+(?P<v>\d{3} ?\d{3} ?\d{3})(?! ?\d)", re.I)
# "RCS Rennes 412 345 678": the town is 2 to 30 letters, spaces and dashes. Written as the three ways the
# plain "rcs\s+[…]{2,30}?\s*" can read the blanks after "rcs", in the order it tries them, so that a
# long run of blanks is not split in every possible way: all of them before the town; all but the last
# space, which starts a one-letter town; two spaces of the run as the whole town.
_RCS = re.compile(
    r"\brcs(?:\s++[A-Za-zÀ-ÿ' -]{2,30}?\s*+|\s++(?<=\s )[A-Za-zÀ-ÿ' -]\s*+|(?>\s+  )\s*+)"
    r"(?P<v>\d{3} ?\d{3} ?\d{3})(?! ?\d)",
    re.I,
)
_SIRET = re.compile(r"\bsiret\b\s*+(?:n°|:)?\s*+(?P<v>\d{3} ?\d{3} ?\d{3}) ?(?P<nic>\d{5})(?!\d)", re.I)
_NEW_ENTITY = re.compile(
    r"nouvel(?:le)? (?:entit|soci)|new (?:entity|company)|repreneur|rachet[ée]e? par|reprise par|au nom de"
    r"|in the name of|acquired by",
    re.I,
)

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_OUR_DOMAINS = re.compile(r"(?:^|\.)(?:canon|oce)\.[a-z.]+$", re.I)
_EMAIL_POSITIVE = re.compile(
    r"factur|invoice|adresse|address|d[ée]sormais|dor[ée]navant|nouvelle|\bnew\b|envoy|adress|recevoir|r[ée]ception"
    r"|utiliser|\bsend\b|\bto\s*:",
    re.I,
)
# The clause before an address calls it old or replaced ("remplacer a@x.fr par b@x.fr"). Written as
# _NOT_AN_ORDER (spaces taken whole, the rest of a word stops at the next "remplac"/"replac"), and the
# rest of the word taken whole, except for "l'adresse" or "the address" glued to it (the last line):
# what else may follow it from inside the word may follow it from its end too.
_EMAIL_OLD = re.compile(
    r"\bancienne|\bactuel|\bcurrent|\bold\b|previous"
    r"|(?:(?:remplac|replac)(?:(?!remplac|replac)\w)*+|au lieu d[eu]?|instead of)"
    r"\s*+(?:l'adresse|the address|(?:\w++\s++){0,2})?[\s:]*+$"
    r"|(?:remplac|replac)(?:(?!remplac|replac)\w)*(?:l'adresse|the address)[\s:]*+$",
    re.I,
)
# … or the words after it do: "factures@x.fr que vous utilisez n'est plus lue". Matched at the start of
# those words; the lookbehind keeps a search from trying every position of a sentence.
_EMAIL_OLD_AFTER = re.compile(
    r"(?<![^.;!?\n])[^.;!?\n]{0,60}?(?:n'est plus|ne (?:sera|doit|doivent) plus|(?:is|will)\s+(?:be\s+)?no longer"
    r"|obsol[èe]te|(?:est|sera)\s+(?:supprim|ferm|d[ée]sactiv)|(?:is|will\s+be)\s+(?:closed|deleted|deactivated))",
    re.I,
)
_EMAIL_NEW = re.compile(r"nouvel|\bnew\b|d[ée]sormais|dor[ée]navant|[àa] compter|[àa] partir|\bpar\s*$|\bby\s*$", re.I)
_EMAIL_NEGATIVE = re.compile(
    r"\bancienne|ne (?:doit|doivent) plus|n'est plus|\bold\b|previous|no longer|contacter|contact|joindre|absen"
    r"|rempla[cç]ant|coll[èe]gue|colleague|en copie|\bcc\b|questions?",
    re.I,
)

_POSTCODE = re.compile(
    r"(?<![\w-])(?P<v>(?:0[1-9]|[1-8]\d|9[0-8])\d{3})(?!\d)[ \t]+(?=[A-ZÀ-Ý]|[a-zà-ÿ]{2,}[- ])"
)
_POSTCODE_NOT = re.compile(r"\b(?:BP|CS|TSA|CP|SP)\s*$", re.I)
_ADDRESS_POSITIVE = re.compile(
    r"nouvelle adresse|new address|adresse suivante|following address|nouveaux locaux|nouveau site"
    r"|nouveau si[èe]ge|r[ée]install|transf[ée]r|d[ée]m[ée]nag|[àa] destination|[àa] l'adresse"
    r"|nouvelle implantation|relocat|moving to|d[ée]pla[cç]|(?:nouvel(?:le)?s?|futur(?:e|s)?)\s+(?:atelier|site|locaux|local"
    r"|b[âa]timent|entrep[ôo]t|agence|bureaux?|usine|magasin|d[ée]p[ôo]t)"
    r"|adresse de (?:facturation|r[ée]ception)|invoice address|billing address"
    r"|(?:envoy|adress)\w*\s+(?:d[ée]sormais\s+)?(?:vos|les|nos|toutes\s+les)\s+factures(?:\s+papier)?"
    r"\s+(?:au|[àa])\s",
    re.I,
)
_ADDRESS_NEGATIVE = re.compile(
    r"\bancienne|\bactuel|\bcurrent|\bold\b|previous|jusqu'|reste valable|livr|delivery|sur place|panne|technicien"
    r"|intervention|depuis|habituel|usual",
    re.I,
)

# The parts of a postal address around its postcode (AFNOR order: building or zone, street, BP/CS, postcode city).
_STREET_TYPE = (
    r"rue|avenue|av\.|bd|bld|boulevard|all[ée]e|place|pl\.|impasse|imp\.|chemin|ch\.|route|rte|quai|cours"
    r"|square|passage|voie|rond-point|parvis|esplanade|sentier|promenade|faubourg|fbg|mont[ée]e|traverse"
    r"|venelle|cit[ée]|street|road|lane"
)
_NUMBERED_STREET = re.compile(  # "12 allée des Frênes", "27 Grande Rue", "5 bis, rue X" (blanks taken whole)
    rf"(?<![\w-])\d{{1,4}}(?:\s?(?:bis|ter|quater|[A-Da-d])\b)?,?\s++(?:[^\W\d][\w'’-]*\s++){{0,2}}?"
    rf"(?:{_STREET_TYPE})(?!\w)",
    re.I,
)
_STREET_START = re.compile(  # a line that starts with a number or a street type: "3 Grande Rue", "Route de Vannes"
    rf"^(?:\d{{1,4}}(?:\s?(?:bis|ter|quater)\b)?,?\s+[^\W\d]|(?:{_STREET_TYPE})\s)",
    re.I,
)
_COMPLEMENT = re.compile(  # building, zone, post-office box: the lines around the street
    r"^(?:B\.?P\.?|CS|TSA|SP|B[âa]t(?:iment|\.)?|Imm(?:euble|\.)|R[ée]sidence|Tour|[ÉE]tage|Escalier|Esc\."
    r"|Entr[ée]e|Hall|Porte|Appartement|Appt?\.?|Z\.?I\.?|Z\.?A\.?|ZAC|ZAE|ZIP|Zone|Parc|P[ôo]le|Technop[ôo]le"
    r"|Campus|Centre d'affaires|Centre commercial|Espace|Lieu[- ]dit|Hameau|Lotissement|Quartier|Galerie|Building|Suite"
    r"|Floor|Unit)\b|^\d{1,2}\s?(?:e|er|[èe]me)\s+[ée]tage",
    re.I,
)
_BOX = re.compile(r"(?<!\S)(?:B\.?P\.?|CS|TSA)\s?\d{1,6}\s*$", re.I)  # "… Borel CS 28646", "… Marché BP 40112"
# ",", ";", or a dash or "|" between spaces. A run of blanks is tried from its start only (the lookbehind;
# _pieces searches a slice, so a line's first blank counts as a start).
_PIECE_SEPARATOR = re.compile(r"(?:(?<!\s)\s++(?:[,;]|[–—-]\s|\|\s)|[,;])\s*+")
_PIECE_TRIM = " \t-–—•*·>"
_TO_POSTCODE = re.compile(r"\s(?:[àa]|au|in|at)\s*$", re.I)  # "… au 5 rue X à 69003 Lyon"
_CITY_FIRST = r"[^\W\d_][\w'’]*(?:-[\w'’]+)*"
_CITY_NEXT = r"[A-ZÀ-ÖØ-Ý][\w'’]*(?:-[\w'’]+)*"
_CITY_PARTICLE = r"(?:sur|sous|en|l[èeé]s|lez|les|le|la|de|du|des|aux|au|et)[ \t]+|[dl]['’]"
_CITY = re.compile(  # matched right after a postcode; blanks taken whole, and from the start of a run only
    rf"(?<![ \t])[ \t]++(?P<city>{_CITY_FIRST}(?:[ \t]++(?!(?i:cedex|france)\b)(?:{_CITY_PARTICLE})?{_CITY_NEXT})*)"
    r"(?:[ \t]++(?P<cedex>(?i:cedex)(?:[ \t]++\d{1,3}(?!\d))?))?"
)

_KBIS_NAME = re.compile(r"k[\s_.-]?bis|extrait[\s_.-]*(?:k|rcs|d.?immatriculation|infogreffe)", re.I)
_KBIS_TEXT = re.compile(r"k[\s-]?bis|extrait (?:d'immatriculation|rcs)", re.I)
_ENCLOSED = re.compile(r"ci-joint|joint|pi[èe]ce jointe|attached|enclosed|please find", re.I)
_LATER = re.compile(
    r"sera envoy|vous (?:sera|seront|ferons|enverrons|transmettrons)|suivra|d[èe]s (?:que|r[ée]ception)|prochainement"
    r"|plus tard|pas encore|will (?:follow|send|be sent)|later|not yet",
    re.I,
)

_READING_CONTEXT = re.compile(
    r"compteur|relev|index|reading|counter|meter|noir|couleur|m²|\bm2\b|\bpages\b|copies|clics", re.I
)
_READING_NUMBER = re.compile(  # thousands spaced (no-break spaces too), dotted or with commas
    r"(?<![\w.,/-])(?P<v>\d{1,3}(?:[ .,\u00a0\u202f\u2009]\d{3})+|\d{2,9})(?![\w/-]|[.,]\d)"
)
# Matched where a number ends, at its position in the line (so no "^"): never after a blank, and the
# lookbehind keeps a search from trying each blank of a run.
_READING_UNIT = re.compile(
    r"(?<!\s)\s*+(?:m²|m2|ml|pages?|copies|clics?|impressions?|prints|sheets|feuilles|A4|A3)\b", re.I
)
_READING_BEFORE = re.compile(  # a counter word or a colon just before a number (blanks taken whole)
    r"(?:[:=|]|\b(?:noir|couleur|n&b|n/b|nb|mono|black|colou?r|total|compteur|index|reading))\s*+:?\s*+$", re.I
)
_READING_AFTER = re.compile(r"^\s*(?:pour\s+(?:le|la)\s+|en\s+)?(?:noir|couleur|n&b|black|colou?r|mono)\b", re.I)
# What a counter counts: colour kind, or a size unit (wide-format machines count m², plotters A0–A4).
_COUNTER_KIND = re.compile(
    r"(?<![\w&/])(?:(?P<noir>noir|n\s?&\s?b|n/b|nb|mono(?:chrome)?|black(?:\s*(?:&|and)\s*white)?|b\s?&\s?w)"
    r"|(?P<couleur>couleurs?|colou?rs?|coul\.|quadri(?:chromie)?)|(?P<total>total|global|g[ée]n[ée]ral))(?![\w&/])",
    re.I,
)
_COUNTER_SIZE = re.compile(r"(?<![\w-])(?:(?P<m2>m²|m2)|(?P<ml>ml)|(?P<A>A[0-4]))(?![\w-])", re.I)
_KIND_AFTER = re.compile(  # "25 604 pour le noir", "4 310 m² en couleur", "1 200 (noir)"; matched as _READING_UNIT
    r"(?<!\s)\s*+(?:(?:m²|m2|ml|pages?|copies|clics?|A[0-4])\s++)?(?:pour\s++(?:le|la|les)\s++|en\s++|\(\s*+)?"
    + _COUNTER_KIND.pattern,
    re.I,
)
_CLAUSE_BREAK = re.compile(r"[|;,\d]|\s/|/\s|\bet\b|\band\b", re.I)  # on masked text: other numbers end a clause
_UNIT_NAMES = {"m²": "m2", "m2": "m2", "ml": "ml", "page": "pages", "clic": "clics", "impression": "impressions"}
_MASKS = (  # applied in order
    re.compile(  # a numbered label and its number (spaces taken whole: nothing after a run starts with one)
        r"(?:n°|n[o°]\.?|num[ée]ro)\s*+(?:de\s++)?(?:client|contrat|facture|s[ée]rie)?\s*+:?\s*+\d[\d ]*", re.I
    ),
    re.compile(r"(?:\+33\s?|\b0)\d(?:[\s.]?\d{2}){4}\b"),  # phone numbers
    re.compile(r"\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b"),  # dates
    re.compile(r"\b\d{1,2}\s*h\s*\d{0,2}\b"),  # times
    re.compile(r"(?<![\w/-])(?=[\w/-]*[A-Za-z])(?=[\w/-]*\d)[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*"),  # IDs, models
    re.compile(r"\b(?:PlotWave|ColorWave|Colorado|Arizona|VarioPrint|imagePROGRAF|imagePRESS)\s+\d+\w*", re.I),
    re.compile(r"\b(?:19|20)\d{2}\b"),  # years
)
_REFERS = re.compile(
    r"\b(?P<noun>contrat|contract|mat[ée]riels?|machines?|traceurs?|num[ée]ros? de s[ée]rie|client)\b[^.\n]{0,25}"
    r"\b(?:ci-dessous|ci-dessus|en dessous|plus bas|below|above|mentionn|indiqu|r[ée]f[ée]renc|en objet|en question)",
    re.I,
)
_BANK_CLAIM = re.compile(  # "changement de nos coordonnées bancaires", "nouveau RIB" (blanks taken whole)
    r"(?:changement|modification|mise [àa] jour)\s++(?:de\s++(?:nos|vos|leurs)?\s*+)?"
    r"(?:coordonn[ée]es bancaires|rib|domiciliation|compte bancaire|banque)"
    r"|nouveau (?:rib|compte|iban)|nouvelles coordonn[ée]es bancaires|new bank (?:details|account)"
    r"|changed (?:our|their) bank",
    re.I,
)


def _sentence_after(text: str, start: int, limit: int = 160) -> str:
    """The rest of the sentence from start, at most limit characters."""
    window = text[start : start + limit]
    end = _SENTENCE_END.search(window)
    return window[: end.start()] if end else window


def _sentence_start(text: str, start: int) -> int:
    """Where the sentence around start begins: after the last line break or ". " before it (looked
    for on its line only, so that many mentions on a long line do not each rescan the text)."""
    line = text.rfind("\n", 0, start)
    return max(line, text.rfind(". ", line + 1, start)) + 1


def _sentence_around(text: str, start: int, end: int) -> str:
    return text[_sentence_start(text, start) : end] + _sentence_after(text, end)


def _is_old(text: str, start: int) -> bool:
    """Does the clause before position start call the value old or replaced?"""
    clause = re.split(r"[.;!?\n]|\bet\b|\band\b|,", text[max(0, start - 70) : start])[-1]
    return bool(_OLD.search(clause)) and not _NEW_BY.search(clause)


def _tokens(text: str, start: int, sentences: int = 1) -> Iterator[tuple[int, str]]:
    """(position, identifier) for the identifiers in the rest of the sentence (and the next ones)."""
    for _ in range(sentences):
        window = _sentence_after(text, start, limit=200)
        for m in _TOKEN.finditer(window):
            yield start + m.start(), m.group(0)
        start += len(window)
        start = _SENTENCE_GAP.match(text, start).end()


def _is_year(token: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d{2}", token))


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _serial_like(value: str, labelled: bool) -> bool:
    """Could this token be a serial number? 6–14 capitals and digits (5 right after a serial label), at least
    two digits, not a contract, order, invoice or IBAN reference; all digits only when labelled, and never a
    phone number, SIREN or SIRET."""
    compact = value.replace("-", "").replace(" ", "")
    if not (5 if labelled else 6) <= len(compact) <= 14 or sum(c.isdigit() for c in compact) < 2:
        return False
    if _is_year(compact) or _NOT_SERIAL_SHAPE.match(value):
        return False
    if compact.isdigit():
        if not labelled or "-" in value:
            return False
        if (len(compact) in (9, 14) and _luhn(compact)) or (len(compact) == 10 and compact.startswith("0")):
            return False
    return True


def _cells(line: str) -> list[tuple[int, str]]:
    """(offset, text) of the cells of a table line: "a | b" (HTML tables) or columns aligned with spaces."""
    cells, position = [], 0
    for separator in _CELL_SEPARATOR.finditer(line):
        cells.append((position, line[position : separator.start()]))
        position = separator.end()
    cells.append((position, line[position:]))
    return [(at, cell.strip()) for at, cell in cells]


def _trimmed(text: str, start: int, end: int, chars: str = " \t\n") -> tuple[int, int]:
    """The span without the given characters at either end."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


class _Reader:
    """Extraction over one text, with the evidence it collects and where each value was read.

    ``kind`` ("new", "quoted", "subject") says which text the spans point into.
    """

    def __init__(self, text: str, source: str, kind: str) -> None:
        self.text = text
        self.source = source
        self.kind = kind
        self.evidence: list[Evidence] = []
        self.spans: dict[str, Any] = {}  # field name -> where its value was read (a list for list fields)
        self.email_nominative: bool | None = None
        self._serial_hits: list[tuple[int, str]] | None = None
        self._models: list[re.Match[str]] | None = None

    def note(self, name: str, text: str, detail: str) -> None:
        self.evidence.append(Evidence("extract", name, text, f"{detail} ({self.source})"))

    def where(self, start: int, end: int) -> dict[str, Any]:
        return {"text": self.text[start:end], "span": [start, end], "source": self.kind}

    def serial_hits(self) -> list[tuple[int, str]]:
        """(position, serial number) for every serial written, in text order (repeats included)."""
        if self._serial_hits is None:
            self._serial_hits = self._find_serials()
        return self._serial_hits

    def models(self) -> list[re.Match[str]]:
        """The machine models named ("PlotWave 450")."""
        if self._models is None:
            self._models = list(_MODEL.finditer(self.text))
        return self._models

    def _find_serials(self) -> list[tuple[int, str]]:
        text = self.text
        found: dict[int, str] = {}
        longest = 0  # of the values found: a value overlapping a new one starts at most this far before it
        blocked = ibans(text)  # an IBAN's groups are never serials
        blocked_ends = [e for _, e in blocked]

        def overlaps_found(at: int, length: int) -> bool:
            return any(s in found and at < s + len(found[s]) for s in range(at - longest + 1, at + length))

        def overlaps_iban(at: int, length: int) -> bool:
            i = bisect_right(blocked_ends, at)  # the first IBAN that ends after at
            return i < len(blocked) and blocked[i][0] < at + length

        def keep(at: int, value: str) -> None:
            nonlocal longest
            found[at] = value
            longest = max(longest, len(value))

        def add(at: int, value: str, labelled: bool) -> bool:
            if overlaps_found(at, len(value)):
                return at in found
            if overlaps_iban(at, len(value)) or not _serial_like(value, labelled):
                return False
            line_start = text.rfind("\n", 0, at) + 1
            if _NOT_SERIAL_BEFORE.search(text[max(line_start, at - 40) : at]):
                return False
            keep(at, value)
            return True

        def chain(end: int, labelled: bool) -> None:
            """The serials listed after the one ending at end: "3Y0612300 et 3Y0612301"."""
            while True:
                gap = _SERIAL_CHAIN.match(text, end)
                m = _SERIAL_TOKEN.match(text, gap.end()) if gap else None
                if not m or not add(m.start(), m.group(0), labelled):
                    return
                end = m.end()

        for shape in _SERIAL_SHAPES:
            for m in shape.finditer(text):
                if m.start() not in found:
                    keep(m.start(), m.group(0))
        for label in _SERIAL_LABEL.finditer(text):  # "n° de série 3Y0612300 et 3Y0612301", "S/N : YCG04412"
            for at, value in _tokens(text, label.end()):
                if not _is_year(value) and add(at, value, labelled=True):
                    chain(at + len(value), labelled=value.isdigit())
                break
        for model in self.models():  # "Colorado 1650 : YCG01187", "PlotWave 450 n° 3Y0612300"
            m = _SERIAL_TOKEN.match(text, _AFTER_MODEL.match(text, model.end()).end())
            if m and add(m.start(), m.group(0), labelled=False):
                chain(m.end(), labelled=False)
            begin = max(0, model.start() - 20)
            m = _BEFORE_MODEL.search(text, begin, model.start())  # "3Y0612300 (PlotWave 450)"
            if m:
                add(m.start("v"), m.group("v"), labelled=False)
        for m in _LIST_ITEM.finditer(text):  # "1) 3Z0099001 : 45 012"
            value = m.group("v")
            if re.search(r"[A-Z]", value) and sum(c.isdigit() for c in value) >= 4:
                add(m.start("v"), value, labelled=False)
        self._table_serials(add)
        return sorted(found.items())

    def _table_serials(self, add: Callable[[int, str, bool], bool]) -> None:
        """Serials in the column of a table whose header names them ("Modèle | N° de série | Site")."""
        if not _SERIAL_HEADER.search(self.text):
            return
        column: int | None = None
        start = 0
        for line in self.text.split("\n"):
            line_start, start = start, start + len(line) + 1
            cells = _cells(line)
            if not line.strip():
                column = None
            elif len(cells) >= 2 and any(_SERIAL_HEADER.search(c) and len(c) <= 30 for _, c in cells):
                column = next(i for i, (_, c) in enumerate(cells) if _SERIAL_HEADER.search(c) and len(c) <= 30)
            elif column is not None and column < len(cells):
                at, cell = cells[column]
                m = _SERIAL_TOKEN.fullmatch(cell)
                if m:
                    add(line_start + line.index(cell, at), cell, True)

    def serials(self) -> list[str]:
        first: dict[str, int] = {}
        for at, value in self.serial_hits():
            first.setdefault(value, at)
        values = list(first)
        if values:
            self.note("serial_numbers", ", ".join(values), "serial number shape or label")
            self.spans["serial_numbers"] = [self.where(at, at + len(value)) for value, at in first.items()]
        return values

    def contract(self) -> str | None:
        for label in _CONTRACT_LABEL.finditer(self.text):
            m = _CONTRACT_VALUE.match(self.text, label.end())
            if m and not _is_year(m.group(0)):
                self.note("contract_number", self.text[label.start() : m.end()], "contract label")
                self.spans["contract_number"] = self.where(*m.span())
                return m.group(0)
        m = _CONTRACT_SHAPE.search(self.text)
        if m:
            self.note("contract_number", m.group(0), "contract number shape CT-YYYY-NNNNN")
            self.spans["contract_number"] = self.where(*m.span())
            return m.group(0)
        return None

    def po(self, exclude: set[str]) -> str | None:
        # Never a piece of another number: a spaced contract "CT 2024-01234", a model "PlotWave 3600".
        other = Spans(m.span() for m in (*_CONTRACT_SHAPE.finditer(self.text), *self.models()))
        exclude = exclude | {word for taken in exclude for word in taken.split()}  # nor a word of one taken
        labels = list(_PO_LABEL.finditer(self.text))
        # First a reference written right after its label ("Nouveau N° de commande | BC-2027-007"), then any
        # reference in the label's sentence or the next one ("… nouveau bon de commande. Le numéro BC-1 …").
        for tight in (True, False):
            for label in labels:
                found = self._po_after(label, exclude, other, tight)
                if found:
                    return found
        return None

    def _po_after(self, label: re.Match[str], exclude: set[str], other: Spans, tight: bool) -> str | None:
        for at, value in _tokens(self.text, label.end(), sentences=1 if tight else 2):
            before = self.text[label.end() : at]
            if tight and not _PO_GAP.fullmatch(before):
                return None
            if value in exclude or _is_year(value) or len(value) < 4 or other.overlap(at, at + len(value)):
                continue
            if _NOT_AN_ORDER.search(before) or _is_old(self.text, at):
                continue
            self.note("po_number", self.text[label.start() : at + len(value)], "order number label")
            self.spans["po_number"] = self.where(at, at + len(value))
            return value
        return None

    def customer(self) -> str | None:
        for label in _CUSTOMER_LABEL.finditer(self.text):
            m = _CUSTOMER_VALUE.match(self.text, label.end())
            if m:
                self.note("customer_number", self.text[label.start() : m.end()], "customer number label")
                self.spans["customer_number"] = self.where(*m.span())
                return m.group(0)
        return None

    def siren(self) -> str | None:
        """The new entity's SIREN: the one introduced as new, else the last one written."""
        found: list[tuple[bool, re.Match[str], bool]] = []  # (new-entity context, match, checksum ok)
        for pattern, needs_valid in ((_SIREN, False), (_RCS, True), (_SIRET, True)):
            for m in pattern.finditer(self.text):
                if _is_old(self.text, m.start()):
                    continue
                before = self.text[max(0, m.start() - 150) : m.start()]
                if pattern is _SIRET:  # a SIRET gives the SIREN only when it is the new entity's
                    valid = stdnum_siret.is_valid(m.group("v") + m.group("nic"))
                    if not (valid and _NEW_ENTITY.search(before)):
                        continue
                else:
                    valid = stdnum_siren.is_valid(m.group("v"))
                if valid or not needs_valid:
                    found.append((bool(_NEW_ENTITY.search(before)), m, valid))
            if found:
                break
        if not found:
            return None
        _, m, valid = next((f for f in found if f[0]), found[-1])
        self.note("siren", m.group(0), "SIREN checksum ok" if valid else "SIREN as written, checksum fails")
        self.spans["siren"] = self.where(*m.span("v"))
        return m.group("v")

    def email(self, sender: str, sender_name: str = "") -> str | None:
        best: tuple[float, str, int] | None = None
        previous_end = 0  # where the address before ends: "remplacer a@x.fr par b@x.fr" reads b's clause from there
        for m in _EMAIL.finditer(self.text):
            address = m.group(0).strip(".'")
            at = m.start() + m.group(0).index(address)
            domain = address.rsplit("@", 1)[1]
            if _OUR_DOMAINS.search(domain):
                continue
            reach = max(0, m.start() - 200)
            line_start = self.text.rfind("\n", reach, m.start()) + 1 or reach
            previous = self.text.rfind("\n", reach, max(reach, line_start - 1)) + 1 or reach
            context = self.text[previous : m.start()]  # this line and the one before, at most 200 characters
            line = self.text[line_start : m.start()]
            clause = self.text[max(line_start, previous_end) : m.start()]
            clause = re.split(r"[.;!?](?:\s|$)", clause)[-1]  # this sentence only
            previous_end = m.end()
            old = _EMAIL_OLD.search(clause) and not _NEW_BY.search(clause)
            after = _sentence_after(self.text, m.end(), 120).split("@")[0]  # up to the next address
            score = (1.0 if _EMAIL_POSITIVE.search(context) else 0.0) - (
                2.0 if _EMAIL_NEGATIVE.search(clause) or old or _EMAIL_OLD_AFTER.match(after) else 0.0
            ) + (0.5 if _EMAIL_NEW.search(clause) else 0.0)
            if address.lower() == sender.lower() and not _EMAIL_POSITIVE.search(line):
                continue  # the sender's own address counts only when the same line says it is the new one
            if score >= 1 and (best is None or score > best[0]):  # the first of the best
                best = (score, address, at)
        if best:
            _, address, at = best
            self.email_nominative = is_nominative(address, sender_name)
            kind = "nominative" if self.email_nominative else "generic"
            self.note("new_email", address, f"e-mail address in an invoice-address context, {kind}")
            self.spans["new_email"] = self.where(at, at + len(address))
            return address
        return None

    def address(self) -> dict[str, Any] | None:
        """The first new postal address: street, complement, postcode, city, cedex, span and text."""
        for m in _POSTCODE.finditer(self.text):
            line_start = self.text.rfind("\n", 0, m.start()) + 1
            if _POSTCODE_NOT.search(self.text[max(line_start, m.start() - 12) : m.start()]):
                continue
            if _is_new_address(self.text, m.start()):
                found = _address_at(self.text, m.start("v"), m.end("v"))
                self.note("new_address_postcode", found["text"], "postcode after a new-address cue")
                self.spans["new_address_postcode"] = self.where(*m.span("v"))
                return found
        return None

    def kbis(self, mail: Mail) -> bool:
        for attachment in mail.attachments:
            if _KBIS_NAME.search(attachment.get("filename") or ""):
                self.note("kbis", attachment["filename"], "attachment named like a K-bis")
                self.spans["kbis"] = {"text": attachment["filename"], "span": None, "source": "attachment"}
                return True
        if not any(re.search(r"pdf|image", a.get("content_type", "")) for a in mail.attachments):
            return False  # said to be attached, but no document is
        for m in _KBIS_TEXT.finditer(self.text):
            sentence = _sentence_around(self.text, m.start(), m.end())
            if _ENCLOSED.search(sentence) and not _LATER.search(sentence):
                self.note("kbis", sentence.strip(), "K-bis said to be attached, with a document attached")
                begin = _sentence_start(self.text, m.start())
                self.spans["kbis"] = self.where(*_trimmed(self.text, begin, begin + len(sentence)))
                return True
        return False

    def readings(self) -> list[dict[str, Any]]:
        """Counter values, in the order written, with what they count and the machine's serial when given."""
        found: list[dict[str, Any]] = []
        serials = self.serial_hits()
        positions = [at for at, _ in serials]
        block_context = False  # rows under a header or an introduction that names the counters
        columns: list[str | None] = []  # what each column of the current table counts, from its header
        intro = False  # the last line was "… voici les index :": a blank line may follow before the rows
        spaced = False  # in a table whose columns are aligned with spaces
        # The serials of the nearest line above, in the paragraph, that names some: (its last, how many names).
        above: tuple[str, int] | None = None
        start = 0
        for line in self.text.split("\n"):
            line_start, start = start, start + len(line) + 1
            on_line = serials[bisect_left(positions, line_start) : bisect_left(positions, start - 1)]
            above_line, above = above, (on_line[-1][1], len({v for _, v in on_line})) if on_line else above
            context = bool(_READING_CONTEXT.search(line))
            if not line.strip():
                if not intro:
                    block_context, columns, spaced, above = False, [], False, None
                continue
            intro = False
            if context and "|" not in line and len(_cells(line.strip())) >= 2 and any(
                _counter_kind(cell) or _READING_CONTEXT.search(cell) for _, cell in _cells(line.strip())
            ):
                spaced = True  # a header "N° de série   Compteur N&B   Compteur couleur"
            if spaced:  # read it as "a | b | c", keeping every position
                line = _SPACED_COLUMNS.sub(lambda m: " |" + m.group(0)[2:] if len(m.group(0)) > 1 else "|", line)
            if context and (line.rstrip().endswith(":") or "|" in line):
                block_context = True
                intro = line.rstrip().endswith(":")
            if not (context or block_context):
                continue
            masked = line
            for mask in _MASKS:
                masked = mask.sub(lambda m: " " * len(m.group(0)), masked)
            hits = []
            for m in _READING_NUMBER.finditer(masked):
                before, after = masked[max(0, m.start() - 40) : m.start()], masked[m.end() : m.end() + 40]
                if _READING_UNIT.match(after) or _READING_BEFORE.search(before) or _READING_AFTER.match(after):
                    hits.append(m)
            if not hits:
                if "|" in line:  # a table header: "Série | Noir | Couleur"
                    kinds = [_counter_kind(cell) for cell in line.split("|")]
                    columns = kinds if any(kinds) else columns
                continue
            self.note("meter_readings", line.strip(), "number after a counter word or before a unit")
            row = _Row(line, masked, columns)
            for m in hits:
                counter, unit = row.counter_of(m)
                at, end = line_start + m.start("v"), line_start + m.end("v")
                found.append({
                    "value": int(re.sub(r"\D", "", m.group("v"))),
                    "counter": counter,
                    "unit": unit,
                    "serial": _serial_for(on_line, above_line, at),
                    "span": [at, end],
                })
        if found:
            self.spans["meter_readings"] = [self.where(*r["span"]) for r in found]
        return found

    def date(self, reference: date | None) -> str | None:
        hit = effective_date(self.text, reference)
        if hit:
            self.note("effective_date", hit.text, f"resolved to {hit.iso}, score {hit.score:g}")
            self.spans["effective_date"] = self.where(*_trimmed(self.text, hit.start, hit.end))
            return hit.iso
        return None


def _counter_kind(text: str) -> str | None:
    """noir, couleur or total when the text names one (the last one named)."""
    kinds = [m.lastgroup for m in _COUNTER_KIND.finditer(text)]
    return kinds[-1] if kinds else None


def _size(text: str) -> str | None:
    m = _COUNTER_SIZE.search(text)
    if not m:
        return None
    return "m2" if m.lastgroup == "m2" else "ml" if m.lastgroup == "ml" else m.group(0).upper()


class _Row:
    """A line of readings and what finding each reading's counter looks up, computed once for the line
    (looked up per reading, a line of many readings would be read again for each)."""

    def __init__(self, line: str, masked: str, columns: list[str | None]) -> None:
        self.line = line
        self.columns = columns
        self.breaks = list(_CLAUSE_BREAK.finditer(masked))
        self.break_ends = [b.end() for b in self.breaks]
        self.pipes = [i for i, c in enumerate(line) if c == "|"]
        self.cell_kinds = [_counter_kind(cell) for cell in line.split("|")] if self.pipes else []
        self.kinds = Counter(k for k in self.cell_kinds if k)

    def counter_of(self, m: re.Match[str]) -> tuple[str | None, str | None]:
        """(counter, unit) of the reading m: its own clause, the words right after it, its table column, its row."""
        line = self.line
        unit_match = _READING_UNIT.match(line, m.end())
        unit = None
        if unit_match:
            word = unit_match.group(0).strip()
            sized = re.fullmatch(r"A\d", word, re.I)
            unit = word.upper() if sized else _UNIT_NAMES.get(word.lower().rstrip("s"), word.lower())
        # The last break before the reading (a break never straddles its start: it follows no word character).
        last = self.breaks[i - 1] if (i := bisect_right(self.break_ends, m.start())) else None
        clause = line[last.end() if last else 0 : m.start()]
        if last and last.group(0).isdigit():  # "25 604 noir 9 812": "noir" belongs to the number before
            before = _KIND_AFTER.match(clause)
            clause = clause[before.end() :] if before else clause
        kind = _counter_kind(clause)
        if kind is None:
            right = _KIND_AFTER.match(line, m.end())
            kind = right.lastgroup if right else None
        if kind is None and self.pipes:
            column = bisect_left(self.pipes, m.start())
            if column < len(self.columns) and self.columns[column]:
                kind = self.columns[column]
            else:  # "PW3600-0021876 | noir | 18 452": the one kind the other cells name
                own = self.cell_kinds[column]
                kinds = [k for k, n in self.kinds.items() if n > (k == own)]
                kind = kinds[0] if len(kinds) == 1 else None
        size = _size(clause) or (unit if unit in ("m2", "ml") or re.fullmatch(r"A\d", unit or "") else None)
        return kind or size, unit


def _serial_for(on_line: list[tuple[int, str]], above: tuple[str, int] | None, at: int) -> str | None:
    """The machine a reading at position at belongs to: a serial on its own line (the nearest before
    it, else the first after it); else, in the same paragraph, the serial of the nearest line above
    that names serials, when it names only one ("PW1 et PW2, voici les compteurs :" gives none)."""
    if on_line:
        i = bisect_left(on_line, (at,))
        return on_line[i - 1][1] if i else on_line[0][1]
    if above is None:
        return None
    serial, names = above
    return serial if names == 1 else None


def _pieces(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], bool]:
    """The parts of one address line (between commas, dashes, a BP/CS box), trimmed, and whether a
    "…:" cue comes before them on that line (then the address starts there)."""
    colon = text.rfind(":", start, end)
    if colon >= 0:
        start = colon + 1
    bounds, position = [], start
    for separator in _PIECE_SEPARATOR.finditer(text[start:end]):
        bounds.append((position, start + separator.start()))
        position = start + separator.end()
    bounds.append((position, end))
    pieces = []
    for s, e in bounds:
        s, e = _trimmed(text, s, e, _PIECE_TRIM)
        if s >= e:
            continue
        box = _BOX.search(text, s, e)
        if box and box.start() > s:  # "14 rue Emile Borel CS 28646": the street, then the box
            pieces.append(_trimmed(text, s, box.start(), _PIECE_TRIM))
            s = box.start()
        pieces.append((s, e))
    return pieces, colon >= 0


def _piece_kind(text: str, start: int, end: int) -> tuple[str, int]:
    """"complement", "street" (with where the street starts inside a sentence) or "other"."""
    piece = text[start:end]
    if _COMPLEMENT.match(piece):
        return "complement", start
    m = _NUMBERED_STREET.search(piece)
    if m:
        return "street", start + m.start()
    if _STREET_START.match(piece):
        return "street", start
    return "other", start


def _address_at(text: str, start: int, end: int) -> dict[str, Any]:
    """The address whose postcode is text[start:end].

    The city follows the postcode on its line ("PACÉ", "Pacé Cedex",
    "PARIS CEDEX 17"). Before it, walking back over at most four lines of
    pieces: complements below the street (BP, CS, "Bâtiment B"), the street
    ("12 allée des Frênes", or "5 rue X" inside "nous déménageons au 5 rue X
    à"), complements above it ("ZI des Vignes"). The walk stops at a blank
    line, at a "…:" cue, at a second street or at anything else (a company
    name, a sentence).
    """
    city = _CITY.match(text, end)
    stop = city.end() if city else end
    street: tuple[int, int] | None = None
    below: list[tuple[int, int]] = []  # between the street and the postcode
    above: list[tuple[int, int]] = []  # before the street
    line_start = text.rfind("\n", 0, start) + 1
    to = _TO_POSTCODE.search(text, line_start, start)
    region = (line_start, to.start() if to else start)
    for _ in range(4):
        pieces, done = _pieces(text, *region)
        for s, e in reversed(pieces):
            kind, street_start = _piece_kind(text, s, e)
            if kind == "complement":
                (below if street is None else above).insert(0, (s, e))
            elif kind == "street" and street is None:
                street = (street_start, e)
                if street_start > s:  # inside a sentence: what comes before is not address
                    done = True
                    break
            else:
                done = True
                break
        if done or region[0] == 0:
            break
        previous = text.rfind("\n", 0, region[0] - 1) + 1
        if not text[previous : region[0] - 1].strip():
            break
        region = (previous, region[0] - 1)
    begin = min([start] + [s for s, _ in (*above, *below, *([street] if street else []))])
    return {
        "street": text[street[0] : street[1]] if street else None,
        "complement": ", ".join(text[s:e] for s, e in (*above, *below)) or None,
        "postcode": text[start:end],
        "city": city.group("city") if city else None,
        "cedex": city.group("cedex") if city else None,
        "span": [begin, stop],
        "text": text[begin:stop],
    }


def _is_new_address(text: str, position: int) -> bool:
    """Is the postcode at position part of a new address?

    The nearest cue in the 300 characters before decides ("nouvelle adresse :"
    yes, "adresse actuelle", "livraison" no); a negative cue in the same
    sentence as the positive one wins ("livraison à l'adresse habituelle"),
    unless the old address itself lies between them ("Ancienne adresse :
    4 rue A, 35000 Rennes / Nouvelle adresse : …").
    """
    window = text[max(0, position - 300) : position].replace("\n", " ")
    positive = list(_ADDRESS_POSITIVE.finditer(window))
    if not positive:
        return False
    negative = list(_ADDRESS_NEGATIVE.finditer(window))
    if not negative:
        return True
    p, n = positive[-1], negative[-1]
    if n.start() > p.start():
        return False
    # the negative cue ends with its sentence, or with the old address it introduced
    between = window[n.end() : p.start()]
    return bool(re.search(r"[.;!?]\s", between) or _POSTCODE.search(between))


def fraud_signals(new_text: str, quoted_text: str, subject: str = "", sender_name: str = "") -> list[Evidence]:
    """An IBAN (redact.ibans: valid in any grouping, or shaped like one) or a claim that
    bank details changed, anywhere in the message, its sender's display name included."""
    signals = []
    for name, text in (("subject", subject), ("new", new_text), ("quoted", quoted_text), ("name", sender_name)):
        for start, _ in ibans(text):
            signals.append(Evidence("extract", "iban", text[start:start + 4] + "…", f"IBAN in the {name} text"))
        claim = _BANK_CLAIM.search(text)
        if claim:
            signals.append(Evidence("extract", "bank_change_claim", claim.group(0), f"in the {name} text"))
    return signals


def _refers_to_quoted(new_text: str) -> set[str]:
    """Fields the new text points to in the quoted history ("le contrat ci-dessous")."""
    fields = set()
    for m in _REFERS.finditer(new_text):
        noun = fold(m.group("noun"))
        if noun.startswith("contra"):
            fields.add("contract_number")
        elif noun.startswith("client"):
            fields.add("customer_number")
        else:
            fields.add("serial_numbers")
    return fields


@dataclass
class Extraction:
    """What one message says, read by ``extract_all``.

    ``fields`` has exactly the keys of corpus/FORMAT.md. ``details`` is the
    richer reading, ready for JSON:

    - ``new_address``: {street, complement, postcode, city, cedex, span, text}
      or None; ``postcode`` is always ``fields["new_address_postcode"]``.
    - ``new_email``: {address, nominative, span} or None (``nominative`` from
      ``decide.is_nominative``, with the sender's display name).
    - ``meter_readings``: [{value, counter, unit, serial, span}, …] in the
      order written; counter is noir, couleur, total, m2, ml, A0–A4 or None.
    - ``spans``: for every non-empty field, {text, span, source} (a list of
      them for serial_numbers and meter_readings).

    A span is [start, end) in the text its source names: "new" is the
    ``new_text`` argument (in analyze: the request part of the body as
    quotes.split returns it, with odd spaces made plain, LF line ends,
    stripped), "quoted" the ``quoted_text`` argument, "subject" the Subject;
    text[start:end] is the value as written. A K-bis recognised by an
    attachment's name has source "attachment" and span None. The spans inside
    new_address, new_email and meter_readings are in the new text.
    """

    fields: dict[str, Any]
    details: dict[str, Any]
    evidence: list[Evidence] = field(default_factory=list)


def extract_all(new_text: str, quoted_text: str, mail: Mail, reference_date: date | None) -> Extraction:
    """The FORMAT.md fields of one message, their details and spans, and the evidence for each value."""
    fields = empty_fields()
    new = _Reader(new_text, "new text", "new")
    subject = _Reader(mail.subject, "subject", "subject")
    quoted = _Reader(quoted_text, "quoted text", "quoted")

    fields["contract_number"] = new.contract() or subject.contract()
    fields["serial_numbers"] = new.serials()
    fields["customer_number"] = new.customer() or subject.customer()
    for name in _refers_to_quoted(new_text):
        if not fields[name]:
            fields[name] = {"contract_number": quoted.contract, "customer_number": quoted.customer,
                            "serial_numbers": quoted.serials}[name]()
    taken = {fields["contract_number"] or "", *fields["serial_numbers"], fields["customer_number"] or ""}
    fields["po_number"] = new.po(taken) or subject.po(taken)
    fields["effective_date"] = new.date(reference_date)
    address = new.address()
    fields["new_address_postcode"] = address["postcode"] if address else None
    fields["new_email"] = new.email(mail.from_addr, mail.from_name)
    fields["siren"] = new.siren()
    fields["kbis"] = new.kbis(mail)
    readings = new.readings()
    fields["meter_readings"] = [r["value"] for r in readings]

    readers = (new, subject, quoted)  # each value was read by one of them, and only that one kept a span
    spans = {
        name: next(r.spans[name] for r in readers if name in r.spans) for name, value in fields.items() if value
    }
    email = fields["new_email"]
    details = {
        "new_address": address,
        "new_email": {"address": email, "nominative": new.email_nominative, "span": spans["new_email"]["span"]}
        if email else None,
        "meter_readings": readings,
        "spans": spans,
    }
    return Extraction(fields, details, new.evidence + subject.evidence + quoted.evidence)


def extract(
    new_text: str, quoted_text: str, mail: Mail, reference_date: date | None
) -> tuple[dict[str, Any], list[Evidence]]:
    """The FORMAT.md fields of one message and the evidence for each value found (``extract_all`` without details)."""
    result = extract_all(new_text, quoted_text, mail, reference_date)
    return result.fields, result.evidence
