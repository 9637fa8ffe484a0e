"""The identifiers and values a request needs, read from the customer's new text.

Regular expressions on the raw text plus validators (reference/text-stack-
measurements.md §1, §6: NER mislabels IDs and tokenizers split them). Each
field has a label rule ("n° client", "nouveau numéro de commande") and, where
the number has a known shape (CT-…, PW345-…), a shape rule. Old values ("ancien",
"remplace"), signatures, phone numbers, invoice numbers and the quoted history
are not taken; the quoted part is read only for a number the customer points
to ("le contrat ci-dessous"). Every value comes with the text it was read from:
as evidence, and as a span in ``Extraction.details`` (see ``extract_all``).

Its size (over 800 lines) has no good reason left: addresses, e-mail, readings, SIREN and K-bis
are separate extractors that share only the cues and the reading policy. Splitting it by field
(read/fields/) is the next step of the layout; it was not done with the move, to keep that
change a pure move.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from functools import lru_cache
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from collections.abc import Callable
from typing import Any

from stdnum.fr import siren as stdnum_siren

from mailbot.read.analysis import Evidence, empty_fields
from mailbot.read.dates import DateHit, deadline, effective_date, find_dates, term_date
from mailbot.decide.measures import is_nominative
from mailbot.read.htmltext import fold
from mailbot.read.identifiers import FIELDS as IDENTIFIER_FIELDS
from mailbot.read.identifiers import (COUNTER_LABEL_ENDS, IDENTIFIERS_FILE, INITIALS, LEAVING, LEFT_OUT, default_lexicon,
                                      leaders_as_colons, load_lexicon)
from mailbot.read.rules import RulesError
from mailbot.read.identifiers import (MODEL, MODEL_FAMILY, NEW_BY, OLD, RULE_LINE, Found, answer_values, asked_fields, best, cells,
                                      compacted, find_identifiers, in_subject, is_old, listed_answer)
from mailbot.read.attachments import Document, of_mail
from mailbot.read.mime import Mail
from mailbot.paths import CLASSIFIERS_DIR
from mailbot.read.quotes import (ANSWER_MARKS, ANSWER_WORDS, GREETING_LINE, HEADER_LINE, OUR_DOMAINS, PARAGRAPH_BREAK,
                                 POINTS_BELOW,
                                 answered_question, below_headers, carries_on, closing_line, own_words,
                                 points_to_history,
                                 top_question)
from mailbot.compose.redact import ibans
from mailbot.read.softwraps import join_soft_wraps

_SENTENCE_END = re.compile(r"\n|[.;!?](?:\s|$)")


# In the SIREN and SIRET labels, as in the others, blanks are taken whole (possessive): digits follow them.
ADDRESSES_FILE = CLASSIFIERS_DIR / "addresses.toml"  # when an address is the new one
NOTHING_TO_TAKE = ("bank_details_check", "other")  # mails that quote what they doubt, not what they ask
# a change of the customer's own, in a mail that asks nothing of ours, on the day it happens: "Nous changeons de banque
# au 1er septembre 2027" (FORMAT.md's labels give it), not an invoice's or a visit's date
_OWN_CHANGE = re.compile(r"\b(?:nous\s++chang\w*+|we\s++(?:are\s++)?(?:chang|switch|mov)\w*+)\b", re.I)
# the writer's own termination in the clause that ends on a medium-cued date: "notre décision de résilier le contrat …
# au 31 décembre", "we hereby terminate the contract … on 31 December" (not "Nous résilions le contrat ; votre
# technicien passera le 15 décembre")
_OWN_TERMINATION = re.compile(r"(?:\b(?:notre\s++d[ée]cision\s++de|nous\s++d[ée]cidons\s++de)\s++r[ée]silier"
                              r"|\bnous\s++r[ée]silions|\bwe\s++(?:hereby\s++)?(?:terminate|cancel))\b[^;.!?\n]{0,150}+$",
                              re.I)
_DIGIT = re.compile(r"[0-9]")  # ASCII: "m²" is no number
_SPACED_COLUMNS = re.compile(r"(?<=\S)(?: {2,}|\t+)(?=\S)")  # columns aligned with spaces

_TO_ITS_COLON = r"(?:[^\d\n:|]{1,40}+:)?"  # words between a SIREN's or a SIRET's label and its colon
_SIREN = re.compile(  # "SIREN 879 334 512", "SIREN de la nouvelle entité : 879 334 512"
    rf"\bsiren\b{_TO_ITS_COLON}\s*+(?:n°|:|\|)?\s*+(?P<v>\d{{3}} ?\d{{3}} ?\d{{3}})(?! ?\d)", re.I)
# "RCS Rennes 412 345 678": the town is 2 to 30 letters, spaces and dashes. Written as the three ways the
# plain "rcs\s+[…]{2,30}?\s*" can read the blanks after "rcs", in the order it tries them, so that a
# long run of blanks is not split in every possible way: all of them before the town; all but the last
# space, which starts a one-letter town; two spaces of the run as the whole town.
_RCS = re.compile(
    r"\brcs(?:\s++[A-Za-zÀ-ÿ' -]{2,30}?\s*+|\s++(?<=\s )[A-Za-zÀ-ÿ' -]\s*+|(?>\s+  )\s*+)"
    r"(?P<v>\d{3} ?\d{3} ?\d{3})(?! ?\d)",
    re.I,
)
# "842 310 773 R.C.S. Grenoble", as an extract of the trade register writes it
_RCS_AFTER = re.compile(r"(?<!\d)(?<!\d )(?P<v>\d{3} ?\d{3} ?\d{3})[ \t]*+R\.?[ ]?C\.?[ ]?S\b", re.I)
# "immatriculée au RCS de Saint-Denis de La Réunion sous le numéro 941 208 738"
_RCS_NUMBER = re.compile(
    r"\brcs\b[^\n\d]{2,60}?\bsous\s++le\s++(?:n°|num[ée]ro)\s*+:?\s*+(?P<v>\d{3} ?\d{3} ?\d{3})(?! ?\d)", re.I)
# a column headed "SIREN" (k cells before it in the header and in the row below; a markdown rule line between):
# "Raison sociale | SIREN | Adresse⏎SAS FABRE | 921 330 048 | 3 route de Bordeaux"
_SIREN_COLUMNS = tuple(re.compile(
    rf"^(?:[^|\n]*+\|){{{k}}}[ \t]*+siren[ \t]*+(?:\|[^\n]*+)?\n(?:[ \t|:-]*+\n)?"
    rf"(?:[^|\n]*+\|){{{k}}}[ \t]*+(?P<v>\d{{3}} ?\d{{3}} ?\d{{3}})[ \t]*+(?:\|[^\n]*+)?(?:\n(?![^\n|]*+\|)|\Z)",
    re.I | re.M) for k in range(5))
_SIRET = re.compile(rf"\bsiret\b{_TO_ITS_COLON}\s*+(?:n°|:)?\s*+(?P<v>\d{{3}} ?\d{{3}} ?\d{{3}}) ?(?P<nic>\d{{5}})(?!\d)",
                    re.I)
_NEW_ENTITY = re.compile(
    r"nouvel(?:le)? (?:entit|soci)|new (?:billing |invoicing |legal )?(?:entity|company)|repreneur|rachet[ée]e? par"
    r"|reprise par|au nom d(?:e|u|es)\b|in the name of|acquired by"
    # the absorbing or acquiring company: "fusion-absorption par la SAS X", "the merger of A into B", "cession de notre
    # agence à la société X", "sold to X", "transférés au Groupe X" (not "a cédé son fonds": who received it is named)
    r"|\babsor[bp]\w*+\s++(?:par|by)\b|\bmerg\w*+\b[^.;\n]{0,80}?\binto\b"
    r"|\b(?:cession|c[ée]d[ée]e?s?|vendue?s?|transf[ée]r[ée]e?s?)\s++(?:[^.;:\n]{0,60}?\s)?(?:[àa]|au)\s++"
    r"(?:la\s++)?(?:soci[ée]t[ée]|groupe|sas|sarl|sa|sasu|selarl|eurl)\b|\b(?:sold|transferred)\s++to\b"
    r"|\bnouvel(?:le)?\s++(?:exploitant|titulaire|propri[ée]taire|[ée]tablissement|structure)"
    # "À partir de cette date, merci d'adresser les factures à :⏎Université X⏎…⏎SIRET : …" (a block follows its colon)
    r"|\b(?:adress|envoy|[ée]tabl|[ée]mett)\w*+\s++(?:les|vos|nos|toutes\s++les)\s++factures\s++"
    r"(?:[^.;:\n]{0,40}?\s)?(?:[àa]|au)\s*+:"
    # "… must be issued to:⏎⏎Verdant Ingénierie SAS⏎SIRET 912 345 675 00025" (not "are currently issued to": today's)
    r"|\b(?:must|should|shall|will|to)\s++(?:now\s++|henceforth\s++)?be\s++(?:issued|invoiced|billed|made\s++out)\s++to\b"
    # "l'office sera exploité par la SELARL …", "will be operated by": who carries on from now on
    r"|\b(?:sera|seront|will\s++be)\s++(?:d[ée]sormais\s++|now\s++)?(?:exploit|g[ée]r|operat|run)\w*+\s++(?:par|by)\b"
    # "seront facturés à compter du … à la société :" (not "ne seront plus facturés", "sont aujourd'hui facturés")
    r"|\b(?:seront|sera|devront|devra)\s++(?:(?!plus\b)\w++\s++){0,2}?factur\w*+[^.:;]{0,80}?\b[àa] la "
    r"(?:soci[ée]t[ée]|structure)\s*+:",
    re.I,
)
# the company of a SIREN taking over, said right after it: "la société X (SIRET …) reprendra les contrats", "… will take
# over" (not "(SIREN …) a été rachetée par Beta, qui reprendra …": the subject is another)
_TAKES_OVER = re.compile(r"(?<=\d)[ \t)]*+,?[ \t]*+(?:reprend(?:ra|ront|rait)?|will\s++take\s++over|takes\s++over)\b", re.I)
# a sentence's end: the words introducing the new entity in a sentence before say nothing of a SIREN after it
_FULL_STOP = re.compile(r"(?<=[a-zà-ÿ0-9)])[.!?](?=\s)")
# … unless the next goes on about the same company: "… au nom de la société X. Cette société est immatriculée …"
_SAME_COMPANY = re.compile(r"(?<=[.!?])\s*+(?:(?:cette|la\s++dite|ladite)\s++(?:soci[ée]t[ée]|entit[ée]|structure)"
                           r"|celle-ci|elle|son|sa|ses|(?:this|the\s++said)\s++(?:company|entity)|it|its)\b", re.I)
# a cue said of the current or former state: "le contrat, actuellement au nom du Groupe Alpha, doit être transféré"
_NOW_OR_BEFORE = re.compile(r"\b(?:actuellement|aujourd.hui|currently|presently|jusqu.(?:ici|[àa]\s++pr[ée]sent)|encore"
                            r"|still|ancien\w*+|former|previously)\W++(?:\w++\W++){0,2}$", re.I)
_GENERIC_NAME = re.compile(r"^(?:(?:groupe|group|soci[ée]t[ée]|the)\s++)+", re.I)  # "Groupe Kerlog" is named "Kerlog"
_MAX_SIRENS = 50  # SIRENs weighed per way of writing them: more is no mail a person writes
# a company's name on a letterhead or a signature, the line (or the words) its SIREN follows: "Groupe Kerlog SAS",
# "Stratis Engineering SAS - SAS au capital de 250 000 EUR" (the name ends at a dash, a comma or a bracket; it starts
# with a capital, not an article nor a pronoun: "La société A (SIREN …) a cédé …" is a sentence, no letterhead)
_COMPANY_LINE = re.compile(r"(?!(?i:la|le|les|l'|notre|nous|our|we|the|une?|a)\b)"
                           r"(?P<name>[^\W\d_a-zà-ÿ][^\n,;:(|–—]{2,60}?)(?:[ \t]*+[,;(|–—]|[ \t]++-[ \t]|[ \t]*+$)")
_LEGAL_FORM = re.compile(r"\b(?:sas|sasu|sarl|sa|eurl|sci|selarl|snc|sca|scop|ltd|gmbh)\b\.?", re.I)


def _company_before(text: str, start: int) -> str:
    """The company a SIREN at ``start`` follows: the words before its label on its line, else the line above (its
    name without the legal form: "Stratis Engineering"); "" when neither names one."""
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:start].strip(" \t-–—|:")
    if not line and line_start > 0:
        line = text[text.rfind("\n", 0, line_start - 1) + 1 : line_start - 1].strip()
    m = _COMPANY_LINE.match(line)
    name = " ".join(_LEGAL_FORM.sub(" ", m.group("name")).split()) if m else ""
    return name if len(name) >= 4 else ""


def _names_as_new(text: str, company: str) -> bool:
    """Does ``text`` name ``company`` right after words introducing the new entity ("au nom du Groupe Kerlog",
    "the merger of A into Stratis Engineering SAS"), not said of today's or a former state ("actuellement au nom du
    Groupe Alpha")? Not within the cue's words: "la cession de la société Alpha à la société Beta" names Beta."""
    core = _GENERIC_NAME.sub("", company)
    if len(core) < 3:
        return False
    name = re.compile(r"\b" + r"\s++".join(re.escape(w) for w in core.split()) + r"\b", re.I)
    return any(name.search(text, end, end + 40) for end in _new_entity_cues(text))


@lru_cache(maxsize=8)
def _new_entity_cues(text: str) -> tuple[int, ...]:
    """Where each cue introducing the new entity ends in ``text`` (its words not said of today's or a former state)."""
    return tuple(cue.end() for cue in _NEW_ENTITY.finditer(text)
                 if not _NOW_OR_BEFORE.search(text, max(0, cue.start() - 40), cue.start()))


_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# "compta [at] acme [dot] fr", "compta(at)acme(point)fr", "compta [at] acme.fr" (blanks taken whole)
_SPELT_EMAIL = re.compile(
    r"(?<![\w.%+-])(?P<local>[A-Za-z0-9._%+-]++)\s*+[\[(]\s*+(?:at|arobase)\s*+[\])]\s*+"
    r"(?P<domain>[A-Za-z0-9-]++(?:(?:\s*+[\[(]\s*+(?:dot|point)\s*+[\])]\s*+|\.)[A-Za-z0-9-]++)++)",
    re.I,
)
# The header lines of a quoted or forwarded mail that say when it was sent ("Date: …", "Envoyé : …",
# "Le 3 mars 2027 à 10:05, X a écrit :"): never an effective date.
# when a quoted mail was sent: "Envoyé : …", "Le mer. 14 avr. 2027 à 11:05, Service … <…@…> a écrit :", "On … wrote:"
# (a long one only as a header line, ending with its colon: "On 3 February we wrote to your team that …" is a sentence)
_SENT_LINE = re.compile(r"^[ \t>]*+(?:(?:date|envoy[ée]|sent)[ \t]*+:|le\s[^\n]{0,80}?a\s+[ée]crit"
                        r"|(?:le|on)\s[^\n]{0,200}?(?:a\s+[ée]crit|wrote)[ \t]*+:[ \t]*+$)[^\n]*+", re.I | re.M)
_ADDRESS_ANSWER_WORDS = 4  # a new text this short around an address is that address, given as asked
_EMAIL_FOR_INVOICES = re.compile(r"\b(?:pour|for)\s++(?:l['’]\s*+envoi\s++(?:de\s++|des\s++)?|the\s++|our\s++|nos\s++|vos\s++|les\s++)?"
                                 r"(?:factur|invoic)", re.I)
_PDF_SENT = re.compile(r"\bpdf\b", re.I)
_EMAIL_POSITIVE = re.compile(
    r"factur|invoic|adresse|address|d[ée]sormais|dor[ée]navant|nouvelle|\bnew\b|envoy|adress|recevoir|r[ée]ception"
    r"|utiliser|\bsend\b|\buse\b|\bto\s*:|mailbox|bo[iî]te|\bbal\b"
    r"|transmett|transmis",  # "Vous pouvez également nous les transmettre par e-mail à compta.fournisseurs@…"
    re.I,
)
# The clause before an address calls it old or replaced ("remplacer a@x.fr par b@x.fr"). Written as
# the identifiers' labels (spaces taken whole, the rest of a word stops at the next "remplac"/"replac"), and the
# rest of the word taken whole, except for "l'adresse" or "the address" glued to it (the last line):
# what else may follow it from inside the word may follow it from its end too.
_EMAIL_OLD = re.compile(
    r"\bancienne|\bactuel|\bcurrent|\bold\b|previous|\bformer\b|\b(?:changes?|passe|passera)\s++(?:from|de)\s*+$"
    r"|(?:\bjusqu'(?:ici|[àa]\s++pr[ée]sent|[àa]\s++maintenant)|\buntil\s++now|\bso\s++far|\bup\s++to\s++now)[^,;:]{0,40}+$"
    # "… sur notre portail Chorus Pro, et non par mail à compta@…", "rather than to a@x.fr"
    r"|\b(?:et|mais)\s++non\s++(?:pas\s++)?(?:[^\s:]++\s++){0,3}$|\bnot\s++to\s*+$|\brather\s++than\s++(?:[^\s:]++\s++){0,2}$"
    # a before/after list: "- non plus à : a@x.fr⏎- mais à : b@x.fr", "no longer to: a@x.fr"
    r"|\bnon\s++plus\s++(?:[àa]|au|sur|chez)\s*+:?\s*+$|\bno\s++longer\s++to\s*+:?\s*+$"
    # where they go now, unchanged: "Les factures sont à envoyer comme d'habitude à a@x.fr", "as usual to"
    r"|\bcomme\s++(?:d'habitude|aujourd'hui|actuellement|avant)\s++(?:[àa]|au|sur|chez)\s*+:?\s*+$|\bas\s++usual\s++to\s*+:?\s*+$"
    r"|(?:(?:remplac|replac)(?:(?!remplac|replac)\w)*+|au lieu d[eu]?|instead of)"
    r"\s*+(?:l'adresse|the address|(?:\w++\s++){0,2})?[\s:]*+$"
    r"|(?:remplac|replac)(?:(?!remplac|replac)\w)*(?:l'adresse|the address)[\s:]*+$",
    re.I,
)
# … or the words after it do: "factures@x.fr que vous utilisez n'est plus lue". Matched at the start of
# those words; the lookbehind keeps a search from trying every position of a sentence.
_EMAIL_OLD_AFTER = re.compile(
    r"(?<![^.;!?\n])[^.;!?\n]{0,60}?(?:n'est plus|ne (?:sera|doit|doivent) plus|(?:is|will)\s+(?:be\s+)?no longer"
    # refused: "… ne peut pas être retenue", "cannot be accepted"
    r"|ne\s+(?:peut|pourra|sera)\s+pas\s+(?:[êe]tre\s+)?(?:retenu|accept|utilis)|n'est\s+pas\s+(?:accept|retenu|valid)"
    r"|(?:cannot|can't|can\s+not|will\s+not|won't)\s+be\s+(?:accepted|used)|is\s+not\s+accepted"
    r"|obsol[èe]te|(?:est|sera)\s+(?:supprim|ferm|d[ée]sactiv)|(?:is|will\s+be)\s+(?:closed|deleted|deactivated)"
    r"|comme\s+(?:aujourd'hui|actuellement|d'habitude|avant|jusqu'[àa] pr[ée]sent)|as\s+(?:today|before|usual|now))",
    re.I,
)
_EMAIL_NEW = re.compile(r"nouvel|\bnew\b|d[ée]sormais|dor[ée]navant|[àa] compter|[àa] partir|\bpar\s*$|\bby\s*$|\bto\s*$|\bvers\s*$",
                        re.I)
