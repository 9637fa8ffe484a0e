"""The systemd kit in deploy/: the unit restarts what a restart can fix and nothing else.

No systemd is needed: the unit is parsed here. Where `systemd-analyze` is installed, the
unit is also checked by systemd's own parser.
"""

from __future__ import annotations

import random
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from mailbot import cli
from mailbot.cli import EXIT_CONFIG, EXIT_LOCAL
from mailbot.service.daemon import LOCAL_ATTEMPTS, LOCAL_BACKOFF_CAP, Backoff

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNIT = DEPLOY / "mailbot.service"
ENV_EXAMPLE = DEPLOY / "mailbot.env.example"
SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN")


def parse_unit(text: str) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    """Sections of a unit file -> key -> every value in order (a key may repeat), and the comments.

    Enough of systemd.syntax(7) for our file: `[Section]`, `Key=Value`, comments starting with
    `#` or `;`, a trailing backslash continuing a line.
    """
    sections: dict[str, dict[str, list[str]]] = {}
    comments: list[str] = []
    current: dict[str, list[str]] | None = None
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and line[:1] in ("#", ";"):
            comments.append(line[1:].strip())
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = (pending + line).strip(), ""
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{line!r} before any [Section]"
        assert "=" in line, f"not Key=Value: {line!r}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections, comments


def last(section: dict[str, list[str]], key: str) -> str | None:
    """The value systemd uses for a single-valued key: the last one."""
    values = section.get(key)
    return values[-1] if values else None


def items(section: dict[str, list[str]], key: str) -> list[str]:
    """A list-valued key (space-separated, may repeat; an empty assignment resets it)."""
    out: list[str] = []
    for value in section.get(key, []):
        out = [] if not value else out + value.split()
    return out


UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60,
         "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600, "d": 86400,
         "day": 86400, "days": 86400}


