"""The customer directory: who our customers are, their e-mail domains,
contracts and equipment, imported from a CSV file (``mailbot directory import``).

The CSV has one row per equipment (see README, "The customer directory"):

    customer_number, customer_name, email_domains (space-separated),
    account_manager_email, sales_contact_email, contract_number,
    serial_number, site_address

``parse_csv`` checks it and says which line and column is wrong. The lookups
(customers of a sender's domain, the contract of a serial, the customer of a
contract) are the ``Lookup`` methods, answered either from parsed rows
(``Directory``, pure) or from the database (``store.StoreDirectory``).
``check`` is the trust rule and the cross-check of numbers, over either.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Protocol

from mailbot.analysis import Evidence

COLUMNS = ("customer_number", "customer_name", "email_domains", "account_manager_email",
           "sales_contact_email", "contract_number", "serial_number", "site_address")
# Columns that describe the customer: every row of one customer must agree on them.
CUSTOMER_COLUMNS = ("customer_name", "email_domains", "account_manager_email", "sales_contact_email")

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
EMAIL = re.compile(rf"[^@\s,;<>\"]+@{_LABEL}(?:\.{_LABEL})+")


class DirectoryError(ValueError):
    """The directory file is missing, unreadable or has a bad line."""


@dataclass(frozen=True)
class Row:
    """One equipment line of the directory file, checked and normalised."""

    line: int
    customer_number: str
    customer_name: str
    email_domains: tuple[str, ...]
    account_manager_email: str
    sales_contact_email: str
    contract_number: str
    serial_number: str
    site_address: str


def norm_number(value: str) -> str:
    """Contract and serial numbers compare without case or surrounding space."""
    return value.strip().upper()


def domain_of(address: str | None) -> str:
    """The lower-case domain of an e-mail address ('' when there is none)."""
    if not address or "@" not in address:
        return ""
    return address.rpartition("@")[2].strip().strip(">").lower()


def domain_suffixes(domain: str) -> list[str]:
    """'mail.acme.fr' -> ['mail.acme.fr', 'acme.fr', 'fr']: a sub-domain belongs to its parent."""
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def _row(raw: dict[str, str | None], line: int, where: str) -> Row:
    values: dict[str, str] = {}
    for column in COLUMNS:
        value = (raw.get(column) or "").strip()
        if not value:
            raise DirectoryError(f"{where}:{line}: column {column}: empty")
        values[column] = value
    domains = values["email_domains"].lower().replace(",", " ").split()
    for domain in domains:
        if not DOMAIN.fullmatch(domain):
            raise DirectoryError(f"{where}:{line}: column email_domains: {domain!r} is not a domain "
                                 f"(write e.g. 'acme.fr', several separated by spaces)")
    for column in ("account_manager_email", "sales_contact_email"):
        if not EMAIL.fullmatch(values[column].lower()):
            raise DirectoryError(f"{where}:{line}: column {column}: {values[column]!r} is not an e-mail address")
    return Row(
        line=line,
        customer_number=values["customer_number"],
        customer_name=values["customer_name"],
        email_domains=tuple(dict.fromkeys(domains)),
        account_manager_email=values["account_manager_email"].lower(),
        sales_contact_email=values["sales_contact_email"].lower(),
        contract_number=norm_number(values["contract_number"]),
        serial_number=norm_number(values["serial_number"]),
        site_address=values["site_address"],
    )


def parse_csv(text: str, where: str = "directory") -> list[Row]:
    """Check a directory file's text; DirectoryError names ``where``, the line and the column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise DirectoryError(f"{where}:1: not a CSV file: {exc}") from None
    if not header:
        raise DirectoryError(f"{where}: empty file (expected a header line: {','.join(COLUMNS)})")
    header = [name.strip() for name in header]
    reader.fieldnames = header
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        hint = " (columns must be separated by commas)" if len(header) == 1 and ";" in header[0] else ""
        raise DirectoryError(f"{where}:1: missing column(s): {', '.join(missing)}{hint}")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise DirectoryError(f"{where}:1: unknown column(s): {', '.join(unknown)} "
                             f"(expected: {', '.join(COLUMNS)})")
    if len(set(header)) != len(header):
        raise DirectoryError(f"{where}:1: a column appears twice")
    rows: list[Row] = []
    customers: dict[str, Row] = {}
    contracts: dict[str, Row] = {}
    serials: dict[str, Row] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw:
                raise DirectoryError(f"{where}:{line}: more values than columns")
            if not any((v or "").strip() for v in raw.values()):
                continue  # a blank line
            row = _row(raw, line, where)
            first = customers.setdefault(row.customer_number, row)
            for column in CUSTOMER_COLUMNS:
                mine, theirs = getattr(row, column), getattr(first, column)
                if (set(mine) != set(theirs)) if column == "email_domains" else mine != theirs:
                    raise DirectoryError(
                        f"{where}:{line}: column {column}: customer {row.customer_number} has "
                        f"{' '.join(theirs) if column == 'email_domains' else theirs!r} on line {first.line}")
            owner = contracts.setdefault(row.contract_number, row)
            if owner.customer_number != row.customer_number:
                raise DirectoryError(
                    f"{where}:{line}: column contract_number: {row.contract_number} belongs to customer "
                    f"{owner.customer_number} on line {owner.line}")
            if row.serial_number in serials:
                raise DirectoryError(f"{where}:{line}: column serial_number: {row.serial_number} "
                                     f"already on line {serials[row.serial_number].line}")
            serials[row.serial_number] = row
            rows.append(row)
    except csv.Error as exc:
        raise DirectoryError(f"{where}:{reader.line_num}: bad CSV: {exc}") from None
    if not rows:
        raise DirectoryError(f"{where}: no rows (a directory needs at least one equipment line)")
    return rows