# … or the words right before it say to stop using it: "merci de ne plus utiliser a@x.fr", "stop sending invoices to"
_EMAIL_STOPPED = re.compile(
    r"(?:\bne\s++plus\s++(?:utiliser|envoyer|adresser|[ée]crire)|\b(?:cess|arr[êe]t)(?:er|ez)\s++d'(?:utiliser|envoyer)"
    r"|\bstop\s++(?:sending|using|mailing))(?:\s++\S++){0,3}?[\s:]*+$"
    # … or not to use it: "please don't send them to my address or to a@x.fr", "ne pas envoyer les factures à"
    r"|(?:\b(?:do\s++not|don't|never)\s++(?:send|use|e-?mail|mail|address)|\bne\s++pas\s++(?:utiliser|envoyer|adresser)"
    # the words between name where not to send them, up to the address: not "do not send paper invoices any more,
    # use a@…", nor "ne pas envoyer les factures par courrier mais à a@…"
    r"|\bn'(?:utilisez|envoyez|adressez)\s++pas)(?:\s++(?!mais\b|but\b|use\b|utilis|instead\b|plut)[^\s,;]++){0,6}?[\s:]*+$",
    re.I,
)
# … or the words right after it put it in copy: "j.harper@x.fr in copy, for my information only"
_EMAIL_COPY_AFTER = re.compile(  # matched where an address ends; the lookbehind keeps a search linear
    r"(?<![ \t])[ \t]*+(?:\(?(?:in[ \t]++copy|en[ \t]++copie|cc)\b|,?[ \t]*+for[ \t]++(?:my[ \t]++)?information)", re.I)
# … or its sentence names another document than the invoices, and the words before it (its line and the one above)
# no invoice: "nos bons de commande vous seront envoyés par achats@x.fr", "meter readings will be sent by …"; not
# "Nous souhaitons recevoir nos factures par e-mail. Merci de les adresser, comme vos devis, à …"
_EMAIL_OTHER_DOCUMENT = re.compile(r"\bbons?\s++de\s++commande|\bcommandes\b|purchase\s++orders?|\bPOs\b|relev[ée]s|compteurs?"
                                   r"|\bmeter|readings?\b|\bdevis\b|\bquot(?:e|ation)s?\b", re.I)
_INVOICE_WORD = re.compile(r"factur|invoic", re.I)
_LISTED_KEY = re.compile(r"(?<![ \t])[ \t]*+[•·*–-][^:\n]{1,60}+:[ \t]*+")  # a list item's key before its value: "• Factures : "
_CONTACT_CLAUSE = re.compile(r"(?<![ \t])[>*•-]?[ \t]*+(?:contacts?|interlocut\w*+|personne\s++[àa]\s++contacter|for\s++(?:any\s++)?questions)\b",
                           re.I)
_CONTRAST = re.compile(r"\b(?:mais|but)\b", re.I)
_NEGATIVE_REACH = 50  # characters before an address where its negative words are ("… de ma collègue ci-dessous :
# merci d'utiliser plutôt l'adresse X" is not about the colleague)
_EMAIL_NEGATIVE = re.compile(
    r"\bancienne|ne (?:doit|doivent) plus|n'est plus|\bold\b|previous|no longer|contacter|contact|joindre|absen"
    r"|continu"  # "les factures doivent continuer à arriver sur …": the address they go to now
    r"|rempla[cç]ant|en copie|\bcc\b|questions?|coll[èe]gue|colleague",
    re.I,
)
# … unless the invoices are sent to that colleague: "Vous pouvez les envoyer directement à ma collègue de la compta : X",
# "please send the invoices to my colleague" (not "merci d'envoyer votre confirmation à ma collègue")
_INVOICES_TO_COLLEAGUE = re.compile(
    r"(?:\b(?:les|factures|invoices|them)\s++(?:\w+\s++){0,2}?(?:envoy|adress|transmet|send|forward)\w*+"
    r"|\b(?:envoy|adress|transmet|send|forward)\w*+\s++(?:\w+\s++){0,3}?(?:factures|invoices)\b)"
    r"[^.;:]{0,40}?\b(?:[àa]|to)\s++(?:ma|mon|notre|my|our)\s++(?:coll[èe]gue|colleague)", re.I)

_POSTCODE = re.compile(
    r"(?<![\w-])(?<!\w\w\w/)(?P<v>(?:0[1-9]|[1-8]\d|9[0-8])\d{3})(?!\d)(?:[ \t]++|[ \t]*+\n[ \t]*+)(?=[A-ZÀ-Ý]|[a-zà-ÿ]{2,}[- ])"
)
# English order: "Toulouse 31000", "Saint-Nazaire 44600, France.", "Marseille (13002)" ending its line (or a remark in
# brackets after it: "Saint-Nazaire 44600 (ground floor)"); the city before it is checked by
# _city_before, and the address must have a street (a model and its serial, "PlotWave 34500", has none)
_POSTCODE_LAST = re.compile(
    r"(?<=[^\W\d_])[ \t]++(?P<open>\()?(?P<v>(?:0[1-9]|[1-8]\d|9[0-8])\d{3})(?(open)\))(?![\d,.]\d)"
    r"(?=(?:[ \t]*+,[ \t]*+[A-Z][^\W\d_]*+(?:[ \t][^\W\d_]++){0,3})?[ \t]*+(?:[.;][ \t]*+)?(?:\n|$|(?<=[ \t])[A-Z(]))"
)
_OLD_POSTCODE = re.compile(r"(?<!\d)\d{2}\s?\d{3}(?!\d)")  # the old address between two cues: "(Parc des Chênes, 38070)"
# a box's number ("BP 13400"), or a machine's: "n° série QXM 01245⏎Le second système …" is a serial's digits
_POSTCODE_NOT = re.compile(
    r"\b(?:BP|CS|TSA|CP|SP)\s*+$|(?:\bn°|\bno\.|\bs/n|\bsn|\bs[ée]rie|\bserial)[ \t:]*+(?:[A-Z]{1,4}[ \t]++)?$", re.I)
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
    r"|Floor|Unit|Block|Bloc)\b|^\d{1,2}\s?(?:e|er|[èe]me)\s+[ée]tage",
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

_IGNORE_BELOW = re.compile(r"ne\s++pas\s++en\s++tenir\s++compte|\bpas\s++[àa]\s++prendre\s++en\s++compte|[àa]\s++ignorer\b"
                           r"|\bplease\s++ignore|\bdisregard|\bdo\s++not\s++use\s++(?:the|these)"
                           # "les chiffres ci-dessous sont faux", "the figures below are wrong"
                           r"|\bsont\s++(?:faux|fausses|erron[ée]e?s|incorrecte?s)\b|\bare\s++(?:wrong|incorrect)\b",
                           re.I)
_ORDER_WORDS = r"bc|bdc|po|cde|cmd|commande|order"  # what names an order's file: "BC_2027_0451.pdf"
# an invoice's or an order's file: "Facture_2027-0612.pdf", "FAC_9026318847.pdf", "BC_2027_0451.pdf"
_NOT_OWN_CUSTOMER = re.compile(rf"factur|invoice|(?<![a-z])(?:fac|fact|inv|avoir|{_ORDER_WORDS})(?![a-z])", re.I)
_ORDER_NAME = re.compile(rf"(?<![a-z])(?:{_ORDER_WORDS}|purchase)(?![a-z])", re.I)  # an order's file
# a letter about invoices is none of them: "courrier_maire_factures.docx", "Courrier - transmission des factures"
_NO_LETTER = r"^(?!.*(?<![^\W_])(?:courrier|lettre|letter)(?![^\W_]))"
# an invoice's file, whose dates are no request's: "FAC_9026318847.pdf"
_INVOICE_NAME = re.compile(_NO_LETTER + r".*(?<![a-z])(?:factures?|fac|fact|invoices?|inv|avoir)(?![a-z])", re.I)
# a subject or a file that passes an invoice on, whose counters were billed ("TR: facture", "Factures Canon",
# "FAC_9026318847.pdf", "avoir")
INVOICE_PASSED = re.compile(_NO_LETTER + r".*?(?:factur(?!ation)|invoice|(?<![^\W_])(?:fac|fact|avoir|inv)(?![^\W_]))", re.I)
_KBIS_NAME = re.compile(r"k[\s_.-]?bis|extrait[\s_.-]*(?:k|rcs|(?:d.?)?immatriculation|infogreffe)", re.I)
_KBIS_TEXT = re.compile(r"k[\s-]?bis|extrait (?:d['’]\s*immatriculation|rcs)", re.I)
# a K-bis the sentence denies: "un établissement public n'a pas de K-bis", "instead of a K-bis" (on the 30 characters
# before it)
_KBIS_DENIED = re.compile(r"(?:\bpas\s++(?:de|d.un)|\bsans|\bno|\bnot\s++an?|\bau\s++lieu\s++d.un|"
                          r"\bà\s++la\s++place\s++d[u']|\binstead\s++of\s++(?:an?|the))[ \t]*+(?:le\s++|the\s++)?$", re.I)
# (and "Voici le Kbis de la nouvelle structure", "here is the K-bis": what it names is what it sends)
_ENCLOSED = re.compile(r"ci-joint|joint|pi[èe]ce jointe|\b(?:en|cf\.?|voir|see)\s++pj\b|attached|enclosed|please find|\bjoin[sd]?\b|joignons|\bvoici\b"
                       r"|\bhere\s++(?:is|are)\b|\b(?:vous\s++trouverez|you\s++will\s++find)\b(?!\s++(?:ci-dessous|below)\b)", re.I)
_READING_WORD = re.compile(r"relev|compteur|\bindex|reading|\bmeter|\bcounter", re.I)
# an invoice itself, by its file's name or the subject that passes it on: "Facture_0412.pdf", "TR: facture" (not
# "INV_parc_compteurs.csv", an inventory; nor "invoicing", which _INVOICE_WORD also reads in an e-mail's context)
INVOICE_DOCUMENT = re.compile(r"factur|invoice", re.I)
_OLD_DOCUMENT = timedelta(days=366)  # an attachment's date further back than this is no effective date
_FORM_DAY_KEY = re.compile(r"(?<![ \t])[ \t]*+date\b(?![^:|\n]{0,40}?(?:sign|[ée]mi|[ée]dit|demande|factur|devis|naissance"
                           r"|cr[ée]ation|relev|lecture|courrier|lettre))[^:|\n]{0,40}+[:|][ \t]*+", re.I)
# "Date d'emménagement⏎26/04/2027": the key alone on its line names the move or the start (not "Date de fin de bail",
# "Date de livraison des nouveaux locaux", "Date limite de retour")
_FORM_DAY_LINE = re.compile(r"(?<![ \t])[ \t]*+date\s++(?:(?:de\s++|d['’]\s*+|du\s++)?(?:l['’]\s*+|la\s++)?)"
                            r"(?:emm[ée]nagement|d[ée]m[ée]nagement|transfert|d[ée]placement|installation|mise\s++en\s++place"
                            r"|mise\s++en\s++service|prise\s++d.effet|effet|d[ée]but|d[ée]marrage|souhait[ée]e?|pr[ée]vue?"
                            r"|of\s++(?:the\s++)?(?:move|relocation|transfer)|move|relocation|start)\b[^:|\n\d]{0,30}+[:|]?[ \t]*+",
                            re.I)
_ORDER_PERIOD = re.compile(r"\bp[ée]riode\b[^.\n:]{0,25}+:?[ \t]*+du[ \t]*+$", re.I)  # "Période couverte : du"


def _readings_said_attached(text: str) -> bool:
    """Does a sentence of the text say readings are attached ("je joins quand même le relevé du jour")?"""
    return any(_ENCLOSED.search(sentence) and _READING_WORD.search(sentence) for sentence in re.split(r"[.!?\n]", text))
_LATER = re.compile(
    r"sera envoy|vous (?:sera|seront|ferons|enverrons|transmettrons)|suivra|d[èe]s (?:que|r[ée]ception)|prochainement"
    r"|plus tard|pas encore|will (?:follow|send|be sent)|later|not yet"
    # "(Kbis à suivre)", "le Kbis vous parviendra par courrier", "has been requested from the registry"
    r"|[àa] suivre|parviendra|devrait arriver|to follow|been requested|en cours de demande",
    re.I,
)

# words that say a line is about counters ("NB 234.567" is black, "NB :" a nota bene)
_READING_CONTEXT = re.compile(
    r"compteur|relev|index|reading|counter|meter|\bm[ée]trages?\b|noir|couleur|m²|\bm2\b|\bpages\b|copies|clics|\bcpts?\b|\blfm\b"
    r"|\bn\s?&\s?b\b|\bn/b\b|\bnb\b(?!\s*+[:.])|\bcoul\b|\bcolou?r\b|\bblack\b"
    r"|^[ \t>*•-]*+total[ \t]*+:?[ \t]*+\d", re.I  # a line keyed "total 56 781" (not "Total HT 279,50")
)
_READING_NUMBER = re.compile(  # thousands spaced (no-break spaces too), dotted or with commas; "0,045 €" is a price
    # a zero only as a whole table cell: "7019522 | 88 410 | 0 | 88 410" (a mono machine's colour counter)
    r"(?<![\w.,/-])(?P<v>(?!0)\d{1,3}(?:[ .,\u00a0\u202f\u2009]\d{3})+|\d{2,9}|(?:(?<=\|)|(?<=\|[ \t])|(?<=\|[ \t]{2})|(?<=\|[ \t]{3}))0(?=[ \t]*+(?:\||$)))"
    r"(?![\w/-]|[.,]\d)"
)
# Matched where a number ends, at its position in the line (so no "^"): never after a blank, and the
# lookbehind keeps a search from trying each blank of a run.
_READING_UNIT = re.compile(
    r"(?<!\s)\s*+(?:m²|m2|ml|pages?|copies|clics?|impressions?|prints|sheets|feuilles|A4|A3|sqm|lfm"
    r"|m[èe]tres?\s++(?:lin[ée]aires?|carr[ée]s)|linear\s++(?:met(?:er|re)s|feet)|square\s++met(?:er|re)s)\b", re.I
)
_READING_BEFORE = re.compile(  # a counter word or a colon just before a number (blanks taken whole; each branch
    # starts with a letter or a sign: the look ahead skips the other places at once)
    r"(?=[^\W\d_]|[:=|→⇒-])(?:[:=|→⇒]|-{1,3}+>|=>|\b(?:noir|couleur|coul|n&b|n/b|b/w|b&w|nb(?!\s*+:)|mono|black|colou?r|total|compteur|cpt|index|reading|counters?|meter"
    # on a line about counters, a verb that gives the value: "le compteur indique 456 789", "… affichait 152 300"
    r"|indiquee?s?|indiquent|indiquait|affichee?s?|affichent|affichait|marque|est\s++de|est\s++[àa]|sont\s++de|shows?"
    r"|showed|reads|is\s++at"
    r"|stands\s++at"
    # a counter, then its verb: "Total counter this morning is⏎1 045 233", "le compteur total est"
    r"|(?<![^\W\d_])(?:compteur|counter|index)(?:\s++(?:total|this\s++morning|today|ce\s++matin|actuel|current))?\s++(?:is|est|was|[ée]tait)))"
    # "… affiche ce matin 123 456", "the counter shows today 45,210"
    r"(?:\s++(?:ce\s++(?:matin|jour|soir)|aujourd.hui|actuellement|this\s++morning|today|currently|now))?\.?\s*+:?\s*+\[?$",
    re.I,
)
# A number that counts pages over a period, or what was estimated or charged, is no meter reading
# (blanks taken whole; the words are searched in the 40 characters before the number, on its clause).
# what an invoice charged, unless a counter is named after it: "Pour régulariser la facture, le compteur actuel est de
# 412 300 m²" (the rest of the clause, bounded where it is used)
_INVOICED = r"factur\w*+(?:(?!compteur|counter|index|meter)[^.;:|\n\d])"
_INVOICE_REACH = 60  # characters before a number where what an invoice counted is searched
_INVOICE_BEFORE = re.compile(rf"(?<![^\W\d_]){_INVOICED}{{0,50}}+$", re.I)
_NOT_READING_BEFORE = re.compile(  # each branch starts with a letter or "~": the look ahead skips the rest at once
    r"(?=[^\W\d_]|[~≈])(?:(?:\benviron|\benv\.|\bforfait|\bvolume|\bmoyen(?:ne)?|estim(?:[ée]|ation)\w*|\bsoit|\bquota|\baround"
    r"|\babout|\bapprox\w*+\.?|\bca\.|\baverage|\bcharged?|\bbilled|\bcontrat\s++de|\bautour|\ballowance"
    r"|\ballocation|\bplafond|\broughly|\bapproximately|\binclu(?:t|s|des?|ding)\b|\b[àa]\s++peu\s++pr[èe]s|\bpresque"
    r"|\bplus\s++ou\s++moins|\bnearly|\balmost)[^.;:|\n\d]{0,40}+$"
    r"|\bd[ée]passement\s++(?:de\s++|d['’]\s*+)?$|\boverage\s++(?:of\s++)?$"  # an overage charged: "un dépassement de 12 400"
    # what an invoice charged (its clause, on the line before too: _INVOICE_BEFORE reads further back on this one)
    rf"|\b{_INVOICED}{{0,40}}+$"
    r"|[~≈][ \t\u00a0]*+$"  # "~ 18 000": an approximate figure, a volume
    # an estimate or a volume named before a colon: "index estimé au 30/09 : 2 390 000" (not "pour facturation : …")
    r"|(?:estim[ée]\w*|\bforfait|\bvolume|\bmoyen(?:ne)?|\bquota|\bplafond|\bsur\s++le\s++mois|\bover\s++the\s++month)"
    r"[^.;:|\n\d]{0,40}+:[ \t]*+$"  # "Nombre de pages imprimées sur le mois : 96.000 environ"
    # an invoice's number: "N° de facture concernée : 927114580", "Invoice no.: …"
    r"|(?:\bn°|\bnum[ée]ro|\bno\.?)\s*+(?:de\s++(?:la\s++)?)?factures?\b[^.;:|\n\d]{0,30}+:[ \t]*+$"
    r"|\binvoices?\s++(?:n°|no\.?|number|#)[^.;:|\n\d]{0,20}+:[ \t]*+$)",
    re.I,
)
# The last reading we know, quoted back: "Dernier relevé connu : 3 887 102 (noir)", "Dernier relevé enregistré le
# 31/12/2026 : noir 1 150 020 / couleur 80 004" (searched in LAST_KNOWN_REACH characters of masked text, its date
# blanked); every value of its sentence is that reading's
_LAST_KNOWN = re.compile(
    r"(?:\bdernier\s++(?:relev\w*+|index|compteur)\s++(?:connu|enregistr\w*+|re[cç]u|pris\s++en\s++compte)|\blast\s++known\s++reading"
    r"|\blast\s++(?:reading|index)\s++(?:on\s++record|recorded|received)|\bprevious\s++reading|\bpr[ée]c[ée]dent\s++relev\w*+"
    r"|\brelev[ée]s?\s++pr[ée]c[ée]dents?"
    r"|\bancien\s++(?:index|relev\w*+))[^.;|\n\d]{0,40}+$",
    re.I,
)
_LAST_KNOWN_REACH = 90
# … until the sentence turns to the reading of now: "…, but the current counter is 410 220", "…, voici le nouveau :"
_KNOWN_ENDS = re.compile(r":|\b(?:mais|but|voici|here|nouve\w*+|new|current\w*+|actuel\w*+|aujourd|today|now)\b", re.I)
_NOT_READING_AFTER = re.compile(  # matched right after a number: blanks taken from the start of their run only
    r"(?<!\s)\s*+(?:A[0-4]\s++)?(?:(?:colou?r|couleur|noir|black|mono)\s++)?"
    r"(?:(?:pages?|copies|m²|m2|impressions?|prints|sheets|feuilles)?\s*+"
    r"(?:(?:colou?r|couleur|noir|black|mono|n\s?&\s?b)\s++)?(?:/\s*+mois|par\s++mois"  # "3 200 copies couleur facturées"
    r"|per\s++month|a\s++month"
    r"|/\s*+month|mensuel|estim|\bby\s++month|par\s++(?:trimestre|an|machine)|per\s++(?:quarter|year|machine)"
    # what an invoice counted: "14 200 pages facturées", "8 400 pages billed", "41 250 pages couleur nous sont facturées"
    r"|(?:(?:nous|vous)\s++)?(?:(?:sont|ont\s++[ée]t[ée]|seront|were|are|have\s++been)\s++)?(?:factur|billed|charged|invoiced)"
    # a difference, not a counter: "nous compte 3 412 m² de plus que le relevé"
    r"|de\s++(?:plus|trop|moins)\b|en\s++trop\b|more\s++than\b|too\s++many\b|extra\b"
    # a street's number: "… couleur). Nouvelle adresse : 27 rue Sainte-Victoire"
    r"|(?:(?:bis|ter)\s++)?(?:rue|avenue|av\.|bd|boulevard|all[ée]e|impasse|chemin|route|quai|cours|place)\b"
    r"|/\s*+(?:an|trimestre|quarter|year))"
    # what a month printed, with its unit: "2 300 pages le mois dernier", "95 000 feuilles ce mois-ci" (not a counter
    # dated by its month: "compteur total 618 447 ce mois-ci")
    r"|(?:pages?|copies|impressions?|prints|sheets|feuilles)\s++(?:ce\s++mois|(?:this|last)\s++month|le\s++mois\s++dernier"
    r"|(?:sur|dans)\s++le\s++mois|(?:over|in)\s++the\s++month)"
    r"|(?:€|eur(?:os?)?\b|ht\b|ttc\b)"  # an amount: "Total : 1 284 € TTC"
    r"|(?:%|pour\s*+cent\b|percent\b)"  # a share: "indique 15 % restants"
    # what a job is made of: "un chantier de 600 m² de bâches" (not "45 000 m² d'impression")
    r"|(?:m²|m2|pages?|copies|feuilles|sheets)\s++(?:de\s++|d['’]\s*+)(?!impr|tirag|produc|plus\b|moins\b|trop\b|couleur|noir"
    r"|n\s?&\s?b|compt)[a-zà-ÿ])",
    re.I,
)
_READING_AFTER = re.compile(  # "25 604 pour le noir", "12 004 (coul.)", "1 047 882 (compteur total, relevé le 06/07)"
    r"^\s*+\(?\s*+(?:pour\s+(?:le|la)\s+|en\s+)?(?:noir|couleur|coul\.?|n\s?&\s?b|n/b|nb|b/w|black|colou?r|mono"
    r"|(?<=\()\s*+(?:compteur|counter|index)\b)(?!\w)", re.I)
