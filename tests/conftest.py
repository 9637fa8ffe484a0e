"""Shared fixtures. Real servers on 127.0.0.1, never mocks: see tests/servers.py."""

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.servers import Dovecot, ServerUnavailable, SmtpServer


def _make(server_class, *args, **kwargs):
    """Build a server; a missing program fails the test (CI forbids skipped integration tests)."""
    try:
        return server_class(*args, **kwargs)
    except ServerUnavailable as e:
        missing = str(e)
    pytest.fail(missing, pytrace=False)


@pytest.fixture
def dovecot_root():
    """A short folder for a Dovecot's files: its unix sockets' paths must fit 107 bytes, which pytest's tmp_path
    (under a worker's folder when the suite runs on several cores) does not always leave room for."""
    root = Path(tempfile.mkdtemp(prefix="mb-dovecot-", dir="/tmp"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_root):
    """A running Dovecot (IMAP, LDA, Sieve) with DEFAULT_USERS; killed at teardown."""
    server = _make(Dovecot, dovecot_root)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def smtp_server():
    """An SMTP sink: records every message, delivers nothing."""
    with _make(SmtpServer) as server:
        yield server


@pytest.fixture
def delivering_smtp(dovecot):
    """An SMTP server that also delivers @example.test users into `dovecot`
    (and receives that Dovecot's Sieve vacation replies)."""
    with _make(SmtpServer, dovecot) as server:
        yield server


@pytest.fixture
def smtp_with_login():
    """An SMTP sink that requires AUTH as bot-smtp / smtppw (see tests.test_daemon_imap.with_smtp_login)."""
    with _make(SmtpServer, auth=("bot-smtp", "smtppw")) as server:
        yield server
