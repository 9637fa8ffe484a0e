"""Hostile mail against the Maildir demo (SECURITY.md): `mailbot once` as a process on
the demo's set-up (sample directory, demo trust settings), then what it wrote and decided.

Each attack of issue #8 is a message of tests/hostile.py; each test reads what
happened to its message. The same attacks through Dovecot and SMTP are
tests/test_hostile_servers.py; the limits that need a clock are at the end,
on the processor.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from mailbot.decide import trust
from mailbot.decide.directory import read_csv
from mailbot.paths import SAMPLE_DIRECTORY
from mailbot.mail.sources.maildir import make_maildir
from tests import hostile
from tests.support import AUTHSERV_ID, Clock, maildir_processor

ATTACKS = {
    "relay": hostile.relay(),
    **{f"plus_{i}": hostile.plus_addressed(i) for i in range(1, 8)},
    "long_name": hostile.long_name_customer(),
    "spoofed": hostile.spoofed_customer("fail"),
    "unauthenticated": hostile.spoofed_customer(None),
    "lookalike": hostile.spoofed_customer("pass"),
    "forged_ar": hostile.forged_authentication_results(),
    "encoded_reply_to": hostile.encoded_reply_to(),
    "quoted_local": hostile.quoted_local_part(),
    "two_from": hostile.two_from_fields(),
    "cross_move": hostile.cross_customer_move(),
    "cross_termination": hostile.cross_customer_termination(),
    "other_customers_serial": hostile.customer_citing_another_customers_serial(),
    "iban": hostile.iban_with_hyphens(),
    "forged_bounce": hostile.forged_bounce(),
    "pipes_html": hostile.pipes_html(),
    "meter_line": hostile.meter_line(),
    "spaces_then_x": hostile.spaces_then_x(),
    "many_parts": hostile.many_parts(),
    **{f"customer_plus_{i}": hostile.plus_addressed_customer(i) for i in range(1, 6)},
    "split_from": hostile.split_from(),
    "iban_in_the_name": hostile.iban_in_the_name(),
}


def message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=policy.default)["Message-ID"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The hostile mails in the demo's inbox, one `mailbot once`; the ledger, the outbox, the files."""
    tmp = tmp_path_factory.mktemp("hostile")
    settings = tmp / "settings.toml"
    settings.write_text(f'[trust]\nauthserv_id = "{AUTHSERV_ID}"\n[routing]\n'
                        f'contracts_team = "equipe.contrats@cf.canon.fr"\n', encoding="utf-8")
    run = lambda *args: subprocess.run([sys.executable, "-m", "mailbot", "--settings", str(settings), *args],  # noqa
                                       capture_output=True, text=True, timeout=300)
    assert run("directory", "import", str(SAMPLE_DIRECTORY)).returncode == 0
    inbox = make_maildir(tmp / "var" / "mail")
    for name, raw in ATTACKS.items():
        (inbox / "tmp" / name).write_bytes(raw)
        (inbox / "tmp" / name).rename(inbox / "new" / name)
    started = time.monotonic()
    result = run("once")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(tmp / "var" / "mailbot.db")
    db.row_factory = sqlite3.Row
    ledger = {r["message_id"]: {**dict(r), "analysis": json.loads(r["analysis"] or "{}")}
              for r in db.execute("select * from messages")}
    outbox = [dict(r) for r in db.execute("select id, kind, recipient, state, message_row from outbox")]
    suppressed = [r[0] for r in db.execute("select address from suppressed")]
    db.close()
    folder = tmp / "var" / "outbox" / "new"
    sent = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.iterdir())]
    yield {"ledger": ledger, "outbox": outbox, "sent": sent, "suppressed": suppressed, "elapsed": elapsed,
           "stdout": result.stdout}


def row(demo, name: str) -> dict:
    return demo["ledger"][message_id(ATTACKS[name])]


def codes(demo, name: str) -> set[str]:
    return {e["name"] for e in row(demo, name)["analysis"].get("evidence", []) if e["stage"] == "trust"}


def written_for(demo, name: str) -> list[dict]:
    """The outbox rows queued for one message."""
    return [o for o in demo["outbox"] if o["message_row"] == row(demo, name)["id"]]


def everything(message: EmailMessage) -> str:
    """Every header and both parts of a message we wrote, decoded."""
    parts = [f"{k}: {v}" for k, v in message.items()]
    for kind in ("plain", "html"):
        body = message.get_body((kind,))
        if body is not None:
            parts.append(body.get_content())
    return "\n".join(parts)


