"""The embedded default: a Maildir inbox in, a Maildir outbox out (what `make run` shows)."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

from mailbot.paths import SAMPLE_DIRECTORY, SAMPLES_DIR

SAMPLES = sorted(SAMPLES_DIR.glob("*.eml"))
AUTOMATED = {"out_of_office", "delivery_report"}


def demo_settings(tmp_path: Path) -> Path:
    """The demo's settings: its sample mails carry Authentication-Results of mx.cf.canon.fr, as settings.toml says."""
    path = tmp_path / "settings.toml"
    path.write_text('[mailbox]\npoll_seconds = 1\n[trust]\nauthserv_id = "mx.cf.canon.fr"\n', encoding="utf-8")
    return path


def mailbot(settings: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailbot", "--settings", str(settings), *args],
                          capture_output=True, text=True, timeout=120)


def import_directory(settings: Path) -> None:
    """What `make run` does before seeding: the sample customer directory, which knows the samples' senders."""
    result = mailbot(settings, "directory", "import", str(SAMPLE_DIRECTORY))
    assert result.returncode == 0, result.stderr


def files(folder: Path) -> list[Path]:
    return [p for sub in ("new", "cur") if (folder / sub).is_dir() for p in (folder / sub).iterdir()]


def report(stdout: str) -> list[str]:
    """The lines of `once`/`run` that report a message (a review's reason follows on an indented line)."""
    return [line for line in stdout.splitlines() if line.strip() and not line.startswith((" ", "ready: "))]


def reasons(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if line.startswith("    why: ")]


def test_there_is_a_sample_for_every_situation_and_an_out_of_office():
    names = {p.stem for p in SAMPLES}
    for situation in ("po_change", "equipment_move", "billing_entity_change",
                      "invoice_address_change", "invoice_by_email", "meter_read_request",
                      "automatic_meter_reads", "contract_termination", "bank_details_check",
                      "out_of_office"):
        assert situation in names


def test_seed_then_once_answers_every_sample_but_the_automated_ones(tmp_path):
    settings = demo_settings(tmp_path)
    import_directory(settings)
    seeded = mailbot(settings, "seed-demo")
    assert seeded.returncode == 0, seeded.stderr
    assert f"{len(SAMPLES)} sample mails seeded" in seeded.stdout
    assert "already seeded" in mailbot(settings, "seed-demo").stdout

    result = mailbot(settings, "once")
    assert result.returncode == 0, result.stderr
    lines = report(result.stdout)
    assert len(lines) == len(SAMPLES)
    for line in lines:
        name, situation, action = line.split()[:3]
        if name in AUTOMATED:
            assert action == "ignore", line
        elif not name.startswith("other"):
            assert name.startswith(situation), line
            assert action in ("acknowledge", "request_info"), line
    # Each review says why, on the next line: the toner order is none of the nine situations; and
    # a complete P.O change is acknowledged, but its case waits for a person ([routing] contracts_team unset).
    why = reasons(result.stdout)
    assert len(why) == 2 and why[0] == "why: situation other: a person decides"
    assert why[1].startswith("why: complete, but nobody to forward it to: ") and "contracts_team" in why[1]
    assert result.stdout.index("\nother_toner_order ") < result.stdout.index("why: situation other")
    assert files(tmp_path / "var" / "mail") == []
    sent = [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in files(tmp_path / "var" / "outbox")]
    replies = [m for m in sent if m["Auto-Submitted"] == "auto-replied"]
    forwards = [m for m in sent if m["Auto-Submitted"] == "auto-generated"]
    answered = sum(1 for line in lines if line.split()[2] in ("acknowledge", "request_info"))
    assert len(replies) == answered >= 9
    for reply in replies:
        assert "[Réf. WFPS-" in reply["Subject"] or "[Ref. WFPS-" in reply["Subject"]
    # Complete cases go to the sales contact or account manager the sample directory names
    # (P.O changes would go to [routing] contracts_team, not set here).
    routed = {"equipment_move", "billing_entity_change", "invoice_address_change", "invoice_by_email",
              "meter_read_request", "contract_termination"}
    acknowledged = [line.split()[1] for line in lines if line.split()[2] == "acknowledge"]
    assert len(forwards) == sum(1 for s in acknowledged if s in routed) > 0
    assert len(sent) == len(replies) + len(forwards)
    for forward in forwards:
        assert str(forward["To"]).endswith("@cf.canon.fr") and "À traiter" in str(forward["Subject"])

    assert mailbot(settings, "once").stdout == ""  # nothing new, nothing sent again
    assert len(files(tmp_path / "var" / "outbox")) == len(sent)


