"""Where replies go: an SMTP server, or a Maildir outbox for the embedded demo.

Both take the exact bytes stored in the outbox table and a recipient list, so
that a reply retried after a crash is byte-for-byte the one first decided.
Replies leave with an empty envelope sender (``MAIL FROM:<>``), as RFC 3834
asks of automatic responses: a bounce of a bounce is never produced.

Never twice, never silently lost. An SMTP server takes responsibility for a
message when it reads the final "." of DATA; the client learns it one round
trip later. Recording after the 250 only leaves that round trip as a window
in which a crash repeats the reply. So ``send`` calls ``commit`` (which records
the reply "unconfirmed", in flight) after the whole body is written and BEFORE
the final dot, and the caller records "sent" once the server has answered 250:
a crash before the commit leaves a transaction the server discards (retried
later, once); a crash after it leaves a row that is never resent and stays
"unconfirmed" for a person (between the commit and the dot the server has not
got it yet: recording "sent" there lost such replies silently, 1 in about 65
SIGKILLs during heavy sending in bench/faults.py). An explicit refusal after
the dot raises ``NotAccepted`` (the caller undoes the mark); a connection lost
before the answer raises ``Unconfirmed`` (the server probably has it: not
resent, flagged for a person).
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
import time
import uuid
from typing import Callable, Protocol

from mailbot.read.addresses import ascii_domain
from mailbot.config import SettingsError
from mailbot.mail.sources.maildir import make_maildir
from mailbot.mail.tokens import AccessToken, xoauth2

log = logging.getLogger("mailbot.smtp")

DOT_AT_LINE_START = re.compile(rb"(?m)^\.")  # RFC 5321 4.5.2 transparency
CREDENTIALS_REFUSED = 535  # RFC 4954: the credentials are wrong; any other refusal of AUTH is retried


class SendRefused(Exception):
    """The server refused us for good (login): retrying will not help."""


class AuthUnavailable(OSError):
    """The server cannot check our login now (454 4.7.0 and other non-535 answers to AUTH): the
    relay's directory is down, or it is busy. Like a server away: replies wait in the outbox."""


class NotAccepted(Exception):
    """The server answered the final dot with a refusal: nothing was delivered."""

    def __init__(self, code: int, message: str):
        super().__init__(f"{code} {message}")
        self.smtp_code = code


class Unconfirmed(Exception):
    """The final dot was written but no answer came: delivery is unknown."""


class NeedsSmtpUtf8(Exception):
    """A recipient's address has non-ASCII characters before the @ and the server does
    not offer SMTPUTF8 (RFC 6531): the message cannot go out as it is; a person takes over."""


class Sender(Protocol):
    def check(self) -> None: ...

    def send(self, raw: bytes, recipients: list[str], commit: Callable[[], None]) -> None: ...

    def close(self) -> None: ...


class MaildirSender:
    """Writes each reply as a file in a Maildir's new/ (tmp/ then rename)."""

    def __init__(self, settings):
        self.path = settings.resolve(settings.smtp.path)

    def check(self) -> None:
        try:
            make_maildir(self.path)
        except OSError as exc:
            raise SettingsError(f"smtp.path: cannot write the outbox Maildir {self.path}: "
                                f"{exc.strerror or exc}") from None

    def send(self, raw: bytes, recipients: list[str], commit: Callable[[], None]) -> None:
        make_maildir(self.path)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.mailbot"
        tmp = self.path / "tmp" / name
        tmp.write_bytes(raw)
        commit()
        tmp.rename(self.path / "new" / name)  # the Maildir's "final dot"

    def close(self) -> None:
        pass


