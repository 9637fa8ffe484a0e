"""Managers' daily digests: a day of known traffic through the real pipeline, every figure checked;
a recipient sees only their customers; daylight-saving days neither skip nor double; each digest
is recorded once and sent once, caught up after downtime; `mailbot digest` on the command line."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mailbot.compose.digest import digest_message, duration
from mailbot.service.digests import Recipient, build, due_days, recipients, send_due, window
from mailbot.store import EVERYTHING
from tests.conversations import ACCOUNT_MANAGER, CONVERSATIONS, SENT, answer_message, first_message
from tests.test_cases import Bot
from tests.web_support import only_a_pdf

PARIS = ZoneInfo("Europe/Paris")
CHIEF = "chef.service@cf.canon.fr"
OTHER_MANAGER = "gest.autre@cf.canon.fr"
PO, BANK, ADDRESS = (next(c for c in CONVERSATIONS if c.situation == s)
                     for s in ("po_change", "bank_details_check", "invoice_address_change"))
DAY = SENT.astimezone(PARIS).date()  # 2026-11-28, a Saturday


def out_of_office() -> bytes:
    return (b"From: Paul Martin <paul.martin@valmont-print.fr>\r\nTo: contrats.service.wfps@cf.canon.fr\r\n"
            b"Subject: Absence du bureau\r\nAuto-Submitted: auto-replied\r\nDate: Sat, 28 Nov 2026 09:31:00 +0000\r\n"
            b"Message-ID: <ooo.1@valmont-print.fr>\r\n\r\nJe suis absent jusqu'au 7 decembre.\r\n")


def late() -> bytes:
    """The invoice address request, to take effect in two weeks: the one-month notice is missed."""
    return first_message(replace(ADDRESS, first=ADDRESS.first.replace("1er février 2027", "15 décembre 2026")))[0]


def from_other_customer(raw: bytes) -> bytes:
    return raw.replace(b"paul.martin@valmont-print.fr", b"julie.roux@autre-client.fr").replace(
        b"valmont-print.fr", b"autre-client.fr")


@pytest.fixture
def bot(tmp_path):
    b = Bot(tmp_path, digest={"service_managers": [CHIEF], "colleagues": True}, web={"base_url": "https://revue.example"})
    # the day: six messages of Imprimerie Valmont, one of Autre Client
    b.receive(first_message(PO)[0])                      # incomplete: asks for the contract number
    request = b.sent()[-1]
    b.receive(answer_message(PO, request)[0])            # the answer completes it: acknowledged, forwarded
    b.receive(first_message(BANK)[0])                    # complete, nobody to forward to: acknowledged
    b.receive(only_a_pdf(first_message(PO)[0]))          # unreadable: a case in review
    b.receive(out_of_office())                           # automated: ignored
    b.receive(late())                                    # late, and incomplete (customer number)
    b.receive(from_other_customer(first_message(PO)[0]))  # the other customer's, incomplete
    yield b
    b.close()


def test_every_figure_of_a_known_day(bot):
    actions = dict(bot.store.db.execute("select action, count(*) from messages group by action").fetchall())
    assert actions == {"request_info": 3, "acknowledge": 2, "review": 1, "ignore": 1}  # the day as designed
    [chief] = [r for r in recipients(bot.settings, bot.processor.app.rules, bot.store) if r.whole_service]
    now = datetime(2026, 11, 29, 7, 0, tzinfo=timezone.utc)  # 08:00 in Paris, the next morning
    digest = build(bot.store, bot.settings, chief, DAY, now)
    f = digest.figures
    assert f.received == 7 and f.action("ignore") == 1
    assert (f.action("acknowledge"), f.action("request_info"), f.action("review")) == (2, 3, 1)
    assert dict(f.by_situation()) == {"po_change": 3, "bank_details_check": 1, "invoice_address_change": 1,
                                      "other": 2}
    assert f.forwarded == 1
    assert len(f.first_answers) == 5 and all(s == pytest.approx(0.0, abs=1) for s in f.first_answers)
    assert f.late == [{"situation": "invoice_address_change", "customer": "Imprimerie Valmont", "count": 1}]
    assert f.waited == {"awaiting": 2, "reminders": 0, "quiet": 0}
    assert digest.before.received == 0  # a week before: nothing
    assert dict((low, count) for low, _, count in digest.backlog)[0] == 1  # the case in review, under a day
    assert digest.health["quarantined"] == 0 and digest.health["failed"] == 0
    subject, text, html = _parts(digest_message(digest, bot.settings, now))
    assert subject.startswith("Synthèse du service Contrats – samedi 28 novembre 2026 : 7 messages")
    for line in ("Messages reçus : 7 (+7)", "Messages automatiques ignorés : 1",
                 "Demandes complètes (accusé de réception) : 2 (+2)",
                 "Demandes incomplètes (demande d'informations) : 3 (+3)", "Envoyés en revue : 1 (+1)",
                 "Dossiers transmis aux collègues : 1 (+1)", "Réponses parties vers les clients : 5",
                 "PRÉAVIS D'UN MOIS NON RESPECTÉ : 1",
                 "Changement d'adresse de réception des factures – Imprimerie Valmont : 1",
                 "Dossiers en attente du client : 2", "< 1 j : 1"):
        assert line in text, line
    assert 'href="https://revue.example/?kind=case"' in html and "data:" not in html and "<svg" not in html
    assert "<table" in html and len(digest_message(digest, bot.settings, now)) < 100_000


def test_a_colleague_sees_only_their_customers(bot):
    found = {r.address: r for r in recipients(bot.settings, bot.processor.app.rules, bot.store)}
    assert set(found) >= {CHIEF, ACCOUNT_MANAGER, OTHER_MANAGER}
    now = datetime(2026, 11, 29, 7, 0, tzinfo=timezone.utc)
    mine = build(bot.store, bot.settings, found[ACCOUNT_MANAGER], DAY, now)
    theirs = build(bot.store, bot.settings, found[OTHER_MANAGER], DAY, now)
    # account managers get billing situations: the invoice address change is Valmont's
    assert dict(mine.figures.by_situation()) == {"invoice_address_change": 1}
    assert theirs.figures.received == 0 and theirs.figures.late == []
    assert mine.backlog == [] and mine.health == {}  # the backlog and the service's health: the service's digest
    _, text, _ = _parts(digest_message(mine, bot.settings, now))
    assert "(vos clients et vos situations)" in text and "EN ATTENTE D'UNE PERSONNE" not in text
    assert "Autre Client" not in text


def test_each_digest_is_recorded_once_and_sent_once(bot):
    rules = bot.processor.app.rules
    bot.store.set_recipient(ACCOUNT_MANAGER, SENT, paused=True)
    early = datetime(2026, 11, 29, 6, 29, tzinfo=timezone.utc)  # 07:29 in Paris: not yet
    assert send_due(bot.store, bot.settings, rules, early) == 0
    on_time = datetime(2026, 11, 29, 6, 31, tzinfo=timezone.utc)
    queued = send_due(bot.store, bot.settings, rules, on_time)
    assert send_due(bot.store, bot.settings, rules, on_time + timedelta(hours=3)) == 0  # never twice
    rows = bot.store.db.execute("select address, day from digests where day = '2026-11-28'").fetchall()
    assert (CHIEF, "2026-11-28") in rows and ACCOUNT_MANAGER not in {a for a, _ in rows}  # paused
    assert queued == len(rows) == 4  # the chief and three colleagues; the fourth is paused
    bot.clock.now = on_time
    bot.processor.run_once()
    sent = [m for m in bot.sent() if m["To"].addresses[0].addr_spec == CHIEF]
    # the digest of the 27th went on the 28th's first pass (a new recipient starts with the latest day)
    assert [m["Subject"].split(" : ")[0] for m in sent] == ["Synthèse du service Contrats – vendredi 27 novembre 2026",
                                                           "Synthèse du service Contrats – samedi 28 novembre 2026"]
    assert sent[0]["Auto-Submitted"] == "auto-generated"


def test_after_downtime_the_last_three_days_are_caught_up(bot):
    rules = bot.processor.app.rules
    send_due(bot.store, bot.settings, rules, datetime(2026, 11, 29, 7, 0, tzinfo=timezone.utc))
    back = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)  # a week of downtime
    send_due(bot.store, bot.settings, rules, back)
    days = [d for (d,) in bot.store.db.execute("select day from digests where address = ? order by day", [CHIEF])]
    assert days == ["2026-11-27", "2026-11-28", "2026-12-02", "2026-12-03", "2026-12-04"]
    raws = [bot.store.outbox_row(r[0]).raw for r in bot.store.db.execute(
        "select outbox_id from digests where address = ? order by day", [CHIEF])]
    assert [_parts(raw)[0].split(" : ")[0][-26:] for raw in raws][2:] == [
        "Contrats – mercredi 2 décembre 2026"[-26:], "Contrats – jeudi 3 décembre 2026"[-26:],
        "Contrats – vendredi 4 décembre 2026"[-26:]]  # each labelled with its own date


def test_daylight_saving_days_neither_skip_nor_double(bot):
    autumn = window(date(2026, 10, 25), PARIS)
    spring = window(date(2027, 3, 28), PARIS)
    assert autumn[1] - autumn[0] == timedelta(hours=25) and spring[1] - spring[0] == timedelta(hours=23)
    assert window(date(2026, 10, 24), PARIS)[1] == autumn[0] and autumn[1] == window(date(2026, 10, 26), PARIS)[0]
    sent_days = []
    # every 30 minutes through the autumn and spring changes: each day's digest due once, after 07:30 local
    for season, start in (("automne", datetime(2026, 10, 24, 0, 0, tzinfo=timezone.utc)),
                          ("printemps", datetime(2027, 3, 27, 0, 0, tzinfo=timezone.utc))):
        chief = Recipient(f"{season}@cf.canon.fr", EVERYTHING, "fr", "Europe/Paris", time(7, 30), whole_service=True)
        for step in range(4 * 48):
            now = start + timedelta(minutes=30 * step)
            for day in due_days(chief, now, bot.store):
                local = now.astimezone(PARIS)
                assert (local.date() - day).days == 1 and local.time() >= chief.hour
                bot.store.record_digest(chief.address, day.isoformat(), b"x", now)
                sent_days.append(day)
    assert len(sent_days) == len(set(sent_days))
    assert {date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26), date(2027, 3, 27), date(2027, 3, 28),
            date(2027, 3, 29)} <= set(sent_days)


def test_a_message_in_the_repeated_autumn_hour_counts_once(bot):
    start, end = window(date(2026, 10, 25), PARIS)
    for minute, uid in ((30, 9001), (90, 9002)):  # 02:30 CEST and 02:30 CET: the hour lived twice
        when = datetime(2026, 10, 25, 0, 0, tzinfo=timezone.utc) + timedelta(minutes=minute)
        bot.store.db.execute("insert into messages (mailbox, uidvalidity, uid, situation, action, created_at, "
                             "state) values ('INBOX', 1, ?, 'po_change', 'acknowledge', ?, 'decided')",
                             [uid, when.isoformat(timespec="seconds")])
    assert bot.store.traffic(start, end) == {"po_change": {"acknowledge": 2}}


def test_durations_read_as_a_person_says_them():
    assert [duration(s, "fr") for s in (None, 59, 240, 3900, 3 * 86400)] == ["—", "1 min", "4 min", "1 h 05", "3 j"]


def _parts(raw: bytes) -> tuple[str, str, str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return (message["Subject"], message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_digest_on_the_command_line(tmp_path):
    import subprocess
    import sys

    from tests.conversations import DIRECTORY_CSV
    from tests.support import maildir_bot

    settings, _ = maildir_bot(tmp_path, f'[digest]\nservice_managers = ["{CHIEF}"]\ncolleagues = true\n'
                              '[routing]\ncontracts_team = "equipe.contrats@cf.canon.fr"\n',
                              DIRECTORY_CSV, {"m1": first_message(BANK)[0]})

    def mailbot(*args):
        return subprocess.run([sys.executable, "-m", "mailbot", "--settings", str(settings), *args],
                              capture_output=True, timeout=120)

    def digests_out() -> int:  # `once` may have sent yesterday's already: the clock is real here
        folder = tmp_path / "var" / "outbox" / "new"
        return len([p for p in folder.iterdir() if b"auto-generated" in p.read_bytes()
                    and f"To: {CHIEF}".encode() in p.read_bytes()]) if folder.exists() else 0

    today = datetime.now(PARIS).date().isoformat()
    before = digests_out()
    shown = mailbot("digest", "show", "--date", today)
    assert shown.returncode == 0, shown.stderr
    subject, text, _ = _parts(shown.stdout)
    assert "Messages reçus : 1" in text and subject.startswith("Synthèse du service Contrats")
    colleague = mailbot("digest", "show", "--date", today, "--to", ACCOUNT_MANAGER)
    assert colleague.returncode == 0 and b"(vos clients et vos situations)" in colleague.stdout
    assert mailbot("digest", "show", "--date", "hier").returncode == 2
    assert b"not a digest recipient" in mailbot("digest", "show", "--date", today, "--to", "x@y.fr").stderr
    assert digests_out() == before  # show sends and records nothing
    sent = mailbot("digest", "send", "--date", today, "--to", CHIEF)
    assert sent.returncode == 0 and b"1 digest(s)" in sent.stdout, sent.stderr
    twice = mailbot("digest", "send", "--date", today, "--to", CHIEF)
    assert b"sent already" in twice.stdout and b"0 digest(s)" in twice.stdout
    assert b"1 digest(s)" in mailbot("digest", "send", "--date", today, "--to", CHIEF, "--again").stdout
    assert digests_out() == before + 2
    assert mailbot("digest", "recipients", "set", CHIEF, "--language", "en", "--hour", "08:15").returncode == 0
    assert mailbot("digest", "recipients", "pause", ACCOUNT_MANAGER).returncode == 0
    listed = mailbot("digest", "recipients", "list").stdout.decode()
    assert f"{CHIEF}" in listed and " en " in listed and "08:15" in listed and "whole service" in listed
    assert "paused" in next(line for line in listed.splitlines() if line.startswith(ACCOUNT_MANAGER))
    english = mailbot("digest", "show", "--date", today, "--to", CHIEF)
    assert _parts(english.stdout)[0].startswith("Contracts service digest")
    assert mailbot("digest", "recipients", "set", CHIEF, "--timezone", "Mars/Olympus").returncode == 2
