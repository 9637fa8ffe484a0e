"""Split a message body into what the customer wrote now, the quoted history and the signature.

Customers reply above our own mails, which carry contract numbers, dates and
addresses that are not theirs; signatures carry SIRETs, postcodes and phone
numbers. Only the new part is the request. Library splitters miss French
headers, wrapped "a écrit :" lines and forwards (reference/text-stack-
measurements.md §3), so these are our own rules. The quoted part is kept as a
lower-priority source: a forward often holds the real request.

Its size: the split, the reading policy that says when the history is the customer's own words (a short answer
to our question, a pointer below, answers written inside our mail) and whether the body says anything at all
(a "Voir PJ" and a signature) read the same markers (greetings, closings, headers, quote marks); apart, each would
repeat them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from mailbot.read.htmltext import fold, normalize_spaces
from mailbot.read.rules import default_rules


@dataclass
class Parts:
    """A body split in three; ``forwarded`` when the history is a forwarded message."""

    new: str
    quoted: str = ""
    signature: str = ""
    forwarded: bool = False
    earlier: str = ""  # the customer's own request under our question, which a short answer points to

    @cached_property
    def request(self) -> Parts:
        """Where the request is (``request()``), worked out once for the classifier, the model and
        the extractors, which all read it."""
        return _find_request(self)


_FORWARD_SEPARATOR = re.compile(
    r"^[\s>*_-]*(?:Message transf[ée]r[ée]|Forwarded message|D[ée]but du message r[ée]exp[ée]di[ée]"
    r"|Begin forwarded message|Message transmis)\b.*$",
    re.I,
)
_REPLY_SEPARATOR = re.compile(
    r"^[\s>*]*(?:-{2,}\s*(?:Message d'origine|Original Message|Mail original|Message original)\s*-{2,}"
    r"|_{10,}|-{10,})\s*$",
    re.I,
)
_FROM_WORDS = r"De|From|Exp[ée]diteur"
_NEXT_WORDS = r"Envoy[ée]|Sent|Date|[ÀA]|To|Objet|Subject|Sujet|Pour|Cc|Destinataire"  # ("Sujet :": Thunderbird's forward)
# Header lines ("De : …", "** Objet ** :"). Runs of blanks and stars are taken whole (possessive: what
# follows a run never starts with one of its characters), so a line of blanks is not split every way.
_HEADER_FROM = re.compile(rf"^[\s>*]*+(?:{_FROM_WORDS})\s*+\**+\s*+:\**\s*+\S", re.I)
_HEADER_NEXT = re.compile(rf"^[\s>*]*+(?:{_NEXT_WORDS})\s*+(?:le\s*+)?\**+\s*+:", re.I)
HEADER_LINE = re.compile(rf"^[\s*]*+(?:{_FROM_WORDS}|{_NEXT_WORDS})\s*+\**+\s*+:", re.I)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*+\n")  # a blank line: where a paragraph ends, for every reader
ANSWER_MARKS = " \t>=-–—→*•·"  # what may stand before an answer or a heading on its line: ">> 4B 118 022", "- Site :"
_WROTE_START = re.compile(r"^[\s>]*(?:Le|On|El|Am)\s", re.I)
_WROTE_END = re.compile(r"(?:a\s+[ée]crit|wrote|[ée]crit)\s*:\s*$", re.I)
_SIGNATURE_DASHES = re.compile(r"^--\s*$")
_LOWER_WORD = re.compile(r"(?<![^\s(])[a-zà-ÿ][^\W\d_]*+")
SIGNATURE_LINES = 8     # a signature without a closing formula, after "Voir PJ", is at most this long
_LINKING_WORDS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "et", "à", "au", "aux", "en", "sur", "sous"})
_CLOSING = re.compile(  # the blanks around the formula are taken whole, as in the header lines
    r"^\s*+(?:(?:Bien|Tr[èe]s|Tr[èe]s bien)\s+cordialement|Cordialement|Cdlt|Cdt|Cdlmt|Bien [àa] (?:vous|toi)"
    r"|Sinc[èe]res salutations|Salutations(?:\s+distingu[ée]es)?|Meilleures salutations"
    r"|Veuillez agr[ée]er\b.*|Je vous prie d'agr[ée]er\b.*|Dans l'attente de votre retour"
    r"|(?:Je |Nous )?(?:reste|restons|restant)\s+[àa]\s+votre\s+(?:enti[èe]re\s+)?disposition"
    r"|En vous remerciant(?: par avance| d'avance| de votre aide)?|Avec mes remerciements|Bonne r[ée]ception"
    r"|(?:Best|Kind|Warm)?\s*regards|Best wishes|Sincerely(?: yours)?|Yours (?:sincerely|faithfully)"
    r"|Thanks(?: and regards| in advance)?|Thank you(?: in advance)?|Many thanks"
    r"|Merci(?: d'avance| par avance| beaucoup| pour votre aide)?"
    r"|Bonne (?:fin de )?journ[ée]e|Belle journ[ée]e|Bonne soir[ée]e"
    r"|Envoy[ée] (?:de|depuis) mon (?:iPhone|iPad|smartphone|mobile|t[ée]l[ée]phone).*"
    r"|Envoy[ée] [àa] partir de (?:Outlook|Gmail|Yahoo|Mail|mon)\b.*"
    r"|Sent from my \w+.*)"
    r"\s*+[,.!]*+\s*+$",
    re.I,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:re\s*:\s*)*(?:tr|fwd?|wg)\s*:", re.I)
SHORT_NEW_WORDS = 12  # a forward with fewer words of its own is passing on someone else's request
SHORT_ANSWERING_WORDS = 30  # a reply whose answers are below, or a forward passing a request on, may say more
# "réponses dans le texte", "j'ai noté les chiffres sous chaque ligne", "figures under each line of your message"
_ANSWERS = re.compile(r"\br[ée]ponses?\b|\banswers?\b|\binline\b|\bcompl[ée]t[ée]|\bsous\s++chaque\s++ligne"
                      r"|\bunder\s++each\s++line", re.I)
_DIGIT = re.compile(r"\d")
_CLAUSE_END = re.compile(r"[,;.!?](?:\s|$)")
_DESCRIBED = re.compile(r"(?<![^\W\d_])(?:indiqu|mentionn|pr[ée]cis|cit|figur|d[ée]cri|rappel|demand|sollicit|stated|mentioned"
                        r"|indicated|shown|given|listed|requested|asked)\w*+[ \t]++$", re.I)
POINTS_BELOW = re.compile(  # the new text sends the reader to the history (blanks taken whole)
    r"ci-dessous|ci-apr[èe]s|plus bas|en dessous|\bbelow\b|underneath|dans\s++(?:votre|le|ton|mon)\s++"
    r"(?:message|mail|e-mail|courriel|texte)|in\s++your\s++(?:message|e-?mail)|\binline\b|r[ée]ponses?\s++(?:en|dans)"
    r"|\bsous\s++(?:vos|chaque|les|tes|votre)\s++(?:questions?|points?|lignes?|rubriques?)"
    r"|under\s++(?:each|your)\s++(?:questions?|lines?)"
    # "Petite erreur dans mon précédent message : …", "my previous e-mail": the one quoted below; "les informations de
    # mon premier message restent valables", "ma première demande"
    r"|\b(?:mon|notre|my|our)\s++(?:pr[ée]c[ée]dent|dernier|previous|last|earlier)\s++(?:message|mail|e-?mail|courriel)"
    # (the first one only as where something is: "ceci est mon premier message à votre service" points nowhere)
    r"|\b(?:de|dans|in|of|from)\s++(?:mon|notre|my|our)\s++(?:premier|first|original|initial)\s++"
    r"(?:message|mail|e-?mail|courriel|request)"
    r"|\b(?:de|dans|in|of|from)\s++(?:ma|notre)\s++(?:premi[èe]re|pr[ée]c[ée]dente|derni[èe]re)\s++(?:demande|requ[êe]te)"
    # "Le numéro de contrat est bien celui de votre message": the value our message quoted below gives
    r"|(?<!pas )\b(?:celui|celle|ceux|celles)\s++(?:de|du|indiqu[ée]e?s?\s++dans)\s++(?:votre|ton)\s++(?:message|mail|e-mail|courriel)",
    re.I,
)
# A forward's own words that pass the mail on: its request is the forwarded one
_PASSING_ON = re.compile(r"transf[eèé]r|fais\s++suivre|faire\s++suivre|\bforward|pour\s++(?:traitement|action|suite)"
                         r"|pour\s++(?:information|info|mise\s++[àa]\s++jour)\b|\bfyi\b|for\s++your\s++(?:information|records)"
                         r"|please\s++(?:handle|process)|can\s++you\s++handle"
                         # "merci de bien vouloir traiter la demande de notre directeur ci-dessous"
                         r"|\btraiter\s++(?:la|cette|sa|leur|notre)\s++demande"
                         # "merci de prendre en compte la note ci-dessous", "please take note of the below"
                         r"|prendre\s++en\s++compte|tenir\s++compte|take\s++(?:note|into\s++account)", re.I)
_NAME_LINE = re.compile(  # a name has no digit: "Contrat CW-2024-1187." is no signature's first line
    r"^\s*[A-ZÀ-Ý](?:[^\W\d_]|['’.-])+(?:\s+(?:(?:de|du|des|la|le|van|von|d'|l')\s*)?[A-ZÀ-Ý](?:[^\W\d_]|['’.-])+){0,3}\s*$"
)
_SENTENCE_END = re.compile(r"[.?!)]\s*$")


def closing_line(line: str) -> bool:
    """Is this line a closing formula ("Cordialement,", "Kind regards")? What follows it is a signature."""
    return bool(_CLOSING.match(line))


def _wrote_header_at(lines: list[str], i: int) -> int:
    """Number of lines (1-3) of a "Le … a écrit :" / "On … wrote:" header starting at i, else 0."""
    if not _WROTE_START.match(lines[i]):
        return 0
    joined = ""
    for span in range(1, 4):
        if i + span > len(lines):
            break
        joined = (joined + " " + lines[i + span - 1].strip()).strip()
        if _WROTE_END.search(joined) and re.search(r"\d", joined):
            return span
        if not lines[i + span - 1].strip():
            break
    return 0


def _is_outlook_header(lines: list[str], i: int) -> bool:
    """A "De : …" line followed within 3 lines by "Envoyé :", "À :", "Objet :" and so on."""
    if not _HEADER_FROM.match(lines[i]):
        return False
    return any(_HEADER_NEXT.match(line) for line in lines[i + 1 : i + 4])


def _cut(lines: list[str]) -> tuple[int, bool]:
    """Index of the first line of quoted history (len(lines) if none), and whether it is a forward."""
    for i, line in enumerate(lines):
        if _FORWARD_SEPARATOR.match(line):
            return i, True
        if _REPLY_SEPARATOR.match(line) or _is_outlook_header(lines, i) or _wrote_header_at(lines, i):
            return i, False
        if line.lstrip().startswith(">"):
            return i, False
    return len(lines), False


def _signature_start(lines: list[str]) -> int:
    """Index where the signature starts; len(lines) if none.

    Either a closing formula or "--" line after some content, or, for people
    who sign without a formula, a short name-like line right after the last
    finished sentence that opens a block of at most eight short lines.
    """
    seen_content = False
    for i, line in enumerate(lines):
        if seen_content and (_SIGNATURE_DASHES.match(line) or _CLOSING.match(line)):
            return i
        seen_content = seen_content or bool(line.strip())
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for pos in range(max(1, len(filled) - 8), len(filled)):
        i, tail = filled[pos], filled[pos:]
        if (
            _NAME_LINE.match(lines[i])
            and _SENTENCE_END.search(lines[filled[pos - 1]])
            and all(len(lines[j].strip()) <= 70 for j in tail)
            and not any(lines[j].rstrip().endswith("?") for j in tail)  # a signature asks nothing
        ):
            return i
    return len(lines)




def unquote(text: str) -> str:
    """Quoted history without its leading ">" markers."""
    return "\n".join(re.sub(r"^(?:\s*>)+ ?", "", line) for line in text.split("\n"))


def split(text: str, subject: str = "") -> Parts:
    """Cut the body at the earliest quote marker, then the new part at its signature."""
    lines = normalize_spaces(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut, forwarded = _cut(lines)
    head, history = lines[:cut], lines[cut:]
    sig = _signature_start(head)
    return Parts(
        new="\n".join(head[:sig]).strip(),
        quoted=unquote("\n".join(history).strip()),
        signature="\n".join(head[sig:]).strip(),
        forwarded=forwarded or bool(history and _FORWARD_SUBJECT.match(subject)),
    )


def _passes_on(parts: Parts) -> bool:
    """Does the new text pass a forwarded mail on ("je vous fais suivre le courrier de notre avocat")?
    Then that mail is the request's content, whatever the length of the new text."""
    return parts.forwarded and bool(_PASSING_ON.search(parts.new))


