"""What the operator sees (issue #9), run as an operator would: the `mailbot` command as a
separate process on a Maildir set-up. `once` names each message's sender and subject beside
its situation, action and case, and says why a review goes to a person; garbage goes to review
without a case; `cases list` pages; `cases show` says why a case is in review and how each
message starts; `outbox show` shows a draft as its recipient will get it; approving a case's
forward routes the case; times are in bot.timezone."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot.store import Store
from tests.conversations import AUTHENTICATED, CONTRACTS_TEAM, CUSTOMER, DIRECTORY_CSV, SALES_CONTACT, SENT, SERIALS
from tests.support import AUTHSERV_ID, maildir_bot
from tests.support import run_mailbot as mailbot

ZONE = "Asia/Tokyo"  # UTC+9 all year: a time shown in it is unmistakable
TERMINATION = ("Résiliation de notre contrat",
               f"Bonjour,\n\nNous souhaitons résilier le contrat de notre traceur ColorWave n° de série {SERIALS[1]}, "
               "que nous n'utilisons plus.\n\nCordialement,\nPaul Martin")
STRANGER = "someone@stranger.example"
LONG_SENDER = "prenom.tres-long.nom-de-famille@valmont-print.fr"
ESCAPE = "\x1b[2J"  # a terminal's "clear screen": must never reach the operator's terminal


def customer_mail(subject: str, body: str | None, *, sender: str = CUSTOMER, attachment: str | None = None,
                  authenticated: bool = True) -> bytes:
    msg = EmailMessage()
    if authenticated:
        msg["Authentication-Results"] = AUTHENTICATED
    msg["From"] = f"Paul Martin <{sender}>"
    msg["To"] = "contrats.service.wfps@cf.canon.fr"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(SENT)
    msg["Message-ID"] = make_msgid("op", sender.rpartition("@")[2])
    if body is not None:
        msg.set_content(body)
    if attachment:
        if body is None:
            msg.set_content(b"%PDF-1.4\n% K-bis\n", maintype="application", subtype="pdf", filename=attachment)
        else:
            msg.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf", filename=attachment)
    return bytes(msg)


def hostile_subject() -> bytes:
    """A long subject with a terminal escape sequence, from a long address of the customer."""
    return (f"Authentication-Results: {AUTHENTICATED}\r\nFrom: {LONG_SENDER}\r\n"
            f"To: contrats.service.wfps@cf.canon.fr\r\nSubject: Question {ESCAPE}sur la facture "
            f"{'du mois dernier ' * 8}\r\nDate: {format_datetime(SENT)}\r\nMessage-ID: <hostile.1@valmont-print.fr>\r\n"
            f"\r\nBonjour,\r\n\r\nUne question sur notre facture.\r\n").encode()


INBOX = {
    "a-termination": customer_mail(*TERMINATION),
    "b-stranger": customer_mail(*TERMINATION, sender=STRANGER, authenticated=False),
    "c-empty": b"",
    "d-binary": bytes(range(256)) * 20,
    "e-notes": b"notes de la semaine\nrien a voir avec un e-mail\n",
    "f-pdf-only": customer_mail("Kbis", None, attachment="kbis.pdf"),
    "g-long": hostile_subject(),
}
GARBAGE = ("c-empty", "d-binary", "e-notes")


@pytest.fixture
def setup(tmp_path):
    """A Maildir bot in Tokyo time, terminations in draft mode, the test directory loaded, INBOX processed."""
    settings, stdout = maildir_bot(tmp_path, f'[mailbox]\npoll_seconds = 1\n[bot]\ntimezone = "{ZONE}"\n'
                                   f'[modes]\ncontract_termination = "draft"\n'
                                   f'[routing]\ncontracts_team = "{CONTRACTS_TEAM}"\n'
                                   f'[trust]\nauthserv_id = "{AUTHSERV_ID}"\n', DIRECTORY_CSV, INBOX)
    return settings, tmp_path, stdout


def report(stdout: str) -> dict[str, tuple[str, str | None]]:
    """label -> (its line, the reason on the indented line after it, if any)."""
    lines = stdout.splitlines()
    found = {}
    for i, line in enumerate(lines):
        if line and not line.startswith(" "):
            following = lines[i + 1] if i + 1 < len(lines) else ""
            found[line.split()[0]] = (line, following.strip()[len("why: "):] if following.startswith("    why: ")
                                      else None)
    return found


def db(tmp_path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    connection.row_factory = sqlite3.Row
    return connection


def local(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M JST")


# -- once: one line per message, the reason of a review under it ----------------------------


def test_once_names_the_sender_and_subject_beside_situation_action_and_case(setup):
    _, _, stdout = setup
    lines = report(stdout)
    assert set(lines) == set(INBOX)
    line, why = lines["a-termination"]
    assert line.split()[1:3] == ["contract_termination", "acknowledge"]
    assert line.split()[3].startswith("WFPS-") and CUSTOMER in line and '"Résiliation de notre contrat"' in line
    assert why is None, "an acknowledged message needs no reason"


def test_a_review_says_why_with_the_trust_finding_first(setup):
    _, _, stdout = setup
    line, why = report(stdout)["b-stranger"]
    assert line.split()[2] == "review" and STRANGER in line
    assert why == f"sender {STRANGER} is not in the customer directory", why


def test_long_senders_and_subjects_are_cut_and_escape_sequences_never_printed(setup):
    _, _, stdout = setup
    line, _ = report(stdout)["g-long"]
    assert "\x1b" not in stdout
    assert "…@valmont-print.fr" in line, "the domain of a long address is kept"
    assert '"Question [2Jsur la facture du mois' in line and '…"' in line
    assert len(line) < 170


def test_garbage_goes_to_review_with_the_reason_without_a_case(setup):
    _, tmp_path, stdout = setup
    lines = report(stdout)
    for name, reason in (("c-empty", "empty message: nothing to read"),
                         ("d-binary", "not an e-mail: no header could be read"),
                         ("e-notes", "not an e-mail: no header could be read")):
        line, why = lines[name]
        assert line.split()[1:4] == ["other", "review", "-"], line
        assert why == reason, (name, why)
    rows = {r["uid"]: r for r in db(tmp_path).execute("select uid, case_ref, destination from messages")}
    for name in GARBAGE:
        assert rows[name]["case_ref"] is None and rows[name]["destination"] == "review", name
    review = tmp_path / "var" / "mail" / ".Bot.Review"
    filed = {p.name.split(":")[0] for sub in ("new", "cur") for p in (review / sub).iterdir()}
    assert set(GARBAGE) <= filed


def test_real_mail_with_an_unreadable_body_still_opens_a_case(setup):
    _, tmp_path, stdout = setup
    line, why = report(stdout)["f-pdf-only"]
    assert line.split()[2] == "review" and line.split()[3].startswith("WFPS-")
    assert why == "no text body, only attachments: kbis.pdf"
    assert db(tmp_path).execute("select count(*) from cases").fetchone()[0] == len(INBOX) - len(GARBAGE)


# -- cases -----------------------------------------------------------------------------------


def test_cases_list_shows_times_in_bot_timezone_and_pages(setup):
    settings, tmp_path, _ = setup
    listed = mailbot(settings, "cases", "list")
    assert listed.returncode == 0, listed.stderr
    updated = {r["ref"]: r["updated_at"] for r in db(tmp_path).execute("select ref, updated_at from cases")}
    rows = [line for line in listed.stdout.splitlines() if line.startswith("WFPS-")]
    assert len(rows) == 4 and listed.stdout.endswith("4 case(s)\n")
    for row in rows:
        assert row.endswith(local(updated[row.split()[0]])), row
    paged = mailbot(settings, "cases", "list", "--limit", "3")
    assert paged.stdout.splitlines()[-1] == "3 case(s) … and 1 more: --limit 4"
    in_review = mailbot(settings, "cases", "list", "--state", "in_review", "--limit", "1")
    assert in_review.stdout.splitlines()[-1] == "1 case(s) … and 2 more: --state in_review --limit 3"
    assert mailbot(settings, "cases", "list", "--limit", "0").returncode == 2


def test_cases_list_shows_fifty_by_default(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("", encoding="utf-8")
    store = Store(tmp_path / "var" / "mailbot.db")
    now = datetime.now(timezone.utc)
    with store.transaction():
        for i in range(62):
            store.open_case(prefix="WFPS", year=2026, situation="po_change", sender=f"c{i}@x.fr",
                            message_id=None, now=now)
    store.close()
    listed = mailbot(settings, "cases", "list")
    assert sum(line.startswith("WFPS-") for line in listed.stdout.splitlines()) == 50
    assert listed.stdout.splitlines()[-1] == "50 case(s) … and 12 more: --limit 62"
    assert listed.stdout.startswith("WFPS-2026-000062"), "newest first"
    everything = mailbot(settings, "cases", "list", "--limit", "62")
    assert everything.stdout.splitlines()[-1] == "62 case(s)"


def test_cases_show_says_why_a_case_is_in_review_and_how_each_message_starts(setup):
    settings, tmp_path, _ = setup
    ref = db(tmp_path).execute("select ref from cases where sender = ?", [STRANGER]).fetchone()[0]
    shown = mailbot(settings, "cases", "show", ref)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert f"{ref}  contract_termination  in_review  {STRANGER}" in out
    assert "  subject: Résiliation de notre contrat\n" in out
    assert f"  in review because: sender {STRANGER} is not in the customer directory\n" in out
    assert "       | Bonjour,\n" in out and "       | Nous souhaitons résilier le contrat" in out
    assert "       | Cordialement,\n" in out
    assert "state: new → in_review" in out
    received = local(SENT.isoformat())
    assert f"    1. {received}  {STRANGER}  \"Résiliation de notre contrat\"" in out


def test_cases_show_of_an_unreadable_answer_names_it(setup):
    settings, tmp_path, _ = setup
    ref = db(tmp_path).execute("select case_ref from messages where uid = 'f-pdf-only'").fetchone()[0]
    out = mailbot(settings, "cases", "show", ref).stdout
    assert "  in review because: no text body, only attachments: kbis.pdf\n" in out
    assert "       | (no text)" in out


def test_a_case_moved_to_review_by_the_bot_gives_the_recorded_reason(setup):
    settings, tmp_path, _ = setup
    ref = db(tmp_path).execute("select case_ref from messages where uid = 'a-termination'").fetchone()[0]
    store = Store(tmp_path / "var" / "mailbot.db")
    with store.transaction():
        assert store.move_case(ref, "in_review", "no answer 5 day(s) after the reminder", datetime.now(timezone.utc),
                               only_from=("complete",))
    store.close()
    out = mailbot(settings, "cases", "show", ref).stdout
    assert "  in review because: no answer 5 day(s) after the reminder\n" in out


# -- outbox ----------------------------------------------------------------------------------


def drafts(settings: Path) -> dict[str, str]:
    listed = mailbot(settings, "outbox", "list").stdout.splitlines()
    return {line.split()[2]: line.split()[0] for line in listed if " draft " in line}


def test_outbox_show_shows_a_draft_as_the_customer_will_get_it(setup):
    settings, tmp_path, _ = setup
    ids = drafts(settings)
    shown = mailbot(settings, "outbox", "show", ids["acknowledge"])
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    ref = db(tmp_path).execute("select case_ref from messages where uid = 'a-termination'").fetchone()[0]
    assert out.startswith(f"outbox {ids['acknowledge']}: draft acknowledge, case {ref}, created ")
    assert f"mailbot outbox release {ids['acknowledge']}" in out
    headers = dict(line.split(": ", 1) for line in out.split("\n\n", 2)[1].splitlines())
    assert headers["From"].endswith("<contrats.service.wfps@cf.canon.fr>")
    assert headers["To"] == CUSTOMER
    assert "Résiliation de notre contrat" in headers["Subject"] and f"[Réf. {ref}]" in headers["Subject"]
    body = out.split("\n\n", 2)[2]
    assert "Bonjour" in body and SERIALS[1] in body and "é" in body
    assert "=C3" not in body and "<html" not in body.lower(), "the text part, decoded"

    forward = mailbot(settings, "outbox", "show", ids["forward"]).stdout
    assert f"To: {SALES_CONTACT}\n" in forward and "Subject: [Réf. " in forward
    assert 'Attached: message "Résiliation de notre contrat" from Paul Martin' in forward

    missing = mailbot(settings, "outbox", "show", "9999")
    assert missing.returncode == 1 and "no outbox row 9999" in missing.stderr


def test_outbox_list_and_suppressions_show_times_in_bot_timezone(setup):
    settings, tmp_path, _ = setup
    created = db(tmp_path).execute("select created_at from outbox where state = 'draft'").fetchone()[0]
    assert local(created) in mailbot(settings, "outbox", "list").stdout
    store = Store(tmp_path / "var" / "mailbot.db")
    store.suppress("gone@valmont-print.fr", reason="delivery report <dsn@x>",
                   until=datetime(2099, 1, 1, 0, 0, tzinfo=timezone.utc), message_id="<dsn@x>",
                   now=datetime.now(timezone.utc))
    store.close()
    assert "until 2099-01-01 09:00 JST  delivery report <dsn@x>" in mailbot(settings, "suppressions", "list").stdout


def test_approving_the_forward_routes_the_case_and_the_release_is_information(setup):
    settings, tmp_path, _ = setup
    ref = db(tmp_path).execute("select case_ref from messages where uid = 'a-termination'").fetchone()[0]
    assert " complete " in mailbot(settings, "cases", "list", "--state", "complete").stdout
    assert f"forward to {SALES_CONTACT} waits for approval" in mailbot(settings, "cases", "show", ref).stdout
    ids = drafts(settings)
    released = mailbot(settings, "outbox", "release", ids["acknowledge"], ids["forward"])
    assert released.returncode == 0, released.stderr
    assert "2 draft(s) approved" in released.stdout and f"now routed (their forward is approved): {ref}" in released.stdout
    shown = mailbot(settings, "cases", "show", ref).stdout
    assert f"{ref}  contract_termination  routed" in shown
    assert f"state: complete → routed (forward (outbox {ids['forward']}) approved by a person)" in shown
    assert f"forwarded to: {SALES_CONTACT}" in shown

    sent = mailbot(settings, "-v", "once")
    assert sent.returncode == 0, sent.stderr
    assert "INFO mailbot.service.processor: 2 held reply(ies) released" in sent.stderr
    assert not [line for line in sent.stderr.splitlines() if "WARNING" in line and "released" in line]
    assert len(list((tmp_path / "var" / "outbox" / "new").iterdir())) == 2


def test_approving_only_the_reply_leaves_the_case_complete(setup):
    settings, tmp_path, _ = setup
    ref = db(tmp_path).execute("select case_ref from messages where uid = 'a-termination'").fetchone()[0]
    released = mailbot(settings, "outbox", "release", drafts(settings)["acknowledge"])
    assert "1 draft(s) approved" in released.stdout and "routed" not in released.stdout
    assert f"{ref}  contract_termination  complete" in mailbot(settings, "cases", "show", ref).stdout


# -- the review queue ----------------------------------------------------------------------------


def test_the_review_queue_lists_everything_waiting_doubts_first(setup):
    settings, tmp_path, _ = setup
    result = mailbot(settings, "review", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header, items = lines[0], lines[1:]
    heads = [line for line in items if not line.startswith("    why: ")]
    whys = [line[len("    why: "):] for line in items if line.startswith("    why: ")]
    assert len(heads) == len(whys)
    # the stranger's request: a doubt about who wrote it, first; garbage without a case; the termination's draft
    assert STRANGER in heads[0] and "[doubt]" in heads[0] and heads[0].startswith("case ")
    assert whys[0] == f"sender {STRANGER} is not in the customer directory"
    rows = {r["uid"]: r["id"] for r in db(tmp_path).execute("select uid, id from messages")}
    for name in GARBAGE:  # unreadable: no doubt about a sender
        [line] = [h for h in heads if h.startswith("message ") and f"message {rows[name]} " in h]
        assert "[doubt]" not in line, line
    assert any(h.startswith("draft ") for h in heads)
    kinds = [h.split()[0] for h in heads]
    assert kinds.index("draft") > max(i for i, k in enumerate(kinds) if k in ("case", "message"))
    assert header.startswith(f"{len(heads)} waiting") and "draft" in header
    assert "\x1b" not in result.stdout

    drafts = kinds.count("draft")
    only = mailbot(settings, "review", "list", "--kind", "draft", "--limit", "0")
    assert only.stdout.splitlines()[0].split(",")[0] == f"{drafts} waiting"
    assert only.stdout.splitlines()[-1] == f"… and {drafts} more (--limit)"
    wrong = mailbot(settings, "review", "list", "--kind", "drafts")
    assert wrong.returncode == 2 and "--kind drafts: not one of" in wrong.stderr


def test_a_resolved_message_leaves_the_queue_and_the_audit_keeps_it(setup):
    settings, tmp_path, _ = setup
    rows = {r["uid"]: r["id"] for r in db(tmp_path).execute("select uid, id from messages")}
    garbage = rows["c-empty"]
    resolved = mailbot(settings, "review", "resolve", str(garbage), "--note", "empty: nothing to do")
    assert resolved.returncode == 0 and "1 message(s) resolved" in resolved.stdout, resolved.stderr
    listed = mailbot(settings, "review", "list").stdout
    assert f"message {garbage} " not in listed and f"message {rows['d-binary']} " in listed
    [(actor, action, target, detail)] = db(tmp_path).execute(
        "select actor, action, target, detail from actions").fetchall()
    assert (action, target) == ("resolve", f"message {garbage}") and "nothing to do" in detail and actor
    refused = mailbot(settings, "review", "resolve", str(rows["a-termination"]))  # it has a case
    assert refused.returncode == 1 and "cases close" in refused.stderr
