"""The customer directory: who our customers are, their e-mail domains,
contracts and equipment, imported from a CSV file (``mailbot directory import``).

The CSV has one row per equipment (see README, "The customer directory"):

    customer_number, customer_name, email_domains (space-separated),
    account_manager_email, sales_contact_email, contract_number,
    serial_number, site_address

``email_domains`` lists domains, or, for a customer who writes from a public
mailbox provider (gmail.com, orange.fr…, where anyone can open an address),
the full addresses: such a domain is refused, since every user of the
provider would then pass for the customer. ``parse_csv`` checks it and says
which line and column is wrong. The lookups
(customers of a sender's domain, the contract of a serial, the customer of a
contract) are the ``Lookup`` methods, answered either from parsed rows
(``Directory``, pure) or from the database (``store.StoreDirectory``).
The trust rule that uses them is trust.py.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Protocol

from mailbot.read.addresses import domain_of, is_free_mail, plain, suffixes

COLUMNS = ("customer_number", "customer_name", "email_domains", "account_manager_email",
           "sales_contact_email", "contract_number", "serial_number", "site_address")
# Columns that describe the customer: every row of one customer must agree on them.
CUSTOMER_COLUMNS = ("customer_name", "email_domains", "account_manager_email", "sales_contact_email")

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN = re.compile(rf"(?<![a-z0-9-]){_LABEL}(?:\.{_LABEL})+")  # a label starts after no letter, digit or dash


class DirectoryError(ValueError):
    """The directory file is missing, unreadable or has a bad line."""


@dataclass(frozen=True)
class Row:
    """One equipment line of the directory file, checked and normalised."""

    line: int
    customer_number: str
    customer_name: str
    email_domains: tuple[str, ...]  # domains and full addresses, as written in the column
    account_manager_email: str
    sales_contact_email: str
    contract_number: str
    serial_number: str
    site_address: str


def norm_number(value: str) -> str:
    """A contract or serial number as the directory shows it: upper case, no surrounding space."""
    return value.strip().upper()


def number_key(value: str) -> str:
    """What two writings of one number have in common: its letters and digits, in upper case
    and compatibility form (``TX3100-0040128``, ``tx3100 0040128``, ``TX3100–0040128``,
    ``TX31000040128`` are one serial): a number written differently is still recognised."""
    return "".join(c for c in unicodedata.normalize("NFKC", value).upper() if c.isalnum())


def split_senders(entries: Iterable[str]) -> tuple[list[str], list[str]]:
    """(domains, full addresses) of an ``email_domains`` value's entries."""
    domains = [e for e in entries if "@" not in e]
    return domains, [e for e in entries if "@" in e]


def _row(raw: dict[str, str | None], line: int, where: str) -> Row:
    values: dict[str, str] = {}
    for column in COLUMNS:
        value = (raw.get(column) or "").strip()
        if not value:
            raise DirectoryError(f"{where}:{line}: column {column}: empty")
        values[column] = value
    domains = values["email_domains"].lower().replace(",", " ").split()
    for domain in domains:
        if "@" in domain:
            if plain(domain) is None:
                raise DirectoryError(f"{where}:{line}: column email_domains: {domain!r} is not a plain "
                                     f"e-mail address")
        elif not DOMAIN.fullmatch(domain):
            raise DirectoryError(f"{where}:{line}: column email_domains: {domain!r} is not a domain "
                                 f"(write e.g. 'acme.fr', several separated by spaces)")
        elif is_free_mail(domain):
            raise DirectoryError(f"{where}:{line}: column email_domains: {domain!r} is a public mailbox provider "
                                 f"(anyone can have an address there): list the customer's full addresses "
                                 f"instead, e.g. 'jean.dupont@{domain}'")
    for column in ("account_manager_email", "sales_contact_email"):
        if plain(values[column].lower()) is None:
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
        others = [name[:40] for name in header if name not in COLUMNS]
        named = f"all of {','.join(COLUMNS)}" if len(missing) == len(COLUMNS) else ", ".join(missing)
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            hint = " (columns must be separated by commas)"
        elif len(missing) == len(COLUMNS):
            hint = " (the first line must be the header line, naming the columns)"
        elif others:
            hint = f" (found instead: {', '.join(others[:5])}{' …' if len(others) > 5 else ''})"
        else:
            hint = ""
        raise DirectoryError(f"{where}:1: missing column(s): {named}{hint}")
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
            owner = contracts.setdefault(number_key(row.contract_number), row)
            if owner.customer_number != row.customer_number:
                raise DirectoryError(
                    f"{where}:{line}: column contract_number: {row.contract_number} belongs to customer "
                    f"{owner.customer_number} on line {owner.line}")
            if number_key(row.serial_number) in serials:
                raise DirectoryError(f"{where}:{line}: column serial_number: {row.serial_number} "
                                     f"already on line {serials[number_key(row.serial_number)].line}")
            serials[number_key(row.serial_number)] = row
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
        data = path.read_bytes()
    except OSError as exc:
        raise DirectoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DirectoryError(_not_utf8(str(path), data, exc)) from None
    return parse_csv(text, str(path))


