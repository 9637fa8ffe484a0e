"""Whom the bot may believe and write to: the trust rule, as one verdict with codes.

Anyone can e-mail the mailbox (SECURITY.md). Before the bot answers a message
or hands it to a colleague as "À traiter", this module decides, from the
analysis and the customer directory:

- **where a reply may go**: the From address, when it is plain; the Reply-To
  only when it is plain and in exactly the From's domain (not a public
  mailbox provider's: a parent domain may be another owner's, ``eu.org``),
  or an address of the same customer. Never to a third party named only in
  a Reply-To.
- **who the sender is**: a customer of the directory (by full address, or by
  domain), or unknown. An unknown sender is read by a person; the bot may
  only acknowledge receipt, without repeating anything of theirs (replies.py).
- **what must go to a person** (``review``, each a ``Finding`` with a code):
  a From address that is not plain; no directory loaded; an unknown sender; a
  From that our MTA says is forged (DMARC or SPF fail); a sensitive change
  (billing entity, invoice address or e-mail, bank details) from a sender our
  MTA did not authenticate; numbers (contract, serial, customer number) of
  another customer than the sender's, or of a known customer when the sender
  is unknown; a serial not on the contract given; a new invoice e-mail
  address outside the customer's domains (a look-alike of one is named).

Pure: the directory is read through ``directory.Lookup``; no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from mailbot.read.addresses import domain_of, imitates, is_free_mail
from mailbot.read.analysis import Analysis, Evidence
from mailbot.read.authentication import FAIL
from mailbot.decide.directory import Lookup, customers_of_sender, norm_number, number_key, split_senders

# Codes of the findings that send a message to review. The processor and the
# review screen read these; the reason's words are for people.
FROM_NOT_PLAIN = "from_not_plain"
NO_DIRECTORY = "no_directory"
SENDER_UNKNOWN = "sender_unknown"
AUTH_FAILED = "auth_failed"
UNAUTHENTICATED = "unauthenticated_sensitive"
CONTRACT_OF_ANOTHER = "contract_of_another_customer"
SERIAL_OF_ANOTHER = "serial_of_another_customer"
CUSTOMER_NUMBER_OF_ANOTHER = "customer_number_of_another_customer"
SERIAL_NOT_ON_CONTRACT = "serial_not_on_contract"
NUMBERS_OF_KNOWN_CUSTOMER = "numbers_of_known_customer"
NEW_EMAIL_FOREIGN = "new_email_foreign_domain"
NEW_EMAIL_LOOKALIKE = "new_email_lookalike"
# A sender the bot does not know: it may get a neutral acknowledgement, nothing more.
UNKNOWN_SENDER_CODES = frozenset({NO_DIRECTORY, SENDER_UNKNOWN})


@dataclass(frozen=True)
class Finding:
    code: str
    reason: str


@dataclass
class Verdict:
    """What the bot may believe of one message, and whom it may write to."""

    recipient: str | None = None      # where a reply may go; None: nowhere
    known: bool = False               # the From address belongs to a customer of the directory
    customers: list[str] = field(default_factory=list)  # the sender's customers
    authenticated: bool = False       # our MTA authenticated the From domain
    same_customer: bool | None = None  # the numbers cited are the sender's customer's; None: no known number
    review: list[Finding] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def codes(self) -> set[str]:
        return {f.code for f in self.review}

    @property
    def unknown_sender(self) -> bool:
        return bool(self.codes & UNKNOWN_SENDER_CODES)

    def flag(self, code: str, reason: str, text: str = "") -> None:
        self.review.append(Finding(code, reason))
        self.evidence.append(Evidence("trust", code, text=text, detail=reason))

    def note(self, name: str, detail: str, text: str = "") -> None:
        self.evidence.append(Evidence("trust", name, text=text, detail=detail))

    def summary(self) -> dict[str, Any]:
        """What a forward states at its top (routing.py), as plain values."""
        return {"authenticated": self.authenticated, "known": self.known,
                "same_customer": self.same_customer, "codes": sorted(self.codes)}


def _who(lookup: Lookup, customers: Iterable[str]) -> str:
    return ", ".join(f"{c} ({lookup.customer_name(c) or '?'})" for c in customers)


def _recipient(lookup: Lookup, analysis: Analysis, sender: str, customers: list[str], verdict: Verdict) -> str:
    """The From address, or the Reply-To when it may be trusted as the same sender."""
    reply_to = analysis.reply_to
    if not reply_to or reply_to.lower() == sender.lower():
        return sender
    domain = domain_of(sender)
    if not analysis.reply_to_plain:
        verdict.note("reply_to_not_plain", "Reply-To is not a plain address: replies go to the From address",
                     reply_to[:80])
    elif domain_of(reply_to) == domain and not is_free_mail(domain):
        verdict.note("reply_to_used", f"Reply-To {reply_to} is in the sender's domain", reply_to)
        return reply_to
    elif customers and set(customers_of_sender(lookup, reply_to)) & set(customers):
        verdict.note("reply_to_used", f"Reply-To {reply_to} is an address of the same customer", reply_to)
        return reply_to
    else:
        verdict.note("reply_to_refused", f"Reply-To {reply_to} is neither in the sender's domain nor an address "
                                         f"of the same customer: replies go to the From address", reply_to)
    return sender


def _numbers(lookup: Lookup, fields: dict[str, Any], customers: list[str], verdict: Verdict) -> None:
    """The cross-check: whose are the contract, serials and customer number cited?"""
    mine = set(customers)
    owners: set[str] = set()
    contract = fields.get("contract_number")
    if contract:
        owner = lookup.contract_customer(contract)
        if owner is None:
            verdict.note("contract_unknown", f"contract {contract} is not in the directory", contract)
        else:
            owners.add(owner)
            if mine and owner not in mine:
                verdict.flag(CONTRACT_OF_ANOTHER, f"contract {contract} belongs to customer {_who(lookup, [owner])}, "
                                                  f"not to the sender's ({_who(lookup, sorted(mine))})", contract)
            else:
                verdict.note("contract_customer", f"contract {contract}: customer {_who(lookup, [owner])}", contract)
    for serial in [s for s in fields.get("serial_numbers") or [] if s]:
        on = lookup.serial_contract(serial)
        if on is None:
            verdict.note("serial_unknown", f"serial {serial} is not in the directory", serial)
            continue
        owner = lookup.contract_customer(on)
        owners.add(owner)
        if contract and number_key(on) != number_key(contract):
            verdict.flag(SERIAL_NOT_ON_CONTRACT,
                         f"serial {serial} is on contract {on}, not on contract {norm_number(contract)}", serial)
        elif mine and owner not in mine:
            verdict.flag(SERIAL_OF_ANOTHER, f"serial {serial} (contract {on}) belongs to customer "
                                            f"{_who(lookup, [owner])}, not to the sender's "
                                            f"({_who(lookup, sorted(mine))})", serial)
        else:
            verdict.note("serial_contract", f"serial {serial}: contract {on}", serial)
    number = fields.get("customer_number")
    if number and lookup.customer_name(str(number)) is not None:
        owners.add(str(number))
        if mine and str(number) not in mine:
            verdict.flag(CUSTOMER_NUMBER_OF_ANOTHER, f"customer number {number} is not the sender's "
                                                     f"({_who(lookup, sorted(mine))})", str(number))
        elif mine:
            verdict.note("customer_number", f"customer {number} matches the sender", str(number))
    if owners and not mine:
        verdict.flag(NUMBERS_OF_KNOWN_CUSTOMER, f"the numbers cited belong to customer {_who(lookup, sorted(owners))}, "
                                                f"and the sender is not one of theirs")
    verdict.same_customer = (owners <= mine) if owners and mine else (False if owners else None)


def _new_email(lookup: Lookup, new_email: str, customers: list[str], verdict: Verdict) -> None:
    """A new invoice address must be in the customer's own domains (or listed whole)."""
    domains, listed = split_senders(s for c in customers for s in lookup.senders_of(c))
    address, domain = new_email.lower(), domain_of(new_email)
    if address in listed or any(domain == d or domain.endswith("." + d) for d in domains):
        verdict.note("new_email_customer_domain", f"new invoice address {new_email} is in the customer's domains",
                     new_email)
        return
    model = imitates(domain, domains + [domain_of(a) for a in listed if not is_free_mail(domain_of(a))])
    if model:
        verdict.flag(NEW_EMAIL_LOOKALIKE, f"new invoice address {new_email}: its domain {domain} looks like the "
                                          f"customer's {model} but is not it", new_email)
    else:
        verdict.flag(NEW_EMAIL_FOREIGN, f"new invoice address {new_email} is outside the customer's domains "
                                        f"({', '.join(domains + listed) or 'none'})", new_email)