# What a counter counts: colour kind, or a size unit (wide-format machines count m², plotters A0–A4).
_COUNTER_KIND = re.compile(
    r"(?<![\w&/])(?:(?P<noir>noir|n\s?&\s?b|n/b|nb|mono(?:chrome)?|black(?:\s*(?:&|and)\s*white)?|b\s?&\s?w|b/w)"
    r"|(?P<couleur>couleurs?|colou?rs?|coul\.|quadri(?:chromie)?)|(?P<total>total|global|g[ée]n[ée]ral))(?![\w&/])",
    re.I,
)
_COUNTER_SIZE = re.compile(r"(?<![\w-])(?:(?P<m2>m²|m2)|(?P<ml>ml)|(?P<A>A[0-4]))(?![\w-])", re.I)
_KIND_AFTER = re.compile(  # "25 604 pour le noir", "4 310 m² en couleur", "1 200 (noir)"; matched as _READING_UNIT
    r"(?<!\s)\s*+(?:(?:m²|m2|ml|pages?|copies|clics?|A[0-4])\s++)?(?:pour\s++(?:le|la|les)\s++|en\s++|\(\s*+)?"
    + _COUNTER_KIND.pattern,
    re.I,
)
# A line ending with one of these gives its number on the next line ("compteur total⏎113 002"); folded.
_COUNTER_WORDS = ("compteur", "compteur total", "total", "noir", "couleur", "index", "releve", "compteurs", "cpt",
                  "noir et blanc", "n&b", "n/b", "black", "black and white", "b&w", "b/w", "colour", "color")
# A line that is a counter's label and a colon ("> Compteur impression (m²) :", "Index scan :")
_COUNTER_LABEL = re.compile(r"(?:compteurs?|index|counter|meter)(?:[ \t]++[^\s:\d]++){0,3}+[ \t]*+:")
# A table column that holds no counter, though its header speaks of pages: "Volume moyen / mois", "Estimation"
# (a volume's words whatever counter it names: "Moyenne mensuelle N&B"; a machine's or a date's only when it names
# none: "N° de série")
_VOLUME_HEADER = re.compile(r"volume|moyen|average|estim|/\s*mois|par\s+mois|per\s+month|monthly|forfait|quota", re.I)
_MACHINE_OR_DATE_HEADER = re.compile(r"s[ée]rie|serial|mod[èe]le|model|mat[ée]riel|date", re.I)
_PAPER_SIZE = re.compile(r"(?<![^\W_])a[0-4](?![^\W_])", re.I)  # "A4", "colour_a4"
_SENTENCE_BREAK = re.compile(r"[.;!?|]")  # on a line of readings, what ends a volume's sentence
_UNIT_IN_BRACKETS = re.compile(r"(?<!\s)\s*+\([^()\n]{1,12}\)$")  # "Compteur total (m²) :⏎77 412": the label ends before it
# "Compteur noir au 30/09 :⏎245 871": the label ends before the day it was read (on folded text)
_DAY_READ = re.compile(r"(?<!\s)\s++(?:(?:releve|lu)\s++)?(?:au|du|le|at|as\s++of|on)\s++\d{1,2}"
                       r"(?:[/.]\d{1,2}(?:[/.]\d{2,4})?|(?:er)?\s++[a-z]{3,9}(?:\s++\d{4})?)$")
_LIST_ITEM = re.compile(r"(?<![ \t>])[ \t>]*+(?:[-•*·–]|\d{1,2}[.)]|[a-z]\))[ \t]")  # a line that is a list's item
_READING_ITEM = re.compile(  # a list's item that is one number, written as a count: "1) 224.118", "- 12 204"
    r"(?<![ \t>])[ \t>]*+(?:(?:[-•*·–]|\d\)|[a-z]\))[ \t]*+)?\d{1,3}(?:[ .,\u00a0\u202f\u2009]\d{3})++[ \t]*+$")
_LINE_KEY = re.compile(r"(?<![ \t>*•-])[ \t>*•-]*+(?P<key>[^\W\d_][^:=|\d\n]{0,30}?)[ \t]*+[:=][ \t]*+\d")  # "  Total prints: 3,118"
_QUANTITY_READING = re.compile(r"\d{1,3}(?:[ .,\u00a0\u202f\u2009]\d{3})+")  # written as a count: "98 760"
_CLAUSE_BREAK = re.compile(r"[|;,\d]|\s/|/\s|\bet\b|\band\b", re.I)  # on masked text: other numbers end a clause
_UNIT_NAMES = {"m²": "m2", "m2": "m2", "ml": "ml", "page": "pages", "clic": "clics", "impression": "impressions"}


def _unit_in_words(word: str) -> str:
    """"mètres linéaires", "lfm" are ml; "mètres carrés", "sqm" are m2; other units folded (lower case, no accent)."""
    folded = fold(word)
    if folded.startswith(("metre", "linear", "lfm", "square", "sqm")):
        return "m2" if "carr" in folded or folded.startswith(("sq", "square")) else "ml"
    return folded


_SERIAL_NOT_COUNT = 7  # digits from which a serial of digits alone is no counter the serial reader took
_MASKS = (  # applied in order
    re.compile(  # a numbered label and its number (spaces taken whole: nothing after a run starts with one)
        r"\b(?:n°|n[o°]\.?|num[ée]ro)\s*+(?:de\s++)?(?:client|contrat|facture|s[ée]rie)?\s*+:?\s*+\d[\d ]*", re.I  # not "mono 18 220"
    ),
    INITIALS,  # a reply's initials before each answer: "Compteur total : [JMP] 1.045.871"
    re.compile(r"(?:\+33\s?|\b0)\d(?:[\s.]?\d{2}){4}\b"),  # phone numbers
    # a company's number: "(SIREN 901 558 342)", "SIRET : 200 069 532 00014", "RCS Lyon 412 345 678"
    re.compile(r"\b(?:siren|siret|rcs(?:[ \t]++[^\W\d_]++){0,3}+)[ \t]*+(?:n°|no\.?)?[ \t]*+:?[ \t]*+\d[\d \u00a0]*+", re.I),
    re.compile(r"\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b"),  # dates
    re.compile(r"\b\d{1,2}\s*h\s*\d{0,2}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b"),  # times
    re.compile(r"(?<![\w/-])(?=[\w/-]*[A-Za-z])(?=[\w/-]*\d)[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*"),  # IDs, models
    MODEL,  # "PlotWave 450" (not "PlotWave 61 340": a count after the model's family)
    re.compile(r"\b(?:19|20)\d{2}\b"),  # years
)
_REFER_NOUN = re.compile(r"\b(?:contrat|contract|mat[ée]riels?|machines?|traceurs?|num[ée]ros? de s[ée]rie|client"
                         r"|compteurs?|relev[ée]s?|index|readings?)\b", re.I)
