"""Loop safety without servers: the limits' verdicts, their counts in the store,
their settings, and the brake's hold and release on a clock we control."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlite_utils import Database

from mailbot.config import SettingsError, parse_settings
from mailbot.decide.limits import DROP, HOLD, REPLY, REVIEW, Limits, UnknownUsage, Usage, judge, judge_unknown
from mailbot.paths import SAMPLES_DIR
from mailbot.decide.directory import parse_csv
from mailbot.store import (DRAFT, FAILED, HELD, PENDING, SENT, SHADOW, UNCONFIRMED, MessageKey,
                           Store, migrations)
from tests.support import Clock, maildir_processor

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
LIMITS = Limits(per_sender=3, per_sender_hours=24, per_case=2, per_hour=200, bounce_block_days=30)
A = "a@x.example"

# -- the verdict --------------------------------------------------------------------


@pytest.mark.parametrize("usage, brake, outcome, rule, reason", [
    (Usage(), True, REPLY, "", ""),
    (Usage(to_address=2, in_case=1, last_hour=199), True, REPLY, "", ""),
    (Usage(to_address=3), True, REVIEW, "per_sender", "rate limit: 3 replies to a@x.example in 24 h"),
    (Usage(to_address=7), True, REVIEW, "per_sender", "rate limit: 7 replies to a@x.example in 24 h"),
    (Usage(in_case=2), True, REVIEW, "per_case", "rate limit: 2 replies in case C-1 in 24 h"),
    (Usage(last_hour=200), True, HOLD, "per_hour",
     "sending stopped: 200 replies in the last hour (limit 200); reply held"),
    (Usage(last_hour=200), False, REPLY, "", ""),  # shadow/draft: nothing is sent, no brake
    (Usage(suppressed="bounced on 2026-11-01"), True, REVIEW, "suppressed",
     "no reply: a@x.example bounced on 2026-11-01"),
    # the first limit hit is the one reported: suppressed, per sender, per case, brake
    (Usage(to_address=3, in_case=2, last_hour=500, suppressed="bounced"), True, REVIEW, "suppressed", None),
    (Usage(to_address=3, in_case=2, last_hour=500), True, REVIEW, "per_sender", None),
    (Usage(in_case=2, last_hour=500), True, REVIEW, "per_case", None),
])
def test_verdict(usage, brake, outcome, rule, reason):
    verdict = judge(LIMITS, usage, address=A, case_ref="C-1", brake=brake)
    assert (verdict.outcome, verdict.rule) == (outcome, rule)
    if reason is not None:
        assert verdict.reason == reason


@pytest.mark.parametrize("limits, usage, outcome", [
    (Limits(per_sender=1), Usage(to_address=1), REVIEW),
    (Limits(per_sender=1), Usage(to_address=0), REPLY),
    (Limits(per_case=5), Usage(in_case=4), REPLY),
    (Limits(per_case=5), Usage(in_case=5), REVIEW),
    (Limits(per_hour=3), Usage(last_hour=2), REPLY),
    (Limits(per_hour=3), Usage(last_hour=3), HOLD),
    (Limits(per_hour=3), Usage(last_hour=1, outgoing=2), REPLY),  # a reply and its forward: 3 of 3
    (Limits(per_hour=3), Usage(last_hour=2, outgoing=2), HOLD),  # they would make 4
])
def test_each_limit_trips_at_its_value(limits, usage, outcome):
    assert judge(limits, usage, address=A, case_ref="C-1").outcome == outcome


def test_no_case_no_case_limit():
    assert judge(LIMITS, Usage(in_case=99), address=A, case_ref=None).outcome == REPLY


# -- settings -----------------------------------------------------------------------

SOURCE = Path("/srv/mailbot/settings.toml")


def test_limits_defaults():
    limits = Limits.from_settings(parse_settings({}, SOURCE).limits)
    assert limits == Limits(per_sender=3, per_sender_hours=24, per_case=2, per_hour=200,
                            bounce_block_days=30)


def test_limits_from_the_file():
    settings = parse_settings({"limits": {"per_sender": 5, "per_hour": 3}}, SOURCE)
    assert (settings.limits.per_sender, settings.limits.per_hour, settings.limits.per_case) == (5, 3, 2)


def test_every_limit_is_documented_in_settings_toml():
    text = (Path(__file__).parent.parent / "settings.toml").read_text(encoding="utf-8")
    section = text.split("[limits]", 1)[1]
    for key in Limits.__dataclass_fields__:
        assert re.search(rf"^{key} = ", section, re.M), key


@pytest.mark.parametrize("data, key", [
    ({"limits": {"per_sender": 0}}, "limits.per_sender"),
    ({"limits": {"per_hour": -1}}, "limits.per_hour"),
    ({"limits": {"per_case": "2"}}, "limits.per_case"),
    ({"limits": {"bounce_block_days": 1.5}}, "limits.bounce_block_days"),
    ({"limits": {"per_sender_hours": True}}, "limits.per_sender_hours"),
    ({"limits": {"per_day": 3}}, "limits.per_day"),
])
def test_a_wrong_limit_is_named(data, key):
    with pytest.raises(SettingsError) as err:
        parse_settings(data, SOURCE)
    assert str(err.value).startswith(key)


# -- the counts in the store ---------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "var" / "m.db")
    yield s
    s.close()


def queue(store: Store, n: int, *, to: str = A, case: str = "C-1", state: str = PENDING,
          at: datetime = NOW, sent_at: datetime | None = None) -> list[int]:
    ids = []
    for _ in range(n):
        uid = str(store.db.execute("select count(*) from messages").fetchone()[0] + 1)
        with store.transaction():
            row = store.record(MessageKey("box", 1, uid), now=at, state="decided", destination="processed")
            ids.append(store.queue(message_row=row, case_ref=case, kind="acknowledge", recipients=[to],
                                   raw=b"r", state=state, now=at))
        if sent_at is not None:
            store.db.execute("update outbox set sent_at = ? where id = ?",
                             [sent_at.isoformat(timespec="seconds"), ids[-1]])
    return ids


def test_replies_to_an_address_count_the_window_and_the_states_that_go_out(store):
    queue(store, 1, state=SENT, at=NOW - timedelta(hours=2), sent_at=NOW - timedelta(hours=2))
    queue(store, 1, state=PENDING, at=NOW - timedelta(hours=1))
    queue(store, 1, state=HELD, at=NOW - timedelta(minutes=5))
    queue(store, 1, state=UNCONFIRMED, at=NOW - timedelta(minutes=5))
    queue(store, 1, state=SENT, at=NOW - timedelta(hours=25))            # outside 24 h
    queue(store, 1, state=FAILED, at=NOW - timedelta(minutes=5))         # never delivered
    queue(store, 1, state=SHADOW, at=NOW - timedelta(minutes=5))         # never sent
    queue(store, 1, to="other@x.example", at=NOW)                        # someone else
    since = NOW - timedelta(hours=24)
    assert store.replies_to(A, since) == 4
    assert store.replies_to("A@X.Example", since) == 4, "addresses compare without case"
    assert store.replies_to(A, since, states=(SENT, PENDING, SHADOW)) == 3


def test_replies_in_a_case(store):
    queue(store, 2, case="C-1", state=SENT, sent_at=NOW)
    queue(store, 1, case="C-2")
    queue(store, 1, case="C-1", at=NOW - timedelta(hours=30))
    assert store.replies_in_case("C-1", NOW - timedelta(hours=24)) == 2
    assert store.replies_in_case("C-2", NOW - timedelta(hours=24)) == 1


def test_the_hourly_count_is_what_went_out_in_the_hour_plus_what_waits(store):
    queue(store, 2, state=SENT, at=NOW - timedelta(hours=3), sent_at=NOW - timedelta(minutes=10))
    queue(store, 1, state=SENT, at=NOW - timedelta(hours=3), sent_at=NOW - timedelta(hours=2))
    queue(store, 1, state=UNCONFIRMED, sent_at=NOW - timedelta(minutes=1))
    queue(store, 1, state=PENDING, at=NOW - timedelta(hours=5))  # an SMTP outage: goes out now
    queue(store, 3, state=HELD)
    queue(store, 1, state=DRAFT)
    assert store.replies_since(NOW - timedelta(hours=1)) == 4


def test_release_held_oldest_first_within_the_budget(store):
    held = queue(store, 3, state=HELD)
    assert store.release_held(0) == 0
    assert store.release_held(2) == 2
    states = dict(store.db.execute("select id, state from outbox").fetchall())
    assert [states[i] for i in held] == [PENDING, PENDING, HELD]


def test_suppression_lasts_until_its_date_and_a_later_bounce_extends_it(store):
    until = NOW + timedelta(days=30)
    with store.transaction():
        store.suppress("A@X.example", reason="delivery report <d1@x>", until=until, message_id="<d1@x>",
                       now=NOW)
    assert store.suppression(A, NOW)["reason"] == "delivery report <d1@x>"
    assert store.suppression(A, until - timedelta(seconds=1)) is not None
    assert store.suppression(A, until) is None
    with store.transaction():
        store.suppress(A, reason="earlier", until=NOW + timedelta(days=1), message_id=None, now=NOW)
    assert store.suppression(A, NOW)["until"].startswith("2026-12-28"), "a shorter block does not shorten it"
    with store.transaction():
        store.suppress(A, reason="again", until=NOW + timedelta(days=40), message_id=None, now=NOW)
    assert store.suppression(A, NOW + timedelta(days=35))["reason"] == "again"


def test_sent_to_knows_only_our_messages_that_went_or_tried_to_go_out(store):
    for to, state, message_id in (("sent@x.example", SENT, "<a@cf>"), ("Refused@x.example", FAILED, "<b@cf>"),
                                  ("draft@x.example", DRAFT, "<c@cf>")):
        with store.transaction():
            row = store.record(MessageKey("box", 1, message_id), now=NOW, state="decided", destination="processed")
            store.queue(message_row=row, case_ref="C", kind="acknowledge", recipients=[to], raw=b"r",
                        state=state, now=NOW, message_id=message_id)
    assert store.sent_to(["<a@cf>", "<b@cf>", "<c@cf>", "<stranger@x>"]) == {
        "<a@cf>": ["sent@x.example"], "<b@cf>": ["refused@x.example"]}
    assert store.sent_to([]) == {}


def test_plus_addressing_and_case_do_not_reset_the_per_address_count(store):
    for address in ("victim+1@x.example", "Victim+2@X.example", "victim@x.example"):
        queue(store, 1, to=address, state=SENT, sent_at=NOW)
    assert store.replies_to("VICTIM+7@x.example", NOW - timedelta(hours=1)) == 3


@pytest.mark.parametrize("usage, rule", [
    (UnknownUsage(), None),
    (UnknownUsage(to_address=1), "unknown_per_address"),
    (UnknownUsage(to_domain=1), "unknown_per_domain"),
    (UnknownUsage(last_hour=20), "unknown_per_hour"),
    (UnknownUsage(suppressed="bounced"), "suppressed"),
])
def test_senders_outside_the_directory_get_one_acknowledgement_a_day_and_the_rest_is_dropped(usage, rule):
    verdict = judge_unknown(LIMITS, usage, address="x@evil.example", domain="evil.example")
    assert (verdict.outcome, verdict.rule or None) == ((DROP, rule) if rule else (REPLY, None))


def test_an_alert_is_opened_once_until_cleared(store):
    assert store.open_alert("brake", "sending stopped: 3 replies", NOW) is True
    assert store.open_alert("brake", "sending stopped: 4 replies", NOW) is False
    assert [a["message"] for a in store.open_alerts("brake")] == ["sending stopped: 3 replies"]
    assert store.clear_alerts("brake", NOW) == 1
    assert store.open_alerts() == []
    assert store.open_alert("brake", "sending stopped: 9 replies", NOW) is True
    assert store.db.execute("select count(*) from alerts").fetchone()[0] == 2


def test_m002_fills_the_recipient_of_replies_queued_before_it(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m002_loop_safety")
    db["outbox"].insert({"message_row": 1, "case_ref": "C", "kind": "acknowledge",
                         "recipients": '["Old@X.example"]', "raw": b"r", "state": SENT, "attempts": 0,
                         "created_at": NOW.isoformat(timespec="seconds"),
                         "sent_at": NOW.isoformat(timespec="seconds")})
    db.close()
    store = Store(path)
    assert "m002_loop_safety" in [m.name for m in migrations.applied(store.db)]
    assert store.replies_to("old@x.example", NOW - timedelta(hours=1)) == 1
    assert store.db.execute("select count(*) from suppressed").fetchone()[0] == 0
    store.close()


# -- the processor on a clock we control (Maildir in and out, no network) -------------


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / f"{name}.eml").read_bytes()


X_EXAMPLE = ("customer_number,customer_name,email_domains,account_manager_email,sales_contact_email,"
             "contract_number,serial_number,site_address\n"
             "900001,X,x.example,am@cf.canon.fr,sales@cf.canon.fr,CT-2026-01234,PW1-0000001,1 rue A 75001 Paris\n")


def from_sender(name: str, i: int) -> bytes:
    """A sample under a new Message-ID and its own sender."""
    raw = sample(name)
    raw = re.sub(rb"(?mi)^Message-ID:.*$", f"Message-ID: <m{i}@test>".encode(), raw, count=1)
    return re.sub(rb"(?mi)^From:.*$", f"From: Client {i} <client{i}@x.example>".encode(), raw, count=1)


def deliver(inbox: Path, name: str, raw: bytes) -> None:
    (inbox / "tmp" / name).write_bytes(raw)
    (inbox / "tmp" / name).rename(inbox / "new" / name)


@pytest.fixture
def maildir_bot(tmp_path):
    clock = Clock(NOW)
    # the senders of from_sender() are a customer's
    processor, store, inbox = maildir_processor(tmp_path, {"limits": {"per_hour": 3}},
                                                directory=parse_csv(X_EXAMPLE), clock=clock)
    yield processor, inbox, clock
    store.close()


def test_the_brake_holds_then_releases_as_the_hour_passes(maildir_bot, caplog):
    processor, inbox, clock = maildir_bot
    store = processor.store
    for i in range(6):
        deliver(inbox, f"m{i}", from_sender("po_change", i))
    with caplog.at_level("ERROR", logger="mailbot.service.processor"):
        assert processor.run_once() == 6, "intake goes on while the brake is on"
    assert store.outbox_counts() == {SENT: 3, HELD: 3}
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].startswith("sending stopped: 3 replies in the last hour")
    assert len(store.open_alerts("brake")) == 1
    held = store.db.execute("select analysis from messages where id in "
                            "(select message_row from outbox where state = 'held')").fetchall()
    assert len(held) == 3 and all("sending stopped" in row[0] for row in held)
    assert len(list((inbox / "new").iterdir())) == 0, "every message was moved"

    clock.now += timedelta(minutes=30)  # still within the hour: nothing moves, no second ERROR
    caplog.clear()
    deliver(inbox, "m6", from_sender("po_change", 6))
    with caplog.at_level("ERROR", logger="mailbot.service.processor"):
        assert processor.run_once() == 1
    assert store.outbox_counts() == {SENT: 3, HELD: 4}
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    newest = store.db.execute("select max(id) from outbox").fetchone()[0]

    clock.now += timedelta(minutes=31)  # the first three left the window: three go, oldest first
    processor.run_once()
    assert store.outbox_counts() == {SENT: 6, HELD: 1}
    assert store.db.execute("select id from outbox where state = 'held'").fetchone()[0] == newest
    assert len(store.open_alerts("brake")) == 1, "still on while replies are held"

    clock.now += timedelta(minutes=61)
    processor.run_once()
    assert store.outbox_counts() == {SENT: 7}
    assert store.open_alerts("brake") == [], "cleared once nothing is held and the hour is quiet"


def test_limits_survive_a_restart(tmp_path):
    """Counts come from the database: a new Store (a restarted daemon) sees them."""
    path = tmp_path / "m.db"
    first = Store(path)
    queue(first, 3, state=SENT, sent_at=NOW)
    first.close()
    again = Store(path)
    assert again.replies_to(A, NOW - timedelta(hours=24)) == 3
    assert judge(LIMITS, Usage(to_address=again.replies_to(A, NOW - timedelta(hours=24))),
                 address=A, case_ref=None).outcome == REVIEW
    again.close()


def test_the_limits_defaults_are_the_settings_defaults():
    """Defined once (config.SCHEMA): the dataclass and the settings cannot drift apart."""
    assert Limits() == Limits.from_settings(parse_settings({}, SOURCE).limits)
