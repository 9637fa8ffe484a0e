"""The identifiers and values a request needs, read from the customer's new text.

Regular expressions on the raw text plus validators (reference/text-stack-
measurements.md §1, §6: NER mislabels IDs and tokenizers split them). Each
field has a label rule ("n° client", "nouveau numéro de commande") and, where
the number has a known shape (CT-…, PW345-…), a shape rule. Old values ("ancien",
"remplace"), signatures, phone numbers, invoice numbers and the quoted history
are not taken; the quoted part is read only for a number the customer points
to ("le contrat ci-dessous"). Every value comes with the text it was read from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from stdnum import iban as stdnum_iban
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from .analysis import Evidence, empty_fields
from .dates import effective_date
from .htmltext import fold
from .mime import Mail

# An identifier: letters and digits joined by "-" or "/", with at least one digit.
_TOKEN = re.compile(r"(?<![\w/-])(?=[\w/-]*\d)[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*(?![\w-]|/\w)")
_SENTENCE_END = re.compile(r"\n|[.;!?](?:\s|$)")
_SENTENCE_GAP = re.compile(r"[.;!?]?\s*")
_OLD = re.compile(
    r"\bancien|pr[ée]c[ée]dent|\bactuel|\bold\b|\bprevious|\bcurrent|remplac|replac|au lieu d|instead of"
    r"|jusqu'[àa] pr[ée]sent|ne (?:doit|doivent) plus|n'est plus|no longer",
    re.I,
)
_NEW_BY = re.compile(
    r"(?:\bpar|\bby|\bnouveau|\bnouvelle|\bnew)\s*(?:le\s+|la\s+|l'|the\s+)?(?:\w+\s+){0,3}:?\s*$", re.I
)

_CONTRACT_SHAPE = re.compile(r"(?<![\w-])CT[- ]?\d{4}[- ]\d{3,6}(?![\w-])", re.I)
_CONTRACT_LABEL = re.compile(
    r"\bcontra[ct]t?s?\b(?:\s+(?:de\s+(?:maintenance|location|service|services)|cadre|canon))?"
    r"\s*(?:n°|n[o°º]\.?|num(?:[ée]ro)?\.?|number|nr\.?|#|r[ée]f(?:[ée]rence)?\.?)?\s*:?\s*"
    r"|(?:n°|n[o°º]\.?|num[ée]ro|number|r[ée]f[ée]rence)\s*(?:de\s+|du\s+|of\s+(?:the\s+|your\s+|our\s+)?)?"
    r"contra[ct]t\s*(?:canon\s*)?:?\s*",
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

_NOT_AN_ORDER = re.compile(  # the label just before an identifier says it is something else
    r"(?:\bcontra[ct]t?|s[ée]rie|factur\w*|invoice|client|t[ée]l[ée]?phone|t[ée]l\.?)"
    r"\s*(?:n°|n[o°]\.?)?\s*:?\s*$",
    re.I,
)

_SERIAL_SHAPES = (
    re.compile(r"(?<![\w-])[A-Z]{2}\d{3,4}-\d{6,7}(?![\w-])"),  # model prefix: PW345-0061287
    re.compile(r"(?<![\w-])\d[A-Z] ?\d{6}(?![\w-])"),  # Océ 8 characters: 3Y051902, "3Y 064219"
)
_SERIAL_LABEL = re.compile(
    r"(?:n°|n[o°º]\.?|num[ée]ros?)\s*(?:de\s+)?s[ée]rie\s*(?:canon\s*)?:?\s*|serial\s*(?:number|no\.?|#)?\s*:?\s*"
    r"|\bs/n\s*:?\s*",
    re.I,
)

_CUSTOMER_LABEL = re.compile(
    r"(?:n°|n[o°º]\.?|num[ée]ro|code|r[ée]f[ée]rence|compte)\s*(?:de\s+)?client(?:\s+canon)?"
    r"\s*(?:est\s+(?:le\s+)?)?:?\s*"
    r"|\bclient\s*(?:canon\s*)?(?:n°|n[o°º]\.?|num[ée]ro\.?)?\s*:?\s*(?=\d)"
    r"|customer\s*(?:number|no\.?|account(?:\s+number)?|id)\s*(?:is\s+)?:?\s*|account\s+number\s*(?:is\s+)?:?\s*",
    re.I,
)
_CUSTOMER_VALUE = re.compile(r"\d{1,3}(?: \d{3}){1,3}(?![\d])|\d{5,10}(?!\d)")

_SIREN = re.compile(r"\bsiren\b\s*(?:n°|:)?\s*(?P<v>\d{3} ?\d{3} ?\d{3})(?! ?\d)", re.I)
_RCS = re.compile(r"\brcs\s+[A-Za-zÀ-ÿ' -]{2,30}?\s*(?P<v>\d{3} ?\d{3} ?\d{3})(?! ?\d)", re.I)
_SIRET = re.compile(r"\bsiret\b\s*(?:n°|:)?\s*(?P<v>\d{3} ?\d{3} ?\d{3}) ?(?P<nic>\d{5})(?!\d)", re.I)
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
    r"|nouvelle implantation|relocat|moving to"
    r"|adresse de (?:facturation|r[ée]ception)|invoice address|billing address",
    re.I,
)
_ADDRESS_NEGATIVE = re.compile(
    r"\bancienne|\bactuel|\bcurrent|\bold\b|previous|jusqu'|reste valable|livr|delivery|sur place|panne|technicien"
    r"|intervention|depuis|habituel|usual",
    re.I,
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
_READING_NUMBER = re.compile(r"(?<![\w.,/-])(?P<v>\d{1,3}(?:[ .,]\d{3})+|\d{2,9})(?![\w/-]|[.,]\d)")
_READING_UNIT = re.compile(r"^\s*(?:m²|m2|ml|pages?|copies|clics?|impressions?|prints|sheets|feuilles|A4|A3)\b", re.I)
_READING_BEFORE = re.compile(
    r"(?:[:=|]|\b(?:noir|couleur|n&b|n/b|nb|mono|black|colou?r|total|compteur|index|reading))\s*:?\s*$", re.I
)
_READING_AFTER = re.compile(r"^\s*(?:pour\s+(?:le|la)\s+|en\s+)?(?:noir|couleur|n&b|black|colou?r|mono)\b", re.I)
_MASKS = (  # applied in order
    re.compile(r"(?:n°|n[o°]\.?|num[ée]ro)\s*(?:de\s+)?(?:client|contrat|facture|s[ée]rie)?\s*:?\s*\d[\d ]*", re.I),
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
_BANK_CLAIM = re.compile(
    r"(?:changement|modification|mise [àa] jour)\s+(?:de\s+(?:nos|vos|leurs)?\s*)?"
    r"(?:coordonn[ée]es bancaires|rib|domiciliation|compte bancaire|banque)"
    r"|nouveau (?:rib|compte|iban)|nouvelles coordonn[ée]es bancaires|new bank (?:details|account)"
    r"|changed (?:our|their) bank",
    re.I,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")


def _sentence_after(text: str, start: int, limit: int = 160) -> str:
    """The rest of the sentence from start, at most limit characters."""
    window = text[start : start + limit]
    end = _SENTENCE_END.search(window)
    return window[: end.start()] if end else window


def _sentence_around(text: str, start: int, end: int) -> str:
    begin = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start)) + 1
    return text[begin:end] + _sentence_after(text, end)


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


class _Reader:
    """Extraction over one text, with the evidence it collects."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.evidence: list[Evidence] = []

    def note(self, name: str, text: str, detail: str) -> None:
        self.evidence.append(Evidence("extract", name, text, f"{detail} ({self.source})"))

    def serials(self) -> list[str]:
        found: dict[int, str] = {}
        for shape in _SERIAL_SHAPES:
            for m in shape.finditer(self.text):
                found.setdefault(m.start(), m.group(0))
        for label in _SERIAL_LABEL.finditer(self.text):
            for at, value in _tokens(self.text, label.end()):
                overlaps = any(at < s + len(v) and s < at + len(value) for s, v in found.items())
                if len(value) >= 5 and not _is_year(value) and not overlaps:
                    found[at] = value
                break
        values = list(dict.fromkeys(v for _, v in sorted(found.items())))
        if values:
            self.note("serial_numbers", ", ".join(values), "serial number shape or label")
        return values

    def contract(self) -> str | None:
        for label in _CONTRACT_LABEL.finditer(self.text):
            m = _CONTRACT_VALUE.match(self.text, label.end())
            if m and not _is_year(m.group(0)):
                self.note("contract_number", self.text[label.start() : m.end()], "contract label")
                return m.group(0)
        m = _CONTRACT_SHAPE.search(self.text)
        if m:
            self.note("contract_number", m.group(0), "contract number shape CT-YYYY-NNNNN")
            return m.group(0)
        return None

    def po(self, exclude: set[str]) -> str | None:
        for label in _PO_LABEL.finditer(self.text):
            # "… a émis un nouveau bon de commande. Merci de faire figurer le numéro BC-1 …"
            for at, value in _tokens(self.text, label.end(), sentences=2):
                before = self.text[label.end() : at]
                if value in exclude or _is_year(value) or len(value) < 4:
                    continue
                if _NOT_AN_ORDER.search(before):
                    continue
                if _is_old(self.text, at):
                    continue
                self.note("po_number", self.text[label.start() : at + len(value)], "order number label")
                return value
        return None

    def customer(self) -> str | None:
        for label in _CUSTOMER_LABEL.finditer(self.text):
            m = _CUSTOMER_VALUE.match(self.text, label.end())
            if m:
                self.note("customer_number", self.text[label.start() : m.end()], "customer number label")
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
        return m.group("v")

    def email(self, sender: str) -> str | None:
        best: tuple[float, str] | None = None
        for m in _EMAIL.finditer(self.text):
            address = m.group(0).strip(".'")
            domain = address.rsplit("@", 1)[1]
            if _OUR_DOMAINS.search(domain):
                continue
            reach = max(0, m.start() - 200)
            line_start = self.text.rfind("\n", reach, m.start()) + 1 or reach
            previous = self.text.rfind("\n", reach, max(reach, line_start - 1)) + 1 or reach
            context = self.text[previous : m.start()]  # this line and the one before, at most 200 characters
            line = self.text[line_start : m.start()]
            score = (1.0 if _EMAIL_POSITIVE.search(context) else 0.0) - (2.0 if _EMAIL_NEGATIVE.search(line) else 0.0)
            if address.lower() == sender.lower() and not _EMAIL_POSITIVE.search(line):
                continue  # the sender's own address counts only when the same line says it is the new one
            if score >= 1 and (best is None or score > best[0]):  # the first of the best
                best = (score, address)
        if best:
            self.note("new_email", best[1], "e-mail address in an invoice-address context")
            return best[1]
        return None

    def postcode(self) -> str | None:
        for m in _POSTCODE.finditer(self.text):
            line_start = self.text.rfind("\n", 0, m.start()) + 1
            if _POSTCODE_NOT.search(self.text[max(line_start, m.start() - 12) : m.start()]):
                continue
            if _is_new_address(self.text, m.start()):
                line_end = self.text.find("\n", m.end())
                self.note("new_address_postcode", self.text[line_start : line_end if line_end >= 0 else None].strip(),
                          "postcode after a new-address cue")
                return m.group("v")
        return None

    def kbis(self, mail: Mail) -> bool:
        for attachment in mail.attachments:
            if _KBIS_NAME.search(attachment.get("filename") or ""):
                self.note("kbis", attachment["filename"], "attachment named like a K-bis")
                return True
        files = [a for a in mail.attachments if re.search(r"pdf|image", a.get("content_type", ""))]
        for m in _KBIS_TEXT.finditer(self.text):
            sentence = _sentence_around(self.text, m.start(), m.end())
            if files and _ENCLOSED.search(sentence) and not _LATER.search(sentence):
                self.note("kbis", sentence.strip(), "K-bis said to be attached, with a document attached")
                return True
        return False

    def readings(self) -> list[int]:
        values: list[int] = []
        block_context = False  # rows under a header or an introduction that names the counters
        for line in self.text.split("\n"):
            context = bool(_READING_CONTEXT.search(line))
            if not line.strip():
                block_context = False
            elif context and (line.rstrip().endswith(":") or "|" in line):
                block_context = True
            if not (context or block_context):
                continue
            masked = line
            for mask in _MASKS:
                masked = mask.sub(lambda m: " " * len(m.group(0)), masked)
            found = []
            for m in _READING_NUMBER.finditer(masked):
                before, after = masked[max(0, m.start() - 40) : m.start()], masked[m.end() : m.end() + 40]
                if _READING_UNIT.match(after) or _READING_BEFORE.search(before) or _READING_AFTER.match(after):
                    found.append(int(re.sub(r"\D", "", m.group("v"))))
            if found:
                self.note("meter_readings", line.strip(), "number after a counter word or before a unit")
                values.extend(found)
        return values

    def date(self, reference: date | None) -> str | None:
        hit = effective_date(self.text, reference)
        if hit:
            self.note("effective_date", hit.text, f"resolved to {hit.iso}, score {hit.score:g}")
            return hit.iso
        return None


