"""The operator's commands around cases: approve drafts, release held replies,
lift bounce suppressions, look at cases. Run as a person would, as a
separate `mailbot` process on a Maildir demo setup."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mailbot.store import Store
from tests.conversations import CONTRACTS_TEAM, CONVERSATIONS, DIRECTORY_CSV, first_message
from tests.support import AUTHSERV_ID, maildir_bot, mailbot_env
from tests.support import run_mailbot as mailbot

PO_CHANGE = next(c for c in CONVERSATIONS if c.situation == "po_change")
TRUST = f'[trust]\nauthserv_id = "{AUTHSERV_ID}"\n'  # the conversations carry its Authentication-Results
TERMINATION = next(c for c in CONVERSATIONS if c.situation == "contract_termination")


@pytest.fixture
def setup(tmp_path):
    """A Maildir bot with P.O changes in draft mode and the test directory loaded."""
    inbox = {f"m{i}": first_message(conv)[0] for i, conv in enumerate((PO_CHANGE, TERMINATION))}
    settings, _ = maildir_bot(tmp_path, f'[mailbox]\npoll_seconds = 1\n[modes]\npo_change = "draft"\n'
                              f'[routing]\ncontracts_team = "{CONTRACTS_TEAM}"\n{TRUST}', DIRECTORY_CSV, inbox)
    return settings, tmp_path


def sent(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "var" / "outbox" / "new"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_draft_is_listed_then_released_and_sent(setup):
    settings, tmp = setup
    assert len(sent(tmp)) == 1  # the termination's request; the P.O change waits as a draft
    listed = mailbot(settings, "outbox", "list")
    assert listed.returncode == 0, listed.stderr
    [row] = [line for line in listed.stdout.splitlines() if " draft " in line]
    assert "request_info" in row and "paul.martin@valmont-print.fr" in row
    draft_id = row.split()[0]

    released = mailbot(settings, "outbox", "release", draft_id)
    assert released.returncode == 0 and "1 draft(s) approved" in released.stdout
    assert mailbot(settings, "once").returncode == 0
    assert len(sent(tmp)) == 2
    assert "0 row(s)" in mailbot(settings, "outbox", "list").stdout


def test_a_discarded_draft_is_never_sent_and_a_wrong_id_is_said(setup):
    settings, tmp = setup
    draft_id = [line for line in mailbot(settings, "outbox", "list").stdout.splitlines()
                if " draft " in line][0].split()[0]
    assert "1 row(s) discarded" in mailbot(settings, "outbox", "discard", draft_id).stdout
    again = mailbot(settings, "outbox", "release", draft_id)
    assert again.returncode == 1 and "not drafts" in again.stderr
    assert mailbot(settings, "once").returncode == 0
    assert len(sent(tmp)) == 1


def test_release_needs_ids_or_all(setup):
    settings, _ = setup
    result = mailbot(settings, "outbox", "release")
    assert result.returncode == 2 and "--all" in result.stderr


def test_suppressions_are_listed_and_cleared(setup):
    settings, tmp = setup
    store = Store(tmp / "var" / "mailbot.db")
    now = datetime.now(timezone.utc)
    store.suppress("gone@valmont-print.fr", reason="delivery report <dsn@x>", until=now + timedelta(days=30),
                   message_id="<dsn@x>", now=now)
    store.close()
    listed = mailbot(settings, "suppressions", "list")
    assert "gone@valmont-print.fr" in listed.stdout and "delivery report" in listed.stdout
    cleared = mailbot(settings, "suppressions", "clear", "Gone@valmont-print.fr")
    assert cleared.returncode == 0 and "1 suppression(s) cleared" in cleared.stdout
    assert "0 address(es)" in mailbot(settings, "suppressions", "list").stdout
    unknown = mailbot(settings, "suppressions", "clear", "nobody@x.fr")
    assert unknown.returncode == 1 and "nobody@x.fr" in unknown.stderr


def test_cases_are_listed_and_shown(setup):
    settings, _ = setup
    listed = mailbot(settings, "cases", "list", "--state", "awaiting_customer")
    assert listed.returncode == 0 and "2 case(s)" in listed.stdout
    ref = listed.stdout.split()[0]
    shown = mailbot(settings, "cases", "show", ref.lower())
    assert shown.returncode == 0 and ref in shown.stdout
    assert "message:" in shown.stdout and "state:" in shown.stdout
    assert mailbot(settings, "cases", "list", "--state", "open").returncode == 2
    assert mailbot(settings, "cases", "show", "WFPS-1999-000001").returncode == 1
    closed = mailbot(settings, "cases", "close", ref, "--note", "answered by phone")
    assert closed.returncode == 0 and "1 case(s) closed" in closed.stdout
    assert "answered by phone" in mailbot(settings, "cases", "show", ref).stdout
    assert "1 case(s)" in mailbot(settings, "cases", "list", "--state", "closed").stdout
    again = mailbot(settings, "cases", "close", ref)
    assert again.returncode == 1 and "already closed" in again.stderr


def test_approving_many_drafts_stays_within_the_hourly_limit(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text(f'[bot]\nmode = "draft"\n[limits]\nper_hour = 2\nper_sender = 10\n{TRUST}', encoding="utf-8")
    (tmp_path / "directory.csv").write_text(DIRECTORY_CSV, encoding="utf-8")
    assert mailbot(settings, "directory", "import", str(tmp_path / "directory.csv")).returncode == 0
    inbox = tmp_path / "var" / "mail"
    for sub in ("tmp", "new", "cur"):
        (inbox / sub).mkdir(parents=True, exist_ok=True)
    for i, conv in enumerate(c for c in CONVERSATIONS if c.situation in
                             ("po_change", "equipment_move", "contract_termination", "automatic_meter_reads")):
        (inbox / "new" / f"m{i}").write_bytes(first_message(conv)[0])
    assert mailbot(settings, "once").returncode == 0
    assert sent(tmp_path) == []
    assert "4 draft(s) approved" in mailbot(settings, "outbox", "release", "--all").stdout
    assert mailbot(settings, "once").returncode == 0
    assert len(sent(tmp_path)) == 2, "per_hour = 2: the other approved drafts wait, held"
    assert " held " in mailbot(settings, "outbox", "list").stdout


def test_reading_commands_refuse_a_missing_database(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[database]\npath = "nowhere/m.db"\n', encoding="utf-8")
    for args in (("outbox", "list"), ("cases", "list"), ("suppressions", "list")):
        result = mailbot(settings, *args)
        assert result.returncode == 2 and "no database at" in result.stderr, args
    assert not (tmp_path / "nowhere").exists()


def test_every_action_of_a_person_is_in_the_audit_with_who_and_when(setup):
    """review.py records who approved, discarded or closed what; the CLI acts as its login name."""
    import getpass

    settings, tmp = setup
    draft_id = [line for line in mailbot(settings, "outbox", "list").stdout.splitlines()
                if " draft " in line][0].split()[0]
    assert mailbot(settings, "outbox", "release", draft_id).returncode == 0
    assert mailbot(settings, "outbox", "discard", draft_id).returncode == 0  # approved, held, then discarded
    assert mailbot(settings, "outbox", "discard", "9999").returncode == 1  # refused: not in the audit
    store = Store(tmp / "var" / "mailbot.db")
    try:
        [ref] = [c.ref for c in store.list_cases() if c.situation == "contract_termination"]
        assert mailbot(settings, "cases", "close", ref.lower(), "--note", "answered by phone").returncode == 0
        actions = [(a["actor"], a["action"], a["target"], a["detail"]) for a in store.actions()]
        me = getpass.getuser()
        assert actions == [(me, "approve", f"outbox {draft_id}", {}), (me, "discard", f"outbox {draft_id}", {}),
                           (me, "close", f"case {ref}", {"note": "answered by phone"})]
        assert all(a["at"].endswith("+00:00") for a in store.actions())
        assert any(e["kind"] == "state" for e in store.case_events(ref))
    finally:
        store.close()


def test_review_show_gives_a_message_its_reason_reading_and_chain_and_shows_cases_and_outbox_rows(setup, tmp_path):
    settings, tmp = setup
    stranger = first_message(PO_CHANGE)[0].replace(b"paul.martin@valmont-print.fr", b"x@elsewhere.example")
    (tmp / "var" / "mail" / "new" / "m9").write_bytes(stranger)
    assert mailbot(settings, "once").returncode == 0
    listed = mailbot(settings, "review", "list").stdout
    target = next(line.split()[1:3] for line in listed.splitlines() if line.startswith("case ")
                  and "x@elsewhere.example" in line)
    shown = mailbot(settings, "review", "show", *target)
    assert shown.returncode == 0, shown.stderr
    assert "in review because: sender x@elsewhere.example is not in the customer directory" in shown.stdout
    assert "decision chain of the message that set its state:" in shown.stdout
    assert "final action: review (set by sender: sender_unknown)" in shown.stdout

    message = mailbot(settings, "review", "show", "message", "3")
    assert message.returncode == 0, message.stderr
    out = message.stdout
    assert out.startswith("message 3: Nouveau numéro de commande 2027")
    assert "why a person: sender x@elsewhere.example is not in the customer directory" in out
    assert "read as po_change" in out and "po_number: BC-2027-0815" in out
    assert "sender_unknown" in out and "-> review" in out
    # our MTA's header names the customer's domain, not the stranger's: forged, so no acknowledgement either
    assert "auth_failed" in out and "unknown_sender  forged" in out and "  outbox " not in out

    draft = mailbot(settings, "review", "show", "1")  # a bare number is a message
    assert draft.returncode == 0 and "why a person" not in draft.stdout and "request_info" in draft.stdout
    outbox_id = next(line.split()[2] for line in listed.splitlines() if line.startswith("draft "))
    as_outbox = mailbot(settings, "review", "show", "outbox", outbox_id)
    assert as_outbox.returncode == 0 and "draft request_info" in as_outbox.stdout
    wrong = mailbot(settings, "review", "show", "nothing", "here")
    assert wrong.returncode == 2 and "not \"message N\"" in wrong.stderr
    missing = mailbot(settings, "review", "show", "message", "99")
    assert missing.returncode == 1 and "no message 99" in missing.stderr


def test_a_draft_is_edited_from_a_file_or_stdin_then_released(setup):
    settings, tmp = setup
    draft_id = [line for line in mailbot(settings, "outbox", "list").stdout.splitlines()
                if " draft " in line][0].split()[0]
    text = tmp / "reply.txt"
    text.write_text("Bonjour,\n\nPourriez-vous nous indiquer le numéro de contrat ?\n\nClaire", encoding="utf-8")
    edited = mailbot(settings, "outbox", "edit", draft_id, "--file", str(text))
    assert edited.returncode == 0 and f"draft {draft_id} edited" in edited.stdout
    assert "Claire" in mailbot(settings, "outbox", "show", draft_id).stdout
    empty = subprocess.run([sys.executable, "-m", "mailbot", "--settings", str(settings), "outbox", "edit",
                            draft_id], input="  \n", capture_output=True, text=True, env=mailbot_env())
    assert empty.returncode == 1 and "the text is empty" in empty.stderr
    assert mailbot(settings, "outbox", "release", draft_id).returncode == 0
    assert mailbot(settings, "once").returncode == 0
    assert any("Claire" in p.read_text(errors="replace") for p in sent(tmp))
