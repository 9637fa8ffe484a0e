"""Settings: one TOML file, checked key by key, secrets only from the environment.

An operator must learn at once, and in one line, which key is wrong; so every
key is declared here with its type and default, unknown keys are refused, and
``SettingsError`` always names ``section.key``. The CLI turns it into exit
status 2.
"""

from __future__ import annotations

import os
import re
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


AUTH_MODES = ("password", "xoauth2")
REFERENCE_PREFIX = r"[A-Z](?:[A-Z0-9-]{0,18}[A-Z0-9])?"  # a case reference starts with it: "WFPS", "CF-WFPS2"

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
        "auth": Key(str, "password", AUTH_MODES),  # xoauth2: Microsoft 365, Google (tokens.py)
        "token_env": Key(str, "MAILBOT_IMAP_TOKEN"),
        "token_command": Key(str, ""),
        "folder": Key(str, "INBOX"),
        "processed_folder": Key(str, "Bot/Processed"),
        "review_folder": Key(str, "Bot/Review"),
        "quarantine_folder": Key(str, "Bot/Quarantine"),
        "situation_folders": Key(bool, True),  # processed mail goes to processed_folder/<situation>
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
        "auth": Key(str, "password", AUTH_MODES),
        "token_env": Key(str, "MAILBOT_SMTP_TOKEN"),
        "token_command": Key(str, ""),
        "timeout_seconds": Key(int, 30),
    },
    "bot": {
        "address": Key(str, "contrats.service.wfps@cf.canon.fr"),
        "display_name": Key(str, "Service Contrats Canon France"),
        "mode": Key(str, "auto", ("shadow", "draft", "auto")),
        "timezone": Key(str, "Europe/Paris"),
        "other_addresses": Key(list, []),
        "reference_prefix": Key(str, "WFPS"),
        # In auto mode, a reply whose reading is less sure than this waits as a draft.
        "auto_min_confidence": Key((int, float), 0.5),
    },
    # The mode of one situation, overriding bot.mode: po_change = "draft", ...
    "modes": {},
    # Cases across messages (cases.py).
    "cases": {
        "thread_days": Key(int, 30),      # a reply without headers nor reference joins a case this recent
        "reminder_days": Key(int, 5),     # one reminder after this many days without an answer
        "review_days": Key(int, 5),       # then, this many days after the reminder, a person takes over
    },
    # Who gets complete cases (routing.py); sales contacts and account managers come from the directory.
    "routing": {
        "contracts_team": Key(str, ""),   # P.O changes; empty: forwarded to fallback
        "fallback": Key(str, ""),         # when the directory does not name the colleague
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
        "unknown_per_hour": Key(int, 20),  # neutral acknowledgements to senders outside the directory
    },
    # Sender authentication (authentication.py, trust.py).
    "trust": {
        "authserv_id": Key(str, ""),  # our MTA's name in Authentication-Results; empty: nothing is authenticated
    },
    # Where analysis runs (workers.py): worker processes, each message within a time budget.
    "analysis": {
        "workers": Key(int, 2),            # 0: in the daemon's own process, without a budget
        "budget_seconds": Key(int, 30),    # a message analysed longer is quarantined, its worker replaced
    },
    # Managers' daily digests (service/digests.py): `mailbot digest`.
    "digest": {
        "service_managers": Key(list, []),   # get the whole service's digest
        "colleagues": Key(bool, False),      # true: account managers and sales contacts of the directory get theirs
        "hour": Key(str, "07:30"),           # local time it is sent after, for the previous local day
        "language": Key(str, "fr", ("fr", "en")),
    },
    # The review web app (mailbot/web): `mailbot web`.
    "web": {
        "host": Key(str, "127.0.0.1"),
        "port": Key(int, 8025),
        "base_url": Key(str, ""),               # how people reach it (https://… makes the cookie Secure); links
        "secret_key_env": Key(str, "MAILBOT_WEB_SECRET"),  # unset: a random key kept in the database
        "session_hours": Key(int, 12),
        "max_failures": Key(int, 5),            # failed logins in a row before the account is locked
        "lock_minutes": Key(int, 15),
        "metrics_token_env": Key(str, "MAILBOT_METRICS_TOKEN"),  # unset: /metrics is refused
        "page_size": Key(int, 100),
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
    ("limits", "unknown_per_hour"),
    ("analysis", "budget_seconds"),
    ("cases", "thread_days"),
    ("cases", "reminder_days"),
    ("cases", "review_days"),
    ("web", "port"),
    ("web", "session_hours"),
    ("web", "max_failures"),
    ("web", "lock_minutes"),
    ("web", "page_size"),
}
MODES = ("shadow", "draft", "auto")


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
    modes: Section
    cases: Section
    routing: Section
    trust: Section
    analysis: Section
    web: Section
    digest: Section
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

    def mode_of(self, situation: str) -> str:
        """The mode of ``situation``: its [modes] entry, else bot.mode."""
        return self.modes.values.get(situation, self.bot.mode)

    @property
    def own_addresses(self) -> tuple[str, ...]:
        return tuple(a.lower() for a in [self.bot.address, *self.bot.other_addresses])


