"""Which number of a mail is the contract, the order, the customer or a machine.

Customers write labels every way ("SN 4017289", "n serie", "bdc", "compte
client n°", words between label and value) and numbers of every shape, so a
regex per label and format never generalises. Instead every identifier-like
token is collected once (spaces and dashes inside allowed) and scored for
each field: by the nearest label before it (classifiers/identifiers.toml,
compared folded and with one typo allowed, within a few words, on the line
above or as its table column's header), by its shape (a hint), after a
machine model, and against the words that exclude it (a phone, an invoice,
a SIRET, an old order number, a machine said not to be concerned). Dates and
years are never identifiers. A new label or format is a data entry. Each
value keeps its span and the evidence that chose it.

Its size: the candidates, their context and their scoring are one mechanism shared by the
four kinds of number; the labels and shapes themselves are data (identifiers.toml).
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from mailbot.read.htmltext import fold
from mailbot.paths import CLASSIFIERS_DIR
from mailbot.compose.redact import ibans
from mailbot.read.quotes import ANSWER_MARKS, GREETING_LINE, PARAGRAPH_BREAK

IDENTIFIERS_FILE = CLASSIFIERS_DIR / "identifiers.toml"
FIELDS = ("contract_number", "po_number", "customer_number", "serial_numbers")
# Serials not concerned only because the machine leaves (returned, decommissioned: FieldLexicon.leaving_after),
# under their own key: when no serial of the mail is concerned, the mail is about these (extract.extract_all).
LEAVING = "leaving_serials"
LEFT_OUT = "left_out_serials"  # serials said not to be concerned: a file attached that lists them does not bring them back

_PIECE = re.compile(r"(?<![A-Za-z0-9@._%+-])[A-Za-z0-9]++(?:[-/.][A-Za-z0-9]++)*+(?![A-Za-z0-9]|@|\.[A-Za-z0-9])")
_LEADING_LETTERS = re.compile(r"[A-Za-z]*+")  # a value's letters before its digits: "CTR" of "CTR 556 0192"
_DATE_OR_YEAR = re.compile(  # matched whole on a token; started only where a token may start
    r"(?<![0-9A-Za-z])(?:(?:[0-2]?\d|3[01])[/.-](?:0?[1-9]|1[0-2])(?:[/.-](?:19|20)?\d{2})?|(?:19|20)\d{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|1[0-2])[/.-](?:19|20)\d{2}"  # a day and a month that can be one, or a month and a year
    r"|(?:19|20)\d{2}(?:[/-](?:19|20)?\d{2})?"
    r"|(?:FY|EX|Q[1-4]|S[12]|T[1-4]|H[12])[-/]?(?:19|20)?\d{2}(?:[-/](?:19|20)?\d{2})?|\d{1,2}h\d{0,2}"
    r"|\d++(?:er|e|eme|st|nd|rd|th)"
    # a month's name and a year, as a file is named: "PO_juillet2027.pdf", "releves-mars-2027" ("février": its piece
    # after the accent)
    r"|(?:janv(?:ier)?|jan(?:uary)?|f[ée]vrier|vrier|f[ée]v|feb(?:ruary)?|mars|march|mar|avril|avr|april|apr|mai|may"
    r"|juin|june?|juillet|juil|july?|ao[uû]t|aug(?:ust)?|sept(?:embre|ember)?|sep|octobre|october|oct"
    r"|novembre|november|nov|d[ée]cembre|cembre|december|d[ée]c)[-/.]?(?:19|20)\d{2})",
    re.I,
)
_SPACED_DATE = re.compile(r"(?:[0-2]?\d|3[01]) (?:0?[1-9]|1[0-2]) (?:19|20)?\d{2}")  # "30 09 2026"
# an amount or a quantity with its unit: "1 500 m² par trimestre", "50 000 pages" (blanks taken whole)
_AMOUNT_AFTER = re.compile(r"(?:[.,]\d{2}(?!\d))?+[ \t\u00a0]?+(?:€|eur\b|euros?\b|%|k€|ht\b|ttc\b|m²|m2\b|ml\b|pages?\b|copies\b|clics?\b"
                           r"|impressions?\b|prints\b|feuilles\b|sheets\b)", re.I)
_SPACED_COUNT = re.compile(r"\d{1,3}(?:[ \u00a0]\d{1,3})++")  # digits in groups of three at most: "1 8 640"
_CENTS_AFTER = re.compile(r",\d{2}(?![\d,])")
_AMOUNT_TAIL = re.compile(r"(?<=\S) \d{1,3} \d{3}$")  # a spaced amount's thousands at a value's end, before its cents
_WORD = re.compile(r"[a-z0-9]+")
_DIGIT = re.compile(r"\d")
# "Compteur au 28/12", "Reading (30/06/2026)", "Ancien EJ (2026)"
_HEADER_DATE = re.compile(r"\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b|\((?:19|20)\d{2}\)")
_VALUE_DIGITS = re.compile(r"\d\d")  # a cell with two digits in a row holds a value; "Noir A4", "Compteur 1" name one
_SENTENCE_OR_ROW = re.compile(r"[.;!?](?=\s)|\n")
_LONG_WORD = re.compile(r"[^\W\d_]{4,}")
_SPACED_DIGITS = re.compile(r"(?<=\d) (?=\d)")
_YEAR_GROUP = re.compile(r"(?:(?:19|20)\d{2}|2\d)[ \u00a0]")  # "2027 ", "27 ": an order's year, in four digits or two
_ANY_NUMBER = re.compile(r"(?<![\w/.-])(?=[\w/.-]*\d)[\w/.-]++")  # a token with a digit, from its start only
_GOES_ON = re.compile(r"[\w/-]|[.,]\w")
_DIGIT_RUN = re.compile(r"\d++(?:[ \u00a0]\d++)*+")  # "2100 0487 63"; matched in a bounded slice (_digits_at)
_NUMBERED = re.compile(r"(?<![\w-])(?=[\w-]*\d[\w-]*\d[\w-]*\d[\w-]*\d)[\w-]++(?:[ ][\d]++)*+")  # 4+ digits
RULE_LINE = re.compile(r"(?<![-=_+|: \t])[-=_+|: \t]{3,}+")  # a plain-text table's rule under its header
_TABLE_HINT = re.compile(r"\||\t|  ")  # cells need one of these between them
_SIGN = r"(?:\bn°|\bn[o°º]\.|#)[ \t]*+:?[ \t]*+"  # "n°", "no.", "#" before a number
_NUMBER_SIGN = re.compile(_SIGN + "$", re.I)  # right before a value: "n° 301 446 729"
_SIGN_ENDS = ("°", ".", "#")  # how a number sign ends: a look at one character before the search
_ITEM_SIGN = re.compile("^" + _SIGN, re.I)  # a list's item may start with it: " - n° 1350-4471"
# what may follow an item's value on its line: nothing, or an aside after a dash or in brackets
# ("HL6123407 – bureau d'études, bât. A", "3Y0612300 (2e étage)")
_LISTED = r"[A-Za-z0-9][\w./-]*+(?:[ \u00a0]\d[\w./-]*+)*+"  # a value of a list on one line, spaced or not
_ITEM_REST = re.compile(r"[ \t;,.]*+|[ \t]++[–—-][ \t].*|[ \t]*+\(.*"
                        r"|(?:[ \t]*+(?:[/,;+&]|et|and)[ \t]*+" + _LISTED + r")++[ \t;,.]*+")  # "X / Y / Z", "X et Y"
# another value after this one ("12 450 et 8 310": counts), the values before it on its line ("X et " before Y)
_MORE_ON_LINE = re.compile(r"(?<![ \t])[ \t]*+(?:[/,;+&]|et\b|and\b)")
_ITEMS_BEFORE = re.compile(r"(?<![\w./-])(?:" + _LISTED + r"[ \t]*+(?:[/,;+&]|et|and)[ \t]*+)++")
_ITEM_LINE = re.compile(  # an item of such a list: one value, spaced or not ("5830 1120"), and what may follow it
    r"[A-Za-z0-9]++(?:[-/.][A-Za-z0-9]++)*+(?:[ \u00a0][A-Za-z]{0,3}+\d[A-Za-z0-9]*+(?:[-/][A-Za-z0-9]++)*+){0,3}+(?:"
    + _ITEM_REST.pattern + ")")
_COUNTER_MARKS = frozenset({"NB", "BW", "TOT", "COL", "CL", "BK"})  # "4017289 NB 12 450": a serial, then a reading
_COMPLEMENT_STARTS = frozenset({"de", "du", "des", "d", "of", "at", "in", "au", "aux", "chez"})  # "traceur des services …"
# a participle placing the machine starts its complement too: "les deux PlotWave 345 installés sur ce site (n° …)"
_PLACED = frozenset({"installe", "installes", "installee", "installees", "situe", "situes", "situee", "situees",
                     "installed", "located", "based"})
_PLACED_AT = frozenset({"sur", "a", "au", "aux", "dans", "en", "chez", "at", "in", "on"})
_LEADER = re.compile(r"(?<![.])\.{4,}+(?=[ \t]*+[^\s.])")  # not an ellipsis "..." (three dots)
_ANSWER_ARROW = re.compile(r"(?<=[ \t])(?:=++>|-++>|→|⇒)(?=[ \t])")
_ADVERBS = frozenset({"donc", "alors", "malheureusement", "desormais", "finalement", "toutefois", "egalement", "aussi",
                      "therefore", "then", "unfortunately", "finally", "actually", "however", "also"})
_NUMBER_WORDS = frozenset({"numero", "number", "no", "n", "num", "ref", "reference", "code"})
_COMPLEMENT_PREPOSITIONS = frozenset({"pour", "for", "of", "sur", "on", "concernant", "regarding"})
_COMPLEMENT_DETERMINERS = frozenset({"ces", "these", "those", "nos", "our", "vos", "your", "les", "the", "this", "ce",
                                     "cet", "cette"})
_SUBJECT_WORDS = frozenset({"objet", "subject"})  # an "elsewhere" phrase with one of these points to the subject
_SUBJECT_HINT = re.compile(r"objet|subject", re.I)
_POSTCODE_TOWN = re.compile(  # "63000 Clermont-Ferrand", at its line's end or before a phone the joiner put after it
    r"\d{5}[ \t]++[A-ZÀ-Ý][\w'’-]*+(?:[ \t]++[^\W\d][\w'’-]*+){0,3}+[ \t]*+"
    r"(?:\n|$|(?:\+33[ .]?|0)[1-9](?:[ .]?\d\d){4}(?!\d))")
_QUANTITY = re.compile(r"\d{1,3}(?:[ \u00a0.]\d{3})+")  # "18 732": a count, an identifier only right after its label
_INCISE = re.compile(r",[^,\n]{1,40}+,(?=[^,]*+$)")  # the last aside between commas: "est, sauf erreur, le"
_COMPANY_SIZED = re.compile(r"(?:\d\.?){8}\d(?:(?:\.?\d){5})?")  # what may pass the SIREN or SIRET check
_PREFIXED_YEAR = re.compile(r"[A-Z]{2,3}[ \u00a0](?:19|20)\d{2}")
# what a prefix follows to start its value: ": BC 27/0098", "… est le CMD 27/0583" (a copula, as a colon), a table
# cell's start ("… | CMD 2027 0118", or after a tab), a number sign ("bon de commande n° CMD 27 00431")
_AFTER_COLON = re.compile(r"(?:^|[:\n|]|(?<![ \t])\t|\b[Nn][°º]|\b(?:est|sera|devient|is|becomes|porte|portera|bears)"
                          r"(?:[ \t]++(?:le|la|the))?(?:[ \t]++(?:num[ée]ro|number|r[ée]f[ée]rence|reference))?)[ \t]*+$")
_TO_COLON = re.compile(r"[^.!?:\n\d]{1,60}+:")  # from a label to the colon that ends its clause, no number between
_COLON_NEXT = re.compile(r"(?<![ \t])[ \t]*+:")  # matched where a word ends; the lookbehind keeps a search linear
_NEGATION_WORDS = frozenset({"pas", "non", "ni"})  # a verb's negation too: its phrase counts only right before the value
# "(n° X), qui reste …": the clause goes on (matched where a value ends; the lookbehind keeps a search linear)
_RELATIVE = re.compile(r"(?<![ \t])\)?+[ \t]*+,[ \t]*+(?=(?:qui|which|that)\b)")
# a counter's label ending its line with a colon, on folded text: "… et compteur mètres linéaires (rouleau 2) :" (the
# number on the next line is its reading)
COUNTER_LABEL_ENDS = re.compile(r"(?<![^\W\d_])(?:compteurs?|index|counter|meter)(?:[ \t]++[^\s:\d,;()]++){0,6}+"
                                r"(?:[ \t]*+\([^()\n]{1,20}\))?[ \t]*+:[ \t]*+$")
# a numbered list's item number ("1. ", "2) ", "(3) ") reads as a bullet: "1. 810024471" as "-  810024471"
_ITEM_NUMBER = re.compile(r"(?m)^([ \t]*+)\(?\d{1,2}[.)](?=[ \t])")
# a reply's initials or name before each answer: "[PR] 3850 0021 47", "[P. Lemoine] 1010524 et 1010525"
INITIALS = re.compile(r"\[(?:[A-Z]{1,5}|[A-Z]\.?[ ]?[A-Z][a-zà-ÿ]++(?:-[A-Z][a-zà-ÿ]++)?)\]")
_TWO_LETTERS = re.compile(r"[a-z]{2}")
# a line break inside a sentence: a wrap the joiner left; or after a colon, before a pronoun that goes on about the
# value ("… (S/N 9871001950) :⏎il reste en service.")
_WRAPPED = re.compile(r"(?<=[\w,])\n(?=\w)|(?<=:)[ \t]*+\n(?=(?:il|elle|it)\b)")
_CONTRACT_NAMED = re.compile(r"\b(?:contrat|contract)s?+[ \t]++(?:n°[ \t]*+|no\.?[ \t]++)?[\w/.-]*?\d[\w/.-]*+")
_YEAR_OR_DATE_WORD = re.compile(r"(?<![\w/.-])(?:(?:19|20)\d{2}|\d{1,2}/\d{1,2}/\d{2,4})(?![\w/-])")
# "2NK 04417", "AZ13 8011": a series of capitals and digits, then its number
_SERIES = re.compile(r"(?<![A-Z0-9])(?=[A-Z]{0,3}\d)(?=\d{0,3}[A-Z])[A-Z0-9]{3,4}(?![A-Z0-9])")
_DASHED_THREE = re.compile(r"\d{2,5}(?:-\d{3})+")  # "4500-118", not "CT-2024-118" nor "2026-07"
# what may follow a reference's letter code: its sentence's end, a bracket, or a word in lower case ("contrat n° CT 2023
# 1187 PL ?", "CF 2023 0456 B est le …"; not "CT 2022 0815 PW 345", a model after it)
_CODE_ENDS = re.compile(r"[ \t\u00a0]*+(?:$|[\n?!.,;:)]|[a-zà-ÿ])", re.MULTILINE)
_KEY_END = re.compile(r"(?<![ \t])[ \t]*+(?::|\n|$)")  # what ends a key: its colon, or its line (on folded text)
# matched whole on a piece: "FY27 4500219904" is a fiscal year, then the order (_DATE_OR_YEAR's "FY" only: its other
# period tags look like a serial's first piece, "T140 4412")
_FISCAL_YEAR = re.compile(r"[Ff][Yy]\d{2}(?:\d{2})?")
_CODE_AFTER = re.compile(r"[ \u00a0][A-Z]{1,3}")  # matched whole on what a token adds to a spaced value
_LONGER_GROUP_NEXT = re.compile(r"[ \u00a0]\d{3,4}(?![\w/.-])")  # "11 04 387": a pair of digits, then 3 or 4 more
# a remark in brackets, closed: "numéro de client (indiqué en page 2 de la facture) : X" (one pattern: a second one,
# written later under the same name, had replaced this one's line and length bounds since the sixteenth session)
_ASIDE = re.compile(r"\([^()]*+\)")
# A cell separator: "|" with the blanks around it, or blanks alone. Blanks before a "|" are tried from the
# start of their run only (the lookbehind), not again from each blank of the run.
_CELL_SEPARATOR = re.compile(r"(?<![ \t])[ \t]++\|[ \t]*+|\|[ \t]*+| {2,}|\t+")
_MODEL_GAP = 64  # characters between a model and its serial: "PlotWave 345 (numéro sur l'étiquette : X)"
_MACHINE_WORD_COST = 3  # words: a value right after "traceur" describes the machine, not a label further back
_NEAR_CACHE_SIZE = 50_000  # distinct words remembered with their labels
_KEY_BEFORE = re.compile(r"(?<![ \t>])[ \t>]*+(?:[-•*·–][ \t]*+)?(?P<key>[^\W_][^:\n]{0,38}?)[ \t]*+:[ \t]*+")  # "- cpt 1 : "
_HEADER_REACH = 50  # rows a table's header is looked for above a row
# a number of this many digits or fewer, unspaced, among several on a line, may be a count ("12450 et 8310")
_COUNT_DIGITS = 6
_LIST_LINE_REACH = 200  # characters from a list's colon to its last value, on one line
_BULLETS = " \t-•*·–>"  # what may stand before a list's item on its line
_LIST_REACH = 20  # lines a list's item is looked up from to its introduction
_NO_WORDS = frozenset({"no", "non"})  # a yes/no cell's "no" (not "N", which may be a code)
_PLACE_WORDS = frozenset({"to", "a", "au", "vers", "sur", "into", "towards"})  # "Relocate to …", "À déplacer vers …"
_MAX_VALUES_BETWEEN = 8  # a label reaches over a list of values, not over a table of numbers
_SENTENCE_STOP = re.compile(  # not after an abbreviation: "Contract ref. on our last invoice: X"; a French
    # spaced "?" or "!" ("… votre technicien ? Notre n° client …") and a blank line end one too
    r"(?<=[\w)])(?<!\b[Rr][eé]f)(?<!\b[Nn]o)(?<!\b[Cc]f)(?<!\b[Tt][eé]l)(?<!\b[Ee]nv)[.!?](?=\s)"
    r"|(?<=[\w)][ \u00a0\u202f])[!?](?=\s)|(?<=\n)[ \t]*+\n")
_LINE_END = re.compile(r"(?<![ \t])[ \t]*+\n")  # matched where a sentence ends
_NUMBER_LABELS = frozenset({"siret", "siren", "tva", "vat", "rcs", "iban", "bic", "swift", "rib", "ape", "naf", "tel",
                            "telephone", "phone", "fax", "mobile", "portable"})  # another kind's number, by its label
_CLAUSE_NOUN_WORDS = 4  # words after a label that opens the value's clause: "SIRET de la nouvelle société : X"
_CLAUSE_VERB_WORDS = frozenset({"qu", "que", "qui", "il", "elle", "on", "which", "that", "it"})
_PLURAL_VERB = re.compile(r"(?<![ \t\n])(?:[ \t\n]++\w++){0,2}?[ \t\n]++"
                          r"(?:restent|sont|seront|resteront|demeurent|partent|stay|remain|are)\b")
_GAP_STOP = re.compile(r"[.!?\n]")
_NEW_SUBJECT = re.compile(r"\b(?:et|and|mais|but)[ \t\n]++(?:l'|(?:le|la|les|the|its|son|sa|ses)[ \t\n]++)(\w++)")
_CLAUSE_END = re.compile(r"[.;!?\n,]")
OLD = re.compile(
    # ("commande en cours": the order in force, not "en cours de validation" nor "l'année en cours"; "the former …", not
    # "pour former le Syndicat …")
    r"\bancien|pr[ée]c[ée]dent|\bactuel|\b(?:commande|bc|engagement|po|order)\s++en\s++cours\b(?!\s++d)|\bold\b"
    r"|\b(?:the|our|your|its|a)\s++former\b|\bprevious|\bcurrent|remplac|replac|au lieu d|instead of"
    r"|jusqu'[àa] pr[ée]sent|ne (?:doit|doivent) plus|n'est plus|no longer"
    # "merci de ne plus émettre de factures sur notre commande n° X" (not "de ne plus oublier d'indiquer …")
    r"|\bde\s++ne\s++plus\s++(?:[ée]mettre|facturer|utiliser|mentionner|indiquer|reporter|faire\s++figurer)\b",
    re.I,
)
# "remplacer l'ancien par le nouveau n° X": "par"/"new" after the old word makes the value new again.
NEW_BY = re.compile(
    r"(?:\bpar(?!\s++(?:e-?)?mail|\s++courriel)|\bby(?!\s++e-?mail)|\bnouveau|\bnouvelle|\bnew)\s*+(?:le\s++|la\s++|l'|the\s++)?"
    r"(?:\w++\s++){0,4}(?:n[°o]\.?\s*+)?:?\s*+$"
    # "le nouveau numéro de commande qui remplace le précédent : X"
    r"|\b(?:nouveau|nouvelle|new)\b[^.;:]{0,60}\b(?:qui\s++remplace|which\s++replaces|replacing)\b[^.;:]{0,40}:?\s*+$", re.I
)
MODEL_FAMILY = (r"(?:PlotWave|ColorWave|Colorado|Arizona|VarioPrint|VarioStream|ColorStream|ProStream|JetStream"
                r"|imagePROGRAF|imagePRESS|imageRUNNER(?:\s+ADVANCE)?(?:\s+DX)?|i-SENSYS|TDS|TCS)")  # a model's family
MODEL = re.compile(  # a machine model: family name and number ("PlotWave 450", "Colorado 1650", "imagePRESS C910")
    # (two digits then a group of three are a count: "PlotWave 61 340")
    # (its letters may stand apart from its number: "varioPRINT iX 3200", not a word "PlotWave de 300", nor a serial's
    # label "PlotWave SN 4106 …")
    r"\b" + MODEL_FAMILY + r"\s*(?:(?!(?i:sn|ns|id|no|nr)[ ])(?-i:[a-z]?[A-Z]{1,2})[ ](?=\d)|[A-Z]{0,3}-?)"
    r"(?:\d{3,5}|\d{2}(?![ \u00a0]\d{3}(?!\d)))"
    r"[A-Za-z]{0,3}"
    r"(?:\s+(?:GT|XT|XTS|MFP|UV|Pro|Titan|Plus|XL))?(?![\w-])"
    r"|\b(?:PW|CW)[ ]?\d{3,4}(?![\w/-]|[ \u00a0]\d)"  # "PW 300 n° …": a model's short name, not a serial's start
    r"|\bVP[ ]?\d{3,4}(?=[ \u00a0]*+(?:\(|n[°o]|s/?n\b|serial|num[ée]ro))"  # "VP 110 n° …" (not an order "VP 4512")
    # "traceur PW-340 n° 7300458812": dashed, before a serial's sign (not "Numéro de série : CW-8812")
    r"|(?<![\w/-])(?:PW|CW)-\d{3,4}(?=[ \u00a0]*+(?:\(|n[°o]|s/?n\b|serial|num[ée]ro))",
    # ("PW345-0061287", "PW450 88 2310", "PW500/1028544")
    re.I,
)
_AFTER_MODEL = re.compile(  # "PlotWave 450 : ", "(n° ", "(numéro sur l'étiquette à l'arrière : ", "(atelier) : "
    r"(?:[ \t]*+\([^()\d\n]{1,40}+\)(?=[ \t]*+[:–—-]))?+[\s(:,–—-]*+(?:(?:n°|n[o°º]\.?|s/n|sn|serial|s[ée]rie|num[ée]ro)(?:[^\d:()\n]{0,40}+:)?[\s:.]*+)*+", re.I)


@dataclass(frozen=True)
class FieldLexicon:
    labels: tuple[tuple[str, ...], ...]
    shapes: tuple[re.Pattern[str], ...]
    refuse_shapes: tuple[re.Pattern[str], ...]
    shape_score: float
    min_digits: int
    topic_score: float = 0.0
    new_words: tuple[str, ...] = ()  # words that call a value new in its sentence ("Le nouvel engagement … est le :")
    new_score: float = 0.0
    refuse_old: bool = False
    old_after: tuple[str, ...] = ()
    old_before: tuple[str, ...] = ()  # in the clause before the value: "Please close purchase order X"
    stays_after: tuple[str, ...] = ()  # right after the value: the order in force ("X remains unchanged")
    refuse_company_numbers: bool = False
    after_model_score: float = 0.0
    machine_words: frozenset[str] = frozenset()
    machine_score: float = 0.0
    not_concerned_after: tuple[str, ...] = ()  # the leaving words included
    leaving_after: tuple[str, ...] = ()  # words that say the machine leaves: not concerned unless every machine leaves
    not_concerned_before: tuple[str, ...] = ()
    corrected_before: tuple[str, ...] = ()  # "n'est pas X mais Y": right before X, nothing else between
    row_flags: frozenset[str] = frozenset()  # a table's yes/no column headers: "Move", "À résilier"
    row_keeps: frozenset[str] = frozenset()  # a cell under such a header that keeps the machine: "Conserver"
    anaphora: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """classifiers/identifiers.toml, compiled."""

    fillers: frozenset[str]
    reach: int
    distance_cost: float
    label_score: float
    threshold: float
    value_cost: float
    other: tuple[tuple[str, ...], ...]
    elsewhere: tuple[tuple[str, ...], ...]
    copulas: tuple[tuple[str, ...], ...]
    fields: dict[str, FieldLexicon]
    value_prefixes: frozenset[str] = frozenset()  # labels that are also the start of their value ("CTR 0098-4471")
    colon_prefixes: frozenset[str] = frozenset()  # … when they follow a colon or begin a line (": BC 27/0098")
    model_prefixes: frozenset[str] = frozenset()  # a model's short name, not a serial's start ("PW 7H3210502")
    capitals_only: frozenset[str] = frozenset()  # labels that are also words: "DA" counts, "da" does not
    not_typos: frozenset[str] = frozenset()  # words of their own one letter from a label: "compta" is no "compte"
    keys_not_typos: frozenset[str] = frozenset()  # … only as a key, before a colon or alone on its line ("Contact :")
    not_codes: frozenset[str] = frozenset()  # upper-case words that are no reference's letter code ("OK", "HS")
    demonstratives: frozenset[str] = frozenset()  # "pour ce contrat : X": a label after them labels nothing
    destinations: tuple[tuple[str, ...], ...] = ()  # "… à faire figurer sur vos factures est le X": where X goes
    copula_fillers: frozenset[str] = frozenset()  # "est désormais le n° X": words between a copula and its value
    recalls: tuple[str, ...] = ()  # "merci de le reporter … :", "la référence suivante :": the sentence before names X
    new_before: frozenset[str] = frozenset()  # "un nouveau numéro de commande": words that call a label's value new
    changing: tuple[str, ...] = ()  # "notre numéro de bon de commande change"
    other_shapes: tuple[re.Pattern[str], ...] = ()  # tokens that are no field's value (an IP address)
    # a head written right before a machine's label that makes it a field's ("contrat" + "traceur n°": the contract's),
    # head -> (field, the machine label's last words it takes: "n", "no", …)
    compound_heads: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    # Derived from the above (__post_init__): the labels by their last word, the first words of
    # "elsewhere" phrases, the labels of one word; and the words already compared (ending_with).
    by_last: dict[str, list[tuple[str | None, tuple[str, ...]]]] = field(init=False)
    elsewhere_starts: frozenset[str] = field(init=False)
    one_word_labels: frozenset[str] = field(init=False)
    near_cache: dict[str, list[tuple[str | None, tuple[str, ...]]]] = field(init=False, default_factory=dict)
    copula_cache: dict[str, list[tuple[str, ...]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        by_last: dict[str, list[tuple[str | None, tuple[str, ...]]]] = {}
        labels = [(name, p) for name, lex in self.fields.items() for p in lex.labels] + [(None, p) for p in self.other]
        for name, phrase in labels:
            by_last.setdefault(phrase[-1], []).append((name, phrase))
        object.__setattr__(self, "by_last", by_last)
        object.__setattr__(self, "elsewhere_starts", frozenset(p[0] for p in self.elsewhere))
        object.__setattr__(self, "one_word_labels", frozenset(p[0] for name, p in labels if name and len(p) == 1))

    def is_label(self, written: str) -> bool:
        """Is this piece of text, folded, a label of one word or more ("SN", "S/N", "PO")?"""
        words = tuple(_WORD.findall(fold(written)))
        return bool(words) and any(phrase == words for _, phrase in self.by_last.get(words[-1], []))

    def ending_with(self, word: str) -> list[tuple[str | None, tuple[str, ...]]]:
        """The labels (field or None for "other", phrase) whose last word is ``word`` or, for a word of
        5 letters or more, one typo away from it; each word is compared once per process."""
        if word not in self.near_cache:
            if len(self.near_cache) > _NEAR_CACHE_SIZE:
                self.near_cache.clear()
            self.near_cache[word] = self.by_last.get(word, []) if len(word) < 5 or word in self.not_typos else [
                e for last, es in self.by_last.items() if abs(len(last) - len(word)) <= 1 and _near(word, last)
                for e in es]
        return self.near_cache[word]

    def copulas_ending(self, word: str) -> list[tuple[str, ...]]:
        """The copulas whose last word is ``word`` or one typo away from it, compared once per process."""
        if word not in self.copula_cache:
            if len(self.copula_cache) > _NEAR_CACHE_SIZE:
                self.copula_cache.clear()
            self.copula_cache[word] = [phrase for phrase in self.copulas if _near(word, phrase[-1])]
        return self.copula_cache[word]


def _phrases(words: list[str]) -> tuple[tuple[str, ...], ...]:
    # longest first, then in alphabetical order: the same label is chosen whatever the process's hash seed
    return tuple(sorted({tuple(_WORD.findall(fold(w))) for w in words if _WORD.findall(fold(w))},
                        key=lambda phrase: (-len(phrase), phrase)))


def _folded_phrases(words: list[str]) -> tuple[str, ...]:
    return tuple(" ".join(_WORD.findall(fold(w))) for w in words)


def load_lexicon(path: Path | str = IDENTIFIERS_FILE) -> Lexicon:
    """Read and compile the identifiers file; a bad entry is a clear ValueError."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    fields = {}
    heads: dict[str, tuple[str, frozenset[str]]] = {}
    for name in FIELDS:
        entry = data["fields"][name]
        try:
            shapes = tuple(re.compile(s) for s in entry.get("shapes", []))
            refuse = tuple(re.compile(s) for s in entry.get("refuse_shapes", []))
        except re.error as exc:
            raise ValueError(f"{path}: fields.{name}.shapes: {exc}") from None
        machines = [fold(w) for w in entry.get("machine_words", [])]
        labels = entry["labels"] + [f"{m} {suffix}" for m in machines for suffix in entry.get("machine_label_suffixes", [])]
        # "contrat traceur n° X": a word for a machine names the contract's kind
        heads.update((fold(head), (name, frozenset(fold(w) for w in entry.get("machine_label_suffixes", []))))
                     for head in entry.get("machine_label_heads", []))
        fields[name] = FieldLexicon(
            labels=_phrases(labels), shapes=shapes, refuse_shapes=refuse,
            shape_score=float(entry.get("shape_score", 0)), min_digits=int(entry.get("min_digits", 2)),
            topic_score=float(entry.get("topic_score", 0)),
            new_words=_folded_phrases(entry.get("new_words", [])), new_score=float(entry.get("new_score", 0)),
            refuse_old=bool(entry.get("refuse_old", False)), old_after=_folded_phrases(entry.get("old_after", [])),
            old_before=_folded_phrases(entry.get("old_before", [])),
            stays_after=_folded_phrases(entry.get("stays_after", [])),
            refuse_company_numbers=bool(entry.get("refuse_company_numbers", False)),
            after_model_score=float(entry.get("after_model_score", 0)),
            machine_words=frozenset(machines), machine_score=float(entry.get("machine_score", 0)),
            not_concerned_after=_folded_phrases(entry.get("not_concerned_after", []) + entry.get("leaving_after", [])),
            leaving_after=_folded_phrases(entry.get("leaving_after", [])),
            not_concerned_before=_folded_phrases(entry.get("not_concerned_before", [])),
            corrected_before=_folded_phrases(entry.get("corrected_before", [])),
            row_flags=frozenset(_folded_phrases(entry.get("row_flags", []))),
            row_keeps=frozenset(_folded_phrases(entry.get("row_keeps", []))),
            anaphora=_folded_phrases(entry.get("anaphora", [])))
    try:
        other_shapes = tuple(re.compile(s) for s in data["other"].get("shapes", []))
    except re.error as exc:
        raise ValueError(f"{path}: other.shapes: {exc}") from None
    return Lexicon(fillers=frozenset(_WORD.findall(" ".join(fold(w) for w in data["fillers"]))),
                   reach=int(data["reach"]), distance_cost=float(data["distance_cost"]),
                   label_score=float(data["label_score"]), threshold=float(data["threshold"]),
                   value_cost=float(data["value_cost"]), other=_phrases(data["other"]["labels"]),
                   elsewhere=_phrases(data["elsewhere"]), copulas=_phrases(data["copulas"]), fields=fields,
                   value_prefixes=frozenset(data.get("value_prefixes", [])),
                   colon_prefixes=frozenset(data.get("colon_prefixes", [])),
                   model_prefixes=frozenset(data.get("model_prefixes", [])),
                   demonstratives=frozenset(fold(w) for w in data.get("demonstratives", [])),
                   destinations=_phrases(data["other"].get("destinations", [])),
                   copula_fillers=frozenset(fold(w) for w in data.get("copula_fillers", [])),
                   recalls=_folded_phrases(data.get("recalls", [])),
                   new_before=frozenset(fold(w) for w in data.get("new_before", [])),
                   changing=_folded_phrases(data.get("changing", [])),
                   capitals_only=frozenset(fold(w) for w in data.get("capitals_only", [])),
                   not_typos=frozenset(fold(w) for w in data.get("not_typos", [])),
                   keys_not_typos=frozenset(fold(w) for w in data.get("keys_not_typos", [])),
                   not_codes=frozenset(data.get("not_codes", [])),
                   other_shapes=other_shapes, compound_heads=heads)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()