_REFERS = re.compile(
    r"(?:" + _REFER_NOUN.pattern + r")[^.\n]{0,25}"
    r"\b(?:ci-dessous|ci-dessus|en dessous|plus bas|below|above|mentionn|indiqu|r[ée]f[ée]renc|en objet|en question"
    r"|demand[ée]|requested|asked)",
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
        self.folded = fold(text)
        self.source = source
        self.kind = kind
        self.evidence: list[Evidence] = []
        self.spans: dict[str, Any] = {}  # field name -> where its value was read (a list for list fields)
        self.email_nominative: bool | None = None
        self.siren_new = False  # the SIREN read here was introduced as the new entity's
        self._identifiers: dict[str, list[Found]] | None = None

    def note(self, name: str, text: str, detail: str) -> None:
        self.evidence.append(Evidence("extract", name, text, f"{detail} ({self.source})"))

    def where(self, start: int, end: int) -> dict[str, Any]:
        return {"text": self.text[start:end], "span": [start, end], "source": self.kind}

    def identifiers(self) -> dict[str, list[Found]]:
        if self._identifiers is None:
            self._identifiers = find_identifiers(self.text)
        return self._identifiers

    def serial_hits(self) -> list[tuple[int, str]]:
        """(position, serial number) for every serial written, in text order (repeats included)."""
        return [(f.start, f.value) for f in self.identifiers()["serial_numbers"]]

    def identifier(self, name: str, left_out: frozenset[str] = frozenset(), besides: frozenset[str] = frozenset(),
                   named: bool = False, at_canon: bool = False) -> Any:
        """The field's value, with its evidence and span: a list of serials, but those another text ``left_out``
        (blanks removed); another field's value, none that is, or holds as one of its spaced pieces, a number of
        ``besides`` (letters and digits only: a file's name "EJ_2027_C2027-0561" holds the contract C2027/0561 the
        body named); with ``named``, only one its own label names outright (NAMING_LABELS); with ``at_canon``, only one
        its own label says is ours ("N° client Canon"); LEAVING: the serials said to leave, as the serial_numbers
        field."""
        found = self.identifiers()[name]
        if name in ("serial_numbers", LEAVING):
            return self._serials([f for f in found if compacted(f.value) not in left_out])
        chosen = best([f for f in found if not besides.intersection(
            _letters_and_digits(piece) for piece in (f.value, *f.value.split()))
            and (not named or _named_a_client(f)) and (not at_canon or _named_at_canon(f))])
        if chosen is None:
            return None
        self.note(name, chosen.value, chosen.why)
        self.spans[name] = self.where(chosen.start, chosen.end)
        return chosen.value

    def asked_machines(self) -> list[str]:
        """The serials of the request at the top of this (quoted) text when it asks for readings ("merci de nous
        communiquer les relevés de votre matériel n° de série QJ7-00412"): a reply that gives readings and names
        no machine gives them for those."""
        offset = len(self.text) - len(below_headers(self.text))
        question = top_question(self.text)
        if not _READINGS_ASKED.search(question):
            return []
        return self._serials([f for f in self.identifiers()["serial_numbers"]
                              if offset <= f.start and f.end <= offset + len(question)],
                             "the machine whose readings our quoted request asked for")

    def _serials(self, found: list[Found], why: str = "") -> list[str]:
        """Each serial once, in text order, noted with its evidence (``why``, or each value's own) and spans."""
        first: dict[str, Found] = {}
        for f in found:
            first.setdefault(f.value, f)
        if first:
            self.note("serial_numbers", ", ".join(first), why or "; ".join(f"{f.value}: {f.why}" for f in first.values()))
            self.spans["serial_numbers"] = [self.where(f.start, f.end) for f in first.values()]
        return list(first)

    def siren(self, new_only: bool = False, elsewhere: str = "") -> str | None:
        """The new entity's SIREN: the one introduced as new, however written (a SIRET's too), else the last one
        written in the first way that gives one (none, ``new_only``). ``siren_new`` says which. A SIREN is introduced
        as new by the words before it, by the words after it ("la société X (SIRET …) reprendra les contrats"), or by
        the company it follows when this text or ``elsewhere`` (the body, for a signature or a letter attached) names
        that company as the new one ("au nom du Groupe Kerlog" for the letterhead "Groupe Kerlog SAS⏎SIREN : …")."""
        groups: list[list[tuple[bool, re.Match[str], bool]]] = []  # per way: (new-entity context, match, checksum ok)
        for pattern, needs_valid in ((_SIREN, False), *((c, False) for c in _SIREN_COLUMNS), (_RCS, False),
                                     (_RCS_AFTER, False), (_RCS_NUMBER, False), (_SIRET, True)):
            found: list[tuple[bool, re.Match[str], bool]] = []
            groups.append(found)
            for m in itertools.islice(pattern.finditer(self.text), _MAX_SIRENS):
                if is_old(self.text, m.start()) or OLD.search(self.text, m.start(), m.start("v")):
                    continue  # (or the words after its label: "SIRET de l'ancienne société : …")
                valid, new = stdnum_siren.is_valid(m.group("v")), self._called_new(m, elsewhere)
                if pattern is _SIRET and not new:
                    continue  # a SIRET gives the SIREN only when it is the new entity's, and its SIREN holds (its
                    # establishment's number may be mistyped: "SIRET 732 829 320 00075"; needs_valid)
                if valid or not needs_valid:
                    found.append((new, m, valid))
        called_new = next((f for found in groups for f in found if f[0]), None)
        first = next((found[-1] for found in groups if found), None)
        chosen = called_new or (None if new_only else first)
        if chosen is None:
            return None
        self.siren_new, m, valid = chosen
        self.note("siren", m.group(0), ("SIREN checksum ok" if valid else "SIREN as written, checksum fails")
                  + (", introduced as the new entity's" if self.siren_new else ""))
        self.spans["siren"] = self.where(*m.span("v"))
        return m.group("v")

    def _called_new(self, m: re.Match[str], elsewhere: str) -> bool:
        """Is the SIREN matched here the new entity's, by the words around it or the company it follows?"""
        begin = max(0, m.start() - 150)  # "SIREN de la nouvelle entité : …", in its sentence (or the one before when
        # it goes on about the same company: "… au nom de la société X. Cette société est immatriculée sous le SIRET …")
        stop = max((e.end() for e in _FULL_STOP.finditer(self.text, begin, m.start())), default=begin)
        begin = begin if _SAME_COMPANY.match(self.text, stop) else stop
        if _NEW_ENTITY.search(self.text, begin, m.start("v")):
            return True
        if _TAKES_OVER.match(self.text, m.end()):
            return True
        company = _company_before(self.text, m.start())
        return bool(company) and any(_names_as_new(text, company) for text in (self.text, elsewhere) if text)

    def _email_candidates(self) -> list[tuple[int, int, str]]:
        """(start, end, address) of every address written, plainly or spelt out ("compta [at] x [dot] fr")."""
        found = [(m.start() + m.group(0).index(m.group(0).strip(".'")), 0, m.group(0).strip(".'"))
                 for m in _EMAIL.finditer(self.text)]
        found = [(at, at + len(address), address) for at, _, address in found]
        for m in _SPELT_EMAIL.finditer(self.text):
            domain = re.sub(r"\s*+[\[(]\s*+(?:dot|point)\s*+[\])]\s*+", ".", m.group("domain"), flags=re.I)
            found.append((m.start(), m.end(), f"{m.group('local')}@{domain}"))
        return sorted(found)

    def email(self, sender: str, sender_name: str = "") -> str | None:
        best: tuple[float, str, int, int] | None = None
        previous_end = 0  # where the address before ends: "remplacer a@x.fr par b@x.fr" reads b's clause from there
        candidates = self._email_candidates()
        rows: dict[int, list[tuple[int, str]]] = {}  # the table lines read for their columns' headers
        for start, end, address in candidates:
            domain = address.rsplit("@", 1)[1]
            if OUR_DOMAINS.search(domain):
                continue
            reach = max(0, start - 200)
            line_start = self.text.rfind("\n", reach, start) + 1 or reach
            if HEADER_LINE.match(self.text[line_start:start]):
                continue  # "To: <…>" of a quoted or forwarded message names a person, not a new address
            if not self.text[line_start:start].strip(ANSWER_MARKS):  # alone on its line: the line before introduces it
                line_start = self.text.rfind("\n", reach, max(reach, len(self.text[:line_start].rstrip()))) + 1 or reach
            previous = self.text.rfind("\n", reach, max(reach, line_start - 1)) + 1 or reach
            context = self.text[previous:start]  # this line and the one before, at most 200 characters
            context += _list_introduction(self.text, line_start)  # "Nouvelles coordonnées pour l'envoi des factures :"
            line = self.text[line_start:start]
            clause = self.text[max(line_start, previous_end) : start]
            if len(clause.split()) <= 1:  # a line wrapped before "à X": its clause starts on the line above
                clause = self.text[max(previous, previous_end) : start]
            clause = re.split(r"[.;!?](?:\s|$)", clause)[-1]  # this sentence only
            # … from its last "mais": "ne plus adresser vos factures à notre ancienne adresse (…), mais exclusivement
            # par e-mail à l'adresse suivante :"
            clause = _CONTRAST.split(clause)[-1]
            previous_end = end
            old = (_EMAIL_OLD.search(clause) and not NEW_BY.search(clause)) or _EMAIL_STOPPED.search(clause) or (
                _EMAIL_OTHER_DOCUMENT.search(clause) and not _INVOICE_WORD.search(context))
            after = _sentence_after(self.text, end, 120).split("@")[0]  # up to the next address
            # the invoice words before it, or after it in its sentence ("remplacer a@x.fr par b@x.fr pour l'envoi
            # des factures")
            # (or the invoices' PDF sent there, said in its clause: "with a PDF copy to ap-invoices@…")
            score = (1.0 if _EMAIL_POSITIVE.search(context) or _EMAIL_FOR_INVOICES.search(after)
                     or _PDF_SENT.search(clause) else 0.0) - (
                2.0 if (_EMAIL_NEGATIVE.search(clause[-_NEGATIVE_REACH:]) and not _INVOICES_TO_COLLEAGUE.search(clause))
                or old or _EMAIL_OLD_AFTER.match(after)
                or _EMAIL_COPY_AFTER.match(after) else 0.0
            ) + (0.5 if _EMAIL_NEW.search(clause) else 0.0)
            if _CONTACT_CLAUSE.match(clause.lstrip()):
                score -= 2.0  # "Contact pour les factures : Mme Durand, 01 02 03 04 05, durand@…": a person to call
            if _INVOICE_WORD.search(line) and _LISTED_KEY.fullmatch(line):
                score += 0.5  # its own key names the invoices, in a list of contacts: "• Réception des factures (PDF) : …"
            header = _column_header(self.text, start, rows)
            if header is not None:  # a table: its column's header says old or new ("Ancienne adresse | Nouvelle adresse")
                positive_cue, negative_cue = _address_cues()
                folded = fold(header)
                # ("Ancienne adresse de réception | Nouvelle adresse de réception": old whatever else it names)
                score += -2.0 if (negative_cue.search(folded) and not positive_cue.search(folded)) or (
                    _OLD_HEADER.search(folded) and not _NEW_HEADER.search(folded)) else 0.0
            if address.lower() == sender.lower() and not _EMAIL_POSITIVE.search(line):
                continue  # the sender's own address counts only when the same line says it is the new one
            if score >= 1 and (best is None or score > best[0]):  # the first of the best
                best = (score, address, start, end)
        # the address alone in the first paragraph, a signature below: "compta@x.fr⏎⏎Hugo Lefèvre⏎03 29 …"
        # (a greeting line may come first: "Bonjour,⏎⏎compta@x.fr⏎⏎Pour le reste, rien ne change")
        alone = len(candidates) == 1 and not GREETING_LINE.sub("", self.text[: candidates[0][0]] + "\n", count=1).strip() \
            and not PARAGRAPH_BREAK.split(self.text[candidates[0][1] :], maxsplit=1)[0].strip(" \t.;")
        if best is None and len(candidates) == 1 and (len(self.text.split()) <= _ADDRESS_ANSWER_WORDS or alone) \
                and not OUR_DOMAINS.search(candidates[0][2].rsplit("@", 1)[1]):
            start, end, address = candidates[0]
            best = (1.0, address, start, end)  # the whole answer is an address: the one we asked for
        if best:
            _, address, start, end = best
            self.email_nominative = is_nominative(address, sender_name)
            kind = "nominative" if self.email_nominative else "generic"
            self.note("new_email", address, f"e-mail address in an invoice-address context, {kind}")
            self.spans["new_email"] = self.where(start, end)
            return address
        return None

    def address(self) -> dict[str, Any] | None:
        """The first new postal address: street, complement, postcode, city, cedex, span and text."""
        found = _new_address(self.text)
        if found is None:
            return None
        address, postcode_span = found
        self.note("new_address_postcode", address["text"], "postcode after a new-address cue")
        self.spans["new_address_postcode"] = self.where(*postcode_span)
        return {**address, "span": list(address["span"])}  # a copy: the found one is cached

    def answered_address(self, start: int, end: int) -> dict[str, Any] | None:
        """The address whose postcode stands in text[start:end], an answer to our question for the address."""
        m = _POSTCODE.search(self.text, start)
        if m is None or m.start("v") >= end:
            return None
        address = _address_at(self.text, m.start("v"), m.end("v"))
        self.note("new_address_postcode", address["text"], "the address that answers our question for it")
        self.spans["new_address_postcode"] = self.where(m.start("v"), m.end("v"))
        return address

    def answered_date(self, reference: date | None, start: int, end: int) -> str | None:
        """The first date written in text[start:end], an answer to our question for the day it applies from."""
        hit = next(iter(find_dates(self.text[start:end], reference)), None)
        if hit is None:
            return None
        self.note("effective_date", self.text[start + hit.start : start + hit.end],
                  f"resolved to {hit.value.isoformat()}, the answer to our question for the date")
        self.spans["effective_date"] = self.where(start + hit.start, start + hit.end)
        return hit.value.isoformat()

    def stated_postcode(self, over: dict[str, Any]) -> dict[str, Any] | None:
        """A postcode the text states as such, other than the one of the address ``over`` found here or in the
        history: a correction ("le code postal de la nouvelle adresse est 38130 (Échirolles) et non 38100", "the
        postcode is 13015, not 13016"; not "notre code postal actuel est …"). The address it gives is that postcode
        alone: the street and the city written with the other may not go with it."""
        folded = self.folded
        negative = _address_cues()[1]
        for m in _postcode_stated().finditer(folded):
            start, end = next(((m.start(g), m.end(g)) for g, v in m.groupdict().items() if v), (m.start(), m.start()))
            if start == end or negative.search(folded, m.start(), start) or is_old(folded, m.start()):
                continue  # "notre code postal actuel est …", "l'ancien code postal est …"
            value = self.text[start:end]
            if value == over["postcode"]:
                return None
            self.note("new_address_postcode", self.text[m.start() : end],
                      f"a postcode stated as such, over {over['postcode']} of the address \"{over['text'][:80]}\"")
            self.spans["new_address_postcode"] = self.where(start, end)
            return {"street": None, "complement": None, "postcode": value, "city": None, "cedex": None,
                    "span": [start, end], "text": value}
        return None

    def kbis(self, mail: Mail) -> bool:
        """A K-bis attached: a file named so, or said so beside a document that is not encrypted ("Vous trouverez le
        K-bis en pièce jointe (document sécurisé)" with a locked "document.pdf": nobody can check it) nor only a
        picture (a phone's photo "IMG_0931.png", a scan with no text: no K-bis can be checked, it is asked for again)."""
        for attachment in mail.attachments:
            if _KBIS_NAME.search(attachment.get("filename") or ""):
                self.note("kbis", attachment["filename"], "attachment named like a K-bis")
                self.spans["kbis"] = {"text": attachment["filename"], "span": None, "source": "attachment"}
                return True
        if not any(re.search(r"pdf|image", a.get("content_type", "")) for a in mail.attachments):
            return False  # said to be attached, but no document is
        for m in _KBIS_TEXT.finditer(self.text):
            sentence = _sentence_around(self.text, m.start(), m.end())
            if _ENCLOSED.search(sentence) and not _LATER.search(sentence) \
                    and not _KBIS_DENIED.search(self.text, max(0, m.start() - 30), m.start()):
                documents = [d for d in of_mail(mail) if d.kind in ("pdf", "image")]  # read only for a K-bis said
                if documents and all(d.locked or d.pictured for d in documents):
                    self.note("kbis", ", ".join(d.name for d in documents)[:80], "said to be attached, but every "
                              "document is encrypted, or a picture with no text: no K-bis can be checked")
                    return False
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
        numbers = sorted((f for name in ("contract_number", "po_number", "customer_number")
                          for f in self.identifiers()[name] if "label" in f.why), key=lambda f: f.start)
        number_starts = [f.start for f in numbers]
        block_context = False  # rows under a header or an introduction that names the counters
        read_above = False  # the line above gave readings
        columns: list[str | None] = []  # what each column of the current table counts, from its header
        counted: list[bool] = []  # which columns of the current table may hold counters, from its header
        intro = False  # the last line was "… voici les index :": a blank line may follow before the rows
        sentence_open = False  # the lines above, since a blank line, name readings in a sentence not yet ended
        spaced = False  # in a table whose columns are aligned with spaces
        # The serials of the nearest line above, in the paragraph, that names some: (its last, how many names).
        above: tuple[str, int] | None = None
        previous = ""  # the line before, folded: a counter word ending it names the number starting this one
        start = 0
        lines = self.text.split("\n")
        listed_context = _listed_context(lines)
        width = 0  # cells of the last line that was not blank
        read_keys: set[str] = set()  # the keys of the "key : value" lines that gave readings ("total prints", "lfm")
        for index, line in enumerate(lines):
            line_start, start = start, start + len(line) + 1
            line = leaders_as_colons(line)  # "dont copie ....... 102 559"
            line_before, previous = previous, _DAY_READ.sub("", _UNIT_IN_BRACKETS.sub("", fold(line).rstrip(" \t:"))
                                                            .rstrip(" \t:"))
            if _COUNTER_LABEL.fullmatch(fold(line).strip().lstrip("> \t")) or COUNTER_LABEL_ENDS.search(fold(line)):
                # "Compteur impression (m²) :⏎152 330": a counter's label and its colon (or ending the line: "… 48 712,
                # et compteur mètres linéaires (rouleau 2) :⏎3 305.")
                previous += " compteur"
            on_line = serials[bisect_left(positions, line_start) : bisect_left(positions, start - 1)]
            above_line, above = above, (on_line[-1][1], len({v for _, v in on_line})) if on_line else above
            # a line right below one that gave readings continues its list: "… S/N 5070112233: mono 18,220 / colour
            # 6,905⏎… S/N 5070098417: 41,388"
            # "… the readings for our PlotWave 345, serial no. 3Y5504218,⏎taken this morning:": a sentence that names
            # the readings and goes on to the colon that introduces them
            said_above, sentence_open = sentence_open, bool(line.strip()) and not line.rstrip().endswith((".", "!", "?"))
            key = _LINE_KEY.match(line)
            key = fold(key.group("key")).strip() if key else ""
            # … or a line of the same key as one that gave a reading: the next machine's block, "Lfm: 7,402"
            # the line before ends with a counter's word or its verb: "compteur total⏎113 002", "… counter this morning
            # is⏎1 045 233" (a wrapped line)
            said_before = line_before.endswith(_COUNTER_WORDS) or (
                (verb := _READING_BEFORE.search(line_before, max(0, len(line_before) - 40))) is not None
                and verb.group()[0].isalpha())  # a word, not a table's "|" nor an arrow
            context = bool(_READING_CONTEXT.search(line)) or said_before or read_above \
                or listed_context[index] or (said_above and line.rstrip().endswith(":")) or key in read_keys
            sentence_open = sentence_open and (context or said_above)
            read_above = False
            if not line.strip():
                following = lines[index + 1].strip() if index + 1 < len(lines) else ""
                if not intro and not (width >= 2 and following and len(cells(following)) == width):
                    block_context, columns, counted, spaced, above = False, [], [], False, None
                continue  # a blank line ends a block, not a table whose rows are apart ("<p>" per row)
            intro = False
            row = cells(line.strip())
            width = len(row)
            if context and "|" not in line and width >= 2 and any(
                _counter_kind(cell) or _READING_CONTEXT.search(cell) for _, cell in row
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
            for at, value in on_line:  # a serial is no reading, nor are its pieces: "PW450 88 2310", "560 118 402",
                # "- ColorWave 3600 : 60019921" under "… la remontée automatique des compteurs pour nos traceurs :" (not
                # a count of six digits or fewer the serial reader took: "- PlotWave 345 : 45210" under "Compteurs :")
                if " " in value or not value.isdigit() or len(value) >= _SERIAL_NOT_COUNT:
                    masked = masked[: at - line_start] + " " * len(value) + masked[at - line_start + len(value) :]
            # … nor is a number its label names another field's: "les relevés … pour le contrat 66 120 349"
            for f in numbers[bisect_left(number_starts, line_start) : bisect_left(number_starts, start - 1)]:
                masked = masked[: f.start - line_start] + " " * (f.end - f.start) + masked[f.end - line_start :]
            hits = []
            volume_end = -1  # where a number read as a volume or an estimate ends, on this line
            known_end = -1  # where a number of the last reading we know ends, on this line
            for m in _READING_NUMBER.finditer(masked):
                before, after = masked[max(0, m.start() - 40) : m.start()], masked[m.end() : m.end() + 40]
                if not before.strip() and said_before:
                    before = line_before  # "compteur total⏎113 002", "Total counter this morning is⏎1 045 233": wrapped
                # "notre volume mensuel moyen est d'environ⏎45 000 pages": the line before says what it is
                not_before = before if before.strip() else line_before[-40:]
                follows_volume = volume_end >= 0 and not _SENTENCE_BREAK.search(masked, volume_end, m.start()) \
                    and ":" not in masked[volume_end : m.start()] and not _READING_BEFORE.search(before)
                if _LAST_KNOWN.search(masked, max(0, m.start() - _LAST_KNOWN_REACH), m.start()) or (
                        known_end >= 0 and not _SENTENCE_BREAK.search(masked, known_end, m.start())
                        and not _KNOWN_ENDS.search(masked, known_end, m.start())):
                    known_end = m.end()
                    continue
                # (what an invoice counted is read further back: "la facture n° 9100238774 du 15/04 mentionne 3 200 m²",
                # its number and date blanked)
                if _NOT_READING_BEFORE.search(not_before) or _INVOICE_BEFORE.search(
                        masked, max(0, m.start() - _INVOICE_REACH), m.start()) or _NOT_READING_AFTER.match(after) \
                        or follows_volume:
                    volume_end = m.end()
                    continue  # a monthly volume, a quota, an estimate, what an invoice charged (and what follows it)
                # "145 002 pour l'un, 98 760 pour l'autre"; "the last readings we sent were 2 003 114 (PW550)"
                counted_as_such = _QUANTITY_READING.fullmatch(m.group("v")) and (hits or _READING_CONTEXT.search(before))
                # "Relevés pour les machines ci-dessous :⏎1) 224.118⏎2) 1.002.774": an item of the list it introduces
                listed = block_context and _READING_ITEM.fullmatch(masked) is not None
                if _READING_UNIT.match(after) or _READING_BEFORE.search(before) or _READING_AFTER.match(after) \
                        or counted_as_such or listed:
                    hits.append(m)
            if counted and line.count("|") + 1 == len(counted):  # a row under a header that names its non-counters
                hits = [m for m in hits if counted[line.count("|", 0, m.start())]]
            if not hits:
                if "|" in line:  # a table header: "Série | Noir | Couleur"
                    header = line.split("|")
                    kinds = [_counter_kind(cell) for cell in header]
                    columns = kinds if any(kinds) else columns
                    # a header that names its counters and a column that is none ("Volume moyen / mois")
                    heads = [not (_VOLUME_HEADER.search(c) or (_MACHINE_OR_DATE_HEADER.search(c) and not kind))
                             for c, kind in zip(header, kinds)]
                    named = any(kind or _READING_CONTEXT.search(c) for c, kind in zip(header, kinds))
                    # (a paper size is no number: "black_a4 | colour_a4 | avg monthly volume")
                    if named and not all(heads) and not any(_DIGIT.search(_PAPER_SIZE.sub("", c)) for c in header):
                        counted = heads
                continue
            self.note("meter_readings", line.strip(), "number after a counter word or before a unit")
            read_above = True
            if key:
                read_keys.add(key)
            row = _Row(line, masked, columns)
            for m in hits:
                counter, unit = row.counter_of(m)
                if m.group("v") == "0" and not (columns and counter):
                    continue  # a zero counts in a column of counters only ("Bourrages | 0", a row's number, are none)
                if counter is None and not masked[: m.start()].strip():
                    counter = _counter_kind(line_before)  # named at the end of the line before
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

    def date(self, reference: date | None, weak: bool | str = True, strong_only: bool = False) -> str | None:
        """The effective date; ``strong_only``: only one a strong cue introduces ("à compter du")."""
        text = _SENT_LINE.sub(lambda m: " " * len(m.group(0)), self.text)  # when a quoted mail was sent
        hit = effective_date(text, reference, weak=weak)
        if hit and (hit.cue == "strong" or not strong_only or (hit.cue == "medium" and (_OWN_CHANGE.search(
                _sentence_around(self.text, hit.start, hit.end)) or _OWN_TERMINATION.search(
                self.text, max(0, hit.start - 200), hit.start)))):
            self.note("effective_date", hit.text, f"resolved to {hit.iso}, score {hit.score:g}")
            self.spans["effective_date"] = self.where(*_trimmed(self.text, hit.start, hit.end))
            return hit.iso
        return None


def _listed_context(lines: list[str]) -> list[bool]:
    """For each line, is it an item of a list ("* PlotWave 360 n° 360-120031 : 5 122") whose paragraph speaks of
    counters ("* ColorWave 3700 : noir 14 880 – couleur 6 041")? Its colon then gives a reading too. So does a
    line whose key names a counter in such a paragraph: "voici les index …⏎Total : 612 048⏎dont noir : …"."""
    flags = [False] * len(lines)
    start = 0
    for end in [i for i, line in enumerate(lines) if not line.strip()] + [len(lines)]:
        if any(_READING_CONTEXT.search(line) for line in lines[start:end]):
            for i in range(start, end):
                key = _LINE_KEY.match(lines[i])
                flags[i] = bool(_LIST_ITEM.match(lines[i]) or (key and _COUNTER_KIND.fullmatch(key.group("key").strip())))
        start = end + 1
    return flags


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
            unit = word.upper() if sized else _UNIT_NAMES.get(word.lower().rstrip("s"), _unit_in_words(word))
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


_CITY_REACH = 60
_NOT_A_CITY = re.compile(r"(?:[ée]tage|floor|unit|tour|total|b[âa]timent|building|lot|porte|bureau|suite|room|niveau"
                         r"|compteur|counter|code|client|contrat|contract|s[ée]rie|serial|commande|order|poste|ext"
                         r"|extension|dossier|ticket|case|ref|r[ée]f[ée]rence|reference|compte|account|facture|invoice"
                         r"|t[ée]l|fax|ligne|line|n[°o]|num[ée]ro|number|id)\b", re.I)
_CITY_WORDS = re.compile(rf"[A-ZÀ-Ý][\w'’]*(?:-[\w'’]+)*(?:[ \t]+(?:{_CITY_PARTICLE})?{_CITY_NEXT}){{0,3}}")


def _city_before(text: str, start: int) -> tuple[int, int] | None:
    """The city written before the postcode at ``start`` (English order: "…, Toulouse 31000"): the words back
    to the line's start or its last comma, colon or dash, when they read as a city's name; else None. A city's
    name is short: the look back is bounded, so a long line of postcodes is read in linear time."""
    line_start = text.rfind("\n", 0, start) + 1
    reach = max(line_start, start - _CITY_REACH)
    piece_start = max(reach, *(text.rfind(c, reach, start) + 1 for c in ",:;–—|"))
    spaced_hyphen = text.rfind(" - ", reach, start)  # "… - 25 chemin de la Madrague-Ville - Marseille 13016"
    piece_start = max(piece_start, spaced_hyphen + 3 if spaced_hyphen >= 0 else reach)
    if piece_start == reach > line_start:
        return None
    s, e = _trimmed(text, piece_start, start, _PIECE_TRIM + "(")  # "Marseille (13002)"
    if s >= e or not _CITY_WORDS.fullmatch(text, s, e) or _NOT_A_CITY.match(text, s, e) \
            or MODEL.fullmatch(text, s, start + 5):
        return None  # "Etage 12000", "Total 45000", a model and its serial ("Colorado 16400")
    return s, e


def _address_at(text: str, start: int, end: int, city_before: tuple[int, int] | None = None) -> dict[str, Any]:
    """The address whose postcode is text[start:end].

    The city follows the postcode on its line ("PACÉ", "Pacé Cedex",
    "PARIS CEDEX 17"), or comes before it (``city_before``: "Toulouse
    31000"). Before them, walking back over at most four lines of
    pieces: complements below the street (BP, CS, "Bâtiment B"), the street
    ("12 allée des Frênes", or "5 rue X" inside "nous déménageons au 5 rue X
    à"), complements above it ("ZI des Vignes"). The walk stops at a blank
    line, at a "…:" cue, at a second street or at anything else (a company
    name, a sentence).
    """
    city = None if city_before else _CITY.match(text, end)
    # "Marseille (13002)": the address ends with the bracket around its postcode
    stop = city.end() if city else end + (text[start - 1 : start] == "(" and text[end : end + 1] == ")")
    street: tuple[int, int] | None = None
    below: list[tuple[int, int]] = []  # between the street and the postcode
    above: list[tuple[int, int]] = []  # before the street
    line_start = text.rfind("\n", 0, start) + 1
    before = city_before[0] if city_before else start
    to = _TO_POSTCODE.search(text, line_start, before)
    region = (line_start, to.start() if to else before)
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
    begin = min([before] + [s for s, _ in (*above, *below, *([street] if street else []))])
    return {
        "street": text[street[0] : street[1]] if street else None,
        "complement": ", ".join(text[s:e] for s, e in (*above, *below)) or None,
        "postcode": text[start:end],
        "city": text[city_before[0] : city_before[1]] if city_before else city.group("city") if city else None,
        "cedex": city.group("cedex") if city else None,
        "span": [begin, stop],
        "text": text[begin:stop],
    }


def check_reading_data() -> None:
    """Load the cue files the extractors read lazily (classifiers/addresses.toml, identifiers.toml) now, so a
    mistake in one stops start-up naming its file, instead of making every analysis an internal error."""
    for path, load in ((ADDRESSES_FILE, _address_patterns), (IDENTIFIERS_FILE, lambda: load_lexicon(IDENTIFIERS_FILE))):
        try:
            load()
        except (OSError, tomllib.TOMLDecodeError, re.error, KeyError, TypeError, ValueError) as exc:
            raise RulesError(f"{path}: {type(exc).__name__}: {exc}") from None


@lru_cache(maxsize=1)
def _address_patterns() -> dict[str, re.Pattern[str]]:
    """classifiers/addresses.toml: each list of patterns (positive, negative, stated) as one, on folded text."""
    data = tomllib.loads(ADDRESSES_FILE.read_text(encoding="utf-8"))
    for entry in data["stated"]:
        if len(re.compile(entry).groupindex) != 1:
            raise ValueError(f"a 'stated' pattern needs one named group, the postcode's digits: {entry[:60]}")
    return {kind: re.compile("|".join(f"(?:{p})" for p in data[kind])) for kind in ("positive", "negative", "stated")}


def _address_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """classifiers/addresses.toml: (positive, negative) cues, on folded text."""
    patterns = _address_patterns()
    return patterns["positive"], patterns["negative"]


def _postcode_stated() -> re.Pattern[str]:
    """classifiers/addresses.toml ``stated``: a postcode written as such, its digits a named group, on folded text."""
    return _address_patterns()["stated"]


def _column_header(text: str, position: int, rows: dict[int, list[tuple[int, str]]]) -> str | None:
    """The header of the table column holding ``position`` ("Nouvelle adresse | …"), if it is in a table.

    Walking up the table (lines of two cells or more), the first line without digits whose cell over
    the column names an address (a cue of addresses.toml) is the header; failing one, the first line
    without digits ("Service comptable | Service comptable" is a row of the two addresses, not their
    header). A header with another number of cells (a first column of row names: "Rue", "CP / Ville")
    is matched by position, as in columns aligned with spaces. ``rows`` keeps the cells of each line
    read (by its start), so a long line is split once."""
    positive_cue, negative_cue = _address_cues()
    line_start = text.rfind("\n", 0, position) + 1
    offset = position - line_start
    row = _cells_at(text, line_start, rows)
    for _ in range(_CONTINUED_CELL_LINES):  # an indented line under a row of aligned cells goes on with its cells
        if len(row) >= 2 or line_start == 0 or text[line_start : line_start + 2] not in ("  ", "\t"):
            break
        line_start = text.rfind("\n", 0, line_start - 1) + 1
        row = _cells_at(text, line_start, rows)
    if len(row) < 2:
        return None
    column = max(i for i, (at, _) in enumerate(row) if at <= offset)
    if len(row) == 2 and column == 1 and _ADDRESS_KEY.fullmatch(fold(row[0][1]).strip(" :")):
        return None  # "Postcode / City | 75017 Paris": a key and its value, no column; the words before the table decide
    line_end = text.find("\n", line_start)
    tabbed = "\t" in text[line_start : line_end if line_end >= 0 else None]
    cell_start = row[column][0]
    first: str | None = None
    end = line_start - 1
    for _ in range(50):  # a header is near the top of its table
        if end <= 0:
            break
        start = text.rfind("\n", 0, end) + 1
        above, line = _cells_at(text, start, rows), text[start:end]
        end = start - 1
        if not line.strip():
            if tabbed:
                continue  # rows of tab-separated cells apart by blank lines ("<p>" per row)
            break
        if RULE_LINE.fullmatch(line):
            continue  # "-------+-------" under the header of a plain-text table
        if len(above) == 1 and above[0][0] > 0 and any(abs(above[0][0] - at) <= 2 for at, _ in row):
            continue  # a cell's second line, indented under its column ("…  ZAC Saint-Martin⏎        2 rue …")
        if len(above) < 2:
            break
        if any(_digits_beyond_dates(cell) for _, cell in above):
            continue  # a row of values; a header may name a day ("Actuellement | À partir du 14/09")
        if len(above) == len(row):
            cell = above[column][1]
        elif len(above) == len(row) - 1 and column and ("\t" in line or "|" in line and not _DIGIT.search(row[0][1])):
            # "\tSite actuel\tNouveau site" over "CP / Ville\t44100 Nantes\t44470 …"; an HTML table's empty corner
            # cell: "Current address | New address" over "Postcode / City | 13006 Marseille | 13290 Aix"
            cell = above[column - 1][1]
        else:
            cell = next((c for at, c in reversed(above) if at <= cell_start + 2 and c), "")
        folded = fold(cell)
        if positive_cue.search(folded) or negative_cue.search(folded):
            return cell
        first = cell if first is None else first
    key = row[0][1]
    if first is not None and len(row) == 2 and column == 1 and not _DIGIT.search(key) and len(key.split()) <= 5:
        # rows of a key and its value ("Legal entity | X⏎Registered office | 5 rue …"), the first no header: the key
        # decides when it names an address ("Nouveau site", "Site actuel"), else the words before the table
        return key if positive_cue.search(fold(key)) or negative_cue.search(fold(key)) else None
    return first


_ANY_DAY = date(2001, 1, 1)  # whether a cell's digits write a date does not depend on the day it is read


@lru_cache(maxsize=4096)
def _digits_beyond_dates(cell: str) -> bool:
    """Digits in a table cell besides the dates it names: "12 allée des Artisans", not "À partir du 14/09"."""
    if not _DIGIT.search(cell):
        return False
    kept = list(cell)
    for hit in find_dates(cell, _ANY_DAY):
        kept[hit.start : hit.end] = " " * (hit.end - hit.start)
    return _DIGIT.search("".join(kept)) is not None


def _cells_at(text: str, line_start: int, rows: dict[int, list[tuple[int, str]]]) -> list[tuple[int, str]]:
    """The cells of the line at line_start, by their offsets in it; an indent is no empty first cell."""
    if line_start not in rows:
        line_end = text.find("\n", line_start)
        line = text[line_start : line_end if line_end >= 0 else None]
        indent = len(line) - len(line.lstrip(" \t"))
        rows[line_start] = [(indent + at, cell) for at, cell in cells(line[indent:])]
    return rows[line_start]


# a list's item starts with a bullet (the lookbehind keeps a search linear)
_ITEM = re.compile(r"(?<![ \t])[ \t]*+[-•*·–][ \t]")


def _list_introduction(text: str, line_start: int) -> str:
    """The line that introduces the list or block whose line starts at ``line_start``, when that line ends with
    a colon: up over the list's other items and blank lines ("Nouvelles coordonnées pour l'envoi des factures
    :⏎⏎- par courrier : …⏎- par e-mail : compta@…"), or up over the block's lines and one blank line ("nouvelle
    adresse de facturation :⏎⏎SAS X⏎14 rue Pasteur⏎25300 Pontarlier⏎E-mail : compta@…"); else ""."""
    item = bool(_ITEM.match(text, line_start))
    end, blank = line_start - 1, False
    for _ in range(12):
        if end <= 0:
            return ""
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if line.rstrip().endswith(":") and not _ITEM.match(line):
            return "\n" + line
        if not line.strip():
            if blank and not item:
                return ""
            blank = True
        elif item and not _ITEM.match(line) or not item and blank:
            return ""
        end = start - 1
    return ""


def _is_new_address(text: str, folded: str, position: int, rows: dict[int, list[tuple[int, str]]]) -> bool:
    """Is the postcode at position part of a new address?

    In a table, its column's header decides ("Nouvelle adresse", "Site de
    destination" yes; "Adresse actuelle" no). Elsewhere the nearest cue of
    classifiers/addresses.toml in the 300 characters before decides ("nouvelle
    adresse :" yes, "adresse actuelle", "livraison" no, but "Adresse de livraison :"
    heading a block after the machine is said to go is where it goes); a negative cue in the
    same sentence as the positive one wins ("livraison à l'adresse habituelle"),
    unless the old address itself lies between them ("Ancienne adresse :
    4 rue A, 35000 Rennes / Nouvelle adresse : …"), or a move's cue undoes it: a
    destination ("vers nos nouveaux locaux :" after "votre technicien"), "vers :" after
    the old site's address ("de l'ancien site (…, 21000 Dijon) vers :"), a future verb
    and its colon after what is now ("actuellement facturé au Syndicat devra être
    facturé à :").
    """
    positive_cue, negative_cue = _address_cues()
    header = _column_header(text, position, rows)
    if header is not None:
        folded = fold(header)
        return bool(positive_cue.search(folded)) and not negative_cue.search(folded)
    reach = _cue_reach(text, position)
    lines = folded[reach:position]
    window = lines.replace("\n", " ")
    # "envoyer les factures à l'adresse compta@orvia.fr": a cue whose address is an e-mail names no postal one
    positive = [p for p in positive_cue.finditer(window)
                if not _EMAIL_NEXT.match(window, p.start() + len(p.group().rstrip(" \t")))]
    negative = list(negative_cue.finditer(window))
    if positive and _SEAT_KEY.fullmatch(positive[-1].group()) and (
            not _TAKEOVER.search(folded, max(0, reach + positive[-1].start() - _TAKEOVER_REACH), reach + positive[-1].start())
            or _own_seat(text, window, reach, positive)):
        # a seat's key names the new entity's seat after a takeover, not the sender's own ("Siège : …" in a letter's
        # head, "La société Dupont SAS (siège : …) souhaite résilier", "Head office: …" over a reading)
        positive = positive[:-1]
    if not positive:
        # "le Colorado de l'agence de Toulouse (…) doit partir à Bordeaux. Adresse de livraison :": the heading of
        # where it goes (not "adresse de livraison des consommables : …", "à notre adresse de livraison, …")
        # (the heading may open its own paragraph, under the one that says the machine goes: "… doit être transféré
        # vers un autre bâtiment du campus. Merci de nous indiquer le coût.⏎⏎Adresse de livraison :")
        return bool(negative) and _heads_where_it_goes(window, folded, reach, negative[-1])
    if not negative:
        return True
    p = positive[-1]
    # "new delivery address": a kind of new address, not the old one; "moved from our office to:": where it goes
    # (whichever positive cue comes last: "la nouvelle adresse de livraison est la suivante :"); "adresse de
    # livraison et d'installation": where it is installed
    kinds = [q for q in positive if q.group().startswith(("new", "nouve", "vers", "moved", "relocate", "relocating", "transferred",
                                                          "shipped", "quitt")) or "install" in q.group()]
    negative = [m for m in negative if not any(q.start() <= m.start() and m.end() <= q.end() for q in kinds)]
    if not negative:
        return True
    n = negative[-1]
    if p.start() > n.start() and p.group().startswith(("but", "mais")) and _NO_LONGER.match(n.group()) \
            and not re.search(r"[.;!?]\s", window[n.end() : p.start()]):
        return True  # the turn after what is no longer: "ne doivent plus être envoyées à l'usine mais au service X :"
    if p in kinds and p.start() > n.start() and p.group().startswith(("new", "nouve", "vers")):
        # "from our Gennevilliers site to our new warehouse:", "currently addressed to X … the new entity:", "que votre
        # technicien déplace notre traceur vers nos nouveaux locaux :"
        return True
    if n.start() > p.start() and p in kinds and n.group().startswith(("livr", "deliver")) \
            and ((p.group().startswith("vers") and _DELIVERY_HEADING.match(window, n.start()))
                 or _MOVES_THERE.search(window, max(0, p.start() - 80), n.start())):
        # "Le traceur doit partir sur le nouveau site de Mérignac. Adresse de livraison :", "transférer le traceur … de
        # notre usine vers notre nouveau bureau d'études.⏎⏎Adresse de livraison :": where it goes
        return True
    if n.start() > p.start() and _heads_where_it_goes(window, folded, reach, n, machine=True):
        return True  # "… doit suivre ; merci de nous adresser le devis de transfert.⏎⏎Lieu de livraison :"
    if n.start() > p.start():
        # "déplacer la Colorado, actuellement à Noisy-le-Grand (93160), vers :", "move it from … 75017 Paris to:":
        # the old address closes, then where it goes ("transféré de l'ancien site (…, 21000 Dijon) vers :")
        towards = _TOWARDS.search(window, n.end())
        # … or the place it leaves named in a few words: "le déménagement de notre presse depuis Évreux vers :"
        return bool(towards and (((_GIVES_WAY.match(n.group()) or n.group().startswith("ancien"))
                                  and _OLD_POSTCODE.search(window, n.end(), towards.start()))
                                 or (n.group().startswith("depuis") and towards.start() - n.end() <= _PLACE_LEFT
                                     and not _SENTENCE_STOP.search(window, n.end(), towards.start()))))
    if "\n" in lines[n.end() : p.start()] and not lines[lines.rfind("\n", 0, p.start()) + 1 : p.start()].strip(ANSWER_MARKS):
        return True  # the positive cue heads its own line ("Nouvelle adresse d'installation :"), below the negative one
    if n.group().startswith("ancien") and _TO_INSTALL.search(window, n.end(), p.start()):
        return True  # "à récupérer dans nos anciens locaux de Bastia et à installer … à l'adresse suivante :"
    if _GIVES_WAY.match(n.group()) and _MACHINE_GOES.search(window, n.end(), p.end()):
        # "Adresse de livraison / réinstallation :", "quitte la rue Garibaldi pour s'installer au …", "currently
        # installed in …, to be relocated to": where the machine goes (not "ancienne adresse, avant le déménagement")
        return True
    if _GIVES_WAY.match(n.group()) and _COLON_ENDS_LINE.match(lines, p.start() + len(p.group().rstrip())) \
            and _FUTURE_VERB.search(window, n.end(), p.start() + len(p.group())):
        # "Le traceur … actuellement facturé au Syndicat devra donc être facturé à :⏎…": what is now, then what it will
        # be, the block the colon opens (not "Our current billing address:⏎…", a heading of what is now)
        return True
    # the negative cue ends with its sentence, with the old address it introduced, or with the brackets around it
    # ("Suite au déménagement (l'atelier reste sur place), les factures devront être adressées à : …")
    between = window[n.end() : p.start()]
    bracketed = ")" in between and window.rfind("(", 0, n.start()) > window.rfind(")", 0, n.start()) \
        and _STAYS_OR_LEAVES.match(n.group()) is not None  # (not "(adresse actuelle inchangée)", "(comme actuellement)")
    return bool(re.search(r"[.;!?]\s", between) or _OLD_POSTCODE.search(between) or bracketed)


def _own_seat(text: str, window: str, reach: int, positive: list[re.Match[str]]) -> bool:
    """Is the seat keyed by the last positive cue the sender's own: a letter's head, a name in capitals at the top of
    the text with at most two lines under it ("RHONE INGENIERIE⏎Siège : 18 rue …"), or the seat of "our company" named
    in the same sentence with no other cue after it ("Our company Acme SAS, SIREN … Registered office: …"; not "notre
    société a été rachetée par X, siège : …")?"""
    at = positive[-1].start()
    sentence = max((m.end() for m in _SENTENCE_END.finditer(window, 0, at)), default=0)
    own = _OUR_COMPANY.search(window, sentence, at)
    return _LETTERHEAD.fullmatch(text, 0, reach + at) is not None or (
        own is not None and not any(q.end() > own.end() for q in positive[:-1]))  # "notre société devient X, siège : …"


def _heads_where_it_goes(window: str, folded: str, reach: int, negative: re.Match[str], machine: bool = False) -> bool:
    """Is the negative cue a delivery heading ("Adresse de livraison :") under words that say the machine goes
    somewhere (not "adresse de livraison des consommables : …"; with ``machine``, a machine named there too: not "notre
    comptabilité a été transférée au siège")?"""
    at = reach + negative.start()
    begin = max(0, at - _MOVE_BEFORE_DELIVERY)
    return _DELIVERY_HEADING.match(window, negative.start()) is not None \
        and _GOES_TO.search(folded, begin, at) is not None and not _SUPPLIES.search(folded, begin, at) \
        and (not machine or not default_lexicon().fields["serial_numbers"].machine_words.isdisjoint(
            _FOLDED_WORD.findall(folded, begin, at)))


_NO_LONGER = re.compile(r"ne\b|no\s+longer")  # a negative cue of what is no longer, on folded text
_STAYS_OR_LEAVES = re.compile(r"sur\s+place|\brest|quitt")  # what a machine or a team does, on folded text
_KEY_BEFORE = re.compile(r"(?<![ \t>*•-])[ \t>*•-]*+(?P<key>[^\W\d_][^:|\n\d]{0,40})[:|][ \t]*+")  # "N° client : ", "Site | "
_ADDRESS_KEY = re.compile(r"(?:code\s+postal|cp|postcode|post\s+code|zip(?:\s+code)?|ville|city|town)"
                          r"(?:\s*[/&,-]\s*(?:code\s+postal|cp|postcode|ville|city|town))?")  # on folded text
_CUE_ENDING = 60  # characters at the end of the paragraph above an address block where a cue names it
_CONTINUED_CELL_LINES = 3  # lines of a cell under its row in columns aligned with spaces ("14 quai X⏎   38000 Lyon")
# an e-mail address as the cue's object: "à l'adresse compta@…", "factures à : l'adresse compta@…", "à compta@…"
# (not an e-mail beside the cue: "(contact : compta@…)", "E-mail : compta@… ⏎Adresse : …")
_EMAIL_NEXT = re.compile(r"(?<![ \t])[ \t]*+(?:l.adresse[ \t]++(?:(?:e-?mail|mail|electronique|suivante)[ \t]++)?)?:?[ \t]*+"
                         r"[^\s@:()]{1,64}@")
_TO_INSTALL = re.compile(r"\b(?:a|pour|puis)\s++(?:l.|le\s++|la\s++|les\s++)?(?:re)?installer\b")  # on folded text
_MOVE_BEFORE_DELIVERY = 160  # characters before a delivery heading where the machine is said to go
_DELIVERY_HEADING = re.compile(r"livraison[ \t]*+:|delivery[ \t]++address[ \t]*+:")  # on folded text, at a cue
_GOES_TO = re.compile(r"\b(?:part(?:ir|ira|iront)\s++(?:a|au|pour|vers|sur)\b|demenag\w*+|transfer\w*+|relocat\w*+"
                      r"|deplac\w*+|mov(?:e|ed|ing)\b)")  # the machine goes somewhere: on folded text
_SUPPLIES = re.compile(r"\b(?:consommables?|toners?|cartouches?|encre|papier|fournitures?|supplies)\b")  # on folded text
_FOLDED_WORD = re.compile(r"(?<![a-z])[a-z]++")  # a word of folded text: machine_words' terms
_MACHINE_GOES = re.compile(r"install|demenag|transfer|relocat|destination")  # a move's cue, on folded text
_MOVES_THERE = re.compile(r"\b(?:part(?:ir|ira|iront)|demenag\w*+|transfer\w*+|relocat\w*+|deplac\w*+|mov(?:e|ed|ing)"
                          r"|install\w*+)\b")  # the machine goes to the new site named: on folded text
_PLACE_LEFT = 40  # characters of a place a move leaves from, named between "depuis" and "vers :"
_SENTENCE_STOP = re.compile(r"[.;!?]")
# on folded text; "ne devront plus être adressées à notre siège du 8 rue Grignan (13001 Marseille) mais à :"
_TOWARDS = re.compile(r"\b(?:vers|to|towards|a destination de|mais\s++(?:plutot\s++)?(?:a|au|chez)|but\s++(?:rather\s++)?to)"
                      r"[ \t]*+:")
_HEADING = re.compile(r"(?<![^\n])[ \t]*+[^\s:][^\n:]{0,39}:")  # a short line alone that ends with a colon: "L'adresse :"
_FUTURE_VERB = re.compile(r"\b(?:devra|devront|doit|doivent|sera|seront|must|will|shall|should)\b")  # on folded text
_COLON_ENDS_LINE = re.compile(r"(?<![ \t])[ \t]*+:[ \t]*+\n")  # a cue's colon at its line's end: the block below is its value
# negative cues that a move's cue after them undoes (a list's key too: "- de : …⏎- vers : …")
# (matched at the cue's start: "site actuel", "localisation actuelle" are cues of their own)
_GIVES_WAY = re.compile(r"livr|deliver|quitt|current|actuel|(?:site|localisation)\s++actuel|from"
                        r"|(?:-[ \t]*+)?+(?:de|from)[ \t]*+:|" + _NO_LONGER.pattern)
# a paragraph that announces what follows: "Notre nouvelle implantation sera la suivante, à partir de cette date."
# or stops mid-sentence before it ("… se trouvera au⏎⏎Pôle Graphique du Lac⏎12 rue …")
_ANNOUNCES = re.compile(r"\bsuivante?s?\b|\bfollowing\b|\bci-dessous\b|\bbelow\b"
                        r"|\b(?:au|[àa]|at|to|chez|vers|is|are|est|sont|sera|seront)[ \t]*+$", re.I)


# a positive cue that is a seat's key ("Siège : …", "Siège social de la SAS X :", "Registered office:"), folded; not
# the cues that name the new entity themselves ("siège de la nouvelle société", "registered office of the new …");
# anchored, as it is only fullmatched on a cue's text
_SEAT_KEY = re.compile(r"\A(?:siege|registered|head\s)(?![^:]*+\b(?:nouvelle|new|repreneur)\b)[^:]*+:")
_TAKEOVER_REACH = 600  # characters before a seat's key where the takeover that makes it the new entity's is said
# what makes a seat's key the new entity's: a takeover said before it, on folded text
_TAKEOVER = re.compile(r"rachat|rachet|repris|reprise|cession|cede|fusion|absorb|nouvelle\s++(?:entite|societe)"
                       r"|new\s++(?:legal\s++)?(?:entity|company)|acqui|takeover|taken\s++over|merg|sale\s++of|devient"
                       r"|becomes|apport|k-?\s?bis|au\s++nom\s++d|in\s++the\s++name\s++of")
_OUR_COMPANY = re.compile(r"\b(?:our|notre)\s++(?:company|societe|entreprise|group|groupe|entity|entite|firm|structure)\b")
# a letter's head: a name in capitals at the text's top, at most two lines under it, no sentence
_LETTERHEAD = re.compile(r"\A[ \t]*+[A-ZÀ-Ý0-9][A-ZÀ-Ý0-9&'’ .,-]{2,59}\n(?:[^\n.!?:]{1,80}+\n){0,2}+[ \t]*+")
_NAME_LINE = re.compile(r"[ \t]*+[^\W\d_][^\d\n.!?:;]{0,59}")  # one short line, no number nor sentence: a name
# what an address block may start with before its first number: a name in capitals ("Harlow Print SAS – ")
_NAME_WORDS = re.compile(r"(?:(?:[A-ZÀ-Ý][\w'’&.-]*+|(?:des|du|de|les|la|le|et)(?!\w)|[&–—,|-])[ \t\n]*+)*+")

# an address block's key at its start: "Adresse : ", "Adresse de facturation :", "Address: "
_BLOCK_KEY = re.compile(r"(?<![ \t])[ \t]*+(?:adresse|address|adr\.)"
                        r"(?:[ \t]++(?:de[ \t]++facturation|postale|postal|de[ \t]++la[ \t]++soci[ée]t[ée]))?[ \t]*+:[ \t\n]*+",
                        re.I)
_NOW_SITE = re.compile(r"actuel|current|ancien|\bold\b|present")  # on folded text: the site as it is
_KEYED_PLACE = re.compile(r"[^.!?;:\n]{0,80}")  # what a key may have before the first number: "Zone industrielle de …"


def _opens_block(text: str, start: int, digit: int) -> bool:
    """Does an address block open at ``start`` (its first number at ``digit``): a name in capitals ("Harlow Print SAS –
    8 rue …"), or its key and a place ("Adresse : Zone industrielle de la Lézarde, 97232 …"), not a sentence?"""
    key = _BLOCK_KEY.match(text, start, digit)
    if key is None:
        return bool(_NAME_WORDS.fullmatch(text, start, digit))
    line_end = text.find("\n", digit)  # (not the site it leaves: "Adresse : 12 rue …, 69003 Lyon (site actuel)")
    return bool(_KEYED_PLACE.fullmatch(text, key.end(), digit)) and not _NOW_SITE.search(
        fold(text[digit : line_end if line_end >= 0 else len(text)]))


def _first_digit(text: str, start: int, end: int) -> int:
    digit = _DIGIT.search(text, start, end)
    return digit.start() if digit else end


def _cue_reach(text: str, position: int) -> int:
    """Where a cue for the address at ``position`` may be: 300 characters back, within its paragraph,
    or the one before when that one ends with a colon ("… à l'adresse suivante :⏎⏎12 rue …") or announces
    what follows ("… sera la suivante, à partir de cette date.")."""
    begin = max(0, position - 300)
    at = begin  # not above a closing formula: what follows it is a signature (the history's are not cut off)
    for line in text[begin : text.rfind("\n", begin, position) + 1].split("\n"):
        at += len(line) + 1
        if closing_line(line):
            begin = at
    blank = text.rfind("\n\n", begin, position)
    if blank < 0:
        return begin
    items = text.rfind("\n\n", begin, blank)
    if items >= 0 and all(_ITEM.match(line) or MODEL.search(line) for line in text[items + 2 : blank].split("\n")
                          if line.strip()) \
            and _opens_block(text, blank + 2, _first_digit(text, blank + 2, position)):
        # "… must be addressed to the new entity:⏎⏎- PlotWave 3500, s/n …⏎⏎Harlow Print SAS – 8 rue …": the list
        # of what the cue is about (bulleted, or a model on each line) stands between it and an address block (not a
        # sentence: "Nous restons au 4 rue …"), which its key may open ("Adresse : Zone industrielle …")
        blank = items
    name = text.rfind("\n\n", begin, blank)
    colon_line = text[max(begin, text.rfind("\n", 0, name) + 1) : name].rstrip() if name >= 0 else ""
    if colon_line.endswith(":") and _NAME_LINE.fullmatch(text, name + 2, blank) and (
            _ANNOUNCES.search(colon_line[:-1].rstrip()) or _address_cues()[0].search(fold(colon_line))):
        # "… envoyées à l'adresse suivante :⏎⏎NORDLOGIS – CSP Comptabilité⏎⏎165 avenue de Bretagne⏎59000 Lille": the
        # block's name apart from its street
        blank = name
    before = text[:blank].rstrip()
    last = before[before.rfind("\n") + 1 :]
    # "… merci d'adresser vos factures à notre nouveau siège." ending the paragraph right above the block
    if before.endswith(":") or _ANNOUNCES.search(last) or _address_cues()[0].search(fold(last[-_CUE_ENDING:])):
        above = text.rfind("\n\n", begin, blank)
        if above >= 0 and _HEADING.fullmatch(text, above + 2, len(before)) and _names_what_follows(text, begin, above):
            # "… à la nouvelle adresse ci-dessous.⏎⏎L'adresse :⏎⏎Delmas & Roux⏎2 rue …": a heading alone between
            # the sentence that names the address and its block
            above = text.rfind("\n\n", begin, above)
        return above + 2 if above >= 0 else begin
    return blank + 2


def _names_what_follows(text: str, begin: int, end: int) -> bool:
    """Does the paragraph ending at ``end`` announce what comes below it ("… à la nouvelle adresse ci-dessous à partir
    du 1er février.", "… à l'adresse suivante"; not "… l'adresse vous sera communiquée.")?"""
    return bool(_ANNOUNCES.search(text[max(begin, text.rfind("\n\n", begin, end) + 2) : end].rstrip()))


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


def _deadline(text: str, reference: date | None) -> dict[str, Any] | None:
    """When the customer wants it done ("d'ici mi-juillet"): a deadline, recorded apart from the
    effective date (FORMAT.md), for the person who acts."""
    hit = deadline(text, reference)
    return {"date": hit.iso, "text": hit.text, "span": [hit.start, hit.end]} if hit else None


def _signed_customer(signed: _Reader) -> bool:
    """Does the signature give a customer number: one right after its label ("Code client Canon : SAL-1172-B"),
    not the postcode of its address ("… – 73000 Chambéry"), a phone extension or an office ("Service Relation
    Clients – poste 4521", "Gestionnaire comptes clients – ligne directe 2214", "Service client, bureau 214B")?"""
    chosen = best(signed.identifiers()["customer_number"])
    lexicon = default_lexicon()
    if chosen is None or chosen.score < lexicon.label_score or _POSTCODE.match(signed.text, chosen.start):
        return False
    words = re.findall(r"\w+", fold(signed.text[max(0, chosen.start - 40) : chosen.start]))  # the last: the word before
    return not (words and (words[-1],) in lexicon.other)


_SPACED_ANSWER = re.compile(r"[0-9A-Z]++(?: [0-9A-Z]++)*+")  # pieces of one value, a blank between each


def _short_answer(new: _Reader, quoted: _Reader, fields: dict[str, Any]) -> None:
    """A short reply to a request that asked for one number ("9470 334 812" under our "le numéro de série
    ?") gives that number: the question names the field the answer fills. A reply of any length that lists
    machines ("Il s'agit des X et Y") under our question for them gives them all, but those it says are not concerned."""
    if not quoted.text:
        return
    short = answered_question(new.text, quoted.text)  # without its signature: "Gestionnaire contrats" asks nothing
    # "Le voici : 8812-CTR-0934", or machines listed under our question for them ("Il s'agit des X et Y. Le Z n'est pas
    # concerné."), however long the rest of the reply: the values answer our question
    here = _HERE_IT_IS.search(new.text)
    question = short or (top_question(quoted.text) if here or not fields["serial_numbers"] else "")
    if not question or _asks_readings(question):
        return  # a reading is no identifier: _short_reading
    machines = not fields["serial_numbers"] and "serial_numbers" in asked_fields(question)
    if not (short or here or machines):
        return
    # a number already read as another field's ("contrat 0040018807") or as a reading answers nothing else
    values = _free_values(new, [r["span"] for r in _Reader(new.text, new.source, new.kind).readings()])
    listed = listed_answer(new.text, values) if machines and len(values) > 1 else []
    if not (short or here or listed):
        return
    asked = [name for name in asked_fields(question) if not fields[name]]
    if len(asked) > 1:  # "… votre souhait de résilier votre contrat. Pourriez-vous nous communiquer le numéro de série ?"
        asked = [name for name in asked_fields(_asking(question)) if not fields[name]] or asked
    if here and len(values) > 1:
        line_end = new.text.find("\n", here.end())
        values = [(s, e) for s, e in values if here.end() <= s and (line_end < 0 or e <= line_end)]
    if len(values) > 1 and _SPACED_ANSWER.fullmatch(new.text, values[0][0], values[-1][1]) and any(
            piece.isalpha() for piece in new.text[values[0][0] : values[-1][1]].split()):
        values = [(values[0][0], values[-1][1])]  # one value in spaced pieces: "c'est le 4106 B 0072." (not two serials)
    if listed and asked == ["serial_numbers"]:  # "Il s'agit des X et Y." under our "… les numéros de série"
        for start, end in listed:
            _answer(new, fields, "serial_numbers", start, end, "listed in answer to a request that asked for the machines")
        return
    if len(asked) != 1 or len(values) != 1:
        return
    _answer(new, fields, asked[0], *values[0], "the whole answer to a request that asked for it")


def _numbered_items(text: str) -> dict[int, tuple[int, int]]:
    """The numbered items of a text ("1) …", "2. …", each on its line): its number -> the span of its line's text."""
    items: dict[int, tuple[int, int]] = {}
    for m in _NUMBERED_ITEM.finditer(text):
        items.setdefault(int(m.group("n")), m.span("text"))
    return items


def _numbered_answers(new: _Reader, quoted: _Reader, fields: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Answers numbered like the numbered questions of our request they reply to ("1) au 1er du mois prochain⏎2)
    3300917⏎3) Vignobles Caussade, 5 rue Achard, 33300 Bordeaux" under our "1) la date … 2) votre numéro client …
    3) la nouvelle adresse complète"): each answer that holds one value fills the one empty field its question names.
    Returns the spans of the answers to a question for an address and for a date ("address", "date"): they are read
    there when nothing else gives them."""
    if not quoted.text:
        return {}
    question = top_question(quoted.text)
    asked, answers = _numbered_items(question), _numbered_items(new.text)
    if len(answers) < 2 or not set(answers) <= set(asked):
        return {}  # two answers at least, each to a question of ours
    spans: dict[str, tuple[int, int]] = {}
    for number, (start, end) in sorted(answers.items()):
        item = question[slice(*asked[number])]
        names = [name for name in asked_fields(item) if name in fields and not fields[name]]
        values = answer_values(new.text[start:end])
        folded = fold(item)
        if len(names) == 1 and len(values) == 1:
            _answer(new, fields, names[0], start + values[0][0], start + values[0][1],
                    f"the answer numbered {number}, to our question {number} that asked for it")
        elif _DATE_ASKED.search(folded):  # (first: "la date à laquelle la nouvelle adresse doit être prise en compte")
            spans.setdefault("date", (start, end))
        elif _ADDRESS_ASKED.search(folded):
            spans.setdefault("address", (start, end))
    return spans


def _free_values(reader: _Reader, also_taken: list[list[int]] | None = None) -> list[tuple[int, int]]:
    """The answer values of a reader's text that no field it read took (nor ``also_taken``)."""
    taken = [where["span"] for spans in reader.spans.values() for where in (spans if isinstance(spans, list) else [spans])]
    taken += also_taken or []
    return [(s, e) for s, e in answer_values(reader.text) if not any(s < te and ts < e for ts, te in taken)]


