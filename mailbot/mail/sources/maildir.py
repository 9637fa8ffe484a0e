"""A Maildir inbox: the embedded default, and what `make run` shows.

Folders are Maildir++ subfolders (``Bot/Processed`` is ``.Bot.Processed``), the
layout Dovecot uses, so the same tree can later be served over IMAP. The key of
a message is the unique part of its file name, which stays the same while it
is moved; moving is a rename, atomic on one file system.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from mailbot.mail.sources import Incoming, SourceRefused, folder_of, role_folders
from mailbot.read.mime import message_id_of
from mailbot.store import MessageKey, is_local_problem

SUBDIRS = ("tmp", "new", "cur")


def make_maildir(path: Path) -> Path:
    """Create a Maildir (and nothing else) if it is not there yet."""
    for sub in SUBDIRS:
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


class MaildirSource:
    def __init__(self, settings):
        self.path: Path = settings.resolve(settings.mailbox.path)
        self.poll_seconds = settings.mailbox.poll_seconds
        self.name = f"maildir:{self.path}"
        self.folders = role_folders(settings.mailbox)
        self._files: dict[str, Path] = {}

    def connect(self) -> None:
        try:
            make_maildir(self.path)
        except OSError as exc:
            if is_local_problem(exc):  # a full or read-only disk, a permission: the machine's, exit 3
                raise
            raise SourceRefused(f"mailbox.path: cannot open Maildir {self.path}: {exc.strerror}") from None

    def folder_path(self, destination: str) -> Path:
        return self.path / ("." + folder_of(self.folders, destination).replace("/", "."))

    def waiting(self) -> list[MessageKey]:
        self._files = {}
        for sub in ("new", "cur"):
            for entry in (self.path / sub).iterdir():
                if entry.is_file() and not entry.name.startswith("."):
                    self._files[entry.name.split(":", 1)[0]] = entry
        return [MessageKey(self.name, 0, k) for k in sorted(self._files)]

    def fetch(self, keys: Iterable[MessageKey]) -> Iterator[Incoming]:
        for key in keys:
            path = self._files.get(key.uid)
            try:
                raw = path.read_bytes()
                arrived = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
            except (AttributeError, FileNotFoundError):
                continue  # taken away meanwhile, by a person or another reader
            yield Incoming(key, raw, arrived, label=key.uid)

    def move(self, keys: list[MessageKey], destination: str) -> None:
        folder = make_maildir(self.folder_path(destination))
        (folder / "maildirfolder").touch()
        for key in keys:
            path = self._files.pop(key.uid, None)
            if path is not None and path.exists():  # else already moved: harmless
                path.rename(folder / "cur" / f"{key.uid}:2,S")

    def requeue(self, message_ids: Iterable[str] | None = None) -> int:
        """Put quarantined messages (those of ``message_ids``; None: all) back into the inbox (new/),
        to be processed again."""
        folder = self.folder_path("quarantine")
        wanted = None if message_ids is None else set(message_ids)
        moved = 0
        for sub in ("new", "cur"):
            if (folder / sub).is_dir():
                for entry in sorted((folder / sub).iterdir()):
                    if wanted is not None and message_id_of(entry.read_bytes()) not in wanted:
                        continue
                    # A new key: the ledger already knows the old one as quarantined.
                    key = f"{entry.name.split(':', 1)[0]}.requeued-{time.time_ns()}"
                    entry.rename(self.path / "new" / key)
                    moved += 1
        return moved

    def wait(self, timeout: float, stop: threading.Event) -> None:
        stop.wait(min(timeout, self.poll_seconds))

    def close(self) -> None:
        self._files = {}
