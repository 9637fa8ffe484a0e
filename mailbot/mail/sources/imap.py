"""An IMAP mailbox through imapclient, written around its known pitfalls.

Messages are named by (folder, UIDVALIDITY, UID), never by sequence number;
bodies are fetched with BODY.PEEK[] in batches of UIDs from SEARCH (never
``1:*``, which breaks imapclient 4.1); UIDVALIDITY is checked on every SELECT;
a processed message is moved (MOVE, else COPY + \\Deleted + EXPUNGE). While
idle, a readable socket with no response means the server died (imapclient's
``idle_check`` returns [] forever then); IDLE is ended every ALIVE_CHECK_SECONDS
and must be answered within ``timeout_seconds`` (a frozen server or a dropped
NAT flow sends nothing at all), and the folder is searched again at least every
``idle_renew_seconds``.
"""

from __future__ import annotations

import logging
import re
import selectors
import socket
import ssl
import threading
import time
from typing import Iterable, Iterator

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from mailbot.config import SettingsError
from mailbot.mail.sources import Incoming, SourceRefused, SourceUnavailable, folder_of, role_folders
from mailbot.store import MessageKey
from mailbot.mail.tokens import AccessToken, TokenUnavailable

log = logging.getLogger("mailbot.imap")

# What a broken connection looks like from imapclient and the socket layer.
CONNECTION_ERRORS = (IMAPClientError, OSError, socket.timeout, ssl.SSLError, EOFError)
# While idling, IDLE is ended this often: the server's answer proves the connection still lives, so a
# silent one is noticed within ALIVE_CHECK_SECONDS + timeout_seconds (50 s with the defaults).
ALIVE_CHECK_SECONDS = 20
_RESPONSE_CODE = re.compile(r"\[([A-Z][A-Z0-9-]*)")
# The LOGIN refusals that are about the credentials (RFC 5530); any other code ([UNAVAILABLE]: the
# directory behind the server is down, [LIMIT]: too many connections, [INUSE], [SERVERBUG]…) is a
# bad moment, retried.
CREDENTIALS_REFUSED = {"AUTHENTICATIONFAILED"}


def credentials_refused(refusal: str) -> bool:
    """Does this NO to LOGIN refuse the credentials (final), rather than the moment (retried)?
    A NO without a response code is taken as a refusal of the credentials, as before RFC 5530."""
    code = _RESPONSE_CODE.search(refusal)
    return code is None or code.group(1) in CREDENTIALS_REFUSED


def _server_text(exc: Exception) -> str:
    """The server's words in an imapclient error ("b'[UNAVAILABLE] …'" -> "[UNAVAILABLE] …")."""
    text = str(exc)
    if text[:2] in ("b'", 'b"') and text[-1:] == text[1]:
        text = text[2:-1]
    return text


def server_name(configured: str, prefix: str, separator: str | None) -> str:
    """A configured folder name as this server names it. In the settings "/" separates levels
    ("Bot/Processed"); the server may use "." and put personal folders under a prefix ("INBOX.").
    INBOX and names already under the prefix are not prefixed again."""
    levels = [level for level in configured.split("/") if level]
    name = (separator or "/").join(levels) if separator else configured
    if name.upper() == "INBOX" or not prefix or name.startswith(prefix):
        return name
    return prefix + name


