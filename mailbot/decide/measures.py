"""The two measures the policy applies to a reading: which required fields are missing, is it in time.

The rules are the seed's table as data (situations.toml): required fields and
lead times per situation. The policy that uses them, gate by gate, is chain.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from mailbot.read.htmltext import fold

PARIS = ZoneInfo("Europe/Paris")

# Words that make an address a service mailbox rather than a person's.
_GENERIC_WORDS = re.compile(
    r"factur|invoice|compta|account|fournisseur|supplier|achat|purchas|finance|financ|gestion|service|contact"
    r"|admin|secretariat|direction|billing|dematerialis|demat|info|office|accueil|reception|paiement|payable"
    r"|\bap\b|\bar\b|\brh\b|\bdaf\b|\bdsi\b|payment|courrier|mairie|standard|support|commande|order|treso|recette"
    r"|mandat|atelier|repro|bureau|agence|cabinet|equipe|team|hello|bonjour|juridique|legal|logistique|technique"
    r"|ordonnateur|scolarite|etablissement|noreply|no-reply",
    re.I,
)
# first.last, f.last, first_last (a number may follow: jean.dupont2). Fullmatched on a local part;
# the lookbehind keeps a search from retrying a long word from each of its letters.
_PERSONAL_SHAPE = re.compile(r"(?<![a-z])[a-z][a-z'-]*[._][a-z][a-z'-]+\d*", re.I)
# Common French and English first names (folded), for firstname@… and firstname-lastname@….
_FIRST_NAMES = frozenset("""
    adrien agathe agnes alain alexandra alexandre alexis alice aline amandine amelie anais andre andrea angelique
    anne annie antoine arnaud arthur audrey aurelie aurelien axel baptiste barbara bastien beatrice benjamin
    benoit bernard bertrand brigitte bruno camille carole caroline catherine cecile celine charles charlotte
    chantal christelle christian christine christophe claire claude clement clemence corinne damien daniel
    david delphine denis didier dominique dorothee edouard elise elodie emilie emma emmanuel emmanuelle eric
    estelle etienne eve fabien fabienne fabrice fanny florence florian francis franck francois francoise
    frederic frederique gael gaelle genevieve georges gerard gilles gregory guillaume helene henri herve hugo
    hugues isabelle jacqueline jacques jean jeanne jeremy jerome joel johan jonathan jose joseph josiane julie
    julien juliette karim karine kevin laetitia laura laure laurence laurent lea leo lionel louis lucas lucie
    luc ludovic magali manon marc marcel margaux marie marine marion martine mathieu mathilde matthieu maxime
    melanie michel michele mickael monique muriel myriam nadia nadine nathalie nicolas nicole noemie odile
    olivier pascal pascale patrice patricia patrick paul pauline philippe pierre quentin raphael regis remi
    renaud richard robert romain sabine sandrine sarah sebastien serge simon sophie stephane stephanie
    sylvain sylvie thibault thibaut thierry thomas valerie vanessa veronique victor vincent virginie xavier
    yann yannick yves
    alan alex amanda amy andrew anna ben brian chris daniel emily george greg hannah helen jack james jane
    jennifer jessica jim joe john kate laura linda lisa mark mary matt michael mike paul peter rachel rob
    robert sam sarah steve susan tom william
""".split())


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold(text))


def _names_of(display_name: str) -> list[str]:
    """The words of a person's display name ("Dupont, Jean" too); [] when it names a service or company."""
    if not display_name or _GENERIC_WORDS.search(fold(display_name)) or re.search(r"@|\d", display_name):
        return []
    head, comma, tail = display_name.partition(",")
    ordered = f"{tail} {head}" if comma else display_name  # "Dupont, Jean" is Jean Dupont
    words = [_letters(w) for w in ordered.split()]
    words = [w for w in words if w]
    return words if 2 <= len(words) <= 4 else []


def _matches_name(local: str, display_name: str) -> bool:
    """Is the local part made of the sender's own names (jdupont, dupont.j, jean, dupont…)?"""
    words = _names_of(display_name)
    if not words:
        return False
    first, last, rest = words[0], words[-1], "".join(words[1:])
    shapes = set()
    for surname in {last, rest}:
        shapes |= {first + surname, first[0] + surname, surname + first, surname + first[0], surname}
    shapes.add(first)
    return _letters(local) in {s for s in shapes if len(s) >= 3}


def is_nominative(address: str, display_name: str = "") -> bool:
    """Is this a person's address rather than a service mailbox?

    jean.dupont@…, j.dupont@…, jean-dupont@…, claire@… (a common first name)
    and an address made of the sender's display name (jdupont@… from "Jean
    Dupont") are a person's; factures@…, compta.fournisseurs@…,
    accounts.payable@… are not. Used by extract (the ``nominative`` flag of
    the new e-mail) and by ``missing_fields`` when no flag is given.
    """
    local = address.split("@", 1)[0].strip().lower()
    folded = fold(local)
    if _GENERIC_WORDS.search(folded):
        return False
    if _PERSONAL_SHAPE.fullmatch(folded):
        return True
    parts = [p for p in re.split(r"[._-]", folded) if p]
    if parts and _letters(parts[0]) in _FIRST_NAMES:
        return True
    return _matches_name(local, display_name)


def missing_fields(
    required: tuple[str, ...], fields: dict[str, Any], *, generic_email: bool, email_nominative: bool | None = None,
    postal_address: bool = False,
) -> list[str]:
    """The required names the fields do not provide, in the order of the rules.

    ``new_address`` is met by a postcode or an e-mail address (only by a
    postcode when ``postal_address`` is asked: a machine moves to a place);
    ``new_email``, when ``generic_email`` is asked, only by a non-nominative
    address.
    ``email_nominative`` is extract's flag for that address (it also knows the
    sender's name); without it the address alone is judged by ``is_nominative``.
    """
    missing = []
    for name in required:
        if name == "new_address":
            present = bool(fields.get("new_address_postcode") or (fields.get("new_email") and not postal_address))
        elif name == "new_email":
            email = fields.get("new_email")
            nominative = is_nominative(email) if email and email_nominative is None else email_nominative
            present = bool(email) and not (generic_email and nominative)
        else:
            present = bool(fields.get(name))
        if not present:
            missing.append(name)
    return missing


def lead_time_ok(effective: str | None, received: datetime | None, months: int,
                 tz: ZoneInfo = PARIS) -> bool | None:
    """effective date ≥ received date (local) + months; None when either is unknown or no lead time applies."""
    if not months or not effective or received is None:
        return None
    try:
        when = date.fromisoformat(effective)
    except ValueError:
        return None
    local = received.astimezone(tz) if received.tzinfo else received
    return when >= local.date() + relativedelta(months=months)