def read_csv(path: Path | str) -> list[Row]:
    """Read and check a directory file (UTF-8, with or without BOM)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise DirectoryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_csv(text, str(path))


# -- lookups --------------------------------------------------------------------


class Lookup(Protocol):
    def loaded(self) -> bool: ...
    def customers_of_domain(self, domain: str) -> list[str]: ...
    def customer_name(self, customer_number: str) -> str | None: ...
    def contract_customer(self, contract_number: str) -> str | None: ...
    def serial_contract(self, serial_number: str) -> str | None: ...
    def contacts(self, customer_number: str) -> dict[str, str] | None: ...


@dataclass
class Directory:
    """The directory as in-memory maps, built from checked rows (pure lookups)."""

    names: dict[str, str] = field(default_factory=dict)
    domains: dict[str, set[str]] = field(default_factory=dict)  # domain -> customer numbers
    contracts: dict[str, str] = field(default_factory=dict)     # contract -> customer number
    equipment: dict[str, str] = field(default_factory=dict)     # serial -> contract
    people: dict[str, dict[str, str]] = field(default_factory=dict)  # customer -> contacts

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> "Directory":
        directory = cls()
        for row in rows:
            directory.names[row.customer_number] = row.customer_name
            for domain in row.email_domains:
                directory.domains.setdefault(domain, set()).add(row.customer_number)
            directory.contracts[row.contract_number] = row.customer_number
            directory.equipment[row.serial_number] = row.contract_number
            directory.people[row.customer_number] = {
                "account_manager_email": row.account_manager_email,
                "sales_contact_email": row.sales_contact_email}
        return directory

    def loaded(self) -> bool:
        return bool(self.equipment)

    def customers_of_domain(self, domain: str) -> list[str]:
        found: set[str] = set()
        for suffix in domain_suffixes(domain.lower()):
            found |= self.domains.get(suffix, set())
        return sorted(found)

    def customer_name(self, customer_number: str) -> str | None:
        return self.names.get(customer_number)

    def contract_customer(self, contract_number: str) -> str | None:
        return self.contracts.get(norm_number(contract_number))

    def serial_contract(self, serial_number: str) -> str | None:
        return self.equipment.get(norm_number(serial_number))

    def contacts(self, customer_number: str) -> dict[str, str] | None:
        return self.people.get(customer_number)


def customers_of_sender(lookup: Lookup, domain: str) -> list[str]:
    """The customer numbers whose e-mail domains include ``domain`` (or a parent of it)."""
    return lookup.customers_of_domain(domain) if domain else []


def serial_on_contract(lookup: Lookup, serial: str, contract: str) -> bool | None:
    """Whether ``serial`` is on ``contract``; None when the serial is not in the directory."""
    found = lookup.serial_contract(serial)
    return None if found is None else found == norm_number(contract)


def contract_of_customers(lookup: Lookup, contract: str, customers: Iterable[str]) -> bool | None:
    """Whether ``contract`` belongs to one of ``customers``; None when the contract is unknown."""
    owner = lookup.contract_customer(contract)
    return None if owner is None else owner in set(customers)


def customer_of(lookup: Lookup, fields: dict[str, Any],
                addresses: Iterable[str | None]) -> tuple[str | None, tuple[str, str]]:
    """Whose request this is, and the clue: the customer number given, else
    the contract's customer, else a serial's, else the one customer of the
    sender's domain. The clue is (kind, value), kind one of
    ``customer_number``, ``contract``, ``serial``, ``sender_domain``, or
    ``no_directory`` / ``no_clue`` when the customer is None."""
    if not lookup.loaded():
        return None, ("no_directory", "")
    number = fields.get("customer_number")
    if number and lookup.customer_name(str(number)) is not None:
        return str(number), ("customer_number", str(number))
    contract = fields.get("contract_number")
    if contract and lookup.contract_customer(contract):
        return lookup.contract_customer(contract), ("contract", contract)
    for serial in fields.get("serial_numbers") or []:
        on = lookup.serial_contract(serial)
        if on and lookup.contract_customer(on):
            return lookup.contract_customer(on), ("serial", serial)
    for address in addresses:
        customers = customers_of_sender(lookup, domain_of(address))
        if len(customers) == 1:
            return customers[0], ("sender_domain", domain_of(address))
    return None, ("no_clue", "")


# -- the trust rule and the cross-check -------------------------------------------


@dataclass
class Verdict:
    """What the directory says about one message: reasons to review (empty: fine) and evidence."""

    review: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def flag(self, name: str, reason: str, text: str = "") -> None:
        self.review.append(reason)
        self.evidence.append(Evidence("trust", name, text=text, detail=reason))

    def note(self, name: str, detail: str, text: str = "") -> None:
        self.evidence.append(Evidence("trust", name, text=text, detail=detail))


def _who(lookup: Lookup, customers: Iterable[str]) -> str:
    return ", ".join(f"{c} ({lookup.customer_name(c) or '?'})" for c in customers)


def check(lookup: Lookup, *, sensitive: bool, addresses: Iterable[str | None],
          fields: dict[str, Any]) -> Verdict:
    """The trust rule and the cross-check for one message about to be answered.

    ``addresses`` are the sender's From and Reply-To (the reply goes to the
    latter): for a ``sensitive`` situation each domain must belong to a
    customer of the directory, and with no directory loaded nothing can be
    trusted. With a directory, the numbers the message gives must agree: each
    known serial on the given contract, and the contract (or the serial's
    contract, or the customer number) the sender's customer's.
    """
    verdict = Verdict()
    loaded = lookup.loaded()
    if not loaded:
        if sensitive:
            verdict.flag("no_directory", "sensitive change: no customer directory loaded to check the sender")
        return verdict
    domains = list(dict.fromkeys(d for d in (domain_of(a) for a in addresses) if d))
    senders: set[str] = set()
    unknown: list[str] = []
    for domain in domains:
        customers = customers_of_sender(lookup, domain)
        if customers:
            senders.update(customers)
            verdict.note("sender_known", f"domain {domain}: customer {_who(lookup, customers)}", domain)
        else:
            unknown.append(domain)
            if not sensitive:
                verdict.note("sender_unknown", f"domain {domain} is not in the customer directory", domain)
    if sensitive and (unknown or not domains):
        shown = ", ".join(unknown) or "none"
        verdict.flag("sender_not_in_directory",
                     f"sensitive change from a sender not in the customer directory (domain {shown})", shown)
    if unknown:
        senders = set()  # a stranger in From or Reply-To: do not vouch for the numbers by domain

    contract = fields.get("contract_number")
    serials = [s for s in fields.get("serial_numbers") or [] if s]
    if contract:
        belongs = contract_of_customers(lookup, contract, senders) if senders else None
        owner = lookup.contract_customer(contract)
        if owner is None:
            verdict.note("contract_unknown", f"contract {contract} is not in the directory", contract)
        elif belongs is False:
            verdict.flag("contract_of_another_customer",
                         f"contract {contract} belongs to customer {_who(lookup, [owner])}, "
                         f"not to the sender's ({_who(lookup, sorted(senders))})", contract)
        else:
            verdict.note("contract_customer", f"contract {contract}: customer {_who(lookup, [owner])}", contract)
    for serial in serials:
        on = lookup.serial_contract(serial)
        if on is None:
            verdict.note("serial_unknown", f"serial {serial} is not in the directory", serial)
        elif contract and not serial_on_contract(lookup, serial, contract):
            verdict.flag("serial_not_on_contract",
                         f"serial {serial} is on contract {on}, not on contract {norm_number(contract)}", serial)
        else:
            owner = lookup.contract_customer(on)
            if senders and owner not in senders:
                verdict.flag("serial_of_another_customer",
                             f"serial {serial} (contract {on}) belongs to customer {_who(lookup, [owner])}, "
                             f"not to the sender's ({_who(lookup, sorted(senders))})", serial)
            else:
                verdict.note("serial_contract", f"serial {serial}: contract {on}", serial)
    number = fields.get("customer_number")
    if number and senders:
        if str(number) in senders:
            verdict.note("customer_number", f"customer {number} matches the sender's domain", str(number))
        elif lookup.customer_name(str(number)) is not None:
            verdict.flag("customer_number_of_another_customer",
                         f"customer number {number} is not the sender's ({_who(lookup, sorted(senders))})",
                         str(number))
    return verdict
