"""Where messages come from: one small interface, two implementations.

A source lists the keys of the messages waiting, fetches their bytes in
batches, moves messages to the folder of a role (processed, review,
quarantine) and waits for news (IMAP IDLE or polling). The daemon knows
nothing else of it, so Maildir (the embedded default) and IMAP are swappable.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator, Protocol

from mailbot.store import MessageKey

ROLES = ("processed", "review", "quarantine")


def role_folders(mailbox_settings) -> dict[str, str]:
    """The folder of each role, from the [mailbox] *_folder keys."""
    return {role: getattr(mailbox_settings, f"{role}_folder") for role in ROLES}


def folder_of(folders: dict[str, str], destination: str) -> str:
    """The folder of a destination: a role ("review"), or a role and a subfolder
    ("processed/po_change" is the processed folder's po_change subfolder)."""
    role, _, sub = destination.partition("/")
    return f"{folders[role]}/{sub}" if sub else folders[role]


class SourceUnavailable(Exception):
    """The mailbox cannot be reached now; the daemon retries with backoff."""


class SourceRefused(Exception):
    """The mailbox refuses us (login, missing folder): retrying will not help."""


@dataclass
class Incoming:
    """One fetched message: its key, its bytes and the server's arrival date."""

    key: MessageKey
    raw: bytes
    internaldate: datetime | None = None
    label: str = ""
    error: str | None = None  # the server would not give this message's bytes


class Source(Protocol):
    name: str

    def connect(self) -> None: ...

    def waiting(self) -> list[MessageKey]: ...

    def fetch(self, keys: Iterable[MessageKey]) -> Iterator[Incoming]: ...

    def move(self, keys: list[MessageKey], destination: str) -> None: ...

    def wait(self, timeout: float, stop: threading.Event) -> None: ...

    def requeue(self, message_ids: Iterable[str] | None = None) -> int: ...

    def close(self) -> None: ...


def open_source(settings, subfolders: Iterable[str] = ()) -> Source:
    """The source the settings name. ``subfolders``: destinations besides the roles whose folders
    an IMAP source checks or makes at connect ("processed/po_change")."""
    if settings.mailbox.kind == "imap":
        from mailbot.mail.sources.imap import ImapSource

        return ImapSource(settings, subfolders)
    from mailbot.mail.sources.maildir import MaildirSource

    return MaildirSource(settings)