def sent_to(demo, address: str) -> list[EmailMessage]:
    return [m for m in demo["sent"] if address.lower() in str(m["To"]).lower()]


def test_every_message_was_handled_quickly(demo):
    assert len(demo["ledger"]) == len(ATTACKS)
    assert demo["elapsed"] < 60, f"{demo['elapsed']:.1f} s for {len(ATTACKS)} hostile messages"


def test_a_third_party_in_reply_to_is_never_written_to(demo):
    assert sent_to(demo, hostile.VICTIM) == []
    assert all("thirdparty" not in o["recipient"] or o["recipient"].startswith("victim+") for o in demo["outbox"])


def test_an_unknown_sender_gets_only_a_neutral_acknowledgement_without_their_words(demo):
    assert row(demo, "relay")["action"] == "review"
    assert {trust.SENDER_UNKNOWN, trust.NUMBERS_OF_KNOWN_CUSTOMER} <= codes(demo, "relay")
    [ack] = written_for(demo, "relay")
    assert (ack["kind"], ack["recipient"]) == ("neutral_ack", hostile.ATTACKER)
    [message] = sent_to(demo, hostile.ATTACKER)
    text = everything(message)
    for theirs in ("URGENT", "canon-payments", "portail", "BC-2027-0042", hostile.CONTRACT, "Nouveau bon"):
        assert theirs not in text, theirs
    assert message["Subject"].startswith("Votre demande [Réf. WFPS-")
    assert message["Auto-Submitted"] == "auto-replied"


def test_plus_addressing_does_not_multiply_acknowledgements(demo):
    acks = [o for o in demo["outbox"] if o["recipient"].endswith("@thirdparty.example")]
    assert len(acks) == 1, "one a day per address (folded) and per domain"
    assert all(row(demo, f"plus_{i}")["action"] == "review" for i in range(1, 8))


def test_plus_addressing_does_not_multiply_replies_to_a_customer(demo):
    replies = [o for o in demo["outbox"] if o["kind"] != "forward" and o["recipient"].startswith("compta+")]
    assert len(replies) == 3, "[limits] per_sender = 3 a day, compta+N@ counted as compta@"
    limited = [f"customer_plus_{i}" for i in range(1, 6) if row(demo, f"customer_plus_{i}")["action"] == "review"]
    assert limited and all(any(r.startswith("rate limit: 3 replies to") for r in row(demo, n)["analysis"]["reasons"])
                           for n in limited)


def test_a_customer_greeting_is_short_and_without_links(demo):
    assert row(demo, "long_name")["action"] == "acknowledge"
    [reply] = [m for m in sent_to(demo, hostile.CUSTOMER)
               if m["In-Reply-To"] == message_id(ATTACKS["long_name"])]
    text = reply.get_body(("plain",)).get_content()
    greeting = text.splitlines()[0]
    assert greeting.startswith("Bonjour Thierry Gaudemard") and len(greeting) <= len("Bonjour ,") + 60
    assert "canon-payments" not in everything(reply) and "https://canon-payments" not in str(reply["Subject"])


def test_a_forged_customer_is_not_forwarded_as_legitimate(demo):
    for name, code in (("spoofed", trust.AUTH_FAILED), ("forged_ar", trust.AUTH_FAILED),
                       ("unauthenticated", trust.UNAUTHENTICATED)):
        assert row(demo, name)["action"] == "review", name
        assert code in codes(demo, name), name
        assert written_for(demo, name) == [], name
    assert sent_to(demo, hostile.ACCOUNT_MANAGER) == [] or all(
        "gaudemard-tp-compta" not in everything(m) for m in sent_to(demo, hostile.ACCOUNT_MANAGER))


def test_a_look_alike_invoice_address_goes_to_a_person_named_as_such(demo):
    assert row(demo, "lookalike")["action"] == "review"
    assert trust.NEW_EMAIL_LOOKALIKE in codes(demo, "lookalike")
    reasons = row(demo, "lookalike")["analysis"]["reasons"]
    assert any("looks like the customer's gaudemard-tp.fr" in r for r in reasons), reasons


def test_an_encoded_reply_to_is_not_used(demo):
    assert row(demo, "encoded_reply_to")["action"] == "acknowledge"
    rows = written_for(demo, "encoded_reply_to")
    assert {o["kind"] for o in rows} == {"acknowledge", "forward"}
    assert [o["recipient"] for o in rows if o["kind"] == "acknowledge"] == [hostile.CUSTOMER]
    [forward] = [m for m in demo["sent"] if m["Auto-Submitted"] == "auto-generated"
                 and message_id(ATTACKS["encoded_reply_to"]) in m.as_string()]
    assert forward["Reply-To"] is None
    text = " ".join(forward.get_body(("plain",)).get_content().split())
    assert f"écrivez à {hostile.CUSTOMER}" in text
    assert "Attention : le message du client demande que la réponse parte à =?utf-8?q?victim" in text
    assert "victim" not in everything(forward).split("Éléments relevés")[0]