@dataclass
class Found:
    """One value chosen for a field: where it is and why."""

    field: str
    value: str
    start: int
    end: int
    score: float
    why: str
    label: tuple[str, int] | None = None  # the label that scored it and the words between them ("code client", 0)


def _near(word: str, target: str) -> bool:
    """Equal, or one edit apart for words of 5 letters or more (a typo)."""
    if word == target:
        return True
    if len(target) < 5 or abs(len(word) - len(target)) > 1 or word.isdigit():
        return False
    if word[0] != target[0] and word[-1] != target[-1]:
        return False  # one typo leaves the first or the last letter in place
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and word[diffs[0]] == target[diffs[1]] and word[diffs[1]] == target[diffs[0]])
    short, long_ = (word, target) if len(word) < len(target) else (target, word)
    i = next((i for i, (a, b) in enumerate(zip(short, long_)) if a != b), len(short))
    return i < len(short) and short[i:] == long_[i + 1:]  # not a letter added at the end: "compte"/"compter"


def _ends_with(words: list[str], end: int, phrase: tuple[str, ...]) -> bool:
    """Does ``phrase`` end at words[end - 1]?"""
    if len(phrase) > end:
        return False
    for k in range(1, len(phrase) + 1):  # from the last word back: most phrases fail on their second-last
        word, target = words[end - k], phrase[-k]
        if word != target and (len(target) < 5 or not _near(word, target)):
            return False
    return True