def _answer(reader: _Reader, fields: dict[str, Any], name: str, start: int, end: int, why: str) -> None:
    """Fill ``name`` with reader.text[start:end] (added to the list for serials), noted and with its span."""
    value = reader.text[start:end]
    where = reader.where(start, end)
    if name == "serial_numbers":
        fields[name] = [*(fields[name] or []), value]
        reader.spans[name] = [*reader.spans.get(name, []), where]
    else:
        fields[name] = value
        reader.spans[name] = where
    reader.note(name, value, why)


# an item of a numbered list, on its line: "1) …", "2. …", "> 3) …" (the text after it is the group "text")
_NUMBERED_ITEM = re.compile(r"^[ \t>*•-]*+(?P<n>\d{1,2})[ \t]*+[).][ \t]++(?P<text>\S[^\n]*+)", re.M)
_ADDRESS_ASKED = re.compile(r"\badresse|\baddress")  # a question that asks for an address, on folded text
_DATE_ASKED = re.compile(r"\bdate\b|\bquand\b|\bwhen\b")  # … for the day a change applies, on folded text
# "Le voici :", "Voici le numéro demandé :", "Here it is:", "Here is the number you asked for:" (not "Voici
# les relevés demandés :", readings)
_HERE_IT_IS = re.compile(r"\b(?:le|la|les)\s++voici\s*+:?"
                         r"|\bvoici\s++(?:le|la|l['’])\s*+(?:num[ée]ro|n°|r[ée]f[ée]rence|information)\s++(?:\w++\s++){0,3}?"
                         r"demand[ée]e?\b\s*+:?"
                         r"|\bhere\s++(?:it\s++is|you\s++(?:go|are))\s*+:?"
                         r"|\bhere\s++is\s++the\s++(?:number|reference|information)\s++(?:you\s++)?(?:requested|asked\s++for)\b\s*+:?", re.I)