@pytest.mark.parametrize("name", ["quoted_local", "two_from", "split_from"])
def test_an_address_that_is_not_plain_gets_nothing(demo, name):
    assert row(demo, name)["action"] == "review"
    assert trust.FROM_NOT_PLAIN in codes(demo, name)
    assert written_for(demo, name) == []


@pytest.mark.parametrize("name, code", [("cross_move", trust.NUMBERS_OF_KNOWN_CUSTOMER),
                                        ("cross_termination", trust.NUMBERS_OF_KNOWN_CUSTOMER),
                                        ("other_customers_serial", trust.SERIAL_OF_ANOTHER)])
def test_nobody_acts_on_another_customers_equipment(demo, name, code):
    assert row(demo, name)["action"] == "review"
    assert code in codes(demo, name)
    assert not [o for o in written_for(demo, name) if o["kind"] == "forward"]
    assert sent_to(demo, hostile.SALES_CONTACT) == []


@pytest.mark.parametrize("name", ["iban", "iban_in_the_name"])
def test_an_iban_anywhere_is_a_fraud_signal_and_never_written_back(demo, name):
    assert row(demo, name)["action"] == "review"
    assert any(e["name"] == "iban" for e in row(demo, name)["analysis"]["evidence"])
    assert written_for(demo, name) == []
    for message in demo["sent"]:
        text = everything(message)
        assert "3000-6000" not in text and "3000 6000" not in text


def test_a_forged_bounce_silences_nobody(demo):
    assert row(demo, "forged_bounce")["action"] == "ignore"
    assert demo["suppressed"] == []
    names = {e["name"] for e in row(demo, "forged_bounce")["analysis"]["evidence"]}
    assert "bounce_not_ours" in names


@pytest.mark.parametrize("name", ["pipes_html", "meter_line", "spaces_then_x", "many_parts"])
def test_pathological_messages_are_decided_and_stored_small(demo, name):
    ledger = row(demo, name)
    assert ledger["destination"] != "quarantine", ledger["error"]
    assert len(json.dumps(ledger["analysis"])) <= 64_000


def test_too_many_parts_are_not_read(demo):
    assert any("body not read" in r for r in row(demo, "many_parts")["analysis"]["reasons"])


# -- the limits that need a clock: the processor on the Maildir demo ----------------------------


@pytest.fixture
def bot(tmp_path):
    clock = Clock(datetime(2026, 11, 30, 9, 5, tzinfo=timezone.utc))
    processor, store, inbox = maildir_processor(
        tmp_path, {"trust": {"authserv_id": AUTHSERV_ID}, "limits": {"unknown_per_hour": 3}},
        directory=read_csv(SAMPLE_DIRECTORY), clock=clock)
    count = iter(range(10_000))

    def deliver(raw: bytes) -> None:
        name = f"m{next(count)}"
        (inbox / "tmp" / name).write_bytes(raw)
        (inbox / "tmp" / name).rename(inbox / "new" / name)

    yield processor, deliver, clock
    store.close()


def test_past_the_hourly_cap_acknowledgements_are_dropped_never_sent_later(bot):
    processor, deliver, clock = bot
    for i in range(10):
        deliver(hostile.stranger(i))
    assert processor.run_once() == 10
    counts = processor.store.outbox_counts()
    assert counts == {"sent": 3}, counts
    reasons = [json.loads(r[0])["reasons"] for r in processor.store.db.execute(
        "select analysis from messages order by id")]
    assert sum(any("limit 3" in r for r in rs) for rs in reasons) == 7
    clock.now += timedelta(hours=3)
    processor.run_once()
    assert processor.store.outbox_counts() == {"sent": 3}, "nothing dropped goes out later"


def test_an_unknown_sender_is_never_reminded(bot):
    processor, deliver, clock = bot
    deliver(hostile.mail("Bonjour,\n\nJe souhaite résilier mon contrat.\n\nCordialement",
                         sender="someone@stranger.example", subject="Résiliation"))
    processor.run_once()
    [case] = processor.store.list_cases()
    assert case.state == "in_review"
    for _ in range(3):
        clock.now += timedelta(days=6)
        processor.run_once()
    assert [r["kind"] for r in processor.store.db.query("select kind from outbox")] == ["neutral_ack"]