class ImapSource:
    def __init__(self, settings, subfolders: Iterable[str] = ()):
        box = settings.mailbox
        self.box = box
        self.token = AccessToken("mailbox", box, settings.base_dir) if box.auth == "xoauth2" else None
        self.password = None if self.token else settings.secret("mailbox")
        self.name = f"imap://{box.username}@{box.host}:{box.port}/{box.folder}"
        self.folders = role_folders(box)
        # Destinations whose folders are checked or made at connect, before anything is decided:
        # the roles, and the situations' subfolders ("processed/po_change").
        self.destinations = [*self.folders, *subfolders]
        self.prefix, self.separator = "", "/"
        self.watched = box.folder
        self.listed: set[int] = set()  # the UIDs the last ``waiting`` listed
        self.made: set[str] = set()  # server names of the folders known to exist
        self.client: IMAPClient | None = None
        self.uidvalidity: int | None = None
        self.can_move = False
        self.can_idle = False

    # -- connection ----------------------------------------------------------

    def connect(self) -> None:
        box = self.box
        where = f"{box.host}:{box.port}"
        try:
            client = IMAPClient(box.host, port=box.port, ssl=box.tls == "tls",
                                timeout=box.timeout_seconds)
            if box.tls == "starttls":
                client.starttls()
        except CONNECTION_ERRORS as exc:
            raise SourceUnavailable(f"IMAP server {where} unreachable: {exc}") from exc
        try:
            self._login(client)
        except LoginError as exc:
            self._shutdown(client)
            if credentials_refused(str(exc)):
                key, what = (self.token.key, "access token") if self.token else ("mailbox.username", "login")
                raise SourceRefused(f"{key}: {what} refused by IMAP server {where} "
                                    f"for {box.username!r}: {_server_text(exc)}") from None
            raise SourceUnavailable(f"IMAP server {where} cannot log us in for now: "
                                    f"{_server_text(exc)}") from None
        except (SettingsError, TokenUnavailable):
            self._shutdown(client)
            raise
        except CONNECTION_ERRORS as exc:
            self._shutdown(client)
            raise SourceUnavailable(f"IMAP server {where} failed during login: {exc}") from exc
        self.client = client
        try:
            caps = {c.upper() for c in client.capabilities()}
            self.can_move = b"MOVE" in caps
            self.can_idle = b"IDLE" in caps and box.idle
            self._read_hierarchy(caps)
            self._make_folders()
            try:
                self._select()
            except IMAPClientAbortError:
                raise
            except IMAPClientError as exc:
                raise SourceRefused(f"mailbox.folder: cannot open {box.folder!r} (on the server "
                                    f"{self.watched!r}) on {where}: {_server_text(exc)}") from None
        except IMAPClientAbortError as exc:
            raise SourceUnavailable(f"IMAP server {where}: {exc}") from exc
        except IMAPClientError as exc:
            raise SourceUnavailable(f"IMAP server {where}: {exc}") from exc
        log.info("connected to %s (IDLE %s, MOVE %s)", self.name,
                 "yes" if self.can_idle else "no", "yes" if self.can_move else "no")

    def _login(self, client: IMAPClient) -> None:
        """LOGIN with the password, or AUTHENTICATE XOAUTH2 with the access token; a token the server
        refuses is fetched again once (it may have expired since it was printed)."""
        if self.token is None:
            client.login(self.box.username, self.password)
            return
        self.token.log_in(lambda token: client.oauth2_login(self.box.username, token),
                          refused=lambda exc: isinstance(exc, LoginError) and credentials_refused(str(exc)))

    def _read_hierarchy(self, caps: set[bytes]) -> None:
        """The personal namespace's prefix and separator (RFC 2342), else the separator LIST gives."""
        prefix, separator = "", None
        if b"NAMESPACE" in caps:
            personal = self.client.namespace().personal
            if personal:
                prefix, separator = personal[0]
        else:
            listed = self.client.list_folders("", "")
            if listed:
                separator = listed[0][1]
        if isinstance(separator, bytes):
            separator = separator.decode()
        self.prefix, self.separator = prefix or "", separator
        self.watched = server_name(self.box.folder, self.prefix, self.separator)

    def _make_folders(self) -> None:
        """Check or create every folder a message may be moved to; a refusal names its setting."""
        for destination in self.destinations:
            folder = self._folder(destination)
            if folder in self.made:
                continue
            try:
                if not self.client.folder_exists(folder):
                    self.client.create_folder(folder)
            except IMAPClientAbortError:
                raise
            except IMAPClientError as exc:
                role, _, sub = destination.partition("/")
                key = f"mailbox.{role}_folder" + (" (with situation_folders)" if sub else "")
                raise SourceRefused(f"{key}: the IMAP server {self.box.host}:{self.box.port} refuses the folder "
                                    f"{folder!r}: {_server_text(exc)}") from None
            self.made.add(folder)

    def _folder(self, destination: str) -> str:
        """The server's name of a destination's folder ("processed/po_change")."""
        return server_name(folder_of(self.folders, destination), self.prefix, self.separator)

    def _select(self) -> None:
        info = self.client.select_folder(self.watched)
        uidvalidity = int(info[b"UIDVALIDITY"])
        if self.uidvalidity is not None and uidvalidity != self.uidvalidity:
            # The server renumbered the folder: old UIDs mean nothing now. Keys
            # carry UIDVALIDITY, and Message-IDs already answered are not
            # answered again, so a resync is a plain re-listing.
            log.warning("UIDVALIDITY of %s changed from %s to %s: resyncing",
                        self.watched, self.uidvalidity, uidvalidity)
        self.uidvalidity = uidvalidity

    @staticmethod
    def _shutdown(client: IMAPClient) -> None:
        try:
            client.shutdown()
        except CONNECTION_ERRORS:
            pass

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except CONNECTION_ERRORS:
                self._shutdown(self.client)
            self.client = None

    # -- reading -------------------------------------------------------------

    def _key(self, uid: int) -> MessageKey:
        return MessageKey(self.name, self.uidvalidity, str(uid))

    def waiting(self) -> list[MessageKey]:
        self._select()
        # NOT DELETED: after a crash between COPY and EXPUNGE, the original is
        # already in its folder; it must not be handled (and copied) again.
        uids = sorted(self.client.search(["NOT", "DELETED"]))
        self.listed = set(uids)
        return [self._key(uid) for uid in uids]

    def _unlisted(self) -> bool:
        """Is there mail the last ``waiting`` did not list? Its EXISTS may have come during the pass
        and been consumed by another command's answer: IDLE would not announce it again."""
        return bool(set(self.client.search(["NOT", "DELETED"])) - self.listed)

    def fetch(self, keys: Iterable[MessageKey]) -> Iterator[Incoming]:
        """The messages' bytes, one FETCH per batch (the caller sizes the batches)."""
        uids = [int(k.uid) for k in keys if k.uidvalidity == self.uidvalidity]
        if not uids:
            return
        try:
            data = self.client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])
        except IMAPClientAbortError:
            raise  # the connection is gone: reconnect
        except IMAPClientError:
            # The server refused the batch: ask one by one, so that a single
            # message it cannot serve is quarantined instead of blocking the rest.
            data = {}
            for uid in uids:
                try:
                    data.update(self.client.fetch([uid], ["BODY.PEEK[]", "INTERNALDATE"]))
                except IMAPClientAbortError:
                    raise
                except IMAPClientError as exc:
                    data[uid] = {b"ERROR": str(exc)}
        for uid in uids:  # in UID order; a UID expunged meanwhile is skipped
            item = data.get(uid)
            if item is None:
                continue
            if b"BODY[]" not in item:
                error = item.get(b"ERROR", "the server returned no body")
                yield Incoming(self._key(uid), b"", None, label=f"uid {uid}", error=str(error))
                continue
            arrived = item.get(b"INTERNALDATE")
            if arrived is not None and arrived.tzinfo is None:
                arrived = arrived.astimezone()  # imapclient gives local time without a zone
            yield Incoming(self._key(uid), item[b"BODY[]"], arrived, label=f"uid {uid}")

    # -- moving --------------------------------------------------------------

    def move(self, keys: list[MessageKey], destination: str) -> None:
        # Keys of another UIDVALIDITY are skipped: that numbering is gone, and
        # the messages are listed again under their new UIDs.
        uids = [int(k.uid) for k in keys if k.uidvalidity == self.uidvalidity]
        if not uids:
            return
        folder = self._folder(destination)
        if folder not in self.made:  # a destination not known at connect
            if not self.client.folder_exists(folder):
                self.client.create_folder(folder)
            self.made.add(folder)
        self._transfer(uids, folder)

    def _transfer(self, uids: list[int], folder: str) -> None:
        """MOVE from the selected folder, else COPY + \\Deleted + EXPUNGE (RFC 6851)."""
        if self.can_move:
            self.client.move(uids, folder)
            return
        self.client.copy(uids, folder)
        self.client.add_flags(uids, [b"\\Deleted"])
        if b"UIDPLUS" in {c.upper() for c in self.client.capabilities()}:
            self.client.uid_expunge(uids)
        else:
            self.client.expunge()

    def requeue(self, message_ids: Iterable[str] | None = None) -> int:
        """Move quarantined messages (those of ``message_ids``; None: all) back into the watched
        folder (they get new UIDs)."""
        self.client.select_folder(self._folder("quarantine"))
        if message_ids is None:
            uids = self.client.search(["ALL"])
        else:
            uids = sorted({uid for mid in message_ids
                           for uid in self.client.search(["HEADER", "Message-ID", mid])})
        if uids:
            self._transfer(uids, self.watched)
        self._select()
        return len(uids)

    # -- waiting -------------------------------------------------------------

    def wait(self, timeout: float, stop: threading.Event) -> None:
        """Return when the folder may have news, ``timeout`` passed or ``stop`` is set."""
        if not self.can_idle:
            deadline = time.monotonic() + min(timeout, self.box.poll_seconds)
            while not stop.is_set() and time.monotonic() < deadline:
                stop.wait(min(1.0, max(0.0, deadline - time.monotonic())))
            self.client.noop()  # also proves the connection is alive
            return
        deadline = time.monotonic() + min(timeout, self.box.idle_renew_seconds)
        news = self._unlisted()
        while not (news or stop.is_set()) and time.monotonic() < deadline:
            news = self._idle_until(min(deadline, time.monotonic() + ALIVE_CHECK_SECONDS), stop)
            self._prove_alive()
            news = news or self._unlisted()

    def _idle_until(self, until: float, stop: threading.Event) -> bool:
        """IDLE until ``until``, news (True) or ``stop``; a dead connection raises."""
        self.client.idle()
        selector = selectors.DefaultSelector()
        selector.register(self.client.socket(), selectors.EVENT_READ)
        try:
            while not stop.is_set() and time.monotonic() < until:
                if not selector.select(timeout=min(1.0, max(0.0, until - time.monotonic()))):
                    continue
                responses = self.client.idle_check(timeout=0)
                if not responses:
                    raise SourceUnavailable("IMAP connection closed while idling")
                if any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT")
                       for r in responses):
                    return True
                if any(isinstance(r, tuple) and r and r[0] == b"BYE" for r in responses):
                    raise SourceUnavailable("IMAP server said BYE")
            return False
        finally:
            selector.close()

    def _prove_alive(self) -> None:
        """End IDLE: the server's tagged answer, within timeout_seconds, proves the session lives.
        A frozen server, a NAT that dropped the flow or a session gone mute answers nothing."""
        started = time.monotonic()
        try:
            self.client.idle_done()
        except (socket.timeout, TimeoutError) as exc:
            raise SourceUnavailable(f"IMAP server silent for {time.monotonic() - started:.0f} s after "
                                    f"ending IDLE: connection presumed dead") from exc
