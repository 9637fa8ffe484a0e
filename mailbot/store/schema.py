"""The database schema: every change a named migration, recorded in the file itself (sqlite-utils).

A database made by any earlier release is brought up to date when it is opened; tests/test_store.py
checks both an empty file and one made by the previous release.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from mailbot.decide.directory import number_key
from mailbot.read.addresses import domain_of, fold

migrations = Migrations("mailbot")


@migrations()
def m001_ledger_cases_outbox(db: Database) -> None:
    db["messages"].create(
        {
            "id": int,
            "mailbox": str,
            "uidvalidity": int,
            "uid": str,
            "message_id": str,
            "received_at": str,
            "sender": str,
            "subject": str,
            "situation": str,
            "action": str,
            "confidence": float,
            "analysis": str,
            "state": str,
            "destination": str,
            "case_ref": str,
            "error": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["messages"].create_index(["mailbox", "uidvalidity", "uid"], unique=True)
    db["messages"].create_index(["message_id"])
    db["cases"].create(
        {
            "id": int,
            "ref": str,
            "situation": str,
            "sender": str,
            "message_id": str,
            "state": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["cases"].create_index(["ref"], unique=True)
    db["outbox"].create(
        {
            "id": int,
            "message_row": int,
            "case_ref": str,
            "kind": str,
            "recipients": str,
            "raw": bytes,
            "state": str,
            "attempts": int,
            "last_error": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
    )
    db["outbox"].create_index(["state"])
    db["outbox"].create_index(["message_row", "kind"], unique=True)


@migrations()
def m002_loop_safety(db: Database) -> None:
    """Limits need fast counts per address, per case and per hour; bounces and
    the global brake need somewhere to be remembered."""
    db["outbox"].add_column("recipient", str)
    db.execute("update outbox set recipient = lower(json_extract(recipients, '$[0]'))")
    # Covering indexes: the counts never read the rows (which hold the raw replies).
    db["outbox"].create_index(["recipient", "created_at", "state"])
    db["outbox"].create_index(["case_ref", "created_at", "state"])
    db["outbox"].create_index(["state", "sent_at"])
    db["suppressed"].create(
        {
            "address": str,
            "reason": str,
            "message_id": str,
            "created_at": str,
            "until": str,
        },
        pk="address",
    )
    db["alerts"].create(
        {
            "id": int,
            "kind": str,
            "message": str,
            "opened_at": str,
            "cleared_at": str,
        },
        pk="id",
    )
    db["alerts"].create_index(["kind", "cleared_at"])


@migrations()
def m003_directory(db: Database) -> None:
    """The customer directory (mailbot/decide/directory.py), replaced whole by each import."""
    db["customers"].create(
        {"customer_number": str, "customer_name": str, "account_manager_email": str,
         "sales_contact_email": str},
        pk="customer_number",
    )
    # "domain" holds a domain, or a full address for a customer on a public provider (directory.py)
    db["customer_domains"].create({"domain": str, "customer_number": str},
                                  pk=("domain", "customer_number"))
    db["contracts"].create({"contract_number": str, "customer_number": str}, pk="contract_number")
    db["contracts"].create_index(["customer_number"])
    db["equipment"].create({"serial_number": str, "contract_number": str, "site_address": str},
                           pk="serial_number")
    db["equipment"].create_index(["contract_number"])


@migrations()
def m004_cases_across_messages(db: Database) -> None:
    """Cases carry a conversation: their merged fields, what a reminder needs,
    the Message-IDs that thread into them, their messages (forwarded as
    attachments) and their history (field changes, state changes)."""
    for column, kind in (("customer_number", str), ("snapshot", str), ("awaiting_since", str),
                         ("reminded_at", str), ("closed_at", str), ("forwarded_to", str),
                         ("last_message_at", str)):
        db["cases"].add_column(column, kind)
    db.execute("update cases set state = 'closed' where state = 'open'")
    db["cases"].create_index(["sender", "last_message_at"])
    db["cases"].create_index(["state", "awaiting_since"])
    db["case_links"].create({"message_id": str, "case_ref": str}, pk="message_id")
    db["case_messages"].create({"id": int, "case_ref": str, "message_row": int, "message_id": str,
                                "raw": bytes, "created_at": str}, pk="id")
    db["case_messages"].create_index(["case_ref"])
    db["case_events"].create({"id": int, "case_ref": str, "at": str, "kind": str, "detail": str}, pk="id")
    db["case_events"].create_index(["case_ref"])


@migrations()
def m005_hostile_mail(db: Database) -> None:
    """Limits count an address folded (``victim+1@`` is ``victim@``) and per domain; a
    bounce counts only when it quotes one of our Message-IDs, so each outbox row keeps its own."""
    for column in ("message_id", "folded", "domain"):
        db["outbox"].add_column(column, str)
    for row in list(db.query("select id, recipient from outbox where recipient is not null")):
        db.execute("update outbox set folded = ?, domain = ? where id = ?",
                   [fold(row["recipient"]), domain_of(row["recipient"]), row["id"]])
    db["outbox"].create_index(["folded", "created_at", "state"])
    db["outbox"].create_index(["domain", "kind", "created_at"])
    db["outbox"].create_index(["kind", "created_at"])
    db["outbox"].create_index(["message_id"])


@migrations()
def m006_number_keys(db: Database) -> None:
    """Numbers are looked up by their letters and digits (directory.number_key): a contract
    or serial written with other separators is the same one."""
    db["contracts"].add_column("contract_key", str)
    db["equipment"].add_column("serial_key", str)
    for (contract,) in db.execute("select contract_number from contracts").fetchall():
        db.execute("update contracts set contract_key = ? where contract_number = ?", [number_key(contract), contract])
    for (serial,) in db.execute("select serial_number from equipment").fetchall():
        db.execute("update equipment set serial_key = ? where serial_number = ?", [number_key(serial), serial])
    db["contracts"].create_index(["contract_key"])
    db["equipment"].create_index(["serial_key"])


@migrations()
def m007_fingerprints(db: Database) -> None:
    """A message without a Message-ID is known again by a digest of its stable headers and
    body (mime.fingerprint): after a UIDVALIDITY change it has a new key, not a new identity."""
    db["messages"].add_column("fingerprint", str)
    db["messages"].create_index(["fingerprint"])


@migrations()
def m008_actions(db: Database) -> None:
    """What people do about messages and cases (review.py), with who and when: the audit."""
    db["actions"].create({"id": int, "at": str, "actor": str, "action": str, "target": str, "detail": str},
                         pk="id")
    db["actions"].create_index(["target"])
    db["actions"].create_index(["at"])


@migrations()
def m009_people(db: Database) -> None:
    """The review web app's people (argon2 hashes, roles, lockout), the examples their corrections
    teach the classifier, and the service's own state (the daemon's last pass, the web's secret key)."""
    db["users"].create({"name": str, "role": str, "hash": str, "disabled": int, "failures": int,
                        "locked_until": str, "created_at": str, "password_at": str}, pk="name")
    db["examples"].create({"id": int, "at": str, "actor": str, "message_row": int, "bot_situation": str,
                           "situation": str, "text": str, "fields": str}, pk="id")
    db["examples"].create_index(["at"])
    db["service_state"].create({"key": str, "value": str, "at": str}, pk="key")


@migrations()
def m010_digests(db: Database) -> None:
    """Managers' daily digests: each recipient's own choices (language, time zone, hour, paused), and
    the digests recorded before they are sent (one per recipient and day); the indexes their figures
    read a day of traffic by."""
    db["digest_recipients"].create({"address": str, "language": str, "timezone": str, "hour": str, "paused": int,
                                    "updated_at": str}, pk="address")
    db["digests"].create({"address": str, "day": str, "outbox_id": int, "at": str}, pk=("address", "day"))
    db["messages"].create_index(["created_at"])
    db["messages"].create_index(["case_ref"])
    db["cases"].create_index(["created_at"])
    db["cases"].create_index(["reminded_at"])
    db["suppressed"].create_index(["created_at"])