def request(parts: Parts) -> Parts:
    """Where the request is: the new text; or, for a bare forward, the new text followed by the
    forwarded message's own new part; or, for a short reply that sends the reader to the history
    ("Réponses dans votre message ci-dessous"), the new text followed by the history it answers
    inside. What the customer wrote now is never dropped: it comes first."""
    return parts.request


ANSWER_WORDS = 12  # a new text this short, under a request that asked for one number, answers it
QUESTION_CHARS = 1500  # the top of the quoted history: the request being answered
_SENTENCE_WORDS = re.compile(r"[^\W\d_]{3,}")  # a word of letters: the first paragraph says something, not only a value
_GREETING_WORDS = r"bonjour|bonsoir|madame|monsieur|dear|hello|hi|good\s++(?:morning|afternoon)"
_GREETING = re.compile(  # greetings and whom they greet, each up to its comma ("Madame, Monsieur,"): what is after is read
    rf"(?:^(?:\s*+(?:{_GREETING_WORDS}|mesdames|messieurs)\b[^,\n]*+,?)++)?", re.I)
GREETING_LINE = re.compile(rf"^\s*+(?:{_GREETING_WORDS})\b[^\n]*+\n", re.I)


# "Voir PJ.", "ci-joint le relevé du mois", "Please find attached.", "Veuillez trouver en pièce jointe le courrier de
# notre Directeur Administratif et Financier concernant vos factures." (words after, no number)
_SEE_ATTACHED = re.compile(
    r"^\s*+(?:(?:voir|cf\.?|c\.f\.|veuillez\s++trouver|vous\s++trouverez|please\s++find|see|find)\s*+)?"
    r"(?:ci-jointe?s?|ci\s++joint|(?:en\s++)?pi[èe]ces?\s++jointes?|(?:en\s++|la\s++|les\s++)?p\.?\s?j\.?|attached|enclosed)"
    # (a clause of its own says more: "la facture que nous contestons", "the invoice we dispute as …")
    r"(?:\s++(?!(?:que|qu|qui|dont|car|parce|because|as|which|that|we|nous|is|est|sont|are|was)\b|contest|disput)"
    # (an abbreviation's full stop goes on: "le courrier de M. le Maire")
    r"[^\W\d_]++(?:['’][^\W\d_]++|\.(?=[ \t]))?){0,14}[\s.,!:]*+",
    re.I,
)


