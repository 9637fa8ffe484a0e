"""A settings file pointing mailbot at the test servers (used by tests and bench/)."""

from __future__ import annotations

from pathlib import Path

BOT = "bot@example.test"
PASSWORD_ENV = "MAILBOT_TEST_IMAP_PW"
# The test mail comes from a dozen sample senders, hundreds of messages each
# (exactly-once and backlog runs): the loop-safety limits would send most of
# it to review. tests/test_loop_safety.py passes the limits it tests.
NO_LIMITS = {"per_sender": 1_000_000, "per_case": 1_000_000, "per_hour": 1_000_000}


def write_imap_settings(folder: Path, dovecot, smtp_port: int, limits: dict | None = None,
                        **mailbox) -> Path:
    """settings.toml in ``folder``: IMAP as bot@example.test, SMTP on ``smtp_port``,
    the database in ``folder/var``. ``limits`` are the [limits] keys (default:
    NO_LIMITS); extra keyword arguments are [mailbox] keys."""
    keys = {"poll_seconds": 1, "batch_size": 20, "timeout_seconds": 5, **mailbox}
    extra = "".join(f"{key} = {value!r}\n" for key, value in keys.items())
    caps = "".join(f"{key} = {value!r}\n" for key, value in (NO_LIMITS if limits is None else limits).items())
    path = folder / "settings.toml"
    path.write_text(f"""
[mailbox]
kind = "imap"
host = "{dovecot.host}"
port = {dovecot.port}
tls = "none"
username = "{BOT}"
password_env = "{PASSWORD_ENV}"
{extra}
[smtp]
kind = "smtp"
host = "127.0.0.1"
port = {smtp_port}
tls = "none"

[database]
path = "var/mailbot.db"

[limits]
{caps}""", encoding="utf-8")
    return path