def _check(section: str, key: str, value: Any, spec: Key) -> Any:
    name = f"{section}.{key}"
    if spec.kind in (int, (int, float)) and isinstance(value, bool) or not isinstance(value, spec.kind):
        if section in ("mailbox", "smtp") and key == "tls" and isinstance(value, bool):
            return "tls" if value else "none"
        kind = "number" if isinstance(spec.kind, tuple) else spec.kind.__name__
        raise SettingsError(f"{name}: expected {kind}, got {type(value).__name__} {value!r}")
    if spec.choices and value not in spec.choices:
        raise SettingsError(f"{name}: {value!r} is not one of {', '.join(spec.choices)}")
    if (section, key) in POSITIVE_INT_KEYS and value <= 0:
        raise SettingsError(f"{name}: must be a positive number, got {value}")
    if spec.kind is list and not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{name}: expected a list of strings")
    return value


def _modes(given: dict[str, Any]) -> dict[str, str]:
    """[modes]: situation id -> mode, checked against the situations of the rules file."""
    from mailbot.read.rules import load_rules

    known = load_rules().situations
    for situation, mode in given.items():
        if situation not in known:
            raise SettingsError(f"modes.{situation}: unknown situation (known: {', '.join(known)})")
        if mode not in MODES:
            raise SettingsError(f"modes.{situation}: {mode!r} is not one of {', '.join(MODES)}")
    return dict(given)


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
        if section == "modes":
            sections[section] = Section(section, _modes(given))
            continue
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
    if not 0 <= sections["bot"].auto_min_confidence <= 1:
        raise SettingsError(f"bot.auto_min_confidence: must be between 0 and 1, "
                            f"got {sections['bot'].auto_min_confidence}")
    own = {a.lower() for a in [sections["bot"].address, *sections["bot"].other_addresses]}
    for key in ("contracts_team", "fallback"):
        value = sections["routing"].values[key]
        if value and ("@" not in value or any(c in value for c in " ,;<>\r\n")):
            raise SettingsError(f"routing.{key}: {value!r} is not one e-mail address")
        if value.lower() in own:
            raise SettingsError(f"routing.{key}: {value!r} is the bot's own address: a forward to it would "
                                f"come back as our own mail and be filed unread; give the team's mailbox")
    if not re.fullmatch(r"(?:[01]\d|2[0-3]):[0-5]\d", sections["digest"].hour):
        raise SettingsError(f"digest.hour: {sections['digest'].hour!r} is not a time like 07:30")
    for address in sections["digest"].service_managers:
        if "@" not in address or any(c in address for c in " ,;<>\r\n"):
            raise SettingsError(f"digest.service_managers: {address!r} is not one e-mail address")
    base_url = sections["web"].base_url
    if base_url and not (base_url.startswith(("http://", "https://")) and "\n" not in base_url):
        raise SettingsError(f"web.base_url: {base_url!r} is not an http:// or https:// address")
    if sections["analysis"].workers < 0:
        raise SettingsError(f"analysis.workers: must be 0 or more, got {sections['analysis'].workers}")
    authserv_id = sections["trust"].authserv_id
    if authserv_id and (any(c in authserv_id for c in " ;\t\r\n") or len(authserv_id) > 255):
        raise SettingsError(f"trust.authserv_id: {authserv_id!r} is not an authserv-id (one word, as your mail "
                            f"server writes it first in its Authentication-Results headers)")
    if not re.fullmatch(REFERENCE_PREFIX, sections["bot"].reference_prefix):
        raise SettingsError(f"bot.reference_prefix: {sections['bot'].reference_prefix!r} cannot start a case "
                            f"reference: capital letters, digits and hyphens, starting with a letter and "
                            f"not ending with a hyphen, 20 characters at most")
    if "@" not in sections["bot"].address:
        raise SettingsError(f"bot.address: {sections['bot'].address!r} is not an e-mail address")
    for section in ("mailbox", "smtp"):
        if sections[section].kind in ("imap", "smtp") and not sections[section].host:
            raise SettingsError(f"{section}.host: required when {section}.kind is {sections[section].kind}")
    if sections["mailbox"].kind == "imap" and not sections["mailbox"].username:
        raise SettingsError("mailbox.username: required when mailbox.kind is imap")
    if sections["smtp"].auth == "xoauth2" and not sections["smtp"].username:
        raise SettingsError("smtp.username: required when smtp.auth is xoauth2 (the mailbox the token is for)")
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
