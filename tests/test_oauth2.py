"""XOAUTH2 for hosted mailboxes (Microsoft 365, Google), against the suite's real servers.

A TokenIssuer plays the authorisation server: it issues access tokens and
expires them, and answers RFC 7662 introspection. Dovecot checks IMAP logins
with its oauth2 passdb against it; the SMTP test server checks AUTH XOAUTH2
against it (with Google's 334-then-535 refusal).
"""

from __future__ import annotations

import sys
import time
from types import SimpleNamespace

import pytest

from mailbot.config import SettingsError, load_settings
from mailbot.mail.senders import SendRefused, SmtpSender
from mailbot.mail.tokens import AccessToken, TokenUnavailable, xoauth2
from tests.servers import Dovecot, SmtpServer, TokenIssuer
from tests.support import BOT, import_sample_directory, mailbot_env, run_mailbot, start_daemon, stop_daemon, \
    wait_until, write_imap_settings
from tests.test_daemon_imap import sample, with_message_id


@pytest.fixture
def issuer():
    with TokenIssuer() as server:
        yield server


@pytest.fixture
def oauth_dovecot(dovecot_root, issuer):
    server = Dovecot(dovecot_root, oauth2=issuer)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def oauth_smtp(issuer):
    with SmtpServer(tokens=issuer) as server:
        yield server


def oauth_settings(tmp_path, dovecot, smtp, imap_keys: str = "", smtp_keys: str = ""):
    settings = write_imap_settings(tmp_path, dovecot, smtp.port)
    text = settings.read_text().replace("[mailbox]\n", f'[mailbox]\nauth = "xoauth2"\n{imap_keys}', 1)
    text = text.replace("[smtp]\n", f'[smtp]\nauth = "xoauth2"\nusername = "{BOT}"\n{smtp_keys}', 1)
    settings.write_text(text)
    import_sample_directory(settings)
    return settings


def token_command(tmp_path, name: str) -> tuple[str, object]:
    """A token helper as a site would have one: prints the token kept in a file (which the test
    renews); returns the command and the file."""
    store = tmp_path / f"{name}.token"
    script = tmp_path / f"{name}-token.py"
    script.write_text(f"import pathlib\nprint(pathlib.Path({str(store)!r}).read_text().strip())\n")
    return f"{sys.executable} {script}", store


def test_imap_and_smtp_log_in_with_access_tokens_from_the_environment(oauth_dovecot, oauth_smtp, issuer, tmp_path):
    settings = oauth_settings(tmp_path, oauth_dovecot, oauth_smtp)
    oauth_dovecot.append(BOT, "INBOX", sample("po_change"))
    env = mailbot_env(MAILBOT_IMAP_TOKEN=issuer.issue(BOT), MAILBOT_SMTP_TOKEN=issuer.issue(BOT))
    del env["MAILBOT_TEST_IMAP_PW"]  # no password anywhere
    result = run_mailbot(settings, "once", env=env, timeout=90)
    assert result.returncode == 0, result.stderr
    [reply] = oauth_smtp.wait_for(1)
    assert reply.login == BOT
    assert "method=XOAUTH2" in oauth_dovecot.log_text() and issuer.checks >= 1  # Dovecot asked the issuer


def test_an_expired_token_from_the_environment_is_a_refusal_naming_the_variable(oauth_dovecot, oauth_smtp, issuer,
                                                                                 tmp_path):
    settings = oauth_settings(tmp_path, oauth_dovecot, oauth_smtp)
    expired = issuer.issue(BOT)
    issuer.expire(expired)
    env = mailbot_env(MAILBOT_IMAP_TOKEN=expired, MAILBOT_SMTP_TOKEN=issuer.issue(BOT))
    result = run_mailbot(settings, "once", env=env, timeout=90)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("mailbot: error: mailbox.token_env: access token refused") and "Traceback" not in line


