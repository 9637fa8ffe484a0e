"""Real mail servers for tests and benchmarks: Dovecot IMAP and an aiosmtpd SMTP server.

Both listen on 127.0.0.1 only, on a free port picked at construction (kept
across restarts). Dovecot keeps its config, logs and state under the folder
the caller gives it. Every process started here is stopped by its own pid,
never by name; servers still running at interpreter exit are killed.

    with Dovecot(tmp) as dovecot, SmtpServer(dovecot) as smtp:
        dovecot.sieve_put("customer@example.test", "away", VACATION)
        ...  # the bot talks IMAP to dovecot.port and SMTP to smtp.port

``SmtpServer(dovecot)`` sets ``dovecot.submission_port`` to its own port, so
Sieve vacation replies (submitted by dovecot-lda) come back to that server.

See shared/reference/mail-test-servers.md for the config and the pitfalls it
avoids (uid 0 refused, stale pid file, slow clean stop, imapclient quirks).
"""

from __future__ import annotations

import atexit
import email.policy
import functools
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import weakref
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Iterable

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

__all__ = ["Dovecot", "SmtpServer", "TokenIssuer", "Received", "ServerUnavailable", "DEFAULT_USERS"]

HOST = "127.0.0.1"
MAIL_UID = MAIL_GID = 5000  # Dovecot refuses uid 0 for mail; any other numeric uid works.
LDA = "/usr/lib/dovecot/dovecot-lda"
INSTALL_HINT = "run `make test`, or as root: apt-get install -y dovecot-imapd dovecot-sieve"

DEFAULT_USERS = {
    "bot@example.test": "botpw",
    "customer@example.test": "customerpw",
    "alice@example.test": "alicepw",
}


class ServerUnavailable(RuntimeError):
    """A server program or library is missing; the message says how to install it."""


