"""The pieces of what the operator sees (issue #9), tested alone: the report line of a
message, the reason of a review read from structured evidence, what counts as garbage,
the line `run` prints when ready, approving drafts in the store."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mailbot.decide import trust
from mailbot.read.analyze import analyze
from mailbot.decide.cases import COMPLETE, ROUTED
from mailbot.config import parse_settings
from mailbot.service.daemon import ready_line
from mailbot.paths import SAMPLES_DIR
from mailbot.service.decisions import Outcome, is_garbage
from mailbot.service.explain import review_reason
from mailbot.terminal import shorten, shorten_address
from mailbot.store import DRAFT, HELD, MessageKey, Store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


# -- the report line ----------------------------------------------------------------------


def test_the_line_names_message_situation_action_case_sender_and_subject():
    line = Outcome("po_change", "po_change", "acknowledge", "WFPS-2026-000001", "done",
                   sender="paul.martin@valmont-print.fr", subject="Nouveau bon de commande").line()
    assert "\n" not in line
    assert line.split()[:5] == ["po_change", "po_change", "acknowledge", "WFPS-2026-000001",
                                "paul.martin@valmont-print.fr"]
    assert line.endswith('"Nouveau bon de commande"')


def test_a_review_says_why_on_an_indented_second_line():
    line = Outcome("m1", "other", "review", None, "done", reason="situation other: a person decides").line()
    first, second = line.split("\n")
    assert first.split()[:6] == ["m1", "other", "review", "-", "-", "-"]
    assert second == "    why: situation other: a person decides"


def test_the_state_and_the_error_still_close_the_line():
    duplicate = Outcome("m2", "po_change", "ignore", "WFPS-2026-000001", "duplicate", sender="a@b.fr", subject="x")
    assert duplicate.line().endswith('"x"  (duplicate)')
    quarantined = Outcome("m3", "-", "quarantine", None, "quarantined", error="AnalysisOverrun: " + "x" * 500)
    assert "(quarantined: AnalysisOverrun: xxx" in quarantined.line() and len(quarantined.line()) < 300


def test_sender_and_subject_are_cut_to_one_safe_line():
    line = Outcome("m", "other", "review", None, "done", sender="jean-philippe.de-la-fontaine@acme-impression.fr",
                   subject="Re: \x1b]0;owned\x07 facture\r\n\tdu mois " + "très long " * 20).line()
    assert "\x1b" not in line and "\x07" not in line and "\r" not in line and "\t" not in line
    assert "jean-philipp…@acme-impression.fr" in line
    assert line.endswith('"Re: ]0;owned facture du mois très long…"')


@pytest.mark.parametrize("address, width, shown", [
    ("a@b.fr", 30, "a@b.fr"),
    ("jean-philippe.de-la-fontaine@acme-impression.fr", 32, "jean-philipp…@acme-impression.fr"),
    ("x@" + "d" * 40 + ".fr", 20, "x@" + "d" * 17 + "…"),
    ("", 20, ""),
])
def test_shorten_address_keeps_the_domain_where_it_fits(address, width, shown):
    assert shorten_address(address, width) == shown
    assert len(shorten_address(address, width)) <= width


def test_shorten_collapses_blanks_and_cuts_with_an_ellipsis():
    assert shorten("  a \u2028 b\n\nc  ", 10) == "a b c"
    assert shorten("abcdefghijkl", 6) == "abcde…"
    assert shorten(None, 5) == ""


# -- why a review -------------------------------------------------------------------------


def ev(stage: str, name: str, detail: str = "") -> dict:
    return {"stage": stage, "name": name, "text": "", "detail": detail, "source": ""}


@pytest.mark.parametrize("analysis, reason", [
    ({"reasons": ["empty message: nothing to read"], "evidence": [ev("trust", trust.FROM_NOT_PLAIN, "From?"),
                                                                  ev("parse", "unreadable", "empty message: nothing to read")]},
     "empty message: nothing to read"),
    ({"reasons": ["x"], "evidence": [ev("parse", "internal_error", "KeyError: 'a'")]}, "internal error: KeyError: 'a'"),
    ({"reasons": ["all required information present", "sender x@y.fr is not in the customer directory"],
      "evidence": [ev("trust", "sender_known", "noted, not a finding"),
                   ev("trust", trust.SENDER_UNKNOWN, "sender x@y.fr is not in the customer directory")]},
     "sender x@y.fr is not in the customer directory"),
    ({"reasons": ["all required information present", "rate limit: 3 replies"],
      "evidence": [ev("limits", "per_hour", "sending stopped"), ev("limits", "per_sender", "rate limit: 3 replies")]},
     "rate limit: 3 replies"),
    ({"reasons": ["all required information present", "cites case W (References) but …"],
      "evidence": [ev("case", "not_joined", "cites case W (References) but …")]}, "cites case W (References) but …"),
    ({"reasons": ["all required information present", "complete, but nobody to forward it to: no team"],
      "evidence": [ev("route", "no_recipient", "no team")]}, "complete, but nobody to forward it to: no team"),
    ({"reasons": ["late: …", "possible fraud: iban (FR76…)"], "lead_time_ok": False,
      "evidence": [ev("extract", "iban", "FR76…")]}, "possible fraud: iban (FR76…)"),
    ({"reasons": ["missing: contract_number", "continues case W (found by In-Reply-To)", "all required information present",
                  "case W is routed: a person reads the customer's new message"],
      "evidence": [ev("case", "joined", "continues case W")]},
     "case W is routed: a person reads the customer's new message"),
    ({"reasons": ["late: effective 2026-12-05 is less than 1 month(s) after receipt", "confidence 0.30 below 0.50",
                  "no usable Date header: lead time unknown"], "lead_time_ok": False, "evidence": []},
     "confidence 0.30 below 0.50"),
    ({"reasons": ["situation other: a person decides"], "lead_time_ok": None, "evidence": []},
     "situation other: a person decides"),
    ({}, ""),
])
def test_the_reason_of_a_review_comes_from_the_structured_evidence_first(analysis, reason):
    assert review_reason(analysis) == reason


def test_the_reason_of_a_sample_read_alone():
    analysis = analyze((SAMPLES_DIR / "other_toner_order.eml").read_bytes())
    assert analysis.action == "review"
    assert review_reason(analysis.as_dict()) == "situation other: a person decides"


# -- garbage ------------------------------------------------------------------------------


PDF_ONLY = (b"From: Paul Martin <paul.martin@valmont-print.fr>\r\nSubject: Kbis\r\nMessage-ID: <k@v.fr>\r\n"
            b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=kbis.pdf\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n")


@pytest.mark.parametrize("raw, garbage", [
    (b"", True),
    (b"\r\n \r\n", True),
    (bytes(range(256)) * 10, True),
    (b"notes de la semaine\nrien a voir\n", True),
    (PDF_ONLY, False),  # a real sender: a case, a person opens the PDF
    ((SAMPLES_DIR / "po_change.eml").read_bytes(), False),
    ((SAMPLES_DIR / "out_of_office.eml").read_bytes(), False),
])
def test_garbage_is_unreadable_and_without_a_sender(raw, garbage):
    analysis = analyze(raw)
    assert is_garbage(analysis) is garbage
    if garbage:
        assert analysis.action == "review" and analysis.has("parse", "unreadable") and not analysis.sender


# -- ready ------------------------------------------------------------------------------


def test_ready_says_where_it_reads_and_sends_and_the_mode(tmp_path):
    maildir = parse_settings({}, tmp_path / "settings.toml")
    assert ready_line(maildir) == (f"ready: reading Maildir {tmp_path / 'var' / 'mail'}, sending to Maildir "
                                   f"{tmp_path / 'var' / 'outbox'}, mode auto (replies go out at once)")
    imap = parse_settings({"mailbox": {"kind": "imap", "host": "imap.cf.canon.fr", "port": 993,
                                       "username": "bot", "password_env": "X", "folder": "INBOX"},
                           "smtp": {"kind": "smtp", "host": "smtp.cf.canon.fr", "port": 587},
                           "bot": {"mode": "shadow"}, "modes": {"po_change": "draft", "equipment_move": "shadow"}},
                          tmp_path / "settings.toml")
    assert ready_line(imap) == ("ready: reading imap://bot@imap.cf.canon.fr:993/INBOX, sending to smtp "
                                "smtp.cf.canon.fr:587, mode shadow (decides and records, sends and moves nothing, "
                                "po_change: draft)")


# -- approving drafts -----------------------------------------------------------------------


def test_approving_a_forward_routes_its_case_in_the_same_transaction(tmp_path):
    store = Store(tmp_path / "m.db")
    with store.transaction():
        ref = store.open_case(prefix="WFPS", year=2026, situation="contract_termination", sender="a@b.fr",
                              message_id="<m@b.fr>", now=NOW)
        store.update_case(ref, NOW, state=COMPLETE)
        row = store.record(MessageKey("box", 0, "1"), now=NOW, state="done", destination="processed")
        reply = store.queue(message_row=row, case_ref=ref, kind="acknowledge", recipients=["a@b.fr"], raw=b"r",
                            state=DRAFT, now=NOW)
        forward = store.queue(message_row=row, case_ref=ref, kind="forward", recipients=["s@cf.canon.fr"],
                              raw=b"f", state=DRAFT, now=NOW)
    assert store.release_drafts([reply], NOW) == (1, [])
    assert store.case(ref).state == COMPLETE
    assert store.release_drafts([reply, forward], NOW) == (1, [ref]), "the reply is no longer a draft"
    assert store.case(ref).state == ROUTED
    assert {r["state"] for r in store.db.query("select state from outbox")} == {HELD}
    [event] = [e for e in store.case_events(ref) if e["kind"] == "state"]
    assert event["detail"] == {"from": COMPLETE, "to": ROUTED,
                               "why": f"forward (outbox {forward}) approved by a person"}
    assert store.release_drafts(None, NOW) == (0, [])
    assert store.outbox_row(forward).raw == b"f" and store.outbox_row(9999) is None
    store.close()


def test_counting_cases_for_paging(tmp_path):
    store = Store(tmp_path / "m.db")
    with store.transaction():
        for i in range(5):
            store.open_case(prefix="WFPS", year=2026, situation="po_change", sender=f"{i}@b.fr", message_id=None,
                            now=NOW)
    assert store.count_cases() == 5 and store.count_cases("in_review") == 5 and store.count_cases("routed") == 0
    assert len(store.list_cases(limit=2)) == 2
    store.close()