def test_the_daemon_fetches_a_new_token_when_the_server_says_it_expired(oauth_dovecot, oauth_smtp, issuer, tmp_path):
    imap_command, imap_store = token_command(tmp_path, "imap")
    smtp_command, smtp_store = token_command(tmp_path, "smtp")
    first = issuer.issue(BOT)
    imap_store.write_text(first)
    smtp_store.write_text(issuer.issue(BOT))
    settings = oauth_settings(tmp_path, oauth_dovecot, oauth_smtp, imap_keys=f"token_command = {imap_command!r}\n",
                              smtp_keys=f"token_command = {smtp_command!r}\n")
    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    try:
        wait_until(lambda: "connected to" in log.read_text(), 30, "the daemon to connect")
        issuer.expire(first)  # an hour later: the token the daemon holds is refused
        imap_store.write_text(issuer.issue(BOT))
        oauth_dovecot.doveadm("kick", BOT)  # the session ends; logging in again needs a token
        wait_until(lambda: "fetching a new one" in log.read_text(), 30, "a new token")
        oauth_dovecot.append(BOT, "INBOX", with_message_id(sample("po_change"), "after-expiry@test"))
        [reply] = oauth_smtp.wait_for(1, timeout=60)
        assert reply.message["In-Reply-To"] == "<after-expiry@test>"
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()
    assert "refused" not in log.read_text().replace("refused the access token", "")


def test_smtp_fetches_a_new_token_after_a_535(oauth_smtp, issuer, tmp_path, monkeypatch):
    command, store = token_command(tmp_path, "smtp")
    first = issuer.issue(BOT)
    store.write_text(first)
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'[smtp]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {oauth_smtp.port}\ntls = "none"\n'
                             f'username = "{BOT}"\nauth = "xoauth2"\ntoken_command = {command!r}\n')
    sender = SmtpSender(load_settings(settings_file))
    try:
        sender.check()  # logs in with the first token
        sender.close()
        issuer.expire(first)
        store.write_text(issuer.issue(BOT))
        sender.send(b"From: bot@example.test\r\nTo: x@example.test\r\nSubject: t\r\n\r\nbody\r\n",
                    ["x@example.test"], commit=lambda: None)
        [received] = oauth_smtp.wait_for(1)
        assert received.login == BOT

        # A token that is refused again, even fresh, is a refusal naming the command.
        sender.close()
        issuer.expire(store.read_text())
        with pytest.raises(SendRefused, match="smtp.token_command: access token refused"):
            sender.check()
    finally:
        sender.close()


def section(**keys):
    return SimpleNamespace(**{"token_env": "MAILBOT_TEST_TOKEN", "token_command": "", **keys})


def test_token_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("MAILBOT_TEST_TOKEN", raising=False)
    with pytest.raises(SettingsError, match="mailbox.token_env: environment variable MAILBOT_TEST_TOKEN"):
        AccessToken("mailbox", section(), tmp_path)
    monkeypatch.setenv("MAILBOT_TEST_TOKEN", "abc")
    assert AccessToken("mailbox", section(), tmp_path).get() == "abc"

    failing = AccessToken("smtp", section(token_command=f"{sys.executable} -c 'import sys; sys.exit(3)'"), tmp_path)
    with pytest.raises(TokenUnavailable, match="smtp.token_command: exited with status 3"):
        failing.get()
    missing = AccessToken("smtp", section(token_command="/nonexistent/token-helper"), tmp_path)
    with pytest.raises(SettingsError, match="smtp.token_command: cannot run"):
        missing.get()
    chatty = AccessToken("smtp", section(token_command="echo two words"), tmp_path)
    with pytest.raises(TokenUnavailable, match="printed no single token"):
        chatty.get()
    started = time.monotonic()
    assert AccessToken("smtp", section(token_command="echo tok"), tmp_path).get() == "tok"
    assert time.monotonic() - started < 5


def test_xoauth2_initial_response():
    assert xoauth2("bot@example.test", "ya29.x") == "user=bot@example.test\x01auth=Bearer ya29.x\x01\x01"
