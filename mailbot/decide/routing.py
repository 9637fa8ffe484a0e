"""Who acts on a complete case, and the message that hands it over.

The seed's table says who acts: the customer's sales contact for a move or a
termination, the account manager for the billing entity, the invoice address,
e-mailed invoices and meter readings, the contracts team for a P.O change.
The directory knows each customer's people; the customer is found from the
numbers of the case (see ``directory.customer_of``). When it cannot tell, the
case goes to the ``[routing] fallback`` address (else the contracts team) with
a note saying why, so nothing complete is left unrouted.

The forward is a small report (summary table: situation, customer, fields,
lead time, evidence, changes) with the customer's messages attached as
``message/rfc822``, in plain French (forward_words.py). It has no Reply-To:
a colleague's "Répondre" must not send the internal summary to the customer;
answering the attached message answers the customer. It states at its top
whether our mail server authenticated the sender, whether the sender is in
the directory, and whether the numbers cited are that customer's
(``checks``). Words in ``templates/fr/forward*.j2`` (internal, French).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from mailbot.compose import mimewrite
from mailbot.read.analysis import Analysis
from mailbot.decide.cases import FORWARDED_ROUTES
from mailbot.decide.directory import Lookup, customer_of
from mailbot.compose.forward_words import address_text, datetime_fr, evidence_lines, readings_text
from mailbot.compose.mimewrite import address, encoded_words, one_line
from mailbot.compose.redact import mask_ibans, shown_name, shown_subject
from mailbot.compose.replies import Bot, Reply, date_text, environment

CONTACT_COLUMN = {"sales": "sales_contact_email", "account_manager": "account_manager_email"}
ROUTE_LABELS = {"contracts": "équipe Contrats", "sales": "interlocuteur commercial",
                "account_manager": "gestionnaire de compte"}
MAX_EVIDENCE = 15
CLUES_FR = {"customer_number": "n° client {}", "contract": "contrat {}", "serial": "n° de série {}",
            "sender_domain": "domaine de l'expéditeur {}", "no_directory": "aucun annuaire client chargé",
            "no_clue": "aucun numéro ni domaine connu de l'annuaire"}


@dataclass(frozen=True)
class Route:
    """Where a complete case goes: the address (None: nobody to send it to) and why."""

    route: str
    address: str | None
    customer: str | None
    customer_name: str | None
    note: str = ""
    direct: bool = True  # the address is the route's own (not the fallback for want of a contact)

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self.route]

    @property
    def handled_by(self) -> str:
        """Who the customer may be told handles the request: the route's colleague when the
        case went to them, else the Contracts service (the fallback assigns it, or a person of
        the service reviews it)."""
        return self.route if self.address and self.direct else "contracts"


def route_for(route: str, lookup: Lookup, fields: dict[str, Any], addresses: Iterable[str | None], *,
              contracts_team: str, fallback: str) -> Route | None:
    """The colleague who acts on a complete case of ``route``; None when the
    route is not forwarded (the reply was the whole answer)."""
    if route not in FORWARDED_ROUTES:
        return None
    customer, (clue, value) = customer_of(lookup, fields, addresses)
    how = CLUES_FR[clue].format(value)
    name = lookup.customer_name(customer) if customer else None
    if route == "contracts":
        address = contracts_team or fallback
        return Route(route, address or None, customer, name,
                     "" if contracts_team else "aucune adresse d'équipe Contrats configurée ([routing] contracts_team)")
    contacts = lookup.contacts(customer) if customer else None
    address = (contacts or {}).get(CONTACT_COLUMN[route])
    if address:
        return Route(route, address, customer, name, f"client trouvé par : {how}")
    spare = fallback or contracts_team
    why = (f"{ROUTE_LABELS[route]} inconnu : client {customer} ({how}) sans contact dans l'annuaire"
           if customer else f"client non identifié dans l'annuaire ({how})")
    return Route(route, spare or None, customer, name, f"{why} ; transmis à {spare} pour attribution"
                 if spare else why, direct=False)


def build_forward(analysis: Analysis, *, case_ref: str, route: Route, rules, bot: Bot, now: datetime,
                  message_id: str, customer_address: str, checks: dict[str, Any],
                  originals: list[dict[str, Any]], changes: list[dict[str, Any]],
                  evidence: list[dict[str, str]], tz: ZoneInfo) -> Reply:
    """The hand-over of a complete case to ``route.address``.

    ``customer_address`` is where the customer may be answered (trust.py's
    recipient); ``checks`` what the forward states at its top
    (trust.Verdict.summary, with the authentication detail); ``originals``
    the case's messages ({raw, message_id, sender, subject, received_at}),
    attached in order; ``changes`` the fields later messages changed;
    ``evidence`` the analysis' evidence rows; ``tz`` the business's time
    zone, for the dates a colleague reads (forward_words.py).

    The forward has no Reply-To: "Répondre" must never send this internal
    summary to the customer. The colleague answers the customer by replying
    to the customer's own message, attached, or by writing to
    ``customer_address``; the text says so, and warns when the customer's
    message asked for answers elsewhere (a Reply-To trust.py refused).
    """
    if not route.address:
        raise ValueError(f"case {case_ref}: nobody to forward it to")
    situation = rules.situation(analysis.situation)
    fields = dict(analysis.fields)
    labels = {sid: s.label_fr for sid, s in rules.situations.items()}
    refused = next((e.get("text", "") for e in evidence if e.get("stage") == "trust"
                    and e.get("name") in ("reply_to_refused", "reply_to_not_plain")), "")
    ctx = {
        "case_ref": case_ref,
        "situation": analysis.situation,
        "situation_label": situation.label_fr,
        "route": route.route,
        "route_label": route.label,
        "customer": {"number": route.customer, "name": route.customer_name or ""} if route.customer else None,
        "sender": customer_address,
        "sender_name": shown_name(analysis.sender_name),
        "checks": checks,
        "fields": fields,
        "shown": {"new_address_postcode": address_text(analysis.details, fields.get("new_address_postcode")),
                  "meter_readings": readings_text(analysis.details, fields.get("meter_readings") or [])},
        "effective_date_text": date_text(fields.get("effective_date"), "fr"),
        "deadline_text": date_text((analysis.details.get("deadline") or {}).get("date"), "fr"),
        "lead_time_ok": analysis.lead_time_ok,
        "lead_time_months": situation.lead_time_months,
        "evidence": evidence_lines(evidence, labels, analysis.confidence, MAX_EVIDENCE),
        "changes": [{**c, "at": datetime_fr(c.get("at"), tz)} for c in changes],
        "messages": [{"message_id": (m.get("message_id") or "")[:250], "sender": (m.get("sender") or "")[:254],
                      "subject": shown_subject(m.get("subject")), "received": datetime_fr(m.get("received_at"), tz)}
                     for m in originals],
        "refused_reply_to": refused,
        "directory_note": route.note,
        "action_text": situation.forward_action,
        "bot": {"address": bot.address, "display_name": bot.display_name},
    }
    env = environment()
    subject = mask_ibans(one_line(env.get_template("fr/forward_subject.txt.j2").render(ctx)))
    text = mask_ibans(env.get_template("fr/forward.txt.j2").render(ctx))
    html = mask_ibans(env.get_template("fr/forward.html.j2").render(ctx))
    headers = [("From", address(bot.display_name, bot.address)), ("To", one_line(route.address)),
               ("Subject", encoded_words(subject)), ("Date", format_datetime(now)),
                ("Message-ID", one_line(message_id)), ("Auto-Submitted", "auto-generated"),
                ("X-Auto-Response-Suppress", "All"), ("X-Mailbot-Case", one_line(case_ref)),
                ("Content-Language", "fr")]
    raw = mimewrite.message(headers, text, html, [o["raw"] for o in originals])
    return Reply([one_line(route.address)], raw)