def says_nothing(new: str) -> bool:
    """Nothing but a greeting, a "voir PJ" and a closing or a signature ("-- ⏎Karim Belhadj⏎…",
    "Cordialement⏎Services techniques…", "Bonjour,⏎Voir PJ.⏎Cordialement"): what the mail sends is attached."""
    lines = [line for line in new.split("\n") if line.strip()]
    attached = False
    for at, line in enumerate(lines):
        line = line[_GREETING.match(line).end():]  # "Bonjour, la facture jointe est fausse." says something after it
        if not line.strip():
            continue
        if _SEE_ATTACHED.fullmatch(line):
            attached = True
            continue
        return bool(_SIGNATURE_DASHES.match(line) or _CLOSING.match(line)) or (attached and _signs_only(lines[at:]))
    return True


def _signs_only(lines: list[str]) -> bool:
    """Are the lines after a "Cf PJ" a signature without a formula ("BET Lacroix Ingénierie - 64100 Bayonne",
    "Service Achats⏎Tél. 02 96 44 18 20"): a few short lines of names (capitalised words), numbers and at most one
    lowercase word beside a number ("12 rue des Lilas"), none ending as a sentence nor naming an action ("A résilier
    au 31/12", "Merci de mettre à jour le contrat")?"""
    def signs(line: str) -> bool:
        lower = [w for w in _LOWER_WORD.findall(line) if w not in _LINKING_WORDS]
        return (len(line.strip()) <= 70 and not line.rstrip().endswith((".", "?", "!"))
                and len(lower) <= (1 if _DIGIT.search(line) else 0) and not any(w.endswith(("er", "ez")) for w in lower))
    return len(lines) <= SIGNATURE_LINES and all(signs(line) for line in lines)