def test_run_keeps_going_until_ctrl_c(tmp_path):
    settings = demo_settings(tmp_path)
    import_directory(settings)
    assert mailbot(settings, "seed-demo").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "mailbot", "--settings", str(settings), "run"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        inbox = tmp_path / "var" / "mail"
        deadline = time.monotonic() + 60
        while files(inbox) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert files(inbox) == []
        (inbox / "new" / "late-arrival").write_bytes((SAMPLES_DIR / "po_change.eml").read_bytes()
                                                      .replace(b"Message-ID: <", b"Message-ID: <late."))
        while files(inbox) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert files(inbox) == [], "a message arriving later is picked up by the running daemon"
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert out.startswith(f"ready: reading Maildir {tmp_path / 'var' / 'mail'}, sending to Maildir "
                          f"{tmp_path / 'var' / 'outbox'}, mode auto"), out
    assert len(report(out)) == len(SAMPLES) + 1


def test_shadow_mode_decides_and_records_but_sends_and_moves_nothing(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[bot]\nmode = "shadow"\n', encoding="utf-8")
    import_directory(settings)
    assert mailbot(settings, "seed-demo").returncode == 0
    first = mailbot(settings, "once")
    assert first.returncode == 0, first.stderr
    assert len(report(first.stdout)) == len(SAMPLES)
    assert len(files(tmp_path / "var" / "mail")) == len(SAMPLES)
    assert files(tmp_path / "var" / "outbox") == []
    assert mailbot(settings, "once").stdout == "", "already decided: not decided again"
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    assert db.execute("select count(*) from outbox where state = 'shadow'").fetchone()[0] >= 9


def test_draft_mode_keeps_replies_for_approval(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[bot]\nmode = "draft"\n', encoding="utf-8")
    import_directory(settings)
    assert mailbot(settings, "seed-demo").returncode == 0
    assert mailbot(settings, "once").returncode == 0
    assert files(tmp_path / "var" / "outbox") == []
    assert files(tmp_path / "var" / "mail") == []
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    assert db.execute("select count(*) from outbox where state = 'draft'").fetchone()[0] >= 9
    assert db.execute("select count(*) from outbox where state != 'draft'").fetchone()[0] == 0


def test_requeue_puts_quarantined_mail_back_into_the_inbox(tmp_path):
    settings = demo_settings(tmp_path)
    quarantine = tmp_path / "var" / "mail" / ".Bot.Quarantine" / "cur"
    quarantine.mkdir(parents=True)
    (quarantine / "broken-1:2,S").write_bytes((SAMPLES_DIR / "po_change.eml").read_bytes())
    result = mailbot(settings, "requeue")
    assert result.returncode == 0, result.stderr
    assert "1 quarantined message(s) moved back to INBOX" in result.stdout
    [requeued] = files(tmp_path / "var" / "mail")
    assert requeued.name.startswith("broken-1.requeued-")
    assert "po_change" in mailbot(settings, "once").stdout


def test_unwritable_paths_exit_2_naming_the_key(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for key, line in (("database.path", f'[database]\npath = "{blocker}/m.db"\n'),
                      ("smtp.path", f'[smtp]\npath = "{blocker}/outbox"\n')):
        settings = tmp_path / "settings.toml"
        settings.write_text(line, encoding="utf-8")
        result = mailbot(settings, "once")
        assert result.returncode == 2, (key, result.stderr)
        assert result.stderr.startswith(f"mailbot: error: {key}:"), result.stderr
        assert "Traceback" not in result.stderr


def test_requeue_after_quarantine_processes_the_message_again(tmp_path):
    settings = demo_settings(tmp_path)
    inbox = tmp_path / "var" / "mail"
    import_directory(settings)
    assert mailbot(settings, "seed-demo").returncode == 0
    assert mailbot(settings, "once").returncode == 0
    # A message quarantined by an earlier run: its key is in the ledger. (The complete P.O change
    # waits for a person in the demo, [routing] contracts_team being unset: it is in the review folder.)
    processed = inbox / ".Bot.Review" / "cur" / "po_change:2,S"
    quarantine = inbox / ".Bot.Quarantine" / "cur"
    quarantine.mkdir(parents=True)
    processed.rename(quarantine / "po_change:2,S")
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    with db:  # (a quarantined message never opened a case)
        ref = db.execute("select case_ref from messages where uid = 'po_change'").fetchone()[0]
        db.execute("update messages set state = 'quarantined', message_id = null, error = 'x', "
                   "case_ref = null where uid = 'po_change'")
        db.execute("delete from cases where ref = ?", [ref])
        db.execute("delete from case_links where case_ref = ?", [ref])
    db.close()
    assert "quarantine " in mailbot(settings, "review", "list").stdout
    assert "1 quarantined" in mailbot(settings, "requeue").stdout
    assert "quarantine " not in mailbot(settings, "review", "list").stdout  # put back: no longer waiting
    again = mailbot(settings, "once")
    assert again.stdout.startswith("po_change.requeued-"), again.stdout
    assert "acknowledge" in again.stdout


def test_seeding_again_with_force_is_processed_as_duplicates(tmp_path):
    settings = demo_settings(tmp_path)
    import_directory(settings)
    assert mailbot(settings, "seed-demo").returncode == 0
    assert mailbot(settings, "once").returncode == 0
    assert mailbot(settings, "seed-demo", "--force").returncode == 0
    again = mailbot(settings, "once")
    assert len(report(again.stdout)) == len(SAMPLES)
    assert all(line.endswith("(duplicate)") for line in report(again.stdout)), again.stdout
    assert files(tmp_path / "var" / "mail") == []


def test_requeue_of_chosen_messages_moves_only_those(tmp_path):
    settings = demo_settings(tmp_path)
    quarantine = tmp_path / "var" / "mail" / ".Bot.Quarantine" / "cur"
    quarantine.mkdir(parents=True)
    for name in ("po_change", "contract_termination"):  # quarantined by an earlier run, their rows say so
        (quarantine / f"{name}:2,S").write_bytes((SAMPLES_DIR / f"{name}.eml").read_bytes())
    assert mailbot(settings, "once").returncode == 0  # makes the database; the inbox is empty
    ids = {}
    db = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    with db:
        for uid, name in enumerate(("po_change", "contract_termination"), 1):
            raw = (SAMPLES_DIR / f"{name}.eml").read_bytes()
            message_id = next(line.split(b":", 1)[1].strip().decode() for line in raw.splitlines()
                              if line.lower().startswith(b"message-id:"))
            ids[name] = db.execute(
                "insert into messages (mailbox, uidvalidity, uid, state, destination, error, analysis, created_at) "
                "values ('maildir', 0, ?, 'quarantined', 'quarantine', 'x', ?, '2026-12-05T10:00:00+00:00')",
                [f"q{uid}", json.dumps({"message_id": message_id})]).lastrowid
    db.close()
    refused = mailbot(settings, "requeue", "999")
    assert refused.returncode == 1 and "not a quarantined message waiting" in refused.stderr
    moved = mailbot(settings, "requeue", str(ids["contract_termination"]))
    assert moved.returncode == 0, moved.stderr
    assert "1 quarantined message(s) moved back" in moved.stdout
    assert [p.name.split(".")[0] for p in files(tmp_path / "var" / "mail")] == ["contract_termination"]
    assert [p.name for p in quarantine.iterdir()] == ["po_change:2,S"]
    listed = mailbot(settings, "review", "list").stdout
    assert f"message {ids['po_change']} " in listed and f"message {ids['contract_termination']} " not in listed
    again = mailbot(settings, "requeue", str(ids["contract_termination"]))
    assert again.returncode == 1  # already put back: not waiting any more