def _pointed_subject(new: _Reader, subject: _Reader, fields: dict[str, Any]) -> None:
    """The new text says where a value is ("le matériel dont le numéro de série figure en objet"): the
    subject's one value no field took ("Relève automatique - PW 6KL00873") fills that field."""
    pointed = [name for name in in_subject(new.text) if not fields[name]]
    if len(pointed) != 1:
        return
    values = _free_values(subject)
    if len(values) != 1:
        return
    name, (start, end) = pointed[0], values[0]
    pieces = subject.text[start:end].split()
    if name == "serial_numbers" and len(pieces) == 2 and pieces[0].isalpha() and len(pieces[1]) >= 6:
        start = end - len(pieces[1])  # "PW 6KL00873": a model's letters, then the serial
    _answer(subject, fields, name, start, end, "the subject's one value, where the new text says it is")


_EXCEPT = re.compile(  # "… sauf le PlotWave 340 qui sera restitué", "except the ColorWave 3800", "on garde le PlotWave 340"
    r"\b(?:sauf|hormis|except(?:\s++for)?|excepted|[àa]\s++l['’]exception\s++d[eu]s?"
    r"|(?:on|nous)\s++(?:garde|gardons|conserve|conservons)|we(?:['’]re|\s++are|\s++will)?\s++keep(?:ing)?)"
    r"\s++(?:l['’]|le\s++|la\s++|les\s++|the\s++|notre\s++|our\s++)?(?=[A-Za-z])", re.I)


# "la ColorWave reste à Bastia", "the PlotWave 500 stays": a machine, by its model or its family, that stays
_STAYS = re.compile(r"\b(?:le|la|l['’]|notre|the|our)\s*+(?P<model>" + MODEL_FAMILY + r"(?:\s*+[A-Z]{0,3}-?\d{2,5})?)"
                    r"\s++(?:reste|restera|demeure|stays|remains|will\s++stay)\b", re.I)
