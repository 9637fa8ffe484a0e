"""The customer directory as the store keeps it: its tables, the lookups the trust rule and routing use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.decide.directory import Row, number_key, sender_keys

if TYPE_CHECKING:
    from mailbot.store import Store

DIRECTORY_TABLES = ("equipment", "contracts", "customer_domains", "customers")


class StoreDirectory:
    """The directory lookups (directory.Lookup) answered from the database."""

    def __init__(self, store: Store):
        self.db = store.db

    def loaded(self) -> bool:
        return self.db.execute("select 1 from equipment limit 1").fetchone() is not None

    def customers_of_address(self, address: str) -> list[str]:
        keys = [address.strip().lower(), *sender_keys(address)] if "@" in address else sender_keys(address)
        if not keys:
            return []
        return [r[0] for r in self.db.execute(
            f"select distinct customer_number from customer_domains where domain in "
            f"({','.join('?' * len(keys))}) order by customer_number", keys)]

    def senders_of(self, customer_number: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "select domain from customer_domains where customer_number = ? order by domain", [customer_number])]

    def customer_name(self, customer_number: str) -> str | None:
        row = self.db.execute("select customer_name from customers where customer_number = ?",
                              [customer_number]).fetchone()
        return row[0] if row else None

    def contract_customer(self, contract_number: str) -> str | None:
        row = self.db.execute("select customer_number from contracts where contract_key = ?",
                              [number_key(contract_number)]).fetchone()
        return row[0] if row else None

    def serial_contract(self, serial_number: str) -> str | None:
        row = self.db.execute("select contract_number from equipment where serial_key = ?",
                              [number_key(serial_number)]).fetchone()
        return row[0] if row else None

    def contacts(self, customer_number: str) -> dict[str, str] | None:
        rows = list(self.db.query("select account_manager_email, sales_contact_email from customers "
                                  "where customer_number = ?", [customer_number]))
        return rows[0] if rows else None


def replace_directory(store: Store, rows: list[Row]) -> dict[str, int]:
    """Replace the whole directory by ``rows`` in one transaction; returns the counts."""
    customers = {r.customer_number: r for r in rows}
    domains = {(d, r.customer_number) for r in rows for d in r.email_domains}
    contracts = {r.contract_number: r.customer_number for r in rows}
    db = store.db
    with store.transaction():
        for table in DIRECTORY_TABLES:
            db.execute(f"delete from {table}")
        db["customers"].insert_all(
            ({"customer_number": r.customer_number, "customer_name": r.customer_name,
              "account_manager_email": r.account_manager_email,
              "sales_contact_email": r.sales_contact_email} for r in customers.values()))
        db["customer_domains"].insert_all(
            ({"domain": d, "customer_number": c} for d, c in sorted(domains)))
        db["contracts"].insert_all(
            ({"contract_number": k, "customer_number": c, "contract_key": number_key(k)}
             for k, c in contracts.items()))
        db["equipment"].insert_all(
            ({"serial_number": r.serial_number, "contract_number": r.contract_number,
              "site_address": r.site_address, "serial_key": number_key(r.serial_number)} for r in rows))
    return directory_counts(store)


def directory_counts(store: Store) -> dict[str, int]:
    return {table: store.db.execute(f"select count(*) from {table}").fetchone()[0]
            for table in reversed(DIRECTORY_TABLES)}