def _bare_answer(new: str, quoted: str) -> bool:
    """Is the new text a short answer to our question ("Le voici : 4413 2208 91", "Le n° de série est le 41219056"), not
    a request of its own that the customer's message below ours (or, with none, our question) does not make
    ("Finalement nous préférons résilier le contrat 21-0877 au 31/12/2027" under their move)?"""
    return bool(answered_question(new, quoted)) and not _own_request(new, _request_under_ours(quoted)
                                                                      or top_question(quoted))


def _request_under_ours(quoted: str) -> str:
    """The own words of the message quoted under ours: the customer's request our question is about."""
    return split(below_headers(split(below_headers(quoted)).quoted)).new


def _own_request(new: str, below: str) -> bool:
    """Does the new text name, with a keyword strong enough alone (min_score), a situation none of whose keywords the
    request below names?"""
    rules = default_rules()  # the shipped situations file's keywords
    own, below = fold(new), fold(below)
    named = [situation for situation in rules.situations.values() if situation.id != "other" and any(
        keyword.weight >= rules.min_score and keyword.folded.search(own) for keyword in situation.keywords)]
    return any(not any(keyword.weight > 0 and keyword.folded.search(below) for keyword in situation.keywords)
               for situation in named)


def own_words(new: str) -> int:
    """The words of a new text, its greeting line aside ("Bonjour Madame Aubert,") and, when its first
    paragraph has no sentence, what follows it (a signature split misses: "9470 334 812⏎⏎Y. Le Bihan⏎Armor
    Plans – 02 96 …"): how short an answer is."""
    text = GREETING_LINE.sub("", new, count=1).strip()
    first = PARAGRAPH_BREAK.split(text, maxsplit=1)[0]
    return len((first if not _SENTENCE_WORDS.search(first) else text).split())