def judge(lookup: Lookup, analysis: Analysis, *, sensitive: bool, checks_new_email: bool) -> Verdict:
    """The verdict on one message the bot would answer (see the module's docstring).

    ``sensitive``: the situation changes who is billed, where invoices go or
    bank details (situations.toml); ``checks_new_email``: the situation takes
    a new invoice e-mail address, which must then be the customer's.
    """
    verdict = Verdict(authenticated=analysis.authenticated)
    if not analysis.sender_plain or not analysis.sender:
        verdict.flag(FROM_NOT_PLAIN, "the From address is not a plain address: nobody is written to",
                     analysis.sender[:80])
        return verdict
    sender = analysis.sender
    loaded = lookup.loaded()
    customers = customers_of_sender(lookup, sender) if loaded else []
    verdict.known, verdict.customers = bool(customers), customers
    verdict.recipient = _recipient(lookup, analysis, sender, customers, verdict)
    if not loaded:
        verdict.flag(NO_DIRECTORY, "no customer directory loaded: the sender cannot be checked")
    elif customers:
        verdict.note("sender_known", f"{sender}: customer {_who(lookup, customers)}", sender)
    else:
        verdict.flag(SENDER_UNKNOWN, f"sender {sender} is not in the customer directory", sender)
    status = analysis.auth.get("status")
    if status == FAIL:
        verdict.flag(AUTH_FAILED, f"our mail server says the From address is forged ({analysis.auth.get('detail')})")
    elif sensitive and not verdict.authenticated:
        verdict.flag(UNAUTHENTICATED, f"sensitive change from a sender our mail server did not authenticate "
                                      f"({analysis.auth.get('detail') or 'no verdict'})")
    if loaded:
        _numbers(lookup, analysis.fields, customers, verdict)
        if checks_new_email and customers and analysis.fields.get("new_email"):
            _new_email(lookup, analysis.fields["new_email"], customers, verdict)
    return verdict
