"""Where replies go: an SMTP server, or a Maildir outbox for the embedded demo.

Both take the exact bytes stored in the outbox table and a recipient list, so
that a reply retried after a crash is byte-for-byte the one first decided.
Replies leave with an empty envelope sender (``MAIL FROM:<>``), as RFC 3834
asks of automatic responses: a bounce of a bounce is never produced.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
import uuid
from pathlib import Path
from typing import Protocol

from mailbot.sources.maildir import make_maildir

log = logging.getLogger("mailbot.smtp")


class SendRefused(Exception):
    """The server refused us for good (login): retrying will not help."""


class Sender(Protocol):
    def check(self) -> None: ...

    def send(self, raw: bytes, recipients: list[str]) -> None: ...

    def close(self) -> None: ...


class MaildirSender:
    """Writes each reply as a file in a Maildir's new/ (tmp/ then rename)."""

    def __init__(self, settings):
        self.path = settings.resolve(settings.smtp.path)

    def check(self) -> None:
        make_maildir(self.path)

    def send(self, raw: bytes, recipients: list[str]) -> None:
        make_maildir(self.path)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.mailbot"
        tmp = self.path / "tmp" / name
        tmp.write_bytes(raw)
        tmp.rename(self.path / "new" / name)

    def close(self) -> None:
        pass


class SmtpSender:
    """One kept-open SMTP connection, reopened after any error."""

    def __init__(self, settings):
        self.conf = settings.smtp
        self.password = settings.secret("smtp") if self.conf.username else None
        self.where = f"{self.conf.host}:{self.conf.port}"
        self.conn: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        conf = self.conf
        context = ssl.create_default_context()
        if conf.tls == "tls":
            conn = smtplib.SMTP_SSL(conf.host, conf.port, timeout=conf.timeout_seconds, context=context)
        else:
            conn = smtplib.SMTP(conf.host, conf.port, timeout=conf.timeout_seconds)
            if conf.tls == "starttls":
                conn.starttls(context=context)
        if conf.username:
            try:
                conn.login(conf.username, self.password)
            except smtplib.SMTPAuthenticationError:
                conn.close()
                raise SendRefused(f"smtp.username: login refused by SMTP server {self.where} "
                                  f"for {conf.username!r}") from None
        return conn

    def check(self) -> None:
        """Connect and log in once, so a refused login is known at start."""
        self.close()
        self.conn = self._open()

    def send(self, raw: bytes, recipients: list[str]) -> None:
        if self.conn is None:
            self.conn = self._open()
        try:
            self.conn.sendmail("", recipients, raw)
        except smtplib.SMTPRecipientsRefused:
            raise
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError):
            # A kept-open connection may have been dropped by the server: once more, fresh.
            self.close()
            self.conn = self._open()
            self.conn.sendmail("", recipients, raw)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None


def open_sender(settings) -> Sender:
    return SmtpSender(settings) if settings.smtp.kind == "smtp" else MaildirSender(settings)