def free_port() -> int:
    """A loopback port that was free a moment ago (bind port 0, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _which(name: str) -> str | None:
    path = os.environ.get("PATH", os.defpath) + os.pathsep + "/usr/sbin:/sbin"
    return shutil.which(name, path=path)


# --- processes, found through /proc -------------------------------------------------

def _proc_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (ppid, start time, state); the start time tells a reused pid apart."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path("/proc", entry.name, "stat").read_text()
        except OSError:
            continue
        rest = text[text.rindex(")") + 2:].split()  # the command name may hold spaces
        table[int(entry.name)] = (int(rest[1]), int(rest[19]), rest[0])
    return table


def _tree(root_pid: int) -> dict[int, int]:
    """root_pid and all its descendants, as pid -> start time."""
    table = _proc_table()
    children = defaultdict(list)
    for pid, (ppid, *_) in table.items():
        children[ppid].append(pid)
    found, todo = {}, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in table and pid not in found:
            found[pid] = table[pid][1]
            todo.extend(children[pid])
    return found


def _living(pids: dict[int, int]) -> list[int]:
    """Those of pids that are still the process we recorded and not yet dead (zombie)."""
    table = _proc_table()
    return [pid for pid, started in pids.items()
            if pid in table and table[pid][1] == started and table[pid][2] not in "ZX"]


def _kill_all(pids: dict[int, int], timeout: float = 5.0) -> None:
    """SIGKILL pids and wait until each is dead: an exiting imap-login still holds the port."""
    for pid in _living(pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while (left := _living(pids)) and time.monotonic() < deadline:
        time.sleep(0.005)
    if left:
        raise RuntimeError(f"processes {left} survived SIGKILL for {timeout} s")


def _traversable(path: Path) -> bool:
    """Can any user get through path and every folder above it?"""
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents))


_running: set = set()  # started and not yet stopped: kept alive, killed at exit


@atexit.register
def _kill_leftovers() -> None:  # a script that forgot stop() leaves nothing behind
    for server in list(_running):
        server.kill()


# --- Dovecot ------------------------------------------------------------------------

CONFIG = """\
# Rendered by tests/servers.py; see shared/reference/mail-test-servers.md section 2.
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/log/dovecot.log
info_log_path = {root}/log/dovecot.log
instance_name = dovetest-{port}
protocols = imap
listen = {host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth2_mechanisms}
auth_default_realm = example.test
first_valid_uid = {first_valid_uid}
mail_location = maildir:~/Maildir
mail_fsync = never
hostname = mail.example.test
postmaster_address = postmaster@example.test
{submission}
recipient_delimiter = +
lda_mailbox_autocreate = yes
lda_mailbox_autosubscribe = yes
{rootless}
{auth_fault}
{oauth2_passdb}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users_file}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users_file}
  default_fields = uid={uid} gid={gid} home={mail_dir}/%d/%n
}}
namespace inbox {{
  inbox = yes
  separator = {separator}
  prefix = {prefix}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
protocol lda {{
  mail_plugins = $mail_plugins sieve
}}
plugin {{
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_extensions = +vacation-seconds
  sieve_vacation_min_period = 0
  sieve_vacation_default_period = 7d
}}
"""

# Without root, every Dovecot process runs as the current user (tested as `nobody`).
ROOTLESS = """\
default_internal_user = {user}
default_login_user = {user}
default_internal_group = {group}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}"""

# A first passdb that fails for now (checkpassword's exit 111: "temporary failure") while
# the flag file exists, else says "not mine" (exit 1) and the users file decides: the
# directory behind a real server briefly down, answered "NO [UNAVAILABLE]".
AUTH_FAULT = """\
passdb {{
  driver = checkpassword
  args = {script}
  result_internalfail = return-fail
}}"""
# XOAUTH2 (Microsoft 365, Google): the token is checked by RFC 7662 introspection at a TokenIssuer.
OAUTH2_PASSDB = """\
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {ext}
}}"""
OAUTH2_EXT = """\
introspection_mode = post
introspection_url = {url}
username_attribute = username
active_attribute = active
active_value = true
"""
AUTH_FAULT_SCRIPT = "#!/bin/sh\n[ -e {flag} ] && exit 111\nexit 1\n"

_APPENDUID = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]")


def _appended_uids(response) -> list[int]:
    """The UIDs in an APPEND response's [APPENDUID validity uid-set] code."""
    if isinstance(response, (tuple, list)):  # multiappend() gives (typ, [data, ...])
        response = b" ".join(x for x in response[-1] if isinstance(x, bytes))
    found = _APPENDUID.search(response)
    if found is None:
        raise RuntimeError(f"no APPENDUID in the APPEND response: {response!r}")
    uids = []
    for part in found.group(2).decode().split(","):
        low, _, high = part.partition(":")
        uids.extend(range(int(low), int(high or low) + 1))
    return uids