def seconds(span: str) -> float:
    """A systemd time span (`30`, `30s`, `1min 30s`, `1h`) in seconds; a bare number is seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", span.strip())
    assert parts and re.fullmatch(r"(\s*\d+(?:\.\d+)?\s*[a-z]*)+", span), f"not a time span: {span!r}"
    total = 0.0
    for number, unit in parts:
        assert unit in UNITS or not unit, f"unknown time unit in {span!r}"
        total += float(number) * UNITS.get(unit or "s")
    return total


def unit() -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    return parse_unit(UNIT.read_text(encoding="utf-8"))


def service() -> dict[str, list[str]]:
    return unit()[0]["Service"]


def exec_start() -> list[str]:
    """ExecStart's command line, split like a shell would (systemd's quoting is close enough here)."""
    value = last(service(), "ExecStart")
    assert value, "no ExecStart="
    assert value[0] not in "+!", "ExecStart must not run with full privileges (+ or ! prefix)"
    return shlex.split(value.lstrip("-@:|"))


def test_the_unit_has_its_sections_and_waits_for_the_network():
    sections, _ = unit()
    assert {"Unit", "Service", "Install"} <= set(sections)
    assert "network-online.target" in items(sections["Unit"], "Wants")
    assert "network-online.target" in items(sections["Unit"], "After")
    assert "multi-user.target" in items(sections["Install"], "WantedBy")


def test_it_runs_as_an_unprivileged_user_with_secrets_from_the_environment_file():
    svc = service()
    user = last(svc, "User")
    assert user and user not in ("root", "0"), f"User={user}"
    assert last(svc, "Group") not in ("root", "0")
    env_file = last(svc, "EnvironmentFile")
    assert env_file, "no EnvironmentFile="
    # `-` would make a missing file silently fine; the daemon would then stop with a missing secret.
    assert env_file.startswith("/"), f"EnvironmentFile={env_file} (absolute, not optional)"
    # Secrets only in the 0600 file: Environment= lines are visible to `systemctl show` for anyone.
    for value in svc.get("Environment", []):
        assert not any(word in value.upper() for word in SECRET_WORDS), f"secret in Environment={value}"


def test_exec_start_is_the_daemon_by_absolute_path():
    argv = exec_start()
    assert Path(argv[0]).is_absolute(), f"ExecStart={argv[0]} is not an absolute path"
    assert Path(argv[0]).name == "mailbot" and argv[1:] == ["run"], f"ExecStart={' '.join(argv)}"


def test_restart_policy_follows_the_exit_statuses_of_the_code():
    svc = service()
    assert last(svc, "Restart") == "on-failure"
    prevented = items(svc, "RestartPreventExitStatus")
    # A settings error would fail again at once (and retry refused logins): no restart.
    assert str(EXIT_CONFIG) in prevented
    # A full or read-only disk may be fixed meanwhile: restart, with a delay.
    assert str(EXIT_LOCAL) not in prevented
    delay = last(svc, "RestartSec")
    assert delay is not None and seconds(delay) >= 10, f"RestartSec={delay}: restart with a delay"


def test_the_unit_comments_name_the_statuses_of_the_code():
    """`2 = EXIT_CONFIG` in a comment must still be true of mailbot/cli.py."""
    _, comments = unit()
    named = {name: int(number) for comment in comments
             for number, name in re.findall(r"\b(\d+)\s*=\s*(EXIT_[A-Z_]+)\b", comment)}
    assert {"EXIT_CONFIG", "EXIT_LOCAL"} <= set(named), f"comments name only {sorted(named)}"
    for name, number in named.items():
        assert hasattr(cli, name), f"the unit's comments name {name}, which mailbot/cli.py lacks"
        assert getattr(cli, name) == number, f"comment says {number} = {name}, the code says {getattr(cli, name)}"


def test_the_start_limit_outlasts_a_disk_that_stays_full():
    """Status 3 comes after the daemon's own backoff; the start limit must not stop those restarts."""
    sections, _ = unit()
    # StartLimit* belong in [Unit]; in [Service] systemd ignores StartLimitIntervalSec.
    assert not {"StartLimitIntervalSec", "StartLimitBurst"} & set(sections["Service"])
    interval, burst = last(sections["Unit"], "StartLimitIntervalSec"), last(sections["Unit"], "StartLimitBurst")
    assert interval and burst, "no StartLimitIntervalSec=/StartLimitBurst= in [Unit]"
    assert seconds(interval) > 0, "a limit of 0 never stops a crash loop"

    class Shortest(random.Random):  # the jitter's lower bound
        def random(self) -> float:
            return 0.0

    backoff = Backoff(cap=LOCAL_BACKOFF_CAP, rng=Shortest())
    gives_up_after = sum(backoff.next() for _ in range(LOCAL_ATTEMPTS - 1))
    cycle = gives_up_after + seconds(last(service(), "RestartSec"))
    starts = int(seconds(interval) // cycle) + 1
    assert int(burst) > starts, (f"StartLimitBurst={burst} in {interval}: a status-3 cycle of {cycle:.0f} s "
                                 f"makes {starts} starts and systemd would give up")


def test_sigterm_stops_it_with_time_to_finish_the_message():
    svc = service()
    assert last(svc, "KillSignal") == "SIGTERM"
    timeout = last(svc, "TimeoutStopSec")
    assert timeout and seconds(timeout) >= 30, f"TimeoutStopSec={timeout}: the current message needs time"


def test_hardening_leaves_only_the_state_directory_writable():
    svc = service()
    assert last(svc, "NoNewPrivileges") == "yes"
    assert last(svc, "ProtectSystem") == "strict"
    assert last(svc, "ProtectHome") in ("yes", "read-only", "tmpfs")
    assert last(svc, "PrivateTmp") == "yes"
    writable = ["/var/lib/" + name for name in items(svc, "StateDirectory")] + items(svc, "ReadWritePaths")
    assert "/var/lib/mailbot" in writable, "the database directory must stay writable"
    assert last(svc, "WorkingDirectory") == "/var/lib/mailbot"


def test_systemd_accepts_the_unit(tmp_path):
    """systemd's own parser, where installed: an unknown key or a bad value is only a warning to
    systemd (the line is ignored), so any line about the unit counts as an error here."""
    sections, _ = unit()
    assert last(sections["Unit"], "Description")
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # the checks above still ran
    # verify insists that ExecStart's program exists: point it at this Python.
    text = re.sub(r"(?m)^ExecStart=\S+", lambda _: f"ExecStart={sys.executable}",
                  UNIT.read_text(encoding="utf-8"))
    copy = tmp_path / UNIT.name
    copy.write_text(text, encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    about_us = [line for line in (result.stdout + result.stderr).splitlines() if UNIT.name in line]
    assert result.returncode == 0 and not about_us, result.stdout + result.stderr


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, sep, value = line.partition("=")
            assert sep, f"not VAR=value: {line!r}"
            values[key.strip()] = value.strip().strip("'\"")
    return values


def test_the_environment_example_names_the_variables_and_holds_no_secret():
    values = env_example()
    assert values.get("MAILBOT_SETTINGS", "").startswith("/"), "MAILBOT_SETTINGS: an absolute path"
    assert {"MAILBOT_IMAP_PASSWORD", "MAILBOT_SMTP_PASSWORD"} <= set(values)
    for key, value in values.items():
        if any(word in key for word in SECRET_WORDS):
            assert value == "", f"{key} has a value in the example: an example holds no password"
    assert "0600" in ENV_EXAMPLE.read_text(encoding="utf-8"), "say that the file must be mode 0600"