def _labels_long_number(letters: str, digits: str, lexicon: Lexicon) -> bool:
    """"EJ 2103458921", "OA 60218847": before a long run of digits alone, an order's letters are its label, not
    part of it (unlike "BC 27/0098", "OA 2026-1187", "DA 77412")."""
    if _YEAR_GROUP.match(digits):
        return False  # "EJ 2027 000 4871": the order's year, then its number, one reference
    digits = digits.replace(" ", "").replace("\u00a0", "")  # "EJ 2100 0487 63"
    return letters in lexicon.colon_prefixes and digits.isdigit() and len(digits) >= 8


def _digits_at(text: str, start: int) -> str:
    """The number in spaced groups starting at ``start`` ("2100 0487 63"), or "" when it goes on with letters or
    signs ("2026-1187"); read within 40 characters, so a long line of digits costs no more than its length."""
    run = _DIGIT_RUN.match(text, start, start + 40)
    if not run or run.end() == start + 40 or _GOES_ON.match(text, run.end()):
        return ""  # "2026-1187", "27/0098", "4500.12" (a full stop that ends the sentence ends the number)
    return run.group()


def _names_model(letters: str, rest: str, lexicon: Lexicon) -> bool:
    """"PW 7H3210502": a model's short name before a serial with letters of its own names the model (unlike
    "PW 4102-77310", one serial as written)."""
    return letters in lexicon.model_prefixes and any(c.isalpha() for c in rest)


_JOINING_WORDS = frozenset(("et", "and", "ou", "or"))