class Dovecot:
    """A private Dovecot (IMAP + LDA + Sieve) under ``root``, on 127.0.0.1:``port``.

    ``users`` maps full addresses to plain passwords (default: DEFAULT_USERS).
    As root, mail belongs to uid 5000 (Dovecot refuses uid 0); otherwise every
    process runs as the current user. ``mail_dir`` holds the homes
    (``mail_dir/example.test/bot/Maildir``); ``root/mail`` is or links to it.
    ``submission_port`` is where Sieve (vacation, redirect) submits mail; set it
    at any time (the config is re-rendered at once, and dovecot-lda reads it on
    every delivery). SmtpServer(dovecot) sets it for you.
    """

    def __init__(self, root: Path, users: dict[str, str] | None = None,
                 submission_port: int | None = None, separator: str = "/", prefix: str = "",
                 oauth2: "TokenIssuer | None" = None):
        self.dovecot_bin = _which("dovecot")
        if self.dovecot_bin is None or not os.access(LDA, os.X_OK):
            raise ServerUnavailable(f"Dovecot is not installed (no `dovecot` or {LDA}): {INSTALL_HINT}")
        self.doveadm_bin = _which("doveadm") or "doveadm"
        self.root = Path(root).resolve()
        if any(c.isspace() for c in str(self.root)):
            raise ValueError(f"Dovecot's config cannot hold a path with spaces: {self.root}")
        if len(str(self.root)) > 75:  # run/token-login/imap-urlauth must fit a 107-byte socket path
            raise ValueError(f"root is too long for Dovecot's unix sockets (max 75 chars): {self.root}")
        self.users = dict(DEFAULT_USERS if users is None else users)
        self.separator, self.prefix = separator, prefix  # the personal namespace's (Maildir++: ".")
        self.oauth2 = oauth2  # XOAUTH2 logins are checked by this issuer's introspection endpoint
        self.host = HOST
        self.port = free_port()
        self.conf = self.root / "dovecot.conf"
        self.log_path = self.root / "log" / "dovecot.log"
        self.pid_file = self.root / "run" / "master.pid"
        self._submission_port = submission_port
        self._proc: subprocess.Popen | None = None
        self._output = None
        self._started_once = False
        self._prepare()

    # -- config --

    @property
    def submission_port(self) -> int | None:
        return self._submission_port

    @submission_port.setter
    def submission_port(self, port: int | None) -> None:
        self._submission_port = port
        self._render()

    def _prepare(self) -> None:
        for sub in ("run", "state", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # Mail processes run as uid 5000 and the auth process as `dovecot`: they
        # must get through every folder above the homes and the users file. When
        # root's path is closed to them (pytest's tmp_path is under a 0700 folder,
        # which each pytest run resets to 0700), both live in a private folder of
        # the temp dir instead, removed with this object; root/mail links to it.
        shared = self.root
        if os.geteuid() == 0 and not _traversable(self.root):
            shared = Path(tempfile.mkdtemp(prefix="dovetest-")).resolve()
            shared.chmod(0o711)
            weakref.finalize(self, shutil.rmtree, shared, True)
        self.mail_dir = shared / "mail"
        self.users_file = shared / "users"
        self.auth_fault_flag = shared / "auth-unavailable"
        self.mail_dir.mkdir(exist_ok=True)
        if shared != self.root:
            link = self.root / "mail"
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(self.mail_dir)
        if os.geteuid() == 0:
            os.chown(self.mail_dir, MAIL_UID, MAIL_GID)
        self._render()

    def _render(self) -> None:
        rootless = os.geteuid() != 0
        uid, gid = (os.getuid(), os.getgid()) if rootless else (MAIL_UID, MAIL_GID)
        submission = (f"submission_host = {HOST}:{self._submission_port}" if self._submission_port
                      else "# submission_host unset: no SMTP server to submit Sieve replies to")
        extra = ""
        if rootless:
            extra = ROOTLESS.format(user=pwd.getpwuid(os.getuid()).pw_name,
                                    group=grp.getgrgid(os.getgid()).gr_name)
        oauth2 = ""
        if self.oauth2 is not None:
            ext = self.users_file.parent / "oauth2.conf.ext"
            ext.write_text(OAUTH2_EXT.format(url=self.oauth2.url))
            ext.chmod(0o644)
            oauth2 = OAUTH2_PASSDB.format(ext=ext)
        script = self.users_file.parent / "auth-fault.sh"
        script.write_text(AUTH_FAULT_SCRIPT.format(flag=self.auth_fault_flag))
        script.chmod(0o755)
        self.conf.write_text(CONFIG.format(
            root=self.root, users_file=self.users_file, mail_dir=self.mail_dir, host=HOST,
            port=self.port, uid=uid, gid=gid, first_valid_uid=min(1000, uid),
            submission=submission, rootless=extra, auth_fault=AUTH_FAULT.format(script=script),
            separator=self.separator, prefix=self.prefix, oauth2_passdb=oauth2,
            oauth2_mechanisms=" xoauth2 oauthbearer" if self.oauth2 is not None else ""))
        users = self.users_file
        users.write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        users.chmod(0o644)  # read by the unprivileged auth process; test passwords only

    # -- lifecycle --

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> "Dovecot":
        """Start the master in the foreground and wait for the IMAP greeting."""
        if self.running:
            raise RuntimeError(f"Dovecot already running (pid {self._proc.pid})")
        try:
            return self._start(timeout)
        except RuntimeError as e:
            if self._started_once or "Address already in use" not in str(e):
                raise
            self.port = free_port()  # someone took the port between free_port() and bind
            return self._start(timeout)

    def _start(self, timeout: float) -> "Dovecot":
        self._render()
        self.pid_file.unlink(missing_ok=True)  # left by a kill: "already running with PID N"
        self._output = open(self.root / "log" / "master.out", "ab")
        self._proc = subprocess.Popen(
            [self.dovecot_bin, "-F", "-c", str(self.conf)],
            stdin=subprocess.DEVNULL, stdout=self._output, stderr=subprocess.STDOUT,
            start_new_session=True)  # Ctrl-C reaches pytest, which then stops us by pid
        _running.add(self)
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._after_exit()
                raise RuntimeError(f"dovecot exited with status {code} at start\n{self._diagnosis()}")
            if self._greets():
                self._started_once = True
                return self
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"dovecot gave no IMAP greeting on {HOST}:{self.port} "
                                   f"within {timeout} s\n{self._diagnosis()}")
            time.sleep(0.02)

    def _greets(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as s:
                return s.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def pids(self) -> list[int]:
        """The master and all its descendants (the processes kill() would end)."""
        return sorted(_tree(self._proc.pid)) if self.running else []

    def stop(self, timeout: float = 10.0) -> None:
        """Clean stop: SIGTERM the master and wait (~1.1 s); SIGKILL the tree if it hangs."""
        if not self.running:
            self._after_exit()
            return
        tree = _tree(self._proc.pid)
        self._proc.terminate()
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        # Sessions with a busy client can outlive the master (reference section 6).
        tree.pop(self._proc.pid, None)
        _kill_all(tree)
        self._after_exit()

    def kill(self) -> None:
        """SIGKILL the master and every descendant, as a crash would. Leaves a stale pid file."""
        if not self.running:
            self._after_exit()
            return
        master = self._proc.pid
        os.kill(master, signal.SIGSTOP)  # freeze it, so it forks no child we would miss
        tree = _tree(master)
        tree.pop(master, None)
        _kill_all(tree)
        self._proc.kill()
        self._proc.wait()
        try:
            os.killpg(master, signal.SIGKILL)  # its own session/group: anything /proc missed
        except (ProcessLookupError, PermissionError):
            pass
        self._after_exit()

    def restart(self, timeout: float = 10.0) -> "Dovecot":
        """Crash-restart: kill() if running, then start() on the same port and data."""
        self.kill()
        return self.start(timeout)

    def _after_exit(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None
        _running.discard(self)

    def __enter__(self) -> "Dovecot":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()

    def __repr__(self) -> str:
        state = f"pid {self._proc.pid}" if self.running else "stopped"
        return f"<Dovecot {HOST}:{self.port} {state} root={self.root}>"

    # -- logs --

    def auth_unavailable(self, unavailable: bool = True) -> None:
        """Make every login fail for now ("NO [UNAVAILABLE]"), or work again."""
        if unavailable:
            self.auth_fault_flag.write_text("down\n")
        else:
            self.auth_fault_flag.unlink(missing_ok=True)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _diagnosis(self, lines: int = 30) -> str:
        tail = "\n".join(self.log_text().splitlines()[-lines:])
        out = (self.root / "log" / "master.out")
        master = out.read_text(errors="replace")[-3000:] if out.exists() else ""
        check = subprocess.run(["doveconf", "-c", str(self.conf), "-n"], capture_output=True, text=True)
        return (f"--- {self.log_path} (tail) ---\n{tail}\n--- master output ---\n{master}"
                f"--- doveconf -n: status {check.returncode} ---\n{check.stderr[-2000:]}")

    # -- IMAP helpers (one short connection each) --

    def client(self, user: str, attempts: int = 5) -> IMAPClient:
        """A logged-in IMAPClient (plain TCP, 10 s timeout). Use it in a `with` block. Dovecot answers
        "[UNAVAILABLE] Temporary authentication failure" when its auth process is slow under load
        (a daemon analysing on both cores): the test's own look is tried again, as mailbot does."""
        attempt = 1
        while True:
            c = IMAPClient(HOST, port=self.port, ssl=False, timeout=10)
            try:
                c.login(user, self.users[user])
                return c
            except BaseException as exc:
                c.shutdown()
                if not (isinstance(exc, LoginError) and "[UNAVAILABLE]" in str(exc)) or attempt == attempts:
                    raise
            time.sleep(0.3 * attempt)
            attempt += 1

    def append(self, user: str, folder: str, raw: bytes, flags: Iterable[str] = (),
               msg_time=None) -> int:
        """APPEND one message (creating the folder if needed); returns its UID."""
        with self.client(user) as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            response = c.append(folder, raw, flags=tuple(flags), msg_time=msg_time)
        return _appended_uids(response)[0]

    def multiappend(self, user: str, folder: str, raws: Iterable[bytes | dict]) -> list[int]:
        """MULTIAPPEND (one atomic command, creating the folder if needed); returns the UIDs.

        An item may also be imapclient's dict form: {"msg": raw, "flags": [...], "date": dt}.
        """
        raws = list(raws)
        if not raws:
            return []
        with self.client(user) as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            response = c.multiappend(folder, raws)
        return _appended_uids(response)

    def uids(self, user: str, folder: str = "INBOX") -> list[int]:
        """UID SEARCH ALL, sorted; [] if the folder does not exist."""
        with self.client(user) as c:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            return sorted(c.search("ALL"))

    def count_under(self, user: str, parent: str) -> int:
        """Messages in ``parent`` and all its subfolders (mailbot files mail by situation)."""
        with self.client(user) as c:
            folders = [f[2] for f in c.list_folders(pattern=f"{parent}*")]
            return sum(c.folder_status(f, [b"MESSAGES"])[b"MESSAGES"] for f in folders)

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        with self.client(user) as c:
            return c.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]

    def fetch_all(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """Every message's raw bytes in UID order (BODY.PEEK[]: \\Seen is left alone)."""
        with self.client(user) as c:
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            uids = sorted(c.search("ALL"))
            raws = []
            for i in range(0, len(uids), 500):
                batch = c.fetch(uids[i:i + 500], ["BODY.PEEK[]"])
                raws.extend(batch[uid][b"BODY[]"] for uid in sorted(batch))
            return raws

    # -- LDA and Sieve --

    def deliver(self, user: str, raw: bytes, sender: str = "", recipient: str | None = None,
                mailbox: str | None = None) -> None:
        """Deliver as the MTA would, through dovecot-lda, so the user's Sieve script runs.

        sender is the envelope sender ("" = the null sender <>); recipient is the
        envelope recipient (default: user); mailbox is the LDA's -m target folder.
        """
        args = [LDA, "-c", str(self.conf), "-d", user, "-a", recipient or user, "-f", sender]
        if mailbox:
            args += ["-m", mailbox]
        done = subprocess.run(args, input=raw, capture_output=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"dovecot-lda for {user} exited with {done.returncode}: "
                               f"{done.stderr.decode(errors='replace').strip()}\n"
                               + "\n".join(self.log_text().splitlines()[-10:]))

    def doveadm(self, *args: str, input: bytes | None = None) -> str:
        """Run `doveadm -c CONF ARGS...` and return its output; raises on failure."""
        done = subprocess.run([self.doveadm_bin, "-c", str(self.conf), *args], input=input,
                              capture_output=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)} exited with {done.returncode}: "
                               f"{done.stderr.decode(errors='replace').strip()}")
        return done.stdout.decode(errors="replace")

    def sieve_put(self, user: str, name: str, script: str) -> None:
        """Store a Sieve script for user and make it the active one (needs the server running)."""
        self.doveadm("sieve", "put", "-a", "-u", user, name, input=script.encode())