def top_question(quoted: str) -> str:
    """The request at the top of a quoted history: its own words below the header lines, without its
    signature (QUESTION_CHARS at most)."""
    return split(below_headers(quoted)[:QUESTION_CHARS]).new


@lru_cache(maxsize=8)
def answered_question(new: str, quoted: str) -> str:
    """The question a short answer replies to ("5830-0912-774" under our "le numéro de série du matériel à
    connecter ?"): the top of the quoted history without its header lines and signature, when the new
    text has ANSWER_WORDS words or fewer (its greeting aside) and a number of four digits or more; else "".
    The question names the field the answer fills and the situation it belongs to."""
    if not quoted or own_words(new) > ANSWER_WORDS or sum(c.isdigit() for c in new) < 4:
        return ""
    return top_question(quoted)


def below_headers(quoted: str) -> str:
    """The quoted message without the header lines it starts with ("De : … Objet : …", "Le … a écrit :",
    separators): its own words, where a question is asked or a request made."""
    lines = quoted.split("\n")
    return "\n".join(lines[_headers_end(lines):])


def _headers_end(lines: list[str]) -> int:
    start = 0
    while start < len(lines) and (
        not lines[start].strip() or HEADER_LINE.match(lines[start]) or _FORWARD_SEPARATOR.match(lines[start])
        or _REPLY_SEPARATOR.match(lines[start]) or _wrote_header_at(lines, start)
    ):
        start += _wrote_header_at(lines, start) or 1
    return start