SAVE_AS_UTF8 = "save it as CSV UTF-8 from Excel (File > Save As > \"CSV UTF-8 (comma delimited)\")"


def _not_utf8(where: str, data: bytes, exc: UnicodeDecodeError) -> str:
    """One line: which line is not UTF-8, what the file looks like, and how to save it right."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"{where}:1: not UTF-8 but UTF-16 (Excel's \"Unicode text\"): {SAVE_AS_UTF8}"
    line = data.count(b"\n", 0, exc.start) + 1
    before = data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8", "replace")[-20:]
    try:
        data.decode("cp1252")
        looks = ", as Excel's plain \"CSV\" writes it (Windows-1252)"
    except UnicodeDecodeError:
        looks = ""
    where_on_line = f" after {before!r}" if before else " at the start of the line"
    return (f"{where}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02X}{where_on_line}{looks}): "
            f"{SAVE_AS_UTF8}")


# -- lookups --------------------------------------------------------------------


class Lookup(Protocol):
    def loaded(self) -> bool: ...
    def customers_of_address(self, address: str) -> list[str]: ...
    def senders_of(self, customer_number: str) -> list[str]: ...
    def customer_name(self, customer_number: str) -> str | None: ...
    def contract_customer(self, contract_number: str) -> str | None: ...
    def serial_contract(self, serial_number: str) -> str | None: ...
    def contacts(self, customer_number: str) -> dict[str, str] | None: ...


@dataclass
class Directory:
    """The directory as in-memory maps, built from checked rows (pure lookups)."""

    names: dict[str, str] = field(default_factory=dict)
    domains: dict[str, set[str]] = field(default_factory=dict)  # domain or full address -> customer numbers
    contracts: dict[str, str] = field(default_factory=dict)     # contract's number_key -> customer number
    equipment: dict[str, str] = field(default_factory=dict)     # serial's number_key -> contract
    people: dict[str, dict[str, str]] = field(default_factory=dict)  # customer -> contacts

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> "Directory":
        directory = cls()
        for row in rows:
            directory.names[row.customer_number] = row.customer_name
            for domain in row.email_domains:
                directory.domains.setdefault(domain, set()).add(row.customer_number)
            directory.contracts[number_key(row.contract_number)] = row.customer_number
            directory.equipment[number_key(row.serial_number)] = row.contract_number
            directory.people[row.customer_number] = {
                "account_manager_email": row.account_manager_email,
                "sales_contact_email": row.sales_contact_email}
        return directory

    def loaded(self) -> bool:
        return bool(self.equipment)

    def customers_of_address(self, address: str) -> list[str]:
        found: set[str] = set(self.domains.get(address.strip().lower(), set())) if "@" in address else set()
        for suffix in sender_keys(address):
            found |= self.domains.get(suffix, set())
        return sorted(found)

    def senders_of(self, customer_number: str) -> list[str]:
        return sorted(d for d, customers in self.domains.items() if customer_number in customers)

    def customer_name(self, customer_number: str) -> str | None:
        return self.names.get(customer_number)

    def contract_customer(self, contract_number: str) -> str | None:
        return self.contracts.get(number_key(contract_number))

    def serial_contract(self, serial_number: str) -> str | None:
        return self.equipment.get(number_key(serial_number))

    def contacts(self, customer_number: str) -> dict[str, str] | None:
        return self.people.get(customer_number)


def sender_keys(address: str) -> list[str]:
    """The directory entries that would make ``address`` a customer's: its domain and the
    domain's parents, never a public mailbox provider's (those are matched by full address)."""
    domain = domain_of(address) if "@" in address else address.strip().lower()
    return [] if not domain or is_free_mail(domain) else suffixes(domain)[:-1]


def customers_of_sender(lookup: Lookup, address: str | None) -> list[str]:
    """The customer numbers ``address`` belongs to: listed whole, or by its domain."""
    return lookup.customers_of_address(address) if address else []


def serial_on_contract(lookup: Lookup, serial: str, contract: str) -> bool | None:
    """Whether ``serial`` is on ``contract``; None when the serial is not in the directory."""
    found = lookup.serial_contract(serial)
    return None if found is None else number_key(found) == number_key(contract)


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
        customers = customers_of_sender(lookup, address)
        if len(customers) == 1:
            return customers[0], ("sender_domain", domain_of(address))
    return None, ("no_clue", "")
