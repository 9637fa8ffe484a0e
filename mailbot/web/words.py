"""The French words the desk reads in the web app: each gate, kind of item and action by its code.

Codes are what the program branches on; these words are only shown. A code without
words here is shown as it is, so nothing is ever hidden.
"""

from __future__ import annotations

GATES = {
    "duplicate": "Doublon : ce message a déjà été traité",
    "readable": "Lisibilité du message",
    "automated": "Message automatique (absence, rebond, liste)",
    "threading": "Rattachement à un dossier en cours",
    "situation": "Situation de la fiche « Bonnes pratiques – facturation »",
    "fraud": "Signal de fraude (coordonnées bancaires, IBAN)",
    "confidence": "Certitude de la lecture",
    "lead_time": "Préavis d'un mois",
    "completeness": "Informations requises présentes",
    "reading": "Vérification de la lecture",
    "sender": "Confiance dans l'expéditeur (authentification)",
    "cross_check": "Contrôle avec l'annuaire clients",
    "suppression": "Adresse bloquée après un rebond",
    "rate_limits": "Limites d'envoi (par expéditeur, par dossier, par heure)",
    "unknown_sender": "Expéditeur hors annuaire",
    "routing": "Transmission au collègue qui agit",
    "mode": "Mode d'envoi (observation, brouillon, automatique)",
}

CODES = {
    "unreadable": "rien n'a pu être lu",
    "internal_error": "erreur interne pendant la lecture",
    "other": "aucune des neuf situations : une personne décide",
    "low_confidence": "lecture peu sûre",
    "late": "préavis d'un mois non respecté",
    "missing": "informations manquantes",
    "complete": "toutes les informations sont là",
    "not_joined": "le message ne se rattache pas sûrement à un dossier",
    "case_not_awaiting": "le dossier n'attendait pas de réponse du client",
    "asks_else": "la réponse demande autre chose que le dossier",
    "suppressed": "l'adresse a rebondi récemment",
    "routed": "transmis",
    "no_recipient": "personne à qui transmettre",
    "draft_low_confidence": "brouillon : lecture trop peu sûre pour un envoi automatique",
    "no_reply_platform": "envoyé par une plateforme « ne pas répondre » pour la personne de son Reply-To : une "
                         "personne répond",
}

ACTIONS = {"acknowledge": "accusé de réception", "request_info": "demande d'informations",
           "review": "revue par une personne", "ignore": "ignoré"}

KINDS = {
    "case": "dossier en revue",
    "message": "message en revue",
    "quarantine": "message en quarantaine",
    "draft": "brouillon à approuver",
    "held": "envoi retenu (frein horaire)",
    "unconfirmed": "envoi non confirmé",
    "failed": "envoi en échec",
    "silent": "client silencieux après relance",
}

SITUATIONS = {
    "po_change": "Changement de n° de commande (P.O)",
    "equipment_move": "Déménagement d'un matériel",
    "billing_entity_change": "Changement d'entité facturée",
    "invoice_address_change": "Nouvelle adresse de réception des factures",
    "invoice_by_email": "Factures par e-mail",
    "meter_read_request": "Relevés de compteurs",
    "automatic_meter_reads": "Relevés automatiques",
    "contract_termination": "Résiliation",
    "bank_details_check": "Vérification des coordonnées bancaires",
    "other": "Autre",
}

FIELDS = {
    "contract_number": "N° de contrat", "serial_numbers": "N° de série", "po_number": "N° de commande (P.O)",
    "customer_number": "N° client", "effective_date": "Date d'effet", "new_address_postcode": "Code postal (nouvelle adresse)",
    "new_email": "Nouvelle adresse e-mail", "siren": "SIREN", "kbis": "K-bis joint", "meter_readings": "Relevés",
}


def gate(code: str) -> str:
    return GATES.get(code, code)


def verdict_words(verdict: dict) -> str:
    """One verdict in the desk's words: the gate's own words, then what it found."""
    code = str(verdict.get("code") or "")
    return f"{gate(str(verdict.get('gate') or ''))} — {CODES.get(code, code)}"