OUR_DOMAINS = re.compile(r"(?:^|\.)(?:canon|oce)\.[a-z.]+$", re.I)  # an address of ours, or of our colleagues
_ADDRESS_DOMAIN = re.compile(r"@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_RECIPIENT_LINE = re.compile(r"^[\s>*]*+(?:[ÀA]|To|Cc|Destinataire|Pour)\s*+\**+\s*+:", re.I)


def _sent_by_us(quoted: str) -> bool:
    """Is the top quoted message ours: an address of ours in its header lines, recipients aside ("De : Claire
    Bonnafous <claire.bonnafous@cf.canon.fr>", "Le …, Julien <j@cf.canon.fr> a écrit :")?"""
    lines = quoted.split("\n")
    return any(OUR_DOMAINS.search(domain) for line in lines[:_headers_end(lines)] if not _RECIPIENT_LINE.match(line)
               for domain in _ADDRESS_DOMAIN.findall(line))


# the new text sends the reader to the customer's own earlier message: "tout est dans mon message ci-dessous"
_OWN_EARLIER = re.compile(r"\b(?:mon|ma|notre|my|our)\s++(?:\w+\s++)?(?:message|mail|e-mail|email|courriel|demande"
                          r"|request)\b|\bque\s++(?:je|nous)\s++vous\s++(?:ai|avons)\s++(?:envoy|transmis|communiqu)"
                          r"|\b(?:I|we)\s++(?:have\s++)?(?:sent|gave|provided)\b", re.I)


def _their_request_under_ours(parts: Parts) -> Parts | None:
    """A short answer to our question that sends the reader to the customer's own message below it ("Le voici :
    9830014572. Pour le reste, tout est dans mon message ci-dessous"): the parts as they are, with that message's
    own words as ``earlier`` (what the request is about); the answer stays the new text, read first (it supersedes
    what it answers: "voici l'adresse générique"), and the history stays whole, our question on top."""
    if len(parts.new.split()) >= SHORT_ANSWERING_WORDS or not _sent_by_us(parts.quoted):
        return None
    return _with_earlier(parts, _request_under_ours(parts.quoted))


def carries_on(new: str, quoted: str) -> bool:
    """Is the new text a bare answer to our question quoted below it, which carries on the request under ours?"""
    return _bare_answer(new, quoted) and _sent_by_us(quoted)


def _their_own_follow_up(parts: Parts) -> Parts:
    """A short follow-up to the customer's own message, quoted right below ("All other details remain as stated in
    my e-mail below"): the parts with that message's words as ``earlier``, as under our question; else the parts."""
    if len(parts.new.split()) >= SHORT_ANSWERING_WORDS or not _OWN_EARLIER.search(parts.new) \
            or _sent_by_us(parts.quoted):
        return parts
    return _with_earlier(parts, split(below_headers(parts.quoted)).new) or parts


def _with_earlier(parts: Parts, earlier: str) -> Parts | None:
    if not earlier.strip():
        return None
    return Parts(new=parts.new, quoted=parts.quoted, signature=parts.signature, forwarded=parts.forwarded,
                 earlier=earlier)


def points_to_history(new: str) -> bool:
    """Does the new text send the reader to the history below it: a POINTS_BELOW phrase, but not one whose line
    introduces values written right under it in the new text itself ("Ci-dessous nos compteurs au 28/12 :⏎⏎PlotWave
    345 – n° 3450-552901⏎   cpt N&B : 1 024 553": the list below is the customer's own)?"""
    for match in POINTS_BELOW.finditer(new):
        line_end = new.find("\n", match.end())
        # (its own clause ends with the colon: not "la période indiquée dans votre message ci-dessous, notre bon de
        # commande est le :⏎27-88415")
        # (nor "pour la période indiquée ci-dessous :⏎BC-26-8120": what the history says, named in passing)
        if line_end < 0 or not new[match.end() : line_end].rstrip().endswith(":") \
                or _CLAUSE_END.search(new, match.end() + new.startswith(",", match.end()), line_end) \
                or _DESCRIBED.search(new, max(0, match.start() - 30), match.start()):
            return True
        following = next((line for line in new[line_end:].split("\n") if line.strip()), "")
        if not _DIGIT.search(following):
            return True
    return False


def _find_request(parts: Parts) -> Parts:
    pointing = points_to_history(parts.new)
    # a short answer to our question, pointing below or not ("Le voici : 4413 2208 91" under "… le numéro de série du
    # traceur concerné ?" under their "souhaitons résilier le contrat du traceur"): about the request it answers for
    theirs = _their_request_under_ours(parts) if (pointing and _OWN_EARLIER.search(parts.new)) \
        or _bare_answer(parts.new, parts.quoted) else None
    if theirs is not None:
        return theirs
    answering = pointing and bool(_ANSWERS.search(parts.new))
    passing = _passes_on(parts)  # "je vous transfère…, voir ci-dessous"
    if not (parts.forwarded or pointing) or (not passing and len(parts.new.split()) >= (
            SHORT_ANSWERING_WORDS if answering else SHORT_NEW_WORDS)):
        # a forward passing the mail on ("je vous transfère la demande ci-dessous") reads it, however long
        return _their_own_follow_up(parts) if pointing else parts
    inner = split(below_headers(parts.quoted))
    if not inner.new.strip():
        return parts
    own = parts.new.strip()
    # the signatures of both, the customer's first: the one who passes the mail on signs for the customer too ("N°
    # client Canon : …" of its accounts department), but a distributor's own number comes after the customer's
    return Parts(new=f"{own}\n\n{inner.new}" if own else inner.new, quoted=inner.quoted,
                 signature="\n\n".join(s for s in (inner.signature, parts.signature.strip()) if s), forwarded=True)
