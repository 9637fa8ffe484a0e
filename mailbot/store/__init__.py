"""The durable state: message ledger, cases and outbox, in one SQLite file.

Exactly-once rests on three facts kept here: a message key (mailbox,
UIDVALIDITY, UID) is recorded with its decision and its reply in one
transaction, before the message is moved; a reply is marked sent just before
the SMTP server can accept it (the final dot, see senders.py); a Message-ID
already decided is never decided again.

Each concern has its module and owns its tables: schema (migrations), base
(the file, transactions), ledger (messages), cases, outbox, safety
(suppressions, alerts), reporting (the review queue, the audit), people (the
web app's users, the desk's corrections as examples, the service's state),
lookup (the customer directory). ``Store`` puts them together; its rows and states are in
rows.py.
"""

from __future__ import annotations

from mailbot.store.cases import CaseRows
from mailbot.store.digests import Digests
from mailbot.store.ledger import Ledger
from mailbot.store.lookup import DIRECTORY_TABLES, StoreDirectory, directory_counts, replace_directory
from mailbot.store.outbox import OutboxRows
from mailbot.store.people import ROLES, People, User
from mailbot.store.reporting import EVERYTHING, Figures, Reporting, Scope
from mailbot.store.rows import (DECIDED, DISCARDED, DONE, DRAFT, DUPLICATE, FAILED, HELD, IN_FLIGHT,
                                LOCAL_ERRNOS, NEUTRAL_ACK, OUTGOING, PENDING, QUARANTINED, SENT, SHADOW,
                                UNCONFIRMED, Case, LedgerRow, LocalProblem, MessageKey, OutboxRow, OutgoingRow,
                                is_local_problem)
from mailbot.store.safety import Safety
from mailbot.store.schema import migrations


class Store(Ledger, CaseRows, OutboxRows, Safety, Reporting, Figures, People, Digests):
    """The SQLite file with every concern's rows; every write is one transaction."""


__all__ = ["Case", "LedgerRow", "OutboxRow", "DECIDED", "DIRECTORY_TABLES", "DISCARDED", "DONE", "DRAFT", "DUPLICATE", "FAILED", "HELD", "IN_FLIGHT",
           "LOCAL_ERRNOS", "NEUTRAL_ACK", "OUTGOING", "PENDING", "QUARANTINED", "SENT", "SHADOW", "UNCONFIRMED",
           "EVERYTHING", "LocalProblem", "MessageKey", "OutgoingRow", "ROLES", "Scope", "Store", "User", "StoreDirectory", "directory_counts",
           "is_local_problem", "migrations", "replace_directory"]