def _tokens(text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Spans of identifier-like tokens: letters and digits joined by - / . , and by one space
    where the pieces read as one number ("CT 2023-07782", "3Y 064219", "4500 123 456"), not
    where the first is a label ("SN 4017289", "PO 4500123")."""
    spans: list[tuple[int, int]] = []
    for m in _PIECE.finditer(text):
        start, end = m.span()
        piece = m.group(0)
        if not (_DIGIT.search(piece) or (piece.isupper() and len(piece) <= 3)) or piece.lower() in _JOINING_WORDS:
            continue  # a word: neither a value nor the prefix of one ("PW 450 0217 ET PW 450 0388": a word in capitals)
        if spans and text[spans[-1][1] : start] == " / " and piece.isdigit() and " " in text[spans[-1][0] : spans[-1][1]] \
                and text[spans[-1][0]].isalpha() and text[spans[-1][1] - 1].isdigit() and not (
                    len(piece) >= 8 and _PREFIXED_YEAR.fullmatch(text, spans[-1][0], spans[-1][1])):
            # "LOC 2023 / 0871", "ENG 2026 / 000342": a lettered reference and its suffix; not "EJ 2027 / 1300084512",
            # an order's year, then its own long number
            spans[-1] = (spans[-1][0], end)
            continue
        if spans and start - spans[-1][1] == 1 and text[spans[-1][1]] in " \u00a0" and piece.isalpha() and piece.isupper() \
                and len(piece) <= 3 and _lettered_reference(text[spans[-1][0] : spans[-1][1]]) \
                and piece not in _COUNTER_MARKS and piece not in lexicon.not_codes and fold(piece) not in lexicon.fillers \
                and not lexicon.is_label(piece) \
                and _CODE_ENDS.match(text, end):
            spans[-1] = (spans[-1][0], end)  # "CT 2021 0098 BZH": a lettered reference's code after its number
            continue
        if spans and start - spans[-1][1] == 1 and text[spans[-1][1]] in " \u00a0" and piece[:1].isdigit():
            prev = text[spans[-1][0] : spans[-1][1]]
            last = prev.split()[-1]
            short = len(prev) + len(piece) < 14 or (  # "EJ 2027 000 4871": a lettered prefix's digits count
                prev[0].isalpha() and sum(c.isdigit() for c in prev) + len(piece) <= 11)
            grouped = piece.isdigit() and last.isdigit() and len(last) <= 4 and short and (
                len(piece) >= 3 or (len(piece) == 2 and len(last) >= 3 and " " in prev)  # "612 004 87", "4411 0087 21"
                or (len(piece) == 2 and prev == last and _LONGER_GROUP_NEXT.match(text, end) is not None))  # "11 04 387"
            series = piece.isdigit() and ((len(piece) >= 5 and len(last) == 2 and last[0].isdigit() and last[1].isalpha())
                                          or (prev == last and _SERIES.fullmatch(last) is not None
                                              and not _FISCAL_YEAR.fullmatch(last) and (
                                              len(piece) >= 4  # "2NK 04417"; "KT4 518 220": three, then three more
                                              or (len(piece) == 3 and _LONGER_GROUP_NEXT.match(text, end) is not None))))
            # "4500-118 273": a dashed number whose last group of three goes on after a space
            dashed = piece.isdigit() and len(piece) == 3 and prev == last and _DASHED_THREE.fullmatch(last) is not None
            prefix = prev == last and last.isalpha() and last.isupper() and (2 <= len(last) <= 3 or last in lexicon.value_prefixes) \
                and last not in _COUNTER_MARKS and last.lower() not in lexicon.fillers \
                and not _names_model(last, piece, lexicon) \
                and (last.lower() not in lexicon.one_word_labels or last in lexicon.value_prefixes
                     or (last in lexicon.colon_prefixes
                         and _AFTER_COLON.search(text, max(0, spans[-1][0] - 20), spans[-1][0]) is not None
                         and not _labels_long_number(last, _digits_at(text, start), lexicon))) \
                and not _QUANTITY.fullmatch(piece)
            if grouped or series or prefix or dashed:
                spans[-1] = (spans[-1][0], end)
                continue
        spans.append((start, end))
    return spans


def _lettered_reference(value: str) -> bool:
    """Letters, then groups of digits: "CT 2023 1187", "CF 2023 0456"."""
    pieces = value.split()
    return len(pieces) >= 3 and pieces[0].isalpha() and all(p.isdigit() for p in pieces[1:])


class _Scorer:
    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.text = text
        self.folded = fold(text)
        self.lex = lexicon
        self.words = [(m.start(), m.group(0)) for m in _WORD.finditer(self.folded)]
        self.numeric = [any(c.isdigit() for c in w) for _, w in self.words]  # asked of each word a look-back passes
        self.starts = [at for at, _ in self.words]
        self.in_subject: set[str] = set()  # the fields whose labels point to the subject ("n° de série en objet")
        self.labels = self._label_ends()
        self.paragraphs = [0] + [m.end() for m in PARAGRAPH_BREAK.finditer(text)]
        self.asides = [m.span() for m in _ASIDE.finditer(text)]
        self.topics = {name for name, _ in self.labels.values() if name}
        self.old_cells: dict[int, str] = {}  # start of a cell under an old header -> the field it names
        self.counter_cells: dict[int, str] = {}  # start of a cell under a counter's header ("Compteur", "Index")
        self.headers = self._column_headers() if _TABLE_HINT.search(text) else {}
        models = [m.span() for m in MODEL.finditer(text)]
        self.model_ends = {end for _, end in models}
        self.model_starts = {start for start, _ in models}
        self.model_spans = models  # in text order, not overlapping
        self.leaving: list[Found] = []  # serials not concerned only because they leave (FieldLexicon.leaving_after)
        self.left_out: list[Found] = []  # values said not to be concerned: not taken where listed either
        self.copula_at: dict[int, bool] = {}  # _after_copula's answers by value start
        self.header_above: dict[int, list[str] | None] = {}  # _header_above's answers by row start
        self.climbed: dict[tuple[int, bool], tuple[int, bool]] = {}  # _climb_to_introduction's answers by line

    def _label_ends(self) -> dict[int, tuple[str | None, tuple[str, ...]]]:
        """Word index -> the longest label ending on that word: (field, or None for "other"; phrase)."""
        words = [w for _, w in self.words]
        machines = self.lex.fields["serial_numbers"].machine_words
        ends: dict[int, tuple[str | None, tuple[str, ...]]] = {}
        for i, word in enumerate(words):
            if word.isdigit():
                continue
            for name, phrase in self.lex.ending_with(word):
                if (i not in ends or len(phrase) > len(ends[i][1])) and _ends_with(words, i + 1, phrase) and not (
                        len(phrase) == 1 and word in self.lex.capitals_only and not self._written_upper(i)):
                    ends[i] = (name, phrase)  # "DA" in capitals: "Giovanni da Verrazzano" has no label
            if i in ends and word in self.lex.keys_not_typos and ends[i][1][-1] != word \
                    and _KEY_END.match(self.folded, self.words[i][0] + len(word)):
                del ends[i]  # "Contact : 0590 26 44 10", "Contact⏎150 rue Ampère – 13290 …": no "contract"
            if i in ends and (compound := self._compound(words, i, ends[i], machines)):
                ends[i] = compound
            if i in ends and (pointer := self._pointer_after(words, i)):
                if ends[i][0] and _SUBJECT_WORDS.intersection(pointer):
                    self.in_subject.add(ends[i][0])
                del ends[i]  # "le contrat cité en objet": that value is elsewhere
            elif word in machines and (pointer := self._pointer_after(words, i)) and _SUBJECT_WORDS.intersection(pointer):
                self.in_subject.add("serial_numbers")  # "les compteurs … pour la machine en objet"
            elif i in ends and i >= len(ends[i][1]) and words[i - len(ends[i][1])] in self.lex.demonstratives \
                    and _COLON_NEXT.match(self.folded, self.words[i][0] + len(word)):
                del ends[i]  # "pour ce contrat : X": the contract is known, X is what the sentence's other label names
        return ends

    def _pointer_after(self, words: list[str], i: int) -> tuple[str, ...] | None:
        """The words right after word ``i`` that send the reader elsewhere ("cité en objet", "ci-dessus"), or None."""
        if not any(w in self.lex.elsewhere_starts for w in words[i + 1 : i + 4]):
            return None
        return next((phrase for phrase in self.lex.elsewhere
                     for j in range(i + 1 + len(phrase), min(len(words), i + 4 + len(phrase)) + 1)
                     if _ends_with(words, j, phrase)), None)

    def _compound(self, words: list[str], i: int, end: tuple[str | None, tuple[str, ...]],
                  machines: frozenset[str]) -> tuple[str, tuple[str, ...]] | None:
        """The label ending at word ``i`` made another field's by the head written right before it, word for word and
        with blanks only between them: "contrat traceur n°" (not "Résiliation contrat – matériel n° X", a subject's
        dash, nor "Contract equipment no.", nor a typo)."""
        name, phrase = end
        if name != "serial_numbers" or len(phrase) != 2 or i < 2 or words[i - 1] != phrase[0] or phrase[0] not in machines:
            return None
        field_name, suffixes = self.lex.compound_heads.get(words[i - 2], (None, frozenset()))
        if field_name is None or words[i] not in suffixes or not self._blanks_after(i - 2):
            return None
        return field_name, (words[i - 2], *phrase)

    def _is_compound(self, label: str) -> bool:
        """Is the label text one a head made ("contrat traceur n")?"""
        words = label.split()
        return len(words) == 3 and words[0] in self.lex.compound_heads \
            and words[1] in self.lex.fields["serial_numbers"].machine_words \
            and words[2] in self.lex.compound_heads[words[0]][1]

    def _blanks_after(self, i: int) -> bool:
        """Are words i and i + 1 written with blanks only between them?"""
        at, word = self.words[i]
        return not self.text[at + len(word) : self.words[i + 1][0]].strip()

    def _written_upper(self, i: int) -> bool:
        """Is word i written in capitals?"""
        at, word = self.words[i]
        return self.text[at : at + len(word)].isupper()

    def _reach_start(self, start: int, end: int) -> int:
        """Where a label for the value text[start:end] may be: its paragraph, or the one before when the
        value stands alone on its line after a line ending with a colon or a number sign ("… order number:⏎⏎
        PO-1")."""
        i = bisect_right(self.paragraphs, start) - 1
        begin = self.paragraphs[i]
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        # an answer's arrow or a bullet may stand before it: "- votre n° de contrat :⏎⏎=> 5500-3318-PW"
        alone = not self.text[line_start:start].strip(ANSWER_MARKS) and self.text[
            end:line_end if line_end >= 0 else None].strip(" .;\t") == ""
        if alone and i > 0 and (self.text[:begin].rstrip().endswith((":", "#", "°"))  # "New PO#⏎⏎3100558264"
                                or self._ends_with_label(begin)):  # "Il s'agit du contrat⏎⏎C-2026-118-44"
            begin = self.paragraphs[i - 1]
        return max(begin, start - 240)

    def _own_key_line(self, start: int) -> int:
        """The start of the value's line when the line is "key : value" and its key is words no label knows
        ("- cpt 1 : 53118" under "PW 3600 n° serie 1H0241"): the labels of the lines above name other values.
        Else 0."""
        line_start = self.text.rfind("\n", 0, start) + 1
        key = _KEY_BEFORE.fullmatch(self.folded, line_start, start)
        if not key or MODEL.search(self.text, line_start, start):
            return 0
        first, last = bisect_left(self.starts, key.start("key")), bisect_left(self.starts, key.end("key"))
        words = [w for _, w in self.words[first:last]]
        if any(i in self.labels for i in range(first, last)) or not any(
                w.isalpha() and w not in self.lex.fillers and w not in self.lex.fields["serial_numbers"].machine_words
                for w in words):
            return 0
        return line_start

    def _ends_with_label(self, at: int) -> bool:
        """Does the text before ``at`` end with a field's label (blanks and a full stop aside)?"""
        j = bisect_left(self.starts, at) - 1
        label = self.labels.get(j)
        return bool(label and label[0]) and not self.text[self.starts[j] + len(self.words[j][1]) : at].strip(" \t\n.")

    def labels_before(self, start: int, end: int, own: str | None) -> tuple[dict[str | None, tuple[int, int, str]], bool]:
        """For each field (None: "other"), its nearest label before the value text[start:end]:
        (words between, values between, label); and whether the nearest label is right before it. ``own``: the field
        of the label the value starts with (_prefix_field)."""
        begin = max(self._reach_start(start, end), self._own_key_line(start))
        found: dict[str | None, tuple[int, int, str]] = {}
        nearest_direct: bool | None = None
        between = values = pairs = 0
        introduced = self._introduced(start)
        sentence = self._sentence_start(begin, start) if introduced else start
        labelled = False  # a field's label in the value's own sentence, when a colon or a copula introduces it
        crossed = False  # past the start of the value's sentence
        last_other = None  # where another kind's label stands in the clause that ends with the value
        i = bisect_left(self.starts, start) - 1
        while i >= 0 and self.starts[i] >= begin and (  # the sentence's labels, however far; else the nearest
                self.starts[i] >= sentence or between <= self.lex.reach and values <= _MAX_VALUES_BETWEEN):
            if self.asides and self._in_aside(self.starts[i], start):
                i -= 1  # a remark in brackets neither labels nor separates: "(voir page 2 de la facture)"
                continue
            if introduced and not crossed and self.starts[i] < sentence:
                crossed = True  # a sentence ending its line separates as a word does: its own label is nearer
                between += _LINE_END.match(self.text, sentence) is not None
            label = self.labels.get(i)
            if label and label[0] is None and introduced and self._destination(i - len(label[1]) + 1):
                i -= len(label[1])  # "Le nouveau numéro à faire figurer sur vos factures est le X": where X goes
                continue
            if label:
                name, phrase = label
                if nearest_direct is None:
                    # a label with words after it on an earlier line labels them: "bât. A⏎HL6123411"
                    gap = self.folded[self.starts[i] + len(self.words[i][1]) : start]
                    words_after = gap.split("\n", 1)[0] if "\n" in gap else ""
                    nearest_direct = between == 0 and values == 0 and not _WORD.search(words_after)
                if (i + 1 < bisect_left(self.starts, start) or introduced) and self._complement(i - len(phrase) + 1, name) \
                        and name != own:  # (not "le BC pour le contrat de maintenance Colorado n° CTR 556 0192")
                    # "PO number for these contracts will be X", "… for the Canon service contract: X": whose X is
                    i -= len(phrase)
                    continue
                if self.starts[i] >= sentence and not (  # "N° de commande à utiliser … : X": the sentence's labels
                        # are X's, but a label its own value follows has it already: "… du traceur – n° de série
                        # 39410287 – est : X"; and another kind's label in the clause that ends with X names it: "… le
                        # contrat de l'imageRUNNER … à la nouvelle société, SIRET de la nouvelle société : X"
                        name is not None and last_other is not None and "," in self.text[self.starts[i] : last_other]):
                    found.setdefault(name, (0, int(self._spent(i, start)), " ".join(phrase)))
                    labelled = labelled or name is not None
                    if name is None and last_other is None and self._heads_last_clause(i - len(phrase) + 1, i, start):
                        last_other = self.starts[i]
                found.setdefault(name, (between, values, " ".join(phrase)))
                i -= len(phrase)
                continue
            at, word = self.words[i]
            if self.numeric[i]:
                # "7701-15-0098" is one value, and so is "70 22 45 81" (pairs of digits: no count is written so);
                # past _PAIRS_IN_A_VALUE pairs in a row, each pair is one ("12 12 12 …" is no identifier)
                paired = at > 0 and len(word) == 2 and _PAIR_BEFORE.fullmatch(self.text, max(0, at - 3), at) is not None
                pairs = pairs + 1 if paired else 0
                values += at == 0 or not (self.text[at - 1] in "-/." or (paired and pairs < _PAIRS_IN_A_VALUE))
            elif word not in self.lex.fillers:
                between += 1
            i -= 1
        if introduced and not labelled and sentence > 0 and self._says(self.folded[sentence:start], self.lex.recalls):
            # "… un nouveau numéro de commande. Merci de le reporter sur vos factures :⏎X": the sentence recalls
            # the number the one before calls new
            for name, phrase in self._called_new_before(sentence):
                found[name] = (0, 0, " ".join(phrase))
        return found, bool(nearest_direct)

    def _heads_last_clause(self, first: int, last: int, start: int) -> bool:
        """Does the label of words first..last open the clause that ends with the value, a noun phrase of a few words
        ("…, SIRET de la nouvelle société : X"; not "…, tel qu'il figure en haut de vos factures : X")?"""
        if " ".join(w for _, w in self.words[first : last + 1]) not in _NUMBER_LABELS:
            return False  # a company's or a phone's number, written so (not "porte le n° X", one letter from "poste",
            # nor "montant HT : X")
        between = [w for _, w in self.words[last + 1 : bisect_left(self.starts, start)]]
        opens = self.text[max(0, self.starts[first] - 40) : self.starts[first]].rstrip().endswith(",")
        return opens and "," not in self.text[self.starts[last] : start] and len(between) <= _CLAUSE_NOUN_WORDS \
            and not _CLAUSE_VERB_WORDS.intersection(between)

    def _prefix_field(self, value: str) -> str | None:
        """The field of the label a value starts with ("CTR 556 0192": the contract's; "SN-2Y-113084", a label in
        capitals joined by a dash: the serial's), or None."""
        prefix = _LEADING_LETTERS.match(value)[0]
        joined = prefix.isupper() and 2 <= len(prefix) <= 4 and value[len(prefix) : len(prefix) + 1] == "-"
        if prefix not in self.lex.value_prefixes and not joined:
            return None
        return next((name for name, phrase in self.lex.ending_with(fold(prefix)) if phrase == (fold(prefix),)), None)

    def _complement(self, first: int, name: str | None) -> bool:
        """Does the label starting at word ``first`` follow another field's label, a preposition and a determiner
        ("numéro de commande pour ces contrats", "PO number for these contracts"): a complement that says whose
        the value is, not its label?"""
        determiner = first - 1
        while determiner >= 2 and self.words[determiner][1] not in _COMPLEMENT_DETERMINERS:
            # up to two words between the determiner and the label: "PO number for the Canon service contract"
            if first - determiner >= 3 or determiner in self.labels or _DIGIT.search(self.words[determiner][1]):
                return False
            determiner -= 1
        if determiner < 2 or self.words[determiner - 1][1] not in _COMPLEMENT_PREPOSITIONS \
                or _GAP_STOP.search(self.text, self.starts[determiner - 1], self.starts[first]):
            return False  # (within a sentence: not "… a new PO number for the two plotters.⏎Contract: X")
        head = self.labels.get(determiner - 2)  # a label that names a number: "the contracts for the following devices:"
        numbered = bool(head and _NUMBER_WORDS.intersection(head[1]))
        if head is None and determiner >= 3 and self.words[determiner - 2][1] in _NUMBER_WORDS:
            head, numbered = self.labels.get(determiner - 3), True  # "our new order ref. for the maintenance contracts"
        return bool(head and head[0] and name and head[0] != name and numbered)

    def _destination(self, first: int) -> bool:
        """Do the words before the label starting at word ``first`` make it the place a value goes ("sur vos
        factures", "on all your invoices"), not its label?"""
        words = [w for _, w in self.words[max(0, first - 4) : first]]
        return any(_ends_with(words, len(words), phrase) for phrase in self.lex.destinations)

    def _called_new_before(self, sentence: int) -> list[tuple[str | None, tuple[str, ...]]]:
        """The field labels of the sentence before ``sentence`` that it calls new or changing ("un nouveau
        numéro de commande", "notre numéro de bon de commande change")."""
        begin = self._sentence_start(max(0, sentence - 300), sentence - 1)
        named = []
        for i in range(bisect_left(self.starts, begin), bisect_left(self.starts, sentence)):
            label = self.labels.get(i)
            if not (label and label[0]):
                continue
            first = i - len(label[1]) + 1
            before = {w for _, w in self.words[max(0, first - 3) : max(0, first)]}  # "un nouveau numéro de"
            after = " ".join(w for _, w in self.words[i + 1 : i + 3])
            if before & self.lex.new_before or any(f"{after} ".startswith(f"{w} ") for w in self.lex.changing):
                named.append(label)
        return named

    def _sign_before(self, start: int) -> re.Match[str] | None:
        """The number sign right before a value ("n° 301 446 729"), or None: a look at one character first, for
        this runs for every value."""
        begin = max(0, start - 12)
        if self.text[begin:start].rstrip(" \t:")[-1:] not in _SIGN_ENDS:
            return None
        return _NUMBER_SIGN.search(self.text, begin, start)

    def _in_aside(self, at: int, start: int) -> bool:
        """Is the word at ``at`` inside brackets that close before the value at ``start``?"""
        i = bisect_right(self.asides, (at, len(self.text))) - 1
        return i >= 0 and self.asides[i][0] < at < self.asides[i][1] <= start

    def _introduced(self, start: int) -> bool:
        """Is the value introduced by a colon or a copula ("… est le X", "…:⏎⏎X")?"""
        begin = max(0, start - 40)
        if (sign := self._sign_before(start)) and self.text[begin : sign.start()].rstrip(" \t").endswith(":"):
            start = sign.start()  # "… validé par notre direction : n° 00012874" (not a list's "⏎  n° X")
        raw = self.text[begin:start]
        before = raw.rstrip()
        if before.endswith(":") and len(raw) > len(before):  # "… est : X", "…:⏎X", not "host:8080"
            return True
        return self._after_copula(start)

    def _after_copula(self, start: int) -> bool:
        """Is the value right after a copula ("… est le X", "… will be X", "… est le n° X")?"""
        if start not in self.copula_at:  # asked twice for every value
            # "est, sauf erreur de ma part, le⏎X": an aside between commas is left out
            words = _WORD.findall(_INCISE.sub(" ", self.folded[max(0, start - 70) : start]))[-8:]
            while words and words[-1] in self.lex.copula_fillers:
                words.pop()
            self.copula_at[start] = bool(words) and any(
                _ends_with(words, len(words), phrase) for phrase in self.lex.copulas_ending(words[-1]))
        return self.copula_at[start]

    def _row_says_no(self, line_start: int, line_end: int, flags: frozenset[str], keeps: frozenset[str]) -> bool:
        """Does a table row answer "no" under a yes/no column its header names ("Move", "À résilier")? The header
        is the nearest row above with no digits, _HEADER_REACH rows up at most."""
        header = self._header_above(line_start)
        if header is None:
            return False
        row = [" ".join(_WORD.findall(c)) for _, c in cells(self.folded[line_start:line_end])]
        # (a header that asks a flag of a place: "Relocate to Garibaldi?", not "Include toner?" nor "Move date"; an
        # action column keeps a machine in words: "Action | Résilier" … "| Conserver")
        return len(header) == len(row) and any(
            (h in flags or any(h.startswith(f"{f} ") and _PLACE_WORDS.intersection(h[len(f) + 1 :].split()[:1])
                               for f in flags)) and (c in _NO_WORDS or c in keeps)
            for h, c in zip(header, row))

    def _header_above(self, line_start: int) -> list[str] | None:
        """The cells of the header row over the table row starting at ``line_start``, or None (remembered per row,
        so a long table is climbed once)."""
        climbed, at, header = [], line_start, None
        for _ in range(_HEADER_REACH):
            if at in self.header_above:
                header = self.header_above[at]
                break
            climbed.append(at)
            if at == 0:
                break  # the text's first line: no row above
            above_start = self.folded.rfind("\n", 0, at - 1) + 1
            above = self.folded[above_start : at - 1]
            if "|" not in above:
                break
            if not _DIGIT.search(above):
                header = [" ".join(_WORD.findall(c)) for _, c in cells(above)]
                break
            at = above_start
        for row_start in climbed:
            self.header_above[row_start] = header
        return header

    def _old_clause(self, start: int, phrases: tuple[str, ...]) -> bool:
        """Does the clause before the value say, in one of these words, that it ends ("Please close purchase
        order X", "Merci de clôturer également le bon de commande X"), with no "new" after them ("… par le nouveau
        X")?"""
        clause = _OLD_CLAUSE_END.split(self.folded[max(0, start - 70) : start])[-1]
        return bool(phrases) and self._says(clause, phrases) and not NEW_BY.search(clause)

    def _called_new(self, start: int, words: tuple[str, ...]) -> bool:
        """Does the sentence before the value call it new ("Le nouvel engagement juridique … est le :⏎X")?"""
        return self._says(self._sentence_before(start), words)

    def _sentence_before(self, start: int) -> str:
        """The folded text of the value's sentence before it (200 characters at most)."""
        return self.folded[self._sentence_start(max(0, start - 200), start) : start]

    def _sentence_start(self, begin: int, start: int) -> int:
        """Where the sentence holding ``start`` begins (not before ``begin``)."""
        ends = [m.end() for m in _SENTENCE_STOP.finditer(self.text, begin, start)
                if m.group()[-1:] != "\n" or not self.text[max(0, m.start() - 40) : m.start()].rstrip().endswith(":")]
        return ends[-1] if ends else begin  # a blank line after a colon ends no sentence: "… sera le :⏎⏎X"

    def _column_headers(self) -> dict[int, str]:
        """Start of a table cell -> the field its column's header names ("N° de série | Site"); the cells under a
        header that calls its field old ("Ancien bon de commande | Nouveau bon de commande") go to ``old_cells``, those
        under a counter's ("Compteur", "Index") to ``counter_cells``."""
        by_cell: dict[int, str] = {}
        header: list[tuple[int, str | None]] | None = None
        counters: list[bool] = []  # which columns of the header name a counter
        position = 0
        for line in self.text.split("\n"):
            line_start, position = position, position + len(line) + 1
            if not line.strip() or RULE_LINE.fullmatch(line):
                continue  # rows apart by blank lines ("<p>" per row) or a rule ("-----+-----") are still the header's
            row = cells(line) if _TABLE_HINT.search(line) else []
            if len(row) < 2:
                header = None
                continue
            # no two digits in a row but in a date: "Compteur (m²)", "Noir A4", "Reading (30/06/2026)" are headers
            if not any(_VALUE_DIGITS.search(_HEADER_DATE.sub("", c)) for _, c in row if c):
                # "Ancien n° de BC | Nouveau n° de BC": the old column holds the old values of its field
                header = [(at, self._field_of_header(c), is_old(c, len(c))) for at, c in row]
                counters = [bool(_COUNTER_HEADS.intersection(_WORD.findall(fold(c)))) for _, c in row]
                if not any(f for _, f, _ in header):
                    header = None
                continue
            if header and len(row) == len(header) + 1 and row[0][1] and not _DIGIT.search(row[0][1]):
                row = row[1:]  # a first column of row names under no header cell: "Current | HP-4410-2026 | until …"
            if header and (len(row) == len(header) or len(header) > len(row) >= 3 and not line[:1].isspace()
                           and not self._field_of_header(row[0][1])):
                # a sheet's row may end before its header, its last cells empty (not a key and its value under the
                # table, "Compte client | 97-MQ-1180", "Bon de commande | 4500918273 | à rappeler", nor an aligned
                # row's second line, "    38000 Grenoble")
                for (at, cell), (_, name, old), counter in zip(row, header, counters):
                    if name and cell:
                        (self.old_cells if old else by_cell)[line_start + at] = name
                    elif counter and cell:
                        self.counter_cells[line_start + at] = "counter"
        return by_cell

    def _field_of_header(self, cell: str) -> str | None:
        """The field a column header names ("N° de série", "Serial"), or None."""
        words = _WORD.findall(fold(cell))
        if not words or len(words) > 6:
            return None
        for end in range(len(words), 0, -1):
            for name, phrase in self.lex.ending_with(words[end - 1]):
                if _ends_with(words, end, phrase):
                    return name  # an "other" label names no field: "Code postal", "N° tiers interne"
        return None

    def scores(self, start: int, end: int) -> dict[str, tuple[float, str, tuple[str, int] | None]]:
        """field -> (score, why, the label that scored it and the words between) for the token text[start:end]."""
        value = self.text[start:end]
        compact = compacted(value)
        digits = sum(c.isdigit() for c in compact)
        if not digits or _is_date(value) or _AMOUNT_AFTER.match(self.text, end) or (
                # a spaced count in cents: "ColorWave 3800 1 8 640,00" (a quantity, then 8 640,00 in a column of amounts)
                _SPACED_COUNT.fullmatch(value) and _CENTS_AFTER.match(self.text, end)) or (
                _PREFIXED_YEAR.fullmatch(value) and value[:-5] in self.lex.colon_prefixes) \
                or any(shape.fullmatch(piece) for piece in (value, *value.split()) for shape in self.lex.other_shapes):
            return {}  # "BC 2027 – 1300457719": an order label and a year are no number; nor is "10.20.4.31"
        if compact.isdigit() and _READING_AFTER_VALUE.search(self.text, max(0, start - 40), start):
            return {}  # "numéro de série 3700-10388 : compteur 48215663": a reading (not "Index 8103772 (PlotWave …")
        i = bisect_right(self.model_spans, (start, len(self.text)))  # a model starting at or before start
        if (i and self.model_spans[i - 1][1] > start) or (i < len(self.model_spans) and self.model_spans[i][0] < end):
            return {}  # a piece of a model's name ("PlotWave 450")
        self_named = self._prefix_field(value)
        labels, direct = self.labels_before(start, end, self_named)
        if self_named and self_named not in labels:
            labels[self_named] = (0, 0, fold(_LEADING_LETTERS.match(value)[0]))  # "copieur couleur n° SN-2Y-113084"
        if self.lex.compound_heads and any(self._is_compound(v[2]) for v in labels.values()) and (
                not any(c in "-/" for c in value)
                or any(shape.match(compact) for shape in self.lex.fields["serial_numbers"].shapes)):
            # "Résiliation contrat traceur n° 3Y0612300", "contrat imprimante n° 2XK33190": a contract named by its machine
            # labels a reference written as one ("0032-118-7", "7701-CIF"), not a serial's shape nor a run of
            # letters and digits
            labels = {k: v for k, v in labels.items() if not self._is_compound(v[2])}
        # at equal distance a field's label beats an "other" one: "le n° d'engagement à reporter sur vos
        # factures est le : X" (a value introduced by a copula or a colon is its whole sentence's)
        nearest = min(labels.items(), key=lambda item: (*item[1][:2], item[0] is None), default=None)
        column = self._column_of(start)
        if column is None and self.counter_cells and self._column_of(start, self.counter_cells):
            return {}  # under "Compteur": a reading ("Série | Compteur⏎PW345-0061287 | 45210")
        old_column = self._column_of(start, self.old_cells) if self.old_cells and column is None else None
        if old_column and self.lex.fields[old_column].refuse_old:
            return {}  # under "Ancien bon de commande": an old order, and no other field's value
        column = column or old_column  # under "Contrat actuel": the contract's
        # "18 732" is a count, but "n° 301 446 729" a number
        quantity = bool(_QUANTITY.fullmatch(value)) and not self._sign_before(start)
        # "du PlotWave est le 26-BC-04417": after a copula the value is the sentence's subject's, not the machine's
        machines = self.lex.fields["serial_numbers"].machine_words
        machine_before = ((self._word_before(start) in machines and not self._after_copula(start))
                          or self._after_machines_colon(start, end, machines) or self._machine_complement(start, machines)
                          or (self._after_copula(start) and self._machine_subject(start, machines))) \
            and not (quantity and self._counts_before(start))
        # a label whose field refuses the value's shape claims it from no other: "… of the contract is PO-VPF-27-0193"
        claimed = direct and nearest is not None and column is None and not (
            nearest[0] is not None and any(s.match(compact) for s in self.lex.fields[nearest[0]].refuse_shapes))
        spaced_shape = " " in value and bool(_DIGIT.search(value.split()[0]) or machine_before or self._sign_before(start))
        out: dict[str, tuple[float, str]] = {}
        for name, lex in self.lex.fields.items():
            if digits < lex.min_digits or len(compact) < 4:
                continue
            if claimed and nearest[0] != name:
                continue  # right after another field's label, or a phone, an invoice, a SIRET…
            if any(shape.match(compact) for shape in lex.refuse_shapes):
                continue
            # "matériels n° 1 2490 8773", "The serial number … is:⏎⏎7328 2932 0": right after its label or introduced
            # (or its column's header: "N° série | …⏎450 0778 21 | PlotWave 450")
            own_label = (nearest is not None and nearest[0] == name and (direct or nearest[1][:2] == (0, 0))) \
                or column == name
            if lex.refuse_company_numbers and _COMPANY_SIZED.fullmatch(compact) and (
                    (stdnum_siren.is_valid(compact) and not own_label and not (
                        lex.machine_words and self._listed_under_machines(start, end, lex.machine_words)))
                    or stdnum_siret.is_valid(compact)):
                continue  # one nine-digit number in ten passes the SIREN check: a labelled one is kept, and one listed
                # under the machines ("Les machines suivantes sont concernées :⏎- 810024471"; not 14 digits)
            score, why, labelled = 0.0, [], None
            mine = labels.get(name)
            if mine and machine_before and not lex.machine_words and not machines.intersection(mine[2].split()) \
                    and self_named != name:
                mine = (mine[0] + _MACHINE_WORD_COST, *mine[1:])  # "le contrat … du traceur 1650-00 5521" (not "le
                # contrat de maintenance Colorado n° CTR 556 0192": a value that starts with its label names itself)
            if column == name:
                score += self.lex.label_score
                why.append("in a column headed like its label")
            # a count is a value right after its label, or after a copula in the label's sentence ("Notre numéro
            # de compte client est, sauf erreur, le 7 004 512"); a cell's label is its column's
            elif mine and not (quantity and not direct and not (mine[:2] == (0, 0) and self._after_copula(start))) \
                    and column is None:
                words, values, phrase = mine
                score += max(0.0, self.lex.label_score - self.lex.distance_cost * words - self.lex.value_cost * values)
                why.append(f"label '{phrase}'" + (f", {words} word(s) before" if words else ""))
                labelled = (phrase, words)
            # (spaced: "4N 118 302", or letters spaced from digits after a number sign or a machine: "n° WXK 30117",
            # not "USD 15000")
            if any(shape.match(value) or (spaced_shape and shape.match(compact)) for shape in lex.shapes):
                score += lex.shape_score
                why.append("shape")
                if lex.topic_score and name in self.topics:
                    score += lex.topic_score
                    why.append("the mail speaks of it")
            # a count is a machine's serial only right after its word: "les machines 560 118 402", not "the
            # PlotWave and 1 500 on the ColorWave"
            adjacent = not quantity or self._word_before(start, fillers=False) in lex.machine_words
            if lex.machine_words and machine_before and adjacent:
                score += lex.machine_score
                why.append("after a word for a machine")
            elif lex.machine_words and self._listed_under_machines(start, end, lex.machine_words):
                score += lex.machine_score
                why.append("in a list under the machines it names")
            elif lex.machine_words and not quantity and _COUNTERS_AFTER.match(self.text, end):
                score += lex.machine_score
                why.append("its counters follow it")  # "– 3KQ08812 : N&B 145 332 / couleur 20 117"
            elif lex.machine_words and not quantity and self._keys_a_reading(start, end):
                score += lex.machine_score
                why.append("the key of a reading, in a list of counters")  # "voici les compteurs :⏎- EH-2207-3391 : …"
            if lex.after_model_score and not quantity and self._next_to_model(start, end):
                score += lex.after_model_score
                why.append("next to a machine model")
            if lex.new_score and score and self._called_new(start, lex.new_words):
                score += lex.new_score
                why.append("called new")
            if score < self.lex.threshold:
                continue  # what follows only excludes: it need not run for a value that is not taken
            # an order called new that states its own end is still the new one: "Notre nouveau bon de commande X
            # couvre l'année 2027 et arrive à terme le 31/12/2027"
            if lex.refuse_old and (is_old(self.text, start) or self._old_clause(start, lex.old_before)
                                   or self._bracketed_after(start, lex.old_after) or (
                    self._followed_by(end, lex.old_after)
                    and not _NEW_RIGHT_BEFORE.search(self.folded, max(0, start - _NEW_REACH), start))
                    or self._right_after(end, lex.stays_after)):
                continue
            if lex.not_concerned_after and self.not_concerned(start, end, lex):
                if lex.leaving_after and not self.not_concerned(start, end, _staying(lex)):
                    self.leaving.append(Found(name, value, start, end, score, ", ".join(why + ["said to leave"])))
                else:
                    self.left_out.append(Found(name, value, start, end, score, ", ".join(why + ["not concerned"])))
                continue
            out[name] = (score, ", ".join(why), labelled)
        return out

    def _spent(self, i: int, start: int) -> bool:
        """Does the label ending at word ``i`` have its own value right after it, before ``start``?"""
        return i + 1 < len(self.words) and self.starts[i + 1] < start and any(c.isdigit() for c in self.words[i + 1][1])

    def _subject_label(self, begin: int, end: int) -> str | None:
        """The field of the first label between ``begin`` and ``end`` that names a number ("numéro d'engagement",
        not "the service contracts") and has no value of its own after it."""
        for i in range(bisect_left(self.starts, begin), bisect_left(self.starts, end)):
            label = self.labels.get(i)
            if label and label[0] and _NUMBER_WORDS.intersection(label[1]) and not self._spent(i, end):
                return label[0]
        return None

    def _keys_a_reading(self, start: int, end: int) -> bool:
        """Is the value the key of an item ("- EH-2207-3391 (bâtiment B) : 987 004") in a list whose introduction,
        the nearest line above that is no such item, names counters and ends with a colon ("voici les compteurs au
        30/09 :")?"""
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip(_BULLETS) or not _KEYED_READING.match(text, end):
            return False
        above = line_start - 1
        for _ in range(_LIST_REACH):
            if above <= 0:
                return False
            previous = text.rfind("\n", 0, above) + 1
            line = text[previous:above]
            if line.strip() and not _READING_ITEM_LINE.match(line):
                return line.rstrip().endswith(":") and bool(_COUNTER_HEADS.intersection(
                    _WORD.findall(self.folded[previous:above])))
            above = previous - 1
        return False

    def _listed_under_machines(self, start: int, end: int, machines: frozenset[str]) -> bool:
        """Is the value alone on its line (a bullet aside) or one of the values it lists ("X et Y"), in a list whose
        introduction names machines and ends with a colon ("Equipment (ColorWave 3600):⏎  3Y0-12-66781⏎
        3Y0-12-66790"), a blank line between the introduction and the list allowed?"""
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        # (the values before it on its line, within a list's reach: a line of a thousand values is no list)
        before = _ITEM_SIGN.sub("", text[line_start:start].strip(_BULLETS)) if start - line_start <= _LIST_LINE_REACH \
            else "…"
        if (before and not _ITEMS_BEFORE.fullmatch(before)) or not _ITEM_REST.fullmatch(text, end, line_end) \
                or ((before or _MORE_ON_LINE.match(text, end)) and (_QUANTITY.fullmatch(text, start, end) or (
                    text[start:end].isdigit() and end - start <= _COUNT_DIGITS))) \
                or (_QUANTITY.fullmatch(text, start, end) and (_COUNTER_ASIDE.match(text, end) or COUNTER_LABEL_ENDS.search(
                    self.folded, max(0, line_start - 80), max(0, line_start - 1)))):
            # "1 047 882 (compteur total, relevé le 06/07)": a count its aside calls a reading, or the line above
            # ending with a counter's label ("… et compteur mètres linéaires (rouleau 2) :⏎3 305.")
            return False
        steps, listed = self._climb_to_introduction(line_start - 1, False, machines)
        return listed and steps < _LIST_REACH

    def _climb_to_introduction(self, above: int, blank: bool, machines: frozenset[str]) -> tuple[int, bool]:
        """Up from the line ending at ``above`` over a list's other items to its introduction: (the lines climbed
        before the answer, whether the introduction names machines). Remembered for each line passed, so the
        items of one list climb it once (the answer is _LIST_REACH lines at most away: further is no)."""
        text, passed, answer = self.text, [], (0, False)
        while True:
            key = (above, blank)
            if key in self.climbed:  # climbed before: the answer is as far from here plus one line
                steps, listed = self.climbed[key]
                if not passed:
                    return steps, listed
                answer = (steps + 1, listed)
                break
            passed.append(key)
            if len(passed) > _LIST_REACH:
                return len(passed), False  # too far to know here (nothing remembered: it depends on the start)
            if above <= 0:
                break
            previous_start = text.rfind("\n", 0, above) + 1
            line = text[previous_start:above].strip()
            if not line and blank:
                break
            if line.endswith(":"):  # its last sentence names machines, and its last clause is no counter's:
                # not "… de notre traceur. Merci de l'utiliser à compter du 1er octobre :" nor "… pour la machine de
                # Gap, compteur noir et blanc :"
                sentence = re.split(r"[.!?](?:\s|$)", line)[-1]
                # (a clause ends at a comma, a semicolon or a dash between spaces: "…, s/n 1650-02291 - counter (m2):")
                # nor one whose subject is another number: "Le numéro d'engagement … du traceur X – n° de série 3941
                # – est le suivant :"
                answer = (0, _head(fold(re.split(r"[,;](?:\s|$)|\s[-–—]\s", sentence)[-1]), _DETERMINERS)
                          not in _COUNTER_HEADS
                          and self._subject_label(previous_start + text[previous_start:above].rfind(sentence),
                                                  above) in (None, "serial_numbers")
                          and (bool(set(_WORD.findall(fold(sentence))) & machines) or bool(MODEL.search(sentence))))
                break
            if blank or (line and not _ITEM_LINE.fullmatch(_ITEM_SIGN.sub("", line.strip(" \t-•*·–")))):
                break  # past a blank line, only the introduction
            blank = not line
            above = previous_start - 1
        steps, listed = answer
        for key in reversed(passed):  # the last line passed decided (or lies under one remembered); each one below
            self.climbed[key] = (steps, listed)  # it is one more line away
            steps += 1
        return self.climbed[passed[0]]

    def _after_machines_colon(self, start: int, end: int, machines: frozenset[str]) -> bool:
        """Is the value, after a number sign or under machines in the plural, in a list after a colon, on its
        line, whose clause starts with a word for a machine ("Matériels du site de Rennes : n° 3YB0 3342 et n° 3YB0
        3358", "Machines : XNK10098, XNK10112, 2XK73305"; not "Unité fonctionnelle : 7410")?"""
        line_start = max(self.folded.rfind("\n", 0, start) + 1, start - _LIST_LINE_REACH)
        colon = self.folded.rfind(":", line_start, start)
        sign = self._sign_before(start)
        if colon < 0 or (sign and sign.start() < colon):
            return False
        if any(w not in self.lex.fillers and w not in _LIST_WORDS and not _DIGIT.search(w)
               for w in _WORD.findall(self.folded[colon + 1 : start])):
            return False  # only the list's other values and its joining words since the colon
        head = _head(re.split(r"[.;!?]\s", self.folded[line_start:colon])[-1], self.lex.fillers)
        # (without a sign, a code of letters and digits only: "Machines : XNK10098, XNK10112, 2XK73305")
        return head in machines and (sign is not None or (head.endswith("s") and _LETTERS_AND_DIGITS.fullmatch(
            self.text, start, end) is not None))

    def _machine_complement(self, start: int, machines: frozenset[str]) -> bool:
        """Is the value, after a number sign, right after a machine and its complement ("le traceur des
        services techniques (n° 9921J044)", "la presse de l'atelier, n° …"; not "la facture du traceur de
        Lyon n° …")?"""
        if not (sign := self._sign_before(start)):
            return False
        window = max(0, sign.start() - 8)
        phrase_end = window + len(self.folded[window : sign.start()].rstrip(" \t(,"))  # "… techniques (n° "
        bracketed = self.folded[window : sign.start()].rstrip(" \t").endswith("(")
        clause_start = max(self.folded.rfind(c, 0, phrase_end) for c in ".;:!?\n") + 1
        last = bisect_left(self.starts, phrase_end) - 1
        for k in range(last - 1, max(-1, last - 6), -1):
            if self.starts[k] < clause_start or k in self.labels:
                return False  # "la facture du traceur de Lyon n° …": the label names the number
            if self.words[k][1] in machines:  # the head of its phrase ("la facture du traceur de Lyon n° …" is not)
                before = next((w for _, w in reversed(self.words[max(0, k - 3) : k]) if w not in _DETERMINERS), "")
                after = k + 1 + bool(_DIGIT.search(self.words[k + 1][1]))  # "les deux PlotWave 550 de la reprographie"
                # (or its place's name, the number in brackets: "Traceur salle B12 (n° 4401B2210)", "Traceur CDI (n° …)")
                named = bracketed and last - k <= 3 and before not in _COMPLEMENT_STARTS
                # (a participle placing the machine says the number is the machine's, even where the machine
                # is itself a complement: "les contrats des deux PlotWave 345 installés sur ce site (n° …)")
                placed = after < last and self.words[after][1] in _PLACED and self.words[after + 1][1] in _PLACED_AT
                complement = after <= last and self.words[after][1] in _COMPLEMENT_STARTS and before not in _COMPLEMENT_STARTS
                return (complement or placed or named) and not any(j in self.labels for j in range(k + 1, last + 1))
        return False

    def _counts_before(self, start: int) -> bool:
        """Is the value after a colon that ends a sentence speaking of counters ("Compteur final de la ColorWave :
        412 096", "voici les derniers compteurs des deux PlotWave : 77 120 et 80 455"; not "la relève automatique des
        compteurs pour les machines 560 118 402")? A count there is a reading."""
        colon = self.text.rfind(":", max(0, start - 40), start)
        if colon < 0 or _DIGIT.search(self.text, colon, start) and not _LIST_BETWEEN.fullmatch(self.text, colon + 1, start):
            return False
        return bool(set(_WORD.findall(self._sentence_before(start))) & _COUNTER_HEADS)

    def _machine_subject(self, start: int, machines: frozenset[str]) -> bool:
        """After a copula, is the sentence's subject a machine ("Le traceur concerné chez vous est le
        7102-4418-23"; not "Le n° de contrat du PlotWave est le …")?"""
        # "For the ColorWave 3800 service agreement (…) the purchase order is:" is no machine's; a greeting's line
        # is no subject ("Bonjour,⏎Les machines à déplacer sont les …")
        return _head(GREETING_LINE.sub("", self._sentence_before(start)), _DETERMINERS) in machines

    def _word_before(self, start: int, fillers: bool = True) -> str | None:
        """The last word before ``start`` that is not a filler (``fillers`` false: any word), on its line."""
        i = bisect_left(self.starts, start) - 1
        line_start = self.text.rfind("\n", 0, start)
        while i >= 0 and self.starts[i] > line_start:
            if not fillers or self.words[i][1] not in self.lex.fillers:
                return self.words[i][1]
            i -= 1
        return None

    def _column_of(self, start: int, cells: dict[int, str] | None = None) -> str | None:
        """The field named by the header of the column whose cell holds ``start`` (``cells``: the old columns')."""
        cells = self.headers if cells is None else cells
        line_start = self.text.rfind("\n", 0, start) + 1
        for at in range(start, max(line_start, start - _CELL_PREFIX) - 1, -1):
            if at in cells:
                return cells[at]
            if self.text[at - 1 : at] in ("|", "\t") or self.text[at - 2 : at] == "  ":
                return None  # the cell's start (after "|", a tab or aligning blanks), under no header of a field
        return None

    def _next_to_model(self, start: int, end: int) -> bool:
        for model_end in range(max(0, start - _MODEL_GAP), start + 1):
            if model_end in self.model_ends:
                gap = _AFTER_MODEL.match(self.text, model_end)
                if gap and gap.end() == start:
                    return True
        after = re.match(r"[ \t]*+[(,–—-]?[ \t]*+", self.text[end : end + 8])
        return end + after.end() in self.model_starts  # "3Y0612300 (PlotWave 450)"

    def _followed_by(self, end: int, phrases: tuple[str, ...]) -> bool:
        """Do these words follow the value in its clause, before the next value? A year or a date is
        no value: "le bon de commande X utilisé en 2026 pour le contrat … sera clôturé"; a relative clause
        speaks of it too: "(n° 1040122871), qui reste en service", and so does the clause after it: "n° X,
        qui couvre la maintenance de notre presse, arrive à échéance le 31/12"."""
        after = self.folded[end : end + 160]
        if "|" not in after.split("\n", 1)[0]:  # not a table's row
            after = _WRAPPED.sub(" ", after)  # "… pour le contrat⏎WF-26-03318 ne sera plus valable"
        # another subject's verb says nothing of the value: "(n° X) affiche une erreur et l'écran reste noir" (not "n° X et
        # le ColorWave restent sur place", machines both)
        other = next((m for m in _NEW_SUBJECT.finditer(after)
                      if m.group(1) not in self.lex.fields["serial_numbers"].machine_words
                      and not _PLURAL_VERB.match(after, m.end())), None)  # "et son finisseur restent": both
        after = after[: other.start()] if other else after
        relative = _RELATIVE.match(after)
        clauses = _CLAUSE_END.split(after[relative.end() :] if relative else after, maxsplit=2)
        main = clauses[1] if relative and len(clauses) > 2 and after[relative.end() + len(clauses[0])] == "," else ""
        return any(self._says_here(clause, phrases) for clause in (clauses[0], main) if clause)

    def _right_after(self, end: int, phrases: tuple[str, ...]) -> bool:
        """Do these words come within the first words after the value (past a closing bracket, not in an aside that
        opens)? "4400-77812 remains unchanged", "(BC n° 26/0412) reste valable"."""
        after = self.folded[end : end + 60].lstrip(" )")
        if not phrases or after.startswith("("):
            return False
        return _says_phrase(" ".join(_WORD.findall(after)[:_RIGHT_AFTER_WORDS]), phrases)

    @staticmethod
    def _says_here(clause: str, phrases: tuple[str, ...]) -> bool:
        """Do these words come in the clause before its next value? A year, a date or the contract the
        value belongs to is none: "le bon de commande X utilisé pour le contrat WF-26-03318 ne sera plus valable"."""
        if not _TWO_LETTERS.search(clause):
            return False  # no word at all: "1 234 1 234 …"
        clause = _CONTRACT_NAMED.sub(" ", _YEAR_OR_DATE_WORD.sub(" ", clause))
        # an adverb between the verb and its negation changes nothing: "ne sera donc pas reconduit"
        words = " ".join(w for w in _WORD.findall(re.split(r"[a-z0-9]*\d", clause)[0]) if w not in _ADVERBS)
        return _says_phrase(words, phrases)

    def _bracketed_after(self, start: int, phrases: tuple[str, ...]) -> bool:
        """Is the value in brackets right after the clause that calls it old ("… arrive à échéance le 31/12/2026 (EJ
        n° 2100039915)"), with no other number nor sentence end between?"""
        before = self.folded[max(0, start - 80) : start]
        bracket = before.rfind("(")
        if bracket < 0 or _DIGIT.search(_YEAR_OR_DATE_WORD.sub(" ", before[bracket:])):
            return False
        clause = re.split(r"[.;!?:]\s|\n", _YEAR_OR_DATE_WORD.sub(" ", before[:bracket]))[-1]
        clause = _ANY_NUMBER.split(clause)[-1]  # after the clause's other numbers: "(contrat n° FR-118204) arrive …"
        return bool(clause.strip()) and self._says_here(clause, phrases)

    def not_concerned(self, start: int, end: int, lex: FieldLexicon) -> bool:
        if self._followed_by(end, lex.not_concerned_after):
            return True
        # the only number of its sentence (or table row), said not concerned anywhere in it: "Le troisième
        # traceur (N° 3400-61190, site de Malesherbes) a été résilié et n'est donc pas concerné."
        # (a machine's model is no number: "PlotWave 3000 | 9V84-207 | reste sur place (non concerné)"); or the
        # sentence right after says it of "that machine" ("… (S/N 140-A02990)? That machine stays under contract.").
        begin = max(0, start - 200)
        stops = [m.end() for m in _SENTENCE_OR_ROW.finditer(self.folded, begin, start)]
        sentence_start = stops[-1] if stops else begin
        stop = _SENTENCE_OR_ROW.search(self.folded, end, end + 200)
        sentence_end = stop.start() if stop else end + 200
        line_start = self.folded.rfind("\n", 0, start) + 1
        line_end = self.folded.find("\n", end)
        line_end = len(self.folded) if line_end < 0 else line_end
        row = "|" in self.folded[line_start:line_end]
        if row and lex.row_flags and self._row_says_no(line_start, line_end, lex.row_flags, lex.row_keeps):
            return True  # "ColorWave 550 | 48A1093C | Lyon | No" under "… | Move"
        if row:  # a table row is one sentence, whatever dots it has ("Bât. A")
            sentence_start, sentence_end, stop = line_start, line_end, None
        sentence = self._without_models(sentence_start, sentence_end)
        # a year is no other number ("hors contrat depuis 2024"), nor, in a row, a cell of words (an address)
        numbers = [cell for _, cell in cells(sentence)] if row else [sentence]
        # (in a row, a cell's number in spaced groups is one: "3 604 221")
        kept = [_YEAR_OR_DATE_WORD.sub(" ", n) for n in numbers if not (row and _LONG_WORD.search(n))]
        if sum(len(_NUMBERED.findall(_SPACED_DIGITS.sub("", n) if row else n)) for n in kept) == 1:
            # a remark in brackets closed before the value speaks of what it follows: "ce n'est pas le traceur mentionné
            # plus bas (il part au rebut en fin d'année), mais le nouveau PlotWave 3600, n° 1102-3345-8"
            ahead = start - sentence_start
            said = _ASIDE.sub(lambda m: " " * len(m.group(0)), sentence[:ahead]) + sentence[ahead:]
            if self._says(said, lex.not_concerned_after, several_words=True):
                return True
            if stop and self.folded[stop.start()] != "\n":
                following = _SENTENCE_OR_ROW.search(self.folded, stop.end(), stop.end() + 200)
                after = " ".join(_WORD.findall(self.folded[stop.end() : following.start() if following else stop.end() + 200]))
                if any(f"{after} ".startswith(f"{p} ") for p in lex.anaphora) and not _DIGIT.search(after) \
                        and self._says(after, lex.not_concerned_after):
                    return True
        before = re.split(r"[.;!?\n,]", self.folded[max(0, start - 70) : start])[-1]
        before = f" {' '.join(_WORD.findall(before))} "
        for phrase in lex.not_concerned_before:
            at = before.rfind(f" {phrase} ")
            if not phrase or at < 0:
                continue
            # "mais pas le 3Y0612301", not "nous ne renouvellerons pas le contrat du ColorWave (n° série X)"
            if phrase.split()[0] in _NEGATION_WORDS and len(before[at + len(phrase) + 2 :].split()) > 2:
                continue
            return True
        for phrase in lex.corrected_before:
            at = before.rfind(f" {phrase} ")
            between = before[at + len(phrase) + 2 :].split() if at >= 0 else []
            if phrase and at >= 0 and len(between) <= 2 and not any(_DIGIT.search(w) for w in between):
                return True
        return False

    def _without_models(self, start: int, end: int) -> str:
        """The folded text between start and end, machine models blanked ("PlotWave 3000" is no number)."""
        text = self.folded[start:end]
        for model_start, model_end in self.model_spans:
            if start <= model_start and model_end <= end:
                a, b = model_start - start, model_end - start
                text = text[:a] + " " * (b - a) + text[b:]
        return text

    @staticmethod
    def _says(text: str, phrases: tuple[str, ...], several_words: bool = False) -> bool:
        """Does the folded text hold one of these phrases (only those of several words, when asked)? An adverb
        inside a phrase leaves it whole: "n'est finalement pas concerné"."""
        words = f" {' '.join(w for w in _WORD.findall(text) if w not in _ADVERBS)} "
        return any(f" {p} " in words for p in phrases if p and (not several_words or " " in p))


def _head(folded: str, skipped: frozenset[str]) -> str | None:
    """The first word of a folded clause that is not one of ``skipped`` (determiners, fillers): its head."""
    return next((w for w in _WORD.findall(folded) if w not in skipped), None)


@lru_cache(maxsize=8)
def _staying(lex: FieldLexicon) -> FieldLexicon:
    """``lex`` without its leaving words: what says a machine is not concerned whatever else the mail says."""
    return replace(lex, not_concerned_after=tuple(p for p in lex.not_concerned_after if p not in lex.leaving_after))


_CELL_PREFIX = 12  # how far back a value's cell may start: "EJ 1000298841", "n° 3Y0A1234" in a column of values
_RIGHT_AFTER_WORDS = 4  # how far "right after a value" reaches, in words


def _says_phrase(words: str, phrases: tuple[str, ...]) -> bool:
    """Is one of the phrases in these words (folded, single-spaced), whole words only?"""
    return any(f" {p} " in f" {words} " for p in phrases if p)


def compacted(value: str) -> str:
    """A value without its blanks: "3Y 007 1902" and "3Y0071902" are one machine."""
    return "".join(value.split())


_OLD_CLAUSE_END = re.compile(r"(?<![\s(][Rr][ée]f)(?<![\s(][Nn]o)(?<![\s(][Nn])(?<![\s(][Nn]r)\.|[;!?\n,]|\bet\b|\band\b")


# a remark in brackets about another number: "Nouveau bon de commande (remplace la commande n° 2026-117) : X"
_OTHER_NUMBER_ASIDE = re.compile(r"\([^()\n\d]{0,80}+\d[^()\n]{0,80}+\)")


def is_old(text: str, start: int) -> bool:
    """Does the clause before position start call the value old or replaced? (An abbreviation's full stop ends
    none: "remplacer la réf. commande 7700-1124 par la 7700-1389"; a remark in brackets about another number
    says nothing of it.)"""
    clause = _OTHER_NUMBER_ASIDE.sub(" ", _OLD_CLAUSE_END.split(text[max(0, start - 70) : start])[-1])
    return bool(OLD.search(clause)) and not NEW_BY.search(clause)


def leaders_as_colons(text: str) -> str:
    """A dotted leader introduces its value as a colon does ("CW 3800 ...... 8Q6A0221", "dont copie ...... 102 559"):
    the same text with each leader made blanks and a colon, offsets kept."""
    return _LEADER.sub(lambda m: " " * (len(m.group(0)) - 1) + ":", text)


def cells(line: str) -> list[tuple[int, str]]:
    """(offset, text) of the cells of a table line: "a | b" (HTML tables) or columns aligned with spaces."""
    found, position = [], 0
    for separator in _CELL_SEPARATOR.finditer(line):
        found.append((position, line[position : separator.start()]))
        position = separator.end()
    found.append((position, line[position:]))
    return [(at, cell.strip()) for at, cell in found]


def find_identifiers(text: str, lexicon: Lexicon | None = None) -> dict[str, list[Found]]:
    """Every value of each field in ``text``, in text order (repeats included), and under LEAVING the
    serials said to leave. Tokens are given out best score first: a token goes to its best field unless
    that single-valued field already has another value, then to its next best; serials take every token
    they win."""
    lexicon = lexicon or default_lexicon()
    if not _DIGIT.search(text):
        return {name: [] for name in (*FIELDS, LEAVING, LEFT_OUT)}
    text = INITIALS.sub(lambda m: " " * len(m.group(0)), text)  # offsets kept: spans point into the original
    text = _ITEM_NUMBER.sub(lambda m: m.group(1) + "-" + " " * (len(m.group(0)) - len(m.group(1)) - 1), text)
    # an answer's arrow introduces its value as a colon does: "- le numéro de série du traceur  ==> 4B 118 022"
    text = _ANSWER_ARROW.sub(lambda m: " " * (len(m.group(0)) - 1) + ":", text)
    text = leaders_as_colons(text)  # … and so does a dotted leader
    scorer = _Scorer(text, lexicon)
    blocked = ibans(text)  # an IBAN's groups are never identifiers
    tokens = [(start, end) for start, end in _with_spaced(text, scorer, lexicon)
              if not any(s < end and start < e for s, e in blocked)]
    pairs = [(score, -start, start, end, name, why, label) for start, end in tokens
             for name, (score, why, label) in scorer.scores(start, end).items()]
    taken: set[int] = set()
    chosen: dict[str, str] = {}
    found: dict[str, list[Found]] = {name: [] for name in FIELDS}
    for score, _, start, end, name, why, label in sorted(pairs, key=lambda pair: pair[:6], reverse=True):
        value = text[start:end]
        if start in taken or (name != "serial_numbers" and chosen.setdefault(name, value) != value):
            continue
        taken.add(start)
        found[name].append(Found(name, value, start, end, score, why, label))
    _coordinated(scorer, tokens, taken, found)
    # "- ColorWave 3800 – n° série 5C0098213 ⏎Correction : le ColorWave (5C0098213) n'est finalement pas concerné"
    left_out = {compacted(f.value) for f in scorer.left_out}
    found["serial_numbers"] = [f for f in found["serial_numbers"] if compacted(f.value) not in left_out]
    found[LEAVING] = [f for f in scorer.leaving if f.start not in taken]
    found[LEFT_OUT] = scorer.left_out
    return {name: sorted(values, key=lambda f: f.start) for name, values in found.items()}


_COORDINATION = re.compile(  # from the start of a blank run; "ainsi que le", "as well as"
    r"(?<!\s)\s*+(?:,|et|and|&|/|\+|ou|or|ainsi\s++que|as\s++well\s++as)\s*+(?:le\s++|la\s++|l'|the\s++)?", re.I)


def _shape(value: str) -> str:
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", value))


def _coordinated(scorer: _Scorer, tokens: list[tuple[int, int]], taken: set[int], found: dict[str, list[Found]]) -> None:
    """A value of the same shape joined to a serial by "et", "and", "," or "/" is a serial too:
    "n° de série 4411 0087 21 et 4411 0087 35" (the label's reach may fade before the second; another field's
    label may stand nearer: "le contrat de maintenance des traceurs 1KR-04418 et 1KR-04420"), unless the customer
    says it is not concerned."""
    text, lex, serials = scorer.text, scorer.lex.fields["serial_numbers"], found["serial_numbers"]
    by_start = {f.start: f for f in serials}
    for (start, end), (next_start, next_end) in zip(tokens, tokens[1:]):
        first = by_start.get(start)
        value = text[next_start:next_end]
        if (first is None or _shape(value) != _shape(first.value)
                or not _COORDINATION.fullmatch(text, end, next_start) or scorer.not_concerned(next_start, next_end, lex)):
            continue
        if next_start in taken:  # by another field: the list of machines wins over a label that reaches past them
            other = next((name for name in FIELDS if name != "serial_numbers"
                          and any(f.start == next_start for f in found[name])), None)
            if other is None:
                continue
            found[other] = [f for f in found[other] if f.start != next_start]
        taken.add(next_start)
        joined = Found("serial_numbers", value, next_start, next_end, first.score, f"joined to {first.value}")
        serials.append(joined)
        by_start[next_start] = joined


# "7L02 3318", "W 221 0087", "62 01 88 41", "1640 K 0258"; not an ordinal after it ("PW345-19-0821 2nd"); at most
# twelve dashes, slashes or dots in a piece, so a long chain of them is not read again from each of its dots
_PIECES = (
    r"(?P<v>[A-Za-z0-9]++(?:[-/.][A-Za-z0-9]++){0,12}+(?:[ \u00a0](?=[A-Za-z]{0,3}+\d|[A-Z]{1,3}+[ \u00a0]\d)"
    r"(?!\d++(?:er|e|eme|st|nd|rd|th)\b)"
    r"[A-Za-z0-9]++(?:[-/][A-Za-z0-9]++)*+){1,3}+)"
)
# "… 71 12 / CW 3700 : …" ends at "/ " before a word (not "CT 2021-0458 / 02")
_VALUE_END = r"(?=[ \t]*+(?:[),;(\n–—]|[.:?!](?:\s|$)|-\s|/[ \t]++[^\W\d_]|[^\W\d_]|$))"
_SPACED_VALUE = re.compile(  # after a label (blanks taken whole)
    r"(?<=\S)(?![A-Za-z0-9])[ \t]*+\n?[ \t]*+[:#°.–—(|*•·-]?[ \t]*+(?:(?>n°|n[o°º]\.?|num[ée]ro)[ \t]*+:?[ \t]*+)?" + _PIECES
    + _VALUE_END
)
# … or alone below it, past a blank line after its colon ("numéro de série :⏎⏎    X2-0047 1183"), matched
# after the label or after the colon itself
_SPACED_BELOW = re.compile(r"(?:(?<=\S)[ \t]*+:|(?<=:))[ \t]*+\n[ \t]*+\n[ \t]*+" + _PIECES + _VALUE_END)
# a value alone on its line (or a list's item: "  * 4N 118 415"), matched at the line's start (the lookbehinds keep a
# search linear)
_LINE_VALUE = re.compile(r"(?<![ \t])[ \t]*+(?:[*•·–—-][ \t]++)?(?<![A-Za-z0-9])" + _PIECES + r"[ \t]*+(?=\n|$)")
# an order called new right before its label, words only between ("Notre nouveau bon de commande X"; not "New PO for
# 2027: PO X", nor "notre nouveau marché, le bon de commande X"), on folded text
_NEW_RIGHT_BEFORE = re.compile(r"\b(?:nouveaux?|nouvel(?:le)?s?|new)(?:\s++[a-z]++){1,4}\s*+$")
_NEW_REACH = 120  # characters before a value where _NEW_RIGHT_BEFORE is looked for (its four words), not the whole text
_PAIR_BEFORE = re.compile(r"(?<!\d)\d\d ")  # the pair of digits before another: "70 22 45 81"
_PAIRS_IN_A_VALUE = 5  # the most pairs of digits one spaced value is written in ("70 22 45 81 03")
_NEXT_LINE = re.compile(r"(?<![ \t])[ \t]*+\n")  # a value ending its line, then the next line (blanks taken whole, from a run's start)
_NEXT_SPACED = re.compile(r"(?<![A-Za-z0-9])" + _PIECES + _VALUE_END)  # the next of a list, after its "et" or comma
_CELL_VALUE = re.compile(r"(?<![A-Za-z0-9/.-])" + _PIECES + r"(?=\t| {2}|[ \t]*+(?:\||\n|$))")  # a whole table cell
_COUNTER_WORD = r"compteurs?|counters?|index"  # a counter named as such, in the patterns below
_COUNTERS_AFTER = re.compile(  # a machine's counters right after its serial (blanks taken whole)
    rf"(?<![ \t])[ \t]*+[:=–—-][ \t]*+(?:n\s?&\s?b|n/b|b&w|b/w|noir|couleur|colou?r|mono|black|total|{_COUNTER_WORD})"
    r"(?![\w&/])", re.I)
# after a value, a reading keyed by it: "EH-2207-3391 (imprimerie centrale) : 1 245 880" (blanks taken whole)
_KEYED_READING = re.compile(r"(?<![ \t])[ \t]*+(?:\([^()\n]{0,40}\)[ \t]*+)?[:=][ \t]*+\d")
_READING_ITEM_LINE = re.compile(rf"(?<![ \t])[ \t]*+[{_BULLETS.strip()}][ \t]")  # an item of a list, by its bullet
_COUNTER_ASIDE = re.compile(rf"(?<![ \t])[ \t]*+\([ \t]*+(?:{_COUNTER_WORD}|relev[ée]s?)(?![\w&/])", re.I)
_LIST_BETWEEN = re.compile(r"[\d \t.,]*+(?:et|and|,|/)?[ \t]*+")  # "… : 77 120 et 80 455": the second of a list
# "2XK73305", matched whole: letters and five digits or more (not a model's code, "TC5200")
_LETTERS_AND_DIGITS = re.compile(r"(?<![A-Z0-9])(?=[A-Z0-9]*?[A-Z])(?=(?:[A-Z]*+\d){5})[A-Z0-9]{6,12}")
# a value, then a counter's word and the reading: "… 3700-10388 : compteur 48215663"
_READING_AFTER_VALUE = re.compile(rf"(?<![\w-])\d[\w-]*+[ \t]*+[:–—-][ \t]*+(?:{_COUNTER_WORD})[ \t]++$", re.I)
_COUNTER_HEADS = frozenset({"compteur", "compteurs", "index", "releve", "releves", "counter", "counters", "meter",
                            "reading", "readings"})
_DETERMINERS = frozenset({"le", "la", "les", "l", "un", "une", "notre", "nos", "votre", "vos", "ce", "cet", "cette",
                          "ces", "the", "a", "an", "our", "your", "this", "these", "that",
                          # and a count: "Les deux traceurs concernés sont les n° …", "the two units to move are …"
                          "deux", "trois", "quatre", "both", "two", "three", "four"})
_LIST_WORDS = frozenset({"et", "and", "ou", "or", "puis"})  # between the values of a list
_SIGN_AT = re.compile(r"(?<![\w])(?:n°|n[oº]\.|#)", re.I)  # a number sign: a value follows
_SKIPPED_WORDS = 4  # filler words between a label and its spaced value: "contract ref: …", "c'est le …"
_SKIPPABLE = frozenset({"c", "s", "it"})  # "c'est le …", "it's …" (next to an apostrophe): the rest are fillers


def _after_fillers(scorer: _Scorer, i: int, lexicon: Lexicon) -> int:
    """Where the words after word i that are fillers end (at most _SKIPPED_WORDS of them, on its line)."""
    end = scorer.starts[i] + len(scorer.words[i][1])
    for j in range(i + 1, min(i + 1 + _SKIPPED_WORDS, len(scorer.words))):
        at, word = scorer.words[j]
        written, following = scorer.text[at : at + len(word)], scorer.text[at + len(word) : at + len(word) + 1]
        if word in _SKIPPABLE and following not in ("'", "’") and scorer.text[at - 1 : at] not in ("'", "’"):
            break  # "c'est le …", "it's …", but "C 204 551" is a value
        if written.isupper() and len(word) <= 3 and following != "°":
            break  # "A-2201", "C 204 551": the start of a value, not a filler ("N° …" is one)
        if (word not in lexicon.fillers and word not in _SKIPPABLE) or _DIGIT.search(word) \
                or "\n" in scorer.text[end:at] or scorer.text[end:at].strip(" \t:'’.°#"):
            break
        end = at + len(word)
    return end


def _inner_capitals(piece: str, k: int, pieces: list[str]) -> bool:
    """A group of capitals inside a spaced value, between short groups of digits ("4471 FR 0093", "550 CW 10 88");
    not a list word written in capitals ("3Y0612300 ET 3Y0612301") nor a counter's mark ("4017289 NB 12 450");
    the caller refuses a label too ("PlotWave 3000 SN 5830-114-72")."""
    return (0 < k < len(pieces) - 1 and piece.isalpha() and piece.isupper() and len(piece) <= 3
            and piece.lower() not in _LIST_WORDS and piece not in _COUNTER_MARKS
            and pieces[k - 1][-1].isdigit() and len(pieces[k - 1]) <= 5 and pieces[k + 1][0].isdigit())


def _with_spaced(text: str, scorer: _Scorer, lexicon: Lexicon) -> list[tuple[int, int]]:
    """The tokens, where a value written in spaced pieces right after its label (filler words aside),
    a word for a machine or a machine model counts as one ("n° de série : 7L02 3318", "PlotWave 450 –
    45018 77A"); pieces stay apart when each has a field's shape, or when the first already has one
    ("3Y0612300 12 345 m²": a serial, then a reading), and a count stays apart from a machine ("PlotWave
    345 : 88 214")."""
    tokens = _tokens(text, lexicon)
    ends = dict(tokens)
    merged: list[tuple[int, int]] = []
    machines = lexicon.fields["serial_numbers"].machine_words
    introducers = [(_after_fillers(scorer, i, lexicon), name, False)
                   for i, (name, _) in scorer.labels.items() if name is not None]
    # the colon that ends a label's clause: "Le numéro de série indiqué sur la plaque est :⏎VP6-K 220431"
    colons = {m.end(): name for i, (name, _) in scorer.labels.items() if name is not None
              and (m := _TO_COLON.match(text, scorer.starts[i] + len(scorer.words[i][1])))}
    introducers += [(at, name, False) for at, name in colons.items()]
    # (a model's family name introduces no value: its number follows it, "ColorWave 3800 CW38-004512")
    introducers += [(scorer.starts[i] + len(word), "serial_numbers", True)
                    for i, (_, word) in enumerate(scorer.words) if word in machines
                    and scorer.starts[i] not in scorer.model_starts]
    introducers += [(end, "serial_numbers", True) for end in scorer.model_ends]
    introducers += [(at, name, False) for at, name in scorer.headers.items()]  # a cell under its field's header
    introducers += [(m.end(), None, False) for m in _SIGN_AT.finditer(text)]  # "n° 3YB0 3342": any field's
    # a value alone on the line below its label's line: "- le numéro de série du traceur (format 3Y0 xxx xxx)⏎
    # 3Y0 118 274"
    below_label = {end + 1: name for i, (name, _) in scorer.labels.items()
                   if name is not None and (end := text.find("\n", scorer.starts[i])) >= 0}
    introducers += [(at, name, False) for at, name in below_label.items()]
    every_shape = tuple(shape for lex in lexicon.fields.values() for shape in lex.shapes)
    for at, name, machine in introducers:
        m = (_CELL_VALUE.match(text, at) if at in scorer.headers else _LINE_VALUE.match(text, at) if at in below_label
             else _SPACED_VALUE.match(text, at))
        below = m is None and at not in scorer.headers and at not in below_label \
            and (m := _SPACED_BELOW.match(text, at)) is not None
        if not m:
            continue
        value = m.group("v")
        pieces = value.split()
        span = m.span("v")
        if len(pieces) >= 3 and _CENTS_AFTER.match(text, span[1]) and (tail := _AMOUNT_TAIL.search(value)):
            # "n° série 7310 2284 3 840,00": the serial, then an amount in a column of prices
            value = value[: tail.start()]
            pieces, span = value.split(), (span[0], span[0] + len(value))
        shapes = lexicon.fields[name].shapes if name else every_shape
        first = pieces[0]
        if lexicon.is_label(first) and first not in lexicon.value_prefixes and (
                not any(sh.match(value) for sh in shapes)
                or ((at in colons or below) and first not in lexicon.colon_prefixes)
                or (len(pieces) >= 2 and _labels_long_number(first, " ".join(pieces[1:]), lexicon))):
            continue  # "traceur SN 4017289", "(S/N 9473 551 020)", "… est émis : PO 61-004-7731": a label, then its
            # value ("commande DA 2502230", "… : BC 27/0098" are one)
        if (machine or at in below_label) and _QUANTITY.fullmatch(value.removesuffix(" m2").removesuffix(" ml")):
            continue  # "PlotWave 345 : 88 214", "… n°serie YKR22871 au 30/09 :⏎48 213 m2": a count
        if (sum(c.isdigit() for c in value) >= 4 and len(value) <= 20 and not _FISCAL_YEAR.fullmatch(first)
                and not _names_model(first, pieces[1] if len(pieces) > 1 else "", lexicon)
                and (any(c.isdigit() for c in first) or first in lexicon.value_prefixes  # "CTR 48 310 6"
                     or (first.isupper() and (len(first) <= 2 or "-" in first)
                         and fold(first) not in lexicon.fillers))  # "Customer ID 104…"
                and (any(len(p) <= 5 for p in pieces) or not _DIGIT.search(first))
                and all(any(c.isdigit() for c in p) or (_inner_capitals(p, k, pieces) and not lexicon.is_label(p))
                        for k, p in enumerate(pieces[1:], 1))
                and not any(sh.match(first) for sh in shapes)):
            # with the letter code the tokens joined after it: "contrat n° CT 2023 1187 PL"
            merged.append((span[0], ends[span[0]]) if _CODE_AFTER.fullmatch(text, span[1], ends.get(span[0], 0)) else span)
    # "n° de série B7 311 902 et B7 311 955", or one per line ("… sont :⏎70 22 45 81⏎70 22 45 96"): the next of a
    # list, of the same shape (the next line is that value alone)
    for start, end in merged:
        m = (_NEXT_SPACED.match(text, link.end()) if (link := _COORDINATION.match(text, end))
             else _LINE_VALUE.match(text, link.end()) if (link := _NEXT_LINE.match(text, end)) else None)
        if m and _shape(m.group("v")) == _shape(text[start:end]):
            merged.append(m.span("v"))
    if not merged:
        return tokens
    kept: list[tuple[int, int]] = []
    for span in sorted(set(merged), key=lambda se: (se[0], -se[1])):
        if not kept or span[0] >= kept[-1][1]:  # two introducers of one value: the longer reading
            kept.append(span)
    starts = [s for s, _ in kept]  # kept spans are sorted and apart: the one that may hold a token is found by bisection
    inside = [t for t in tokens if not ((k := bisect_right(starts, t[0]) - 1) >= 0 and t[1] <= kept[k][1])]
    return sorted(inside + kept)


def _is_date(value: str) -> bool:
    """A date or a year, however it is spaced: "30/09/2026", "2027", "FY27", "30 09 2026"."""
    return bool(_DATE_OR_YEAR.fullmatch(value.replace(" ", "").replace("\u00a0", ""))
                or _SPACED_DATE.fullmatch(value.replace("\u00a0", " ")))


def answer_values(text: str, lexicon: Lexicon | None = None) -> list[tuple[int, int]]:
    """Spans of the values in a short answer ("9470 334 812"): tokens with four digits or more that are
    neither dates, IBANs nor a postcode before its town ("… – 63000 Clermont-Ferrand" in a signature)."""
    lexicon = lexicon or default_lexicon()
    blocked = ibans(text)
    return [(start, end) for start, end in _tokens(text, lexicon)
            if sum(c.isdigit() for c in text[start:end]) >= 4
            and not _is_date(text[start:end])
            and not _POSTCODE_TOWN.match(text, start)
            and not any(s < end and start < e for s, e in blocked)]


_LIST_OPENING_WORDS = 4  # words before an answer's list in its sentence: "Il s'agit des", "It's the ones", "Ce sont les"
_LETTERS = re.compile(r"[^\W\d_]++")  # a word of letters, as written


def listed_answer(text: str, values: list[tuple[int, int]], field: str = "serial_numbers",
                  lexicon: Lexicon | None = None) -> list[tuple[int, int]]:
    """An answer's values joined as a list ("Il s'agit des X et Y"), leaving out those its text says are not
    concerned ("Le Z a été repris l'an dernier, il n'est donc pas concerné"); none unless two or more remain so
    joined (two numbers side by side may be one value in pieces)."""
    lexicon = lexicon or default_lexicon()
    scorer, lex = _Scorer(text, replace(lexicon, threshold=0.0)), lexicon.fields[field]
    kept = [(s, e) for s, e in values if not (lex.not_concerned_after and scorer.not_concerned(s, e, lex))]
    joined = len(kept) > 1 and all(_COORDINATION.fullmatch(text, e, s) for (_, e), (s, _) in zip(kept, kept[1:]))
    # each may be the field's (not a phone's, not under an invoice's label), the first near its sentence's start ("Il
    # s'agit des X et Y", not "… les responsables de nos sites de 75015 et 92100")
    first = kept[0][0] if kept else 0
    opening = joined and len(_LETTERS.findall(text, scorer._sentence_start(max(0, first - 200), first), first)) \
        <= _LIST_OPENING_WORDS
    return kept if opening and all(field in scorer.scores(s, e) for s, e in kept) else []


def in_subject(text: str, lexicon: Lexicon | None = None) -> set[str]:
    """The fields whose labels the text says are in the subject ("le numéro de série figure en objet")."""
    if not _SUBJECT_HINT.search(text):
        return set()  # no word for the subject: no scorer to build
    return _Scorer(text, lexicon or default_lexicon()).in_subject


def asked_fields(text: str, lexicon: Lexicon | None = None) -> set[str]:
    """The identifier fields whose labels a (quoted) request names: what it asked for."""
    lexicon = lexicon or default_lexicon()
    return {name for name, _ in _Scorer(text, lexicon).labels.values() if name}


def best(values: list[Found]) -> Found | None:
    """The value of a single-valued field: the best scored, the first of equals."""
    return max(values, key=lambda f: (f.score, -f.start), default=None)


def as_details(found: Found) -> dict[str, Any]:
    return {"value": found.value, "span": [found.start, found.end], "why": found.why, "score": round(found.score, 2)}
