"""Settings: every mistake is named by its key, secrets come from the environment."""

from pathlib import Path

import pytest

from mailbot.config import SettingsError, load_settings, parse_settings, settings_path

SOURCE = Path("/srv/mailbot/settings.toml")


def test_defaults_are_complete_and_valid():
    settings = parse_settings({}, SOURCE)
    assert settings.mailbox.kind == "maildir"
    assert settings.bot.mode == "auto"
    assert settings.own_addresses == ("contrats.service.wfps@cf.canon.fr",)
    assert settings.resolve("var/x.db") == Path("/srv/mailbot/var/x.db")
    assert settings.resolve("/abs/x.db") == Path("/abs/x.db")


@pytest.mark.parametrize("data, key", [
    ({"mailbox": {"kindd": "imap"}}, "mailbox.kindd"),
    ({"mailbx": {}}, "mailbx"),
    ({"mailbox": {"kind": "pop3"}}, "mailbox.kind"),
    ({"mailbox": {"port": "993"}}, "mailbox.port"),
    ({"mailbox": {"port": True}}, "mailbox.port"),
    ({"mailbox": {"port": 0}}, "mailbox.port"),
    ({"mailbox": {"idle": "yes"}}, "mailbox.idle"),
    ({"mailbox": {"kind": "imap"}}, "mailbox.username"),
    ({"smtp": {"tls": "ssl"}}, "smtp.tls"),
    ({"bot": {"mode": "live"}}, "bot.mode"),
    ({"bot": {"timezone": "Mars/Olympus"}}, "bot.timezone"),
    ({"bot": {"address": "nobody"}}, "bot.address"),
    ({"bot": {"other_addresses": [1]}}, "bot.other_addresses"),
    ({"database": "x.db"}, "database"),
])
def test_a_wrong_setting_is_named(data, key):
    with pytest.raises(SettingsError) as err:
        parse_settings(data, SOURCE)
    assert str(err.value).startswith(key)


def test_tls_accepts_a_boolean():
    assert parse_settings({"mailbox": {"tls": False}}, SOURCE).mailbox.tls == "none"
    assert parse_settings({"mailbox": {"tls": True}}, SOURCE).mailbox.tls == "tls"


def test_secret_comes_from_the_named_variable(monkeypatch):
    settings = parse_settings({"mailbox": {"kind": "imap", "username": "bot",
                                           "password_env": "MB_TEST_PW"}}, SOURCE)
    monkeypatch.delenv("MB_TEST_PW", raising=False)
    with pytest.raises(SettingsError, match="mailbox.password_env: environment variable MB_TEST_PW"):
        settings.secret("mailbox")
    monkeypatch.setenv("MB_TEST_PW", "s3cret")
    assert settings.secret("mailbox") == "s3cret"


def test_file_errors_are_one_line(tmp_path):
    with pytest.raises(SettingsError, match="settings file .*missing.toml"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[mailbox\nkind=", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(bad)


def test_the_shipped_settings_file_is_valid():
    shipped = Path(__file__).resolve().parents[1] / "settings.toml"
    settings = load_settings(shipped)
    assert settings.smtp.kind == "maildir"


def test_settings_path_order(monkeypatch):
    monkeypatch.setenv("MAILBOT_SETTINGS", "/etc/mailbot.toml")
    assert settings_path("given.toml") == Path("given.toml")
    assert settings_path(None) == Path("/etc/mailbot.toml")
    monkeypatch.delenv("MAILBOT_SETTINGS")
    assert settings_path(None) == Path("settings.toml")