# "Seul le PlotWave 345 est à déménager", "only the ColorWave 3800 is concerned": the one machine concerned
_ONLY = re.compile(r"\b(?:seul(?:e|s|es)?|only)\s++(?:le|la|l['’]|les|notre|the|our)\s*+(?P<model>" + MODEL_FAMILY
                   + r"(?:\s*+[A-Z]{0,3}-?\d{2,5})?)\b", re.I)


def _named(model: str, names: set[str]) -> bool:
    """Is the model one of the names, each a model ("plotwave340") or a family alone ("colorwave")?"""
    name = _model_name(model)
    return any(name == n or (n.isalpha() and name.startswith(n)) for n in names)


def _without_excepted(new_text: str, reader: _Reader, serials: list[str]) -> list[str]:
    """The serials read, but those whose line names a model the new text leaves out ("… pour les traceurs listés
    ci-dessous, sauf le PlotWave 340"; "PlotWave 340 – n° 3Y0340098"; "la ColorWave reste à Bastia"), or another
    model than the only one it says is concerned ("Seul le PlotWave 345 est à déménager")."""
    excepted = {_model_name(m.group(0)) for e in _EXCEPT.finditer(new_text) if (m := MODEL.match(new_text, e.end()))}
    excepted |= {_model_name(m.group("model")) for m in _STAYS.finditer(new_text)}
    only = {_model_name(m.group("model")) for m in _ONLY.finditer(new_text)}
    if not (excepted or only):
        return serials
    lines = []
    for value, where in zip(serials, reader.spans.get("serial_numbers", [])):
        start = where["span"][0]
        end = reader.text.find("\n", start)
        lines.append((value, where, [m.group(0) for m in MODEL.finditer(
            reader.text[reader.text.rfind("\n", 0, start) + 1 : end if end >= 0 else None])]))
    if only and not any(_named(model, only) for _, _, models in lines for model in models):
        only = set()  # the machine said to be the only one is none of the lines: nothing to leave out by it
    kept = []
    for value, where, models in lines:
        # a line that names another machine besides the one left out ("5512 0043 (le PlotWave 360 ; le PlotWave 450
        # reste chez nous)") is kept
        if not (models and all(_named(model, excepted) for model in models)) and not (
                only and models and not any(_named(model, only) for model in models)):
            kept.append((value, where))
    if len(kept) < len(serials):
        reader.note("serial_numbers", ", ".join(v for v, _ in kept), "without the machines the new text leaves out")
        reader.spans["serial_numbers"] = [w for _, w in kept]
    return [v for v, _ in kept]


def _model_name(model: str) -> str:
    return re.sub(r"\s+", "", model).lower()


def _asking(question: str) -> str:
    """The sentences of a question that ask for something ("pourriez-vous nous communiquer …", "… ?")."""
    return " ".join(sentence for sentence in _SENTENCES.split(question) if _ASKING.search(sentence))


def _asks_readings(question: str) -> bool:
    """Does our question ask for readings ("merci de nous communiquer le relevé du compteur de votre matériel"),
    and for no number (not "le numéro de série du matériel à connecter à la transmission des compteurs")? What
    is asked is what follows the asking verb, up to the end of its clause."""
    asked = " ".join(m.group(1) for m in _ASKED_OBJECT.finditer(question))
    return bool(_READINGS_ASKED.search(asked)) and not asked_fields(asked)


def _short_reading(new: _Reader, quoted: _Reader) -> list[dict[str, Any]]:
    """A short reply to our request for readings ("412 877" under "merci de nous communiquer le relevé du
    compteur") gives them: its numbers are the readings, in the order written."""
    question = answered_question(new.text, quoted.text)
    if not question or not _asks_readings(question):
        return []
    found = [{"value": int(re.sub(r"\D", "", new.text[s:e])), "counter": None, "unit": None, "serial": None,
              "span": [s, e]} for s, e in answer_values(new.text)]
    if found:
        new.note("meter_readings", ", ".join(new.text[s:e] for s, e in (r["span"] for r in found)),
                 "the whole answer to a request for readings")
        new.spans["meter_readings"] = [new.where(*r["span"]) for r in found]
    return found


_ASKING_VERBS = r"communiqu|indiqu|pr[ée]cis|transmett|envoy|let\s++us\s++know|provide|send\s++us"
_ASKED_OBJECT = re.compile(rf"(?:{_ASKING_VERBS})\w*+([^.?!:;\n]{{0,120}})", re.I)  # what the verb asks for
_ASKING = re.compile(rf"\?|confirm|{_ASKING_VERBS}", re.I)  # a sentence that asks
# readings asked for: "merci de nous communiquer le relevé du compteur", "meter readings"
_READINGS_ASKED = re.compile(r"relev[ée]s?|\bindex\b|readings?|compteurs?|meters?|counters?", re.I)
_SENTENCES = re.compile(r"(?<=[.?!])\s+")
_AT_TERM = re.compile(r"\b(?:[àa]|pour)\s++(?:l['’]\s*+|son\s++|leur\s++|sa\s++)(?:[ée]ch[ée]ance|terme)\b"
                      r"|\bat\s++(?:the\s++|its\s++)?(?:end\s++of\s++(?:the\s++)?(?:contract|term)|expiry|term\b)", re.I)


def _date_below(new: _Reader, quoted: _Reader, reference: date | None, asks_nothing: bool) -> str | None:
    """The effective date the history gives when the new text points to it without one: a termination
    "à l'échéance" under our quoted "votre contrat arrive à échéance le 30/09/2026"; a short answer under
    the customer's own request ("Le voici : DA-27-1142" above "À partir du 1er septembre…": a strongly
    cued date only, never our question's deadline), a correction that keeps the date ("La date reste
    inchangée"), or an answer "pour la nouvelle période" under the period our request names."""
    if asks_nothing or not quoted.text:
        return None
    if _AT_TERM.search(new.text):
        hit = term_date(quoted.text, reference)
        if hit:
            quoted.note("effective_date", hit.text, f"the term the new text points to ('à l'échéance'), {hit.iso}")
            quoted.spans["effective_date"] = quoted.where(*_trimmed(quoted.text, hit.start, hit.end))
            return hit.iso
    if _SAME_DATE.search(new.text):  # "La date reste inchangée": the date of the request below stands
        return quoted.date(reference, weak=False)
    if _PERIOD_POINTER.search(new.text):  # "le numéro de commande pour la nouvelle période est le : X" under our
        return quoted.date(reference, weak=False, strong_only=True)  # "… couvrant la période du 01/01/2027 au …"
    if own_words(new.text) <= ANSWER_WORDS:
        return quoted.date(reference, weak=False, strong_only=True)
    return None


_READINGS_BELOW = re.compile(r"\b(?:relev[ée]s?|index|compteurs?|readings?|counters?)\s++(?:\w+\s++){0,3}?"
                             r"(?:ci-dessous|below|plus\s++bas|dans\s++(?:votre|le|mon|notre)\s++(?:message|mail))", re.I)
_PERIOD_POINTER = re.compile(r"\b(?:nouvelle|prochaine)\s++p[ée]riode\b|\b(?:new|next)\s++period\b", re.I)
_SAME_DATE = re.compile(r"\bdate\s++(?:pr[ée]vue\s++)?(?:reste|demeure|est)\s++(?:inchang[ée]e|la\s++m[êe]me)\b"
                        r"|\bdate\s*+,\s*+rien\s++ne\s++change|\bdate\s++ne\s++change\s++pas|\bdate\s++inchang[ée]e"
                        r"|\bm[êe]me\s++date\b|\bsame\s++date\b|\bdate\s++(?:remains|stays|is)\s++(?:unchanged|the\s++same)\b",
                        re.I)


def _names_what_is_below(new_text: str) -> bool:
    """Does every pointer to the history name what it points to ("pour le contrat mentionné ci-dessous"): the reader
    is sent there for that field only (_refers_to_quoted), not for every field the new text lacks?"""
    named = [m.span() for m in _NAMED_BELOW.finditer(new_text)]
    return bool(named) and all(any(s <= m.start() and m.end() <= e for s, e in named)
                               for m in POINTS_BELOW.finditer(new_text))


# a number's noun right before the pointer, a participle between: "le contrat mentionné ci-dessous" (not "le contrat
# est indiqué dans le BDC ci-dessous", "voir ma demande ci-dessous"; nor a machine, "le matériel ci-dessous", whose
# contract beside it is its own; nor readings: "les relevés ci-dessous" are read with everything)
_NAMED_BELOW = re.compile(r"\b(?:contrat|contract|client)[ \t]++"
                          r"(?:(?:mentionn|cit|indiqu|r[ée]f[ée]renc)[^\W\d_]*+[ \t]++)?"
                          r"(?:ci-dessous|plus[ \t]++bas|en[ \t]++dessous|below)", re.I)


def _refers_to_quoted(new_text: str) -> set[str]:
    """Fields the new text points to in the quoted history ("le contrat ci-dessous")."""
    fields = set()
    for m in _REFERS.finditer(new_text):
        for noun in map(fold, _REFER_NOUN.findall(m.group())):  # "le contrat de la machine citée plus bas": both
            if noun.startswith("contra"):
                fields.add("contract_number")
            elif noun.startswith("client"):
                fields.add("customer_number")
            else:
                fields.add("serial_numbers")
    return fields


def gives_new_address(new_text: str) -> bool:
    """Does the customer's new text give a new postal address (a postcode under a new-address cue)?
    The classifier takes it for a request that needs one (classify._address_request); the extraction
    then finds the same address in the cache of ``_new_address``."""
    return _new_address(join_soft_wraps(new_text)) is not None


@lru_cache(maxsize=8)
def _new_address(text: str) -> tuple[dict[str, Any], tuple[int, int]] | None:
    """The first new postal address of a text and its postcode's span, or None (pure: the classifier asks
    for the new text's before the extraction does, and it is read once)."""
    folded = fold(text)
    rows: dict[int, list[tuple[int, str]]] = {}
    found: dict[int, list[re.Match[str]]] = {}
    for m in (*_POSTCODE.finditer(text), *_POSTCODE_LAST.finditer(text)):
        found.setdefault(m.start("v"), []).append(m)
    for start, matches in sorted(found.items()):
        end = matches[0].end("v")
        city = _city_before(text, start) if matches[-1].re is _POSTCODE_LAST and not _CITY.match(text, end) else None
        if matches[0].re is _POSTCODE_LAST and not city:
            continue  # English order only, and no city before it ("a 31000"): no address, its cue not looked for
        line_start = text.rfind("\n", 0, start) + 1
        if _POSTCODE_NOT.search(text[max(line_start, start - 20) : start]) or not _is_new_address(
                text, folded, start, rows):
            continue
        if city:  # English order ("Toulouse 31000⏎France"), when a street or a building comes before the city
            address = _address_at(text, start, end, city)
            if address["street"] or address["complement"]:  # "Harbour Gate, Block C⏎Dunkerque 59140"
                return address, (start, end)
        if matches[0].re is _POSTCODE and not _ends_a_row(text, folded, start, end):
            return _address_at(text, start, end), (start, end)
    return None


def _ends_a_row(text: str, folded: str, start: int, end: int) -> bool:
    """Is the number alone after a key that labels a number of another kind, at the end of its table row or line
    ("N° client | 97521⏎Matériel | …", "N° client : 69412⏎Ancienne adresse : …")? Its city would be the next line's
    key: it is its key's value, no postcode ("CP / Ville | 97490⏎", "Postal code: 35000⏎" still are)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    key = _KEY_BEFORE.fullmatch(folded, line_start, start)
    if key is None or text[end:line_end].strip():
        return False
    key = key.group("key").strip()  # "N° client", "Tél." (not "CP", "Postal code", "C.P.", "Localité")
    return default_lexicon().is_label(key) and not _ADDRESS_KEY.fullmatch(key)


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
    - ``deadline``: {date, text, span} of a date the customer wants it done by
      ("d'ici mi-juillet"), which is not an effective date; or None.
    - ``spans``: for every non-empty field, {text, span, source} (a list of
      them for serial_numbers and meter_readings); a value read in an
      attachment has source "attachment", span None, and names the
      ``attachment`` and the ``place`` ("page 2", "feuille Relevés", or "nom du
      fichier" for a number the request needs read in the attachment's name
      when neither the body nor the attachments' texts give it).
    - ``attachments``: each attachment listed with its kind, whether it was
      read, why not ("an encrypted PDF: not read") and the places read.

    A span is [start, end) in the text its source names: "new" is the
    ``new_text`` argument (in analyze: the request part of the body as
    quotes.split returns it, with odd spaces made plain, LF line ends,
    stripped), "quoted" the ``quoted_text`` argument, "subject" the Subject, "signature" the ``signature``;
    text[start:end] is the value as written. A K-bis recognised by an
    attachment's name has source "attachment" and span None. The spans inside
    new_address, new_email and meter_readings are in the text their entry in
    ``spans`` names (the new text, or the quoted text the new one points to).
    """

    fields: dict[str, Any]
    details: dict[str, Any]
    evidence: list[Evidence] = field(default_factory=list)


def extract_all(new_text: str, quoted_text: str, mail: Mail, reference_date: date | None,
                situation: str | None = None, lead_time: bool | str = True, required: tuple[str, ...] = (),
                dated: bool = True, signature: str = "", addressed: bool = True,
                from_files: tuple[str, ...] = ()) -> Extraction:
    """The FORMAT.md fields of one message, their details and spans, and the evidence for each value.
    ``situation`` (the classifier's) says whether a request's values may be in the history it points
    to: a mail about bank details or none of the situations quotes what it doubts, not what it asks.
    ``lead_time``: the request has a notice to meet, so a date with only a weak cue is its effective
    date when nothing competes (dates.effective_date); "day": so is a day, for a request that happens on
    one (situations.toml ``dated_by_day``: a move). ``required``: the fields the situation needs;
    the attachments are read when one is missing or the body points to them. ``dated`` false: the
    request takes effect at no date (situations.toml ``effective_date``), so none is read. A forward that
    passes a mail on ("je vous fais suivre le courrier de notre avocat") comes with that mail in ``new_text``
    (quotes.request). ``signature``: the new text's signature, read for a customer number the rest lacks
    ("Code client Canon : SAL-1172-B" under the name) and, where the situation reads a SIREN in files, for the SIREN of
    a company the body names as the new entity ("… into Stratis Engineering SAS" signed "Stratis Engineering SAS⏎SIREN …"). ``addressed`` false: the request gives no new postal address
    (situations.toml ``new_address``: readings), so none is read: "Adresse d'installation : …" in the request of
    readings it answers, or passes on, is where the machine is (no labelled request of readings gives one).
    ``from_files``: what a file attached may give beyond the required fields (situations.toml ``attached``: a takeover's
    letter, the new entity's SIREN and address)."""
    fields = empty_fields()
    new_text, quoted_text = join_soft_wraps(new_text), join_soft_wraps(quoted_text)
    new = _Reader(new_text, "new text", "new")
    subject = _Reader(mail.subject, "subject", "subject")
    quoted = _Reader(quoted_text, "quoted text", "quoted")

    # Reading policy: the new text, then the subject; the quoted history only for what the new text
    # points to ("le contrat ci-dessous"), or for every field the new text lacks when it sends the
    # reader to the history ("réponses dans votre message ci-dessous", a forward "voir ci-dessous").
    # (not when it says what is below is to be ignored: "Les relevés ci-dessous sont ceux du trimestre précédent, ne
    # pas en tenir compte")
    everything = situation not in NOTHING_TO_TAKE and points_to_history(new_text) \
        and not _IGNORE_BELOW.search(new_text)
    # (the numbers of what the pointer names only: "pour le contrat mentionné ci-dessous", not the machine beside it)
    pointed = _refers_to_quoted(new_text)
    if everything and not (_names_what_is_below(new_text) and all(quoted.identifiers()[name] for name in pointed)):
        pointed = set(IDENTIFIER_FIELDS)  # (a contract named below by its machine only: the machine's number)
    # a short answer to our question ("Le voici : 4413 2208 91") carries on the request below ours: the references the
    # request needs and the answer lacks are read in that history (our question names them too: "… le nouveau numéro
    # de commande pour ce contrat ?"), not a new order (the one our question names, "le n° 26-71032 n'étant valable que
    # jusqu'au 31/01", is the old one), nor what the request merely mentions
    carrying = situation not in NOTHING_TO_TAKE and not everything and carries_on(new_text, quoted_text)
    carried = STABLE_FIELDS.intersection(required) if carrying else frozenset()
    for name in IDENTIFIER_FIELDS:
        for reader in (new, subject, *((quoted,) if name in pointed or name in carried else ())):
            fields[name] = reader.identifier(name)
            if fields[name]:
                if name == "serial_numbers":
                    fields[name] = _without_excepted(new.text, reader, fields[name])
                break
    # every machine named leaves: the mail is about them ("… as the unit is being decommissioned"), unless the
    # history pointed to names one that is concerned, or a file attached lists the machines a request of readings
    # is about ("the Arizona (S/N AZ61-0098) was collected in October" beside a csv of the others)
    def leaving() -> list[str]:  # read (and noted) only when taken
        return next(filter(None, (r.identifier(LEAVING) for r in (
            new, subject, *((quoted,) if "serial_numbers" in pointed else ())))), [])

    # (a file of text: a logo or a scan lists nothing; the files are opened only when the body names no serial)
    if not fields["serial_numbers"] and not (
            "meter_readings" in required and any(not d.unreadable and d.text.strip() for d in of_mail(mail))):
        fields["serial_numbers"] = leaving()
    _short_answer(new, quoted, fields)
    answered = _numbered_answers(new, quoted, fields)
    _pointed_subject(new, subject, fields)
    signed = _Reader(signature, "signature", "signature")
    if not fields["customer_number"] and _signed_customer(signed):  # a labelled customer number is the sender's,
        fields["customer_number"] = signed.identifier("customer_number")  # even under its name
    # the other values: the new text, then the subject ("tout est dans l'objet"), then the history pointed to
    later = (new, subject, quoted) if everything else (new, subject)
    # a mail that asks for no change has no effective date but one said outright ("arrive à échéance le 31/12"
    # in a question about renewal is not one)
    asks_nothing = situation in NOTHING_TO_TAKE
    # a request that takes effect at no date (readings, remote reading: ``dated`` false) has none, whatever dates it cites
    fields["effective_date"] = (next(filter(None, (r.date(reference_date, lead_time, asks_nothing) for r in later)),
                                     None) or _date_below(new, quoted, reference_date, asks_nothing)
                               or ("date" in answered and new.answered_date(reference_date, *answered["date"]))
                               or None) if dated else None
    # nor a new address: the addresses in it are the ones it doubts or where toner goes
    changes = () if asks_nothing else later
    if carrying and "new_address" in required:
        changes = (*changes, quoted)  # where they asked it to go, in their words or ours ("vers votre site de …")
    address = next(filter(None, (r.address() for r in changes)), None) if addressed else None
    if addressed and address is None and "address" in answered:
        address = new.answered_address(*answered["address"])
    address = (new.stated_postcode(address) or address) if address else None  # corrected, here or below
    fields["new_address_postcode"] = address["postcode"] if address else None
    email, email_reader = next(((e, r) for r in changes if (e := r.email(mail.from_addr, mail.from_name))),
                               (None, None))
    fields["new_email"] = email
    fields["siren"] = next(filter(None, (r.siren() for r in later)), None) or (
        signed.siren(new_only=True, elsewhere=new_text) if "siren" in from_files else None)  # the writer's, if new
    fields["kbis"] = new.kbis(mail)
    # the history's readings are the request's only for a request of readings or when the new text points to them:
    # under "la machine mentionnée ci-dessous" asking for remote reading, the reading quoted is the old mail's ("Voir le
    # relevé dans votre message ci-dessous" points to it)
    quoted_readings = "meter_readings" in required or bool(_READINGS_BELOW.search(new_text))
    readings = next(filter(None, (r.readings() for r in later if r is not quoted or quoted_readings)),
                    []) or ([] if asks_nothing else _short_reading(new, quoted))
    fields["meter_readings"] = [r["value"] for r in readings]
    if readings and not fields["serial_numbers"] and not asks_nothing:
        # the machine named leaving, whose last reading this is, or the one our quoted request asked readings for
        fields["serial_numbers"] = leaving() or quoted.asked_machines()

    # attachments are read for what the request needs and the body lacks, or when the body points to them
    wanted = [n for n in required if n in fields and not fields[n]] or (
        "new_address" in required and not fields["new_address_postcode"] and not fields["new_email"])
    # (not a file the body sends as another's example: "Ci-joint, pour exemple, une facture dématérialisée que nous
    # recevons déjà d'un autre fournisseur" — its numbers are that supplier's)
    documents = of_mail(mail) if situation not in NOTHING_TO_TAKE and mail.attachments and (
        wanted or _ENCLOSED.search(new_text)) and not _sends_an_example(new_text) else []
    # a trade-register extract attached is the new entity's (FORMAT.md: kbis): its SIREN over one the body does not
    # call the new entity's (the ceding company's, "a repris le fonds de l'Imprimerie Durand (SIREN …)", a signature's)
    body_siren = fields["siren"]
    if body_siren and "siren" in from_files and not any(r.siren_new for r in later if "siren" in r.spans) \
            and any(_is_register_extract(d.text) for d in documents):
        fields["siren"] = None
    attached = _from_attachments(documents, fields, set(required), reference_date if dated else None, mail,
                                 from_files=frozenset(from_files),
                                 by_day=lead_time == "day",
                                 readings_said=bool(documents) and _readings_said_attached(new_text),
                                 left_out=frozenset(compacted(f.value) for f in new.identifiers()[LEFT_OUT]),
                                 body=new_text)
    if fields["siren"] is None or (body_siren and compacted(fields["siren"]) == compacted(body_siren)):
        fields["siren"] = body_siren  # the extract gives none, or the same number (as the body writes it)
    elif body_siren:
        for reader in later:
            reader.spans.pop("siren", None)  # the extract's, read in the attachment
    if attached is not None and email is None and fields["new_email"]:
        email, email_reader = fields["new_email"], attached
    if attached is not None and readings == [] and fields["meter_readings"]:
        readings = attached.readings_found
    if attached is not None and address is None and attached.address_found:
        address = attached.address_found

    fields["serial_numbers"] = fields["serial_numbers"] or leaving()
    named = _from_names(mail, fields, set(required)) if situation not in NOTHING_TO_TAKE else None
    readers = (new, subject, quoted, signed, *(r for r in (attached, named) if r))
    # each value was read by one of them and kept its span there (a postcode that corrects the address read below
    # is the new text's: it comes first)
    spans = {
        name: next(r.spans[name] for r in readers if name in r.spans) for name, value in fields.items() if value
    }
    details = {
        "new_address": address,
        "new_email": {"address": email, "nominative": email_reader.email_nominative,
                      "span": spans["new_email"]["span"]}
        if email else None,
        "meter_readings": readings,
        "deadline": _deadline(new_text, reference_date),
        "spans": spans,
        "attachments": [{"name": d.name, "kind": d.kind, "read": not d.unreadable, "why": d.unreadable,
                         "places": [where for where, _ in d.pages]} for d in documents],
    }
    return Extraction(fields, details, new.evidence + subject.evidence + quoted.evidence + signed.evidence
                      + (attached.evidence if attached else []) + (named.evidence if named else []))


