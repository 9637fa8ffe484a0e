"""Running mailbot against the test servers: its settings file and its process
(used by the integration tests and by bench/)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

BOT = "bot@example.test"
PASSWORD_ENV = "MAILBOT_TEST_IMAP_PW"
# The MTA whose Authentication-Results headers are read ([trust] authserv_id): the
# bundled samples carry its headers, as settings.toml's demo set-up says.
AUTHSERV_ID = "mx.cf.canon.fr"
# The test mail comes from a dozen sample senders, hundreds of messages each
# (exactly-once and backlog runs): the loop-safety limits would send most of
# it to review. tests/test_loop_safety.py passes the limits it tests.
NO_LIMITS = {"per_sender": 1_000_000, "per_case": 1_000_000, "per_hour": 1_000_000}


def write_imap_settings(folder: Path, dovecot, smtp_port: int, limits: dict | None = None,
                        more: str = "", **mailbox) -> Path:
    """settings.toml in ``folder``: IMAP as bot@example.test, SMTP on ``smtp_port``,
    the database in ``folder/var``. ``limits`` are the [limits] keys (default:
    NO_LIMITS); ``more`` is TOML appended (other sections; [trust] is
    authserv_id = AUTHSERV_ID unless given there); extra keyword arguments
    are [mailbox] keys."""
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
{caps}
{more}
{"" if "[trust]" in more else f'[trust]{chr(10)}authserv_id = "{AUTHSERV_ID}"{chr(10)}'}""", encoding="utf-8")
    return path


def another_request(raw: bytes, message_id: str) -> bytes:
    """The same mail under ``message_id``, from another person of the same customer
    (``jean@acme.fr`` becomes ``jean.<tag>@acme.fr``): copies of one sample are
    separate requests, not a customer writing again in one case (cases.py)."""
    raw = re.sub(rb"(?mi)^Message-ID:.*$", f"Message-ID: <{message_id}>".encode(), raw, count=1)
    tag = re.sub(r"[^a-z0-9]", "", message_id.split("@")[0].lower()).encode()
    return re.sub(rb"(?mi)^(From:[^\r\n]*?<[^@>\r\n]+)@", lambda m: m.group(1) + b"." + tag + b"@", raw, count=1)


def import_sample_directory(settings: Path) -> None:
    """The sample customer directory: it knows the samples' senders (classifiers/directory.sample.csv)."""
    from mailbot.paths import SAMPLE_DIRECTORY

    result = run_mailbot(settings, "directory", "import", str(SAMPLE_DIRECTORY))
    assert result.returncode == 0, result.stderr


def mailbot_env(**extra: str) -> dict[str, str]:
    """The environment of a mailbot process: the IMAP password, unbuffered output."""
    return {**os.environ, PASSWORD_ENV: "botpw", "PYTHONUNBUFFERED": "1", **extra}