# --- SMTP ---------------------------------------------------------------------------

@dataclass
class Received:
    """One message as the SMTP server got it."""
    mail_from: str            # "" for the null sender <>
    rcpt_tos: list[str]
    raw: bytes
    when: float               # time.time() at the end of DATA
    login: str | None = None  # the AUTH user, when the client logged in
    mail_options: tuple[str, ...] = ()  # MAIL FROM parameters (BODY=8BITMIME, SMTPUTF8)

    @functools.cached_property
    def message(self) -> EmailMessage:
        """Parsed with email.policy.default, on first use: parsing before the 250
        would make the server's answer, and every benchmark, slower."""
        return BytesParser(policy=email.policy.default).parsebytes(self.raw)


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that records every message.

    With ``dovecot``, each local recipient (``@local_domain`` and a user of that
    Dovecot, ``+detail`` allowed) also gets the message through dovecot-lda, in a
    worker thread after the 250 reply: Sieve may submit a vacation reply back to
    this very server, which would deadlock if delivery ran inline. Constructing
    it sets ``dovecot.submission_port`` to this server's port.

    With ``auth=(user, password)``, AUTH PLAIN/LOGIN is offered on plain TCP and
    required before MAIL. ``smtputf8=False`` makes it a server without SMTPUTF8
    (RFC 6531), which refuses non-ASCII addresses.
    """

    def __init__(self, dovecot: Dovecot | None = None, local_domain: str = "example.test",
                 auth: tuple[str, str] | None = None, smtputf8: bool = True,
                 tokens: "TokenIssuer | None" = None):
        try:
            import aiosmtpd  # noqa: F401
        except ImportError as e:
            raise ServerUnavailable(f"aiosmtpd is not installed ({e}): run `make test`, "
                                    "or pip install -e '.[test]'") from None
        self.dovecot = dovecot
        self.local_domain = local_domain.lower()
        self.auth = auth
        self.smtputf8 = smtputf8
        self.auth_unavailable = False  # set: AUTH is answered "454 4.7.0 Temporary authentication failure"
        self.tokens = tokens  # AUTH XOAUTH2 accepts this issuer's live tokens
        self.host = HOST
        self.port = free_port()
        self.delivery_errors: list[str] = []
        self._messages: list[Received] = []
        self._changed = threading.Condition()
        self._pending = 0
        self._controller = None
        self._workers: ThreadPoolExecutor | None = None
        if dovecot is not None:
            dovecot.submission_port = self.port

    # -- lifecycle --

    def start(self) -> "SmtpServer":
        from aiosmtpd.controller import Controller

        if self._controller is not None:
            raise RuntimeError("SMTP server already running")
        kwargs = {}
        if self.auth is not None or self.tokens is not None:
            # auth_required is enforced in _Handler.handle_MAIL: aiosmtpd's own flag
            # warns on every connection when TLS is not required.
            kwargs = dict(authenticator=self._authenticate, auth_require_tls=False)
        self._workers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp-lda")  # in order
        controller = Controller(_Handler(self), hostname=HOST, port=self.port,
                                enable_SMTPUTF8=self.smtputf8, **kwargs)
        controller.start()
        self._controller = controller
        _running.add(self)
        return self

    def stop(self) -> None:
        """Stop listening, then let queued deliveries finish."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._workers is not None:
            self._workers.shutdown(wait=True)
            self._workers = None
        _running.discard(self)

    kill = stop  # what the atexit safety net calls

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SmtpServer {HOST}:{self.port} {len(self._messages)} received>"

    # -- what arrived --

    @property
    def messages(self) -> list[Received]:
        with self._changed:
            return list(self._messages)

    def clear(self) -> None:
        with self._changed:
            self._messages.clear()
            self.delivery_errors.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """All messages, as soon as there are at least count; AssertionError on timeout."""
        with self._changed:
            if self._changed.wait_for(lambda: len(self._messages) >= count, timeout):
                return list(self._messages)
            got = [(m.mail_from, m.rcpt_tos, m.message["Subject"]) for m in self._messages]
        raise AssertionError(f"expected {count} message(s) within {timeout} s, "
                             f"got {len(got)}: {got}")

    def wait_delivered(self, timeout: float = 10.0) -> None:
        """Wait until no LDA delivery is queued or running; AssertionError if one failed."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._pending == 0, timeout):
                raise AssertionError(f"{self._pending} delivery(ies) still pending after {timeout} s")
            if self.delivery_errors:
                raise AssertionError("delivery failed:\n" + "\n".join(self.delivery_errors))

    # -- inside the server --

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if self.auth_unavailable:  # the relay's own directory is down: a temporary refusal
            return AuthResult(success=False, handled=False, message="454 4.7.0 Temporary authentication failure")
        if isinstance(auth_data, LoginPassword):
            given = (auth_data.login.decode(errors="replace"),
                     auth_data.password.decode(errors="replace"))
            if self.auth is not None and given == tuple(self.auth):
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    def _local_user(self, address: str) -> str | None:
        local, _, domain = address.rpartition("@")
        if self.dovecot is None or domain.lower() != self.local_domain:
            return None
        user = f"{local.split('+', 1)[0]}@{domain}".lower()
        return next((u for u in self.dovecot.users if u.lower() == user), None)

    def _record(self, received: Received, loop) -> None:
        local = [(self._local_user(r), r) for r in received.rcpt_tos]
        local = [(user, rcpt) for user, rcpt in local if user]
        with self._changed:
            self._messages.append(received)
            self._pending += len(local)
            self._changed.notify_all()
        for user, rcpt in local:
            # call_soon: runs once DATA's coroutine has written its 250 reply.
            loop.call_soon(self._workers.submit, self._deliver, user, rcpt, received)

    def _deliver(self, user: str, rcpt: str, received: Received) -> None:
        try:
            self.dovecot.deliver(user, received.raw, sender=received.mail_from, recipient=rcpt)
        except Exception as e:  # recorded, raised by wait_delivered()
            with self._changed:
                self.delivery_errors.append(f"{rcpt}: {e}")
        finally:
            with self._changed:
                self._pending -= 1
                self._changed.notify_all()


class _Handler:
    """aiosmtpd handler: accept everything, hand it to the SmtpServer."""

    def __init__(self, server: SmtpServer):
        self.server = server

    async def auth_XOAUTH2(self, smtp, args):
        """SASL XOAUTH2 as Google answers it: a refused token gets a 334 with a JSON reason, the
        client's empty line, then 535."""
        import base64
        import json

        from aiosmtpd.smtp import AuthResult, LoginPassword

        server = self.server
        if server.auth_unavailable:
            return AuthResult(success=False, handled=False, message="454 4.7.0 Temporary authentication failure")
        initial = args[1].encode() if len(args) > 1 else await smtp.challenge_auth("", encode_to_b64=False)
        try:
            fields = dict(part.split("=", 1) for part in base64.b64decode(initial).decode().split("\x01") if part)
        except ValueError:
            return AuthResult(success=False, handled=False, message="501 5.5.2 Cannot decode response")
        token = fields.get("auth", "").removeprefix("Bearer ")
        user = server.tokens.active(token) if server.tokens is not None else None
        if user is not None and user == fields.get("user"):
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        await smtp.challenge_auth(json.dumps({"status": "401", "schemes": "Bearer"}))
        return AuthResult(success=False, handled=False, message="535 5.7.8 Username and Password not accepted")

    async def handle_MAIL(self, smtp, session, envelope, address, mail_options):
        if (self.server.auth is not None or self.server.tokens is not None) and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        import asyncio

        raw = envelope.original_content or envelope.content
        auth = getattr(session, "auth_data", None)
        received = Received(
            mail_from="" if envelope.mail_from in (None, "", "<>") else envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            raw=raw,
            when=time.time(),
            login=auth.login.decode(errors="replace") if auth is not None else None,
            mail_options=tuple(envelope.mail_options),
        )
        self.server._record(received, asyncio.get_running_loop())
        return "250 OK"


class TokenIssuer:
    """An OAuth2 authorisation server's introspection endpoint (RFC 7662) on 127.0.0.1: the test
    issues access tokens and expires them; Dovecot's oauth2 passdb and SmtpServer ask it."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        issuer = self
        self._tokens: dict[str, str] = {}  # token -> user, while it is valid
        self.checks = 0

        class Introspection(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                import json
                from urllib.parse import parse_qs

                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                token = parse_qs(body).get("token", [""])[0]
                issuer.checks += 1
                user = issuer.active(token)
                data = json.dumps({"active": True, "username": user} if user else {"active": False}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._http = ThreadingHTTPServer((HOST, 0), Introspection)
        self.url = f"http://{HOST}:{self._http.server_address[1]}/introspect"
        self._thread = threading.Thread(target=self._http.serve_forever, name="token-issuer", daemon=True)
        self._thread.start()

    def issue(self, user: str) -> str:
        import secrets

        token = "ya29." + secrets.token_urlsafe(24)
        self._tokens[token] = user
        return token

    def expire(self, token: str) -> None:
        self._tokens.pop(token, None)

    def active(self, token: str) -> str | None:
        return self._tokens.get(token)

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)

    def __enter__(self) -> "TokenIssuer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