_ATTACHMENT_FIELDS = ("contract_number", "po_number", "customer_number", "serial_numbers")
_KBIS_CONTENT = re.compile(r"extrait\s+(?:k\s?bis|d.immatriculation)|registre\s+du\s+commerce|greffe\s+du\s+tribunal", re.I)
# a letter that speaks of an extract is none: "Extrait Kbis disponible sur demande après inscription modificative"
_KBIS_NOT_HERE = re.compile(r"sur\s++demande|on\s++request|disponible|available|" + _LATER.pattern, re.I)


def _is_register_extract(text: str) -> bool:
    """Is a document a K-bis by its content: the register's words on a line that does not say it comes later?
    (Each line is read once, however many matches it holds.)"""
    checked = -1  # the end of the last line read
    for m in _KBIS_CONTENT.finditer(text):
        if m.start() < checked:
            continue
        start = text.rfind("\n", 0, m.start()) + 1
        checked = text.find("\n", m.end()) % (len(text) + 1)  # -1 (no line end): the text's end
        if not _KBIS_NOT_HERE.search(text, start, checked):
            return True
    return False


_DENOMINATION = re.compile(r"d[ée]nomination(?:\s+ou\s+raison\s+sociale|\s+sociale)?\s*:?\s*(?P<v>[^\n|]{2,80})",
                           re.I)
# the registered office on a register's extract: "Adresse du siège : …", "Siège : …", "Siège social : …"
_SEAT = re.compile(r"(?:adresse\s++du\s++si[eè]ge(?:\s++social)?+[ \t]*+:?+|(?<!\w)si[eè]ge(?:\s++social)?+[ \t]*+:)"
                   r"[^\n\d]{0,5}+[^\n]{0,80}?\b(?P<postcode>\d{5})\b", re.I)
_UP_TO_DATE = re.compile(r"[àa]\s+jour\s+au\s+(?P<v>\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}\s+\w+\s+\d{4})", re.I)


class _AttachedReader(_Reader):
    """A reader over one attachment's text: its values' spans name the attachment and the place."""

    def __init__(self, document: Any) -> None:
        super().__init__(document.text, f"attachment {document.name}", "attachment")
        self.document = document
        self.readings_found: list[dict[str, Any]] = []
        self.address_found: dict[str, Any] | None = None

    def where(self, start: int, end: int) -> dict[str, Any]:
        return {"text": self.text[start:end], "span": None, "source": "attachment",
                "attachment": self.document.name, "place": self.document.where(start)}

    def order_period(self, reference: date) -> str | None:
        """The first day of the period an order document covers ("Période couverte : du 01/01/2027 au
        31/12/2027", "Période d'exécution : du …"): when the order it carries applies."""
        return self._keyed_date(reference, "the start of the period the order covers", lambda hit: bool(
            _ORDER_PERIOD.search(self.text[max(0, hit.start - 40) : hit.start])))

    def form_day(self, reference: date) -> str | None:
        """The day to come a form's date field gives ("Date souhaitée : 15/03/2027", "Date du transfert | …"; not
        "Date de signature", nor "Fait à Paris, le …", nor "disponible le … pour une visite")."""
        def ahead(hit: DateHit) -> bool:
            return hit.exact and hit.value >= reference

        return self._keyed_date(reference, "the day the form's date field gives", lambda hit: ahead(hit) and (
            _FORM_DAY_KEY.fullmatch(self.text, self.text.rfind("\n", 0, hit.start) + 1, hit.start) is not None),
            lambda hit: ahead(hit) and self._key_line_above(hit.start, hit.end))

    def _key_line_above(self, start: int, end: int) -> bool:
        """Is a date alone on its line, under a key alone on its own that names the move ("Date d'emménagement")?"""
        line_start = self.text.rfind("\n", 0, start) + 1
        if line_start == 0 or self.text[line_start:start].strip() or self.text[end : end + 1] not in ("", "\n"):
            return False
        return _FORM_DAY_LINE.fullmatch(self.text, self.text.rfind("\n", 0, line_start - 1) + 1, line_start - 1) is not None

    def _keyed_date(self, reference: date, why: str, *keys: Callable[[DateHit], bool]) -> str | None:
        """The first date of the document that a key accepts by what stands before it, the first key first ("Date
        souhaitée : …" before a key alone on the line above), noted with its span."""
        hits = find_dates(self.text, reference)
        hit = next((h for keyed in keys for h in hits if keyed(h)), None)
        if hit is None:
            return None
        self.note("effective_date", hit.text, f"{why}, {hit.iso}")
        self.spans["effective_date"] = self.where(hit.start, hit.end)
        return hit.iso

    def note(self, name: str, text: str, detail: str) -> None:
        where = self.document.where(self.text.find(text)) if text in self.text else ""
        place = f"{self.document.name}, {where}" if where else self.document.name
        self.evidence.append(Evidence("extract", name, text, f"{detail} (read in {place})", source="attachment",
                                      place=place))


_OLD_HEADER = re.compile(r"(?<![^\W\d_])(?:ancien\w*+|old|actuel\w*+|current|previous|pr[ée]c[ée]dent\w*+)(?![^\W\d_])")
_NEW_HEADER = re.compile(r"(?<![^\W\d_])(?:nouve\w*+|new|futur\w*+|[àa]\s++utiliser)(?![^\W\d_])")
# The references of a contract and its machines, which a request only repeats (not a new order, address or e-mail)
STABLE_FIELDS = frozenset({"contract_number", "serial_numbers", "customer_number"})
_EXAMPLE = re.compile(r"(?:\bpour|\ben|[àa]\s++titre\s++d['’]\s*+)\s*+exemple|\bas\s++an?\s++(?:example|sample|illustration)"
                      r"|d['’]\s*+un\s++autre\s++fournisseur|\b(?:from|of)\s++another\s++(?:supplier|vendor)"
                      r"|\banother\s++(?:supplier|vendor)['’]s", re.I)


def _sends_an_example(text: str) -> bool:
    """Does a sentence of the new text attach an invoice as an example or another supplier's ("Ci-joint, pour exemple,
    une facture que nous recevons déjà d'un autre fournisseur", "attached, as an example, another supplier's e-invoice";
    not "ayant retenu l'offre d'un autre fournisseur : voir la lettre ci-jointe")?"""
    return any(_EXAMPLE.search(s) and _ENCLOSED.search(s) and _INVOICE_WORD.search(s) for s in _SENTENCES.split(text))


def _from_attachments(documents: list[Any], fields: dict[str, Any], required: set[str],
                      reference: date | None, mail: Mail, readings_said: bool = False,
                      by_day: bool = False, left_out: frozenset[str] = frozenset(),
                      from_files: frozenset[str] = frozenset(), body: str = "") -> _Reader | None:
    """The body comes first: attachments fill only what it left empty of what the request needs (its
    numbers, readings, the K-bis and its SIREN, the new invoice e-mail address of a form filled in; the
    effective date of a request that takes effect at a date, a termination letter's too, when a strong cue says
    it (a move's form, ``by_day``, in a date field: "Date souhaitée : 15/03/2027"); readings only for a request of readings, or when the body says it attaches them: ``readings_said``), each
    value with the attachment and the place it was read (``body``: the new text, which may name a letterhead's company
    as the new entity); ``from_files``: what else the situation reads there (a takeover's
    new SIREN, said to be the new entity's, and its new address); a customer number the request does not need only under a
    label that names a client ("Code client : CL-88412" in a termination letter; a purchase order's "compte" is an
    accounting account). Returns the reader of the attachments whose values were
    taken (one reader's evidence per attachment), or None."""
    kept: _AttachedReader | None = None
    unreadable = [Evidence("attachment", "unreadable", d.name, d.unreadable) for d in documents if d.unreadable]
    for document in (d for d in documents if not d.unreadable):
        reader = _AttachedReader(document)
        took = False
        for name in _ATTACHMENT_FIELDS:  # a customer number the request does not need only under a client label
            if not fields[name]:  # (the body's "seule exception : … (n° X)" holds)
                if name == "po_number" and _INVOICE_NAME.search(document.name) and not _ORDER_NAME.search(document.name):
                    continue  # an invoice bills an order gone by: its "Commande n° …" is not the request's (not
                    # "BC_2027_a_reporter_sur_factures.pdf", an order)
                # an invoice attached for its references may be another supplier's; an order's "n° client" may be the
                # buyer's code for its supplier: there, only a number its label says is ours ("N° client Canon : …")
                unneeded = name == "customer_number" and name not in required
                theirs = unneeded and _NOT_OWN_CUSTOMER.search(document.name) is not None
                fields[name] = reader.identifier(name, left_out, named=unneeded and not theirs, at_canon=theirs)
                took = took or bool(fields[name])
        if reference is not None and not fields["effective_date"] and not _INVOICE_NAME.search(document.name):
            # an invoice attached for its references bills a period gone by: its dates are not the request's
            # a move's form gives its day in a date field ("Date souhaitée : 15/03/2027"; ``by_day``)
            found = reader.date(reference, weak=False, strong_only=True) or (
                reader.order_period(reference) if "po_number" in reader.spans else None) or (
                reader.form_day(reference) if by_day else None)
            # a copy of an old contract or order says when it started: years gone by are not the request's date
            fields["effective_date"] = found if found and date.fromisoformat(found) >= reference - _OLD_DOCUMENT else None
            took = took or bool(fields["effective_date"])
        if "new_address" in required | from_files and not fields["new_address_postcode"] and not fields["new_email"]:
            reader.address_found = reader.address()
            fields["new_address_postcode"] = reader.address_found["postcode"] if reader.address_found else None
            took = took or bool(fields["new_address_postcode"])
        if {"new_email", "new_address"} & required and not fields["new_email"] and (
                not fields["new_address_postcode"] or reader.address_found):
            # "Adresse e-mail de réception des factures (non nominative) : fournisseurs@…" on the form attached; a
            # letter that gives the new postal address may give the e-mail box beside it
            fields["new_email"] = reader.email(mail.from_addr, mail.from_name)
            took = took or bool(fields["new_email"])
        if not fields["meter_readings"] and ("meter_readings" in required or readings_said) \
                and not INVOICE_DOCUMENT.search(document.name):
            # readings only for a request of readings, and not an invoice's: a purchase order's or an invoice's
            # counters are what was ordered or billed
            reader.readings_found = reader.readings()
            fields["meter_readings"] = [r["value"] for r in reader.readings_found]
            took = took or bool(fields["meter_readings"])
        register = _is_register_extract(document.text)
        if "siren" in from_files and not fields["siren"] and not register:
            fields["siren"] = reader.siren(new_only=True, elsewhere=body)  # a letterhead's may be the ceding
            # company's: only one the letter or the body names as the new entity
            took = took or bool(fields["siren"])
        if register:
            if not fields["kbis"]:
                fields["kbis"] = True
                reader.note("kbis", document.name, "an extract of the trade register, by its content")
                reader.spans["kbis"] = {"text": document.name, "span": None, "source": "attachment",
                                        "attachment": document.name, "place": document.where(0)}
                took = True
            for pattern, what in ((_DENOMINATION, "denomination"), (_UP_TO_DATE, "up_to_date")):
                m = pattern.search(document.text)
                if m:
                    reader.evidence.append(Evidence("kbis", what, m.group("v").strip(), f"in {document.name}",
                                                    source="attachment"))
            if not fields["siren"]:
                fields["siren"] = reader.siren()
                took = took or bool(fields["siren"])
            seat = _SEAT.search(document.text)
            if seat and not fields["new_address_postcode"]:  # the new entity's registered office
                fields["new_address_postcode"] = seat.group("postcode")
                reader.note("new_address_postcode", seat.group(0).strip(), "the registered office on the K-bis")
                reader.spans["new_address_postcode"] = {"text": seat.group("postcode"), "span": None,
                                                        "source": "attachment", "attachment": document.name,
                                                        "place": document.where(seat.start())}
                took = True
        if took and kept is None:
            kept = reader
        elif took and kept is not None:
            kept.evidence += reader.evidence
            kept.spans.update({k: v for k, v in reader.spans.items() if k not in kept.spans})
            if reader.email_nominative is not None:  # the one attachment the e-mail address was read in
                kept.email_nominative = reader.email_nominative
    if unreadable:
        kept = kept or _AttachedReader(documents[0])
        kept.evidence += unreadable
    return kept


def _named_a_client(found: Found) -> bool:
    """Is the value right after a label that names a client ("code client", "N° client")? Not "compte" (an accounting
    account), nor "Service clients" (a hotline), nor two words after "Client :"."""
    if found.label is None or found.label[1]:
        return False
    words = found.label[0].split()
    words = words[:-1] if words and words[-1] in ("n", "no", "number") else words
    return bool(words) and words[-1] in ("client", "customer")


def _named_at_canon(found: Found) -> bool:
    """Is the value right after a label that says it is the number at Canon ("N° client Canon", "compte Canon")?"""
    return found.label is not None and not found.label[1] and "canon" in found.label[0].split()


_NAME_SEPARATORS = re.compile(r"[_+]++")
_NOT_ALNUM = re.compile(r"[\W_]++")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def _letters_and_digits(value: str) -> str:
    """A number without its separators: "C2027/0561" and "C2027-0561" are one."""
    return _NOT_ALNUM.sub("", value)


# the digits of a number in a file's name that is no reference: three at most, or four led by a 0 or a year's 19–21
_SHORT_NAMED = re.compile(r"\d{0,3}|0\d{3}|(?:19|20|21)\d{2}")


def _from_names(mail: Mail, fields: dict[str, Any], required: set[str]) -> _Reader | None:
    """The numbers the request needs and neither the body nor the attachments' texts gave, read in the
    attachments' file names when a label there names them ("BC_4500786612_Canon_2027.pdf": a scan, or a PDF
    with no text), but not the numbers the rest named for another field; the reader of the first name that
    gives one, or None."""
    wanted = [name for name in _ATTACHMENT_FIELDS if name in required and not fields[name]]
    if not wanted:
        return None
    named = frozenset(_letters_and_digits(fields[name]) for name in _ATTACHMENT_FIELDS
                      if isinstance(fields[name], str) and fields[name])
    for attachment in mail.attachments:
        name = (attachment.get("filename") or "")[:200]  # a name is short; a hostile one is cut
        # a word before the name: its first label ("BDC LYON-2027-0118") labels the value, as in a sentence,
        # instead of starting it as after a colon
        text = "fichier " + _NAME_SEPARATORS.sub(" ", _EXTENSION.sub("", name))
        reader = _AttachedReader(Document(name, "name", [("nom du fichier", text)]))
        for field_name in wanted:
            value = reader.identifier(field_name, besides=named)
            if isinstance(value, str) and _SHORT_NAMED.fullmatch("".join(_DIGIT.findall(value))):
                # a short number in a name is a page, a day or a version more than a reference ("Scan_BC_0901.pdf",
                # "EJ_2100_signe.pdf"); "BC_4512.pdf" is an order
                value = None
                reader.spans.pop(field_name, None)
                reader.evidence = [e for e in reader.evidence if e.name != field_name]
            fields[field_name] = value
        if any(fields[field_name] for field_name in wanted):
            return reader
    return None


def extract(
    new_text: str, quoted_text: str, mail: Mail, reference_date: date | None
) -> tuple[dict[str, Any], list[Evidence]]:
    """The FORMAT.md fields of one message and the evidence for each value found (``extract_all`` without details)."""
    result = extract_all(new_text, quoted_text, mail, reference_date)
    return result.fields, result.evidence