def _is_new_address(text: str, position: int) -> bool:
    """Is the postcode at position part of a new address?

    The nearest cue in the 300 characters before decides ("nouvelle adresse :"
    yes, "adresse actuelle", "livraison" no); a negative cue in the same
    sentence as the positive one wins ("livraison à l'adresse habituelle").
    """
    window = text[max(0, position - 300) : position].replace("\n", " ")
    positive = list(_ADDRESS_POSITIVE.finditer(window))
    negative = list(_ADDRESS_NEGATIVE.finditer(window))
    if not positive:
        return False
    if not negative:
        return True
    p, n = positive[-1], negative[-1]
    if n.start() > p.start():
        return False
    return bool(re.search(r"[.;!?]\s", window[n.end() : p.start()]))


def fraud_signals(new_text: str, quoted_text: str) -> list[Evidence]:
    """An IBAN or a claim that bank details changed, anywhere in the message."""
    signals = []
    for name, text in (("new", new_text), ("quoted", quoted_text)):
        for m in _IBAN.finditer(text):
            if stdnum_iban.is_valid(m.group(0)):
                signals.append(Evidence("extract", "iban", m.group(0)[:4] + "…", f"IBAN in the {name} text"))
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


def extract(
    new_text: str, quoted_text: str, mail: Mail, reference_date: date | None
) -> tuple[dict[str, Any], list[Evidence]]:
    """The FORMAT.md fields of one message and the evidence for each value found."""
    fields = empty_fields()
    new = _Reader(new_text, "new text")
    subject = _Reader(mail.subject, "subject")
    quoted = _Reader(quoted_text, "quoted text")

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
    fields["new_address_postcode"] = new.postcode()
    fields["new_email"] = new.email(mail.from_addr)
    fields["siren"] = new.siren()
    fields["kbis"] = new.kbis(mail)
    fields["meter_readings"] = new.readings()
    return fields, new.evidence + subject.evidence + quoted.evidence
