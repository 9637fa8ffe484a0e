"""What every part of a running mailbot shares, built once and passed down.

The settings, the situation rules, the text model and the clock are loaded
or chosen here, once, by whoever starts mailbot (the CLI, the daemon, a
test), and handed to the processor, the analysis workers and the review
service. Nothing below reaches for a module-level default of its own: a test
or a second instance gives another App and gets another behaviour.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from mailbot.read import textcat
from mailbot.read.analyze import SHIPPED
from mailbot.read.extract import check_reading_data
from mailbot.config import SettingsError
from mailbot.read.rules import Rules, load_rules


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class App:
    settings: Any
    rules: Rules
    model: textcat.TextModel | None  # None: the keywords alone classify
    clock: Callable[[], datetime] = field(default=utcnow)

    @classmethod
    def build(cls, settings, *, rules: Rules | None = None, model: Any = SHIPPED,
              clock: Callable[[], datetime] = utcnow) -> "App":
        """Load what is not given: the shipped rules and model (importing spaCy, about 1 s); check the extractors' cue files."""
        check_reading_data()
        return cls(settings, rules or load_rules(), textcat.default_model() if model == SHIPPED else model, clock)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.bot.timezone)

    def analysis_options(self) -> dict[str, Any]:
        """What ``analyze`` needs besides the message, the same in every worker."""
        settings = self.settings
        return {"own_addresses": settings.own_addresses, "timezone": settings.bot.timezone, "rules": self.rules,
                "model": self.model, "authserv_id": settings.trust.authserv_id}

    def open_store(self):
        return open_store(self.settings)


def open_store(settings, *, create: bool = True):
    """The database of ``settings`` (made when ``create``). A disk or permission problem of this
    machine is a LocalProblem (exit 3); any other failure to open it names the setting (SettingsError)."""
    from mailbot.store import LocalProblem, Store, is_local_problem

    path = settings.resolve(settings.database.path)
    if not create and not path.exists():
        raise SettingsError(f"database.path: no database at {path} (wrong settings file? mailbot has not "
                            "run yet?)")
    try:
        return Store(path)
    except (OSError, sqlite3.Error) as exc:
        if is_local_problem(exc):
            raise LocalProblem(f"database {path}: {exc}") from None
        raise SettingsError(f"database.path: cannot open {path}: {exc}") from None
