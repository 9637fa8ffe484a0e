"""Settings: one TOML file, checked key by key, secrets only from the environment.

An operator must learn at once, and in one line, which key is wrong; so every
key is declared here with its type and default, unknown keys are refused, and
``SettingsError`` always names ``section.key``. The CLI turns it into exit
status 2.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TLS_MODES = ("none", "starttls", "tls")


class SettingsError(Exception):
    """A setting is missing, unknown or wrong; the message names the key."""


@dataclass(frozen=True)
class Key:
    kind: type | tuple[type, ...]
    default: Any = None
    choices: tuple = ()


# Rules are data: every accepted key, its type, default and allowed values.
SCHEMA: dict[str, dict[str, Key]] = {
    "mailbox": {
        "kind": Key(str, "maildir", ("maildir", "imap")),
        "path": Key(str, "var/mail"),
        "host": Key(str, "127.0.0.1"),
        "port": Key(int, 993),
        "tls": Key(str, "tls", TLS_MODES),
        "username": Key(str, ""),
        "password_env": Key(str, "MAILBOT_IMAP_PASSWORD"),
        "folder": Key(str, "INBOX"),
        "processed_folder": Key(str, "Bot/Processed"),
        "review_folder": Key(str, "Bot/Review"),
        "quarantine_folder": Key(str, "Bot/Quarantine"),
        "idle": Key(bool, True),
        "idle_renew_seconds": Key(int, 600),
        "poll_seconds": Key(int, 30),
        "batch_size": Key(int, 200),
        "timeout_seconds": Key(int, 30),
    },
    "smtp": {
        "kind": Key(str, "maildir", ("maildir", "smtp")),
        "path": Key(str, "var/outbox"),
        "host": Key(str, "127.0.0.1"),
        "port": Key(int, 587),
        "tls": Key(str, "starttls", TLS_MODES),
        "username": Key(str, ""),
        "password_env": Key(str, "MAILBOT_SMTP_PASSWORD"),
        "timeout_seconds": Key(int, 30),
    },
    "bot": {
        "address": Key(str, "contrats.service.wfps@cf.canon.fr"),
        "display_name": Key(str, "Service Contrats Canon France"),
        "mode": Key(str, "auto", ("shadow", "draft", "auto")),
        "timezone": Key(str, "Europe/Paris"),
        "other_addresses": Key(list, []),
        "reference_prefix": Key(str, "WFPS"),
    },
    "database": {
        "path": Key(str, "var/mailbot.db"),
    },
    # Loop safety (see limits.py): caps on replies, a global brake, bounce suppression.
    "limits": {
        "per_sender": Key(int, 3),
        "per_sender_hours": Key(int, 24),
        "per_case": Key(int, 2),
        "per_hour": Key(int, 200),
        "bounce_block_days": Key(int, 30),
    },
}

POSITIVE_INT_KEYS = {
    ("mailbox", "port"),
    ("mailbox", "idle_renew_seconds"),
    ("mailbox", "poll_seconds"),
    ("mailbox", "batch_size"),
    ("mailbox", "timeout_seconds"),
    ("smtp", "port"),
    ("smtp", "timeout_seconds"),
    ("limits", "per_sender"),
    ("limits", "per_sender_hours"),
    ("limits", "per_case"),
    ("limits", "per_hour"),
    ("limits", "bounce_block_days"),
}


@dataclass(frozen=True)
class Section:
    """One settings section; attributes are its keys."""

    name: str
    values: dict[str, Any]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(f"{self.name}.{key}") from None


@dataclass(frozen=True)
class Settings:
    mailbox: Section
    smtp: Section
    bot: Section
    database: Section
    limits: Section
    source: Path
    base_dir: Path

    def resolve(self, path: str) -> Path:
        """Relative paths in the file are relative to the file's own folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def secret(self, section: str) -> str:
        """The password of a section, read from the variable its password_env names."""
        sec: Section = getattr(self, section)
        var = sec.password_env
        value = os.environ.get(var)
        if not value:
            raise SettingsError(
                f"{section}.password_env: environment variable {var} is not set "
                f"(needed to log in as {sec.username!r})"
            )
        return value

    @property
    def own_addresses(self) -> tuple[str, ...]:
        return tuple(a.lower() for a in [self.bot.address, *self.bot.other_addresses])


def _check(section: str, key: str, value: Any, spec: Key) -> Any:
    name = f"{section}.{key}"
    if spec.kind is int and isinstance(value, bool) or not isinstance(value, spec.kind):
        if section in ("mailbox", "smtp") and key == "tls" and isinstance(value, bool):
            return "tls" if value else "none"
        kind = spec.kind.__name__
        raise SettingsError(f"{name}: expected {kind}, got {type(value).__name__} {value!r}")
    if spec.choices and value not in spec.choices:
        raise SettingsError(f"{name}: {value!r} is not one of {', '.join(spec.choices)}")
    if (section, key) in POSITIVE_INT_KEYS and value <= 0:
        raise SettingsError(f"{name}: must be a positive number, got {value}")
    if spec.kind is list and not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{name}: expected a list of strings")
    return value


def parse_settings(data: dict[str, Any], source: Path) -> Settings:
    """Check a decoded TOML document against SCHEMA and fill the defaults."""
    for section in data:
        if section not in SCHEMA:
            raise SettingsError(f"{section}: unknown section (known: {', '.join(SCHEMA)})")
    sections = {}
    for section, keys in SCHEMA.items():
        given = data.get(section, {})
        if not isinstance(given, dict):
            raise SettingsError(f"{section}: expected a [{section}] table")
        for key in given:
            if key not in keys:
                raise SettingsError(f"{section}.{key}: unknown key (known: {', '.join(keys)})")
        values = {k: _check(section, k, given[k], spec) if k in given else spec.default
                  for k, spec in keys.items()}
        sections[section] = Section(section, values)
    try:
        ZoneInfo(sections["bot"].timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"bot.timezone: unknown time zone {sections['bot'].timezone!r}") from None
    if "@" not in sections["bot"].address:
        raise SettingsError(f"bot.address: {sections['bot'].address!r} is not an e-mail address")
    for section in ("mailbox", "smtp"):
        if sections[section].kind in ("imap", "smtp") and not sections[section].host:
            raise SettingsError(f"{section}.host: required when {section}.kind is {sections[section].kind}")
    if sections["mailbox"].kind == "imap" and not sections["mailbox"].username:
        raise SettingsError("mailbox.username: required when mailbox.kind is imap")
    return Settings(source=source, base_dir=source.parent, **sections)


def settings_path(explicit: str | None) -> Path:
    """--settings, else $MAILBOT_SETTINGS, else ./settings.toml."""
    return Path(explicit or os.environ.get("MAILBOT_SETTINGS") or "settings.toml")


def load_settings(path: Path) -> Settings:
    """Read and check a settings file; SettingsError names what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"settings file {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"settings file {path}: not valid TOML: {exc}") from None
    return parse_settings(data, path.resolve())