class SmtpSender:
    """One kept-open SMTP connection, reopened after any error."""

    def __init__(self, settings):
        self.conf = settings.smtp
        self.token = AccessToken("smtp", self.conf, settings.base_dir) if self.conf.auth == "xoauth2" else None
        self.password = settings.secret("smtp") if self.conf.username and not self.token else None
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
                try:
                    conn.starttls(context=context)
                except smtplib.SMTPNotSupportedError:
                    conn.close()
                    raise SendRefused(f"smtp.tls: SMTP server {self.where} does not offer STARTTLS") from None
        # The final dot is a 3-byte write of its own: without TCP_NODELAY, Nagle's
        # algorithm holds it until the server's delayed ACK (~40 ms a reply).
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if conf.username:
            try:
                self._login(conn)
            except smtplib.SMTPAuthenticationError as exc:
                conn.close()
                if exc.smtp_code == CREDENTIALS_REFUSED:
                    key, what = (self.token.key, "access token") if self.token else ("smtp.username", "login")
                    raise SendRefused(f"{key}: {what} refused by SMTP server {self.where} "
                                      f"for {conf.username!r}") from None
                said = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
                raise AuthUnavailable(f"SMTP server {self.where} cannot log us in for now: "
                                      f"{exc.smtp_code} {said}") from None
        return conn

    def _login(self, conn: smtplib.SMTP) -> None:
        """AUTH with the password, or AUTH XOAUTH2 with the access token; a token the server refuses
        is fetched again once (it may have expired since it was printed)."""
        if self.token is None:
            conn.login(self.conf.username, self.password)
            return
        conn.ehlo_or_helo_if_needed()
        self.token.log_in(lambda token: self._xoauth2(conn, token), refused=lambda exc: isinstance(
            exc, smtplib.SMTPAuthenticationError) and exc.smtp_code == CREDENTIALS_REFUSED)

    def _xoauth2(self, conn: smtplib.SMTP, token: str) -> None:
        """AUTH XOAUTH2: the initial response, then an empty line to the error challenge (a 334 with
        a JSON reason, as Google sends) so that the server ends with its 535."""
        initial = xoauth2(self.conf.username, token)
        conn.auth("XOAUTH2", lambda challenge=None: initial if challenge is None else "")

    def check(self) -> None:
        """Connect and log in once, so a refused login is known at start."""
        self.close()
        self.conn = self._open()

    def send(self, raw: bytes, recipients: list[str], commit: Callable[[], None]) -> None:
        if self.conn is None:
            self.conn = self._open()
        eight_bit = not raw.isascii()
        try:
            self._envelope(recipients, eight_bit)
        except (smtplib.SMTPServerDisconnected, OSError):
            # A kept-open connection may have been dropped by the server: once more, fresh.
            self.close()
            self.conn = self._open()
            self._envelope(recipients, eight_bit)
        try:
            body = DOT_AT_LINE_START.sub(b"..", raw)
            self.conn.send(body if body.endswith(b"\r\n") else body + b"\r\n")
            commit()
        except BaseException:
            self._drop()  # mid-DATA: this connection cannot carry another message
            raise
        try:
            self.conn.send(b".\r\n")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise NotAccepted(0, f"connection lost before the end of data: {exc}") from exc
        try:
            code, message = self.conn.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise Unconfirmed(f"no answer after the end of data: {exc}") from exc
        if code != 250:
            self.conn.rset()
            raise NotAccepted(code, message.decode(errors="replace"))

    def _drop(self) -> None:
        """Close the socket without QUIT (which a server in the middle of DATA would take as text)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _envelope(self, recipients: list[str], eight_bit: bool = False) -> None:
        """MAIL FROM:<>, RCPT TO for each, DATA: everything before the body.

        A message with 8-bit content (a customer's message attached to a
        forward) is declared BODY=8BITMIME when the server offers it. A
        recipient with a non-ASCII domain is written with its IDNA form; one
        with a non-ASCII local part needs SMTPUTF8, else ``NeedsSmtpUtf8``.
        """
        conn = self.conn
        conn.ehlo_or_helo_if_needed()
        recipients = [envelope_address(r) for r in recipients]
        options = ["BODY=8BITMIME"] if eight_bit and conn.has_extn("8bitmime") else []
        if not all(r.isascii() for r in recipients):
            if not conn.has_extn("smtputf8"):
                raise NeedsSmtpUtf8(f"SMTP server {self.where} does not offer SMTPUTF8, needed for "
                                    f"{', '.join(r for r in recipients if not r.isascii())}")
            options.append("SMTPUTF8")
        code, message = conn.mail("", options)
        if code != 250:
            conn.rset()
            raise smtplib.SMTPSenderRefused(code, message, "<>")
        refused = {}
        for rcpt in recipients:
            code, message = conn.rcpt(rcpt)
            if code not in (250, 251):
                refused[rcpt] = (code, message)
        if len(refused) == len(recipients):
            conn.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        code, message = conn.docmd("data")
        if code != 354:
            conn.rset()
            raise smtplib.SMTPDataError(code, message)

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None


def envelope_address(address: str) -> str:
    """The address as RCPT TO carries it: a non-ASCII domain in its IDNA (ASCII) form."""
    local, at, domain = address.rpartition("@")
    return f"{local}@{ascii_domain(domain) or domain}" if at and not domain.isascii() else address


def open_sender(settings) -> Sender:
    return SmtpSender(settings) if settings.smtp.kind == "smtp" else MaildirSender(settings)