def run_mailbot(settings: Path, *args: str, env: dict[str, str] | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    """`mailbot --settings SETTINGS ARGS...` to completion, output captured."""
    return subprocess.run([sys.executable, "-m", "mailbot", "--settings", str(settings), *args],
                          capture_output=True, text=True, env=env or mailbot_env(), timeout=timeout)


def maildir_bot(folder: Path, settings_text: str, directory_csv: str, inbox: dict[str, bytes]) -> tuple[Path, str]:
    """A Maildir bot in ``folder``: its settings, ``directory_csv`` imported, ``inbox`` delivered
    to ``var/mail/new`` and processed once. Returns the settings file and what `once` printed."""
    settings = folder / "settings.toml"
    settings.write_text(settings_text, encoding="utf-8")
    (folder / "directory.csv").write_text(directory_csv, encoding="utf-8")
    imported = run_mailbot(settings, "directory", "import", str(folder / "directory.csv"))
    assert imported.returncode == 0, imported.stderr
    mail = folder / "var" / "mail"
    for sub in ("tmp", "new", "cur"):
        (mail / sub).mkdir(parents=True, exist_ok=True)
    for name, raw in inbox.items():
        (mail / "new" / name).write_bytes(raw)
    result = run_mailbot(settings, "once")
    assert result.returncode == 0, result.stderr
    return settings, result.stdout


def start_daemon(settings: Path, log: Path) -> subprocess.Popen:
    """`mailbot -v run` in the background, its output appended to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "mailbot", "-v", "--settings", str(settings), "run"],
                                stdout=out, stderr=subprocess.STDOUT, env=mailbot_env())


def stop_daemon(proc: subprocess.Popen) -> int:
    """SIGTERM, as an operator would; its exit status (killed and raised after 20 s)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    return proc.returncode


def wait_until(predicate, timeout: float, what: str):
    """Poll ``predicate`` until it is truthy; AssertionError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def authenticated(raw: bytes, authserv_id: str = AUTHSERV_ID, result: str = "pass") -> bytes:
    """``raw`` as our MTA delivers it: an Authentication-Results header on top with
    DMARC ``result`` for its From domain."""
    found = re.search(rb"(?mi)^From:[^\r\n]*?@([A-Za-z0-9.-]+)", raw)
    domain = found.group(1).decode() if found else "unknown.example"
    return f"Authentication-Results: {authserv_id}; dmarc={result} header.from={domain}\r\n".encode() + raw


def unauthenticated(raw: bytes) -> bytes:
    """``raw`` without its Authentication-Results header: as our MTA leaves a message it has no
    verdict on (a test that changes the From must drop the verdict written for the old one)."""
    return re.sub(rb"(?m)^Authentication-Results:.*\r?\n(?:[ \t].*\r?\n)*", b"", raw, count=1)


class Clock:
    """A clock the test moves by hand (``clock.now += timedelta(days=6)``)."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


def maildir_processor(tmp_path: Path, sections: dict | None = None, *, directory: list | None = None,
                      clock=None, analyze=None, analyses=None):
    """The one wiring of a Processor for tests that need no server: Maildir in (``tmp_path/in``) and
    out (``tmp_path/out``), a database in ``tmp_path/m.db``, the shipped rules; ``sections`` are
    settings merged over those; ``directory`` (parsed CSV rows) is loaded. Returns (processor, store,
    inbox Maildir); close the store when done."""
    from mailbot.read.analyze import analyze as real_analyze
    from mailbot.config import parse_settings
    from mailbot.mail.outbox import Outbox
    from mailbot.app import App, utcnow
    from mailbot.service.processor import Processor
    from mailbot.mail.senders import MaildirSender
    from mailbot.mail.sources.maildir import MaildirSource, make_maildir
    from mailbot.store import Store, replace_directory

    data = {"mailbox": {"path": str(tmp_path / "in")}, "smtp": {"path": str(tmp_path / "out")},
            "database": {"path": str(tmp_path / "m.db")}}
    for name, values in (sections or {}).items():
        data[name] = {**data.get(name, {}), **values}
    settings = parse_settings(data, tmp_path / "settings.toml")
    store = Store(settings.resolve(settings.database.path))
    if directory is not None:
        replace_directory(store, directory)
    source = MaildirSource(settings)
    source.connect()
    app = App.build(settings, clock=clock or utcnow)
    processor = Processor(app=app, source=source, store=store, outbox=Outbox(store, MaildirSender(settings), now=clock),
                          analyze=analyze or real_analyze, analyses=analyses)
    return processor, store, make_maildir(settings.resolve(settings.mailbox.path))


def reading_decision(situation: str, fields: dict, rules, *, received=None, confidence: float = 0.9,
                     automated: bool = False, fraud: tuple[str, ...] = (), email_nominative: bool | None = None):
    """The reading's gates of the decision chain (chain.READING) on plain values: the returned
    Analysis has the action, missing, lead time, reasons and chain as analyze would set them."""
    from zoneinfo import ZoneInfo

    from mailbot.read.analysis import Analysis, Evidence
    from mailbot.decide.chain import judge_reading

    analysis = Analysis(situation=situation, fields=dict(fields), received=received, confidence=confidence,
                        automated=automated, details={"new_email": {"nominative": email_nominative}},
                        evidence=[Evidence("extract", name, "FR76…", "in the new text") for name in fraud])
    judge_reading(analysis, rules, ZoneInfo("Europe/Paris"))
    return analysis
