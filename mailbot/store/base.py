"""The SQLite file: opening it (WAL, a busy timeout, migrations) and one transaction() that nests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database

from mailbot.store.schema import migrations


class StoreBase:
    """The SQLite file: opened, migrated, and written in transactions that nest."""

    def __init__(self, path: Path | str):
        self.path = path
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(path)
        self.db.enable_wal()
        # Autocommit at the driver: every multi-statement write says BEGIN
        # IMMEDIATE itself (``transaction``), and a lone UPDATE commits at once.
        self.db.conn.isolation_level = None
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self._savepoints = 0  # names of nested transactions (transaction())
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: take the write lock at once. Inside another transaction, a SAVEPOINT:
        a method that writes several rows may be called alone or within its caller's transaction,
        and a failure rolls back its own writes only (the caller decides about the rest).

        Should a second process open the file (an operator's command beside the
        daemon), a deferred transaction that read first and writes later would
        fail with "database is locked" instead of waiting its turn.
        """
        conn = self.db.conn
        if conn.in_transaction:
            self._savepoints += 1
            name = f"nested_{self._savepoints}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield
                conn.execute(f"RELEASE {name}")
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # else SQLite rolled back itself (a full disk, an I/O error)
                conn.execute("ROLLBACK")
            raise

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """One INSERT, its rowid: the hot path skips sqlite-utils' table introspection
        (several queries per insert), which cost more than the insert itself."""
        columns = ", ".join(row)
        cursor = self.db.conn.execute(f"insert into {table} ({columns}) values ({','.join('?' * len(row))})",
                                      list(row.values()))
        return cursor.lastrowid
