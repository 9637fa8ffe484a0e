"""What a colleague reads in a forward: evidence, dates, addresses and readings in French.

The analysis records its evidence for the program (stages, codes, English
details such as "subject ×1, weight 4"); a sales contact or an account
manager needs plain French: which words the request was recognised by, which
numbers were read, what the directory said. So each kind of evidence gets a
French label here (the customer's own words are shown as they were written),
dates read "19 novembre 2026 à 15 h 08" in the business's time zone, the new
address is shown whole and meter readings machine by machine with their
counter. Pure functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mailbot.compose.replies import MONTHS

# (stage, name) -> what a colleague reads; None: not shown (said elsewhere in the forward).
_LABELS: dict[tuple[str, str], str | None] = {
    ("extract", "contract_number"): "n° de contrat lu",
    ("extract", "serial_numbers"): "n° de série lu(s)",
    ("extract", "po_number"): "n° de commande (P.O) lu",
    ("extract", "customer_number"): "n° de client lu",
    ("extract", "effective_date"): "date de prise d'effet lue",
    ("extract", "new_address_postcode"): "nouvelle adresse lue",
    ("extract", "new_email"): "adresse e-mail lue",
    ("extract", "siren"): "n° SIREN lu",
    ("extract", "kbis"): "extrait K-bis",
    ("extract", "meter_readings"): "relevés de compteurs lus",
    ("extract", "iban"): "IBAN dans le message (fraude possible)",
    ("extract", "bank_change_claim"): "annonce de changement de coordonnées bancaires (fraude possible)",
    ("trust", "sender_known"): "expéditeur connu de l'annuaire",
    ("trust", "contract_customer"): "contrat trouvé dans l'annuaire",
    ("trust", "contract_unknown"): "contrat absent de l'annuaire",
    ("trust", "serial_contract"): "matériel trouvé dans l'annuaire",
    ("trust", "serial_unknown"): "n° de série absent de l'annuaire",
    ("trust", "customer_number"): "n° de client de l'expéditeur",
    ("trust", "reply_to_used"): "réponse demandée à une autre adresse du même client",
    ("trust", "reply_to_refused"): "réponse demandée à une adresse qui n'est pas celle du client (ignorée)",
    ("trust", "reply_to_not_plain"): "adresse de réponse illisible (ignorée)",
    ("trust", "new_email_customer_domain"): "nouvelle adresse e-mail dans les domaines du client",
    ("case", "joined"): "message rattaché au dossier",
    ("case", "changed"): "valeur modifiée par un message ultérieur",
    ("parse", "truncated"): "message très long : seul le début a été lu",
    ("parse", "lines_wrapped"): "lignes très longues coupées pour la lecture",
    ("parse", "defect"): "défaut de format du message",
    ("parse", "cut_html"): "message HTML très long : seul le début a été lu",
    ("parse", "cut_parts"): "trop de parties : seules les premières ont été lues",
    ("parse", "cut_attachments"): "trop de pièces jointes : seules les premières sont listées",
    ("attachment", "unreadable"): "pièce jointe illisible",
    ("kbis", "denomination"): "dénomination lue sur le K-bis",
    ("kbis", "up_to_date"): "K-bis à jour au",
    ("classify", "model"): None,  # replaced by the confidence of the reading
    ("classify", "new_address_given"): "demande déduite de la nouvelle adresse postale donnée (à confirmer)",
    ("classify", "request_paragraph"): "demande lue dans un paragraphe du message, le reste traitant d'autre chose "
                                       "(à confirmer)",
    ("auth", "pass"): None, ("auth", "none"): None, ("auth", "fail"): None,  # the "Vérifications" block
}
_SKIPPED_STAGES = ("route",)  # the summary says who gets the case
COUNTERS = {"noir": "noir", "couleur": "couleur", "total": "total", "m2": "m²", "ml": "ml"}


def evidence_lines(rows: list[dict[str, str]], situation_labels: dict[str, str], confidence: float,
                   limit: int) -> list[dict[str, str]]:
    """The evidence of a reading as French lines {label, text}, at most ``limit``: the reading's
    confidence first, then keyword hits by situation, numbers read, what the directory said."""
    lines = [{"label": f"lecture automatique, confiance {round(confidence * 100)} %", "text": ""}]
    for row in rows:
        stage, name = row.get("stage", ""), row.get("name", "")
        if stage in _SKIPPED_STAGES:
            continue
        if stage == "classify" and name in situation_labels:
            label: str | None = f"mots-clés de la situation « {situation_labels[name]} »"
        else:
            label = _LABELS.get((stage, name), f"autre élément relevé ({name.replace('_', ' ')})")
        if label is not None and row.get("place") and stage == "extract":
            label = f"{label} dans la pièce jointe {row['place']}"  # "n° de commande lu dans … BC.pdf, page 1"
        elif label is not None and stage == "attachment":
            label = f"{label} ({row.get('detail')})"
        if label is not None:
            lines.append({"label": label, "text": " ".join(str(row.get("text") or "").split())})
        if len(lines) >= limit:
            break
    return lines


def datetime_fr(value: Any, tz: ZoneInfo) -> str:
    """'19 novembre 2026 à 15 h 08' in ``tz`` from a datetime or an ISO text ('' when there is none;
    a text that is not a date is shown as it is)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    local = value.astimezone(tz) if value.tzinfo else value
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MONTHS['fr'][local.month - 1]} {local.year} à {local.hour} h {local.minute:02d}"


def address_text(details: dict[str, Any], postcode: str | None) -> str:
    """The new postal address on one line ("ZI des Vignes, 12 allée des Frênes, 35740 Pacé"), or
    the postcode alone when only it was read."""
    found = details.get("new_address") if isinstance(details.get("new_address"), dict) else None
    if found and found.get("postcode"):
        town = " ".join(filter(None, (found.get("postcode"), found.get("city"), found.get("cedex"))))
        return ", ".join(filter(None, (found.get("complement"), found.get("street"), town)))
    return f"code postal {postcode}" if postcode else ""


def _number(value: Any) -> str:
    return f"{value:,}".replace(",", "\u00a0") if isinstance(value, int) else str(value)


def readings_text(details: dict[str, Any], values: list[Any]) -> str:
    """Meter readings machine by machine with their counter ("PW345-0070011 : noir 25 604,
    couleur 9 812 ; CW3800-0007120 : total 1 200"), or the values alone when no detail was kept."""
    readings = [r for r in details.get("meter_readings") or [] if isinstance(r, dict)]
    if not readings:
        return " ; ".join(_number(v) for v in values)
    machines: dict[str, list[str]] = {}
    for reading in readings:
        counter = COUNTERS.get(reading.get("counter") or "", reading.get("counter") or "compteur")
        unit = f" {reading['unit']}" if reading.get("unit") and reading.get("unit") not in ("m2", "ml") else ""
        machines.setdefault(reading.get("serial") or "", []).append(f"{counter} {_number(reading.get('value'))}{unit}")
    return " ; ".join(f"{serial or 'matériel non précisé'} : {', '.join(counts)}" for serial, counts in machines.items())
