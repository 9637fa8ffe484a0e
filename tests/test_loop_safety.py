"""Loop safety against real mail software: Dovecot (IMAP, LDA, Sieve) and an SMTP server.

Per-sender limit, bounce suppression and the global brake run the real
`mailbot` command against Dovecot and an SMTP sink. The headline test puts a
real Sieve vacation responder on the customer's mailbox and an SMTP server
that delivers into Dovecot, runs the daemon, and checks that the exchange
stops after at most one automatic message each way.
"""

from __future__ import annotations

import json
import re
import smtplib
import sqlite3
import subprocess
import time
from email.utils import make_msgid
from pathlib import Path

from mailbot.read.analyze import analyze
from mailbot.paths import SAMPLES_DIR
from tests.support import (BOT, run_mailbot, start_daemon, stop_daemon, unauthenticated, wait_until,
                           write_imap_settings)

OWN = ("contrats.service.wfps@cf.canon.fr",)
CUSTOMER = "customer@example.test"
REQUESTS = ("po_change", "equipment_move", "contract_termination", "automatic_meter_reads",
            "meter_read_request", "po_change_missing_contract")


def request(name: str, sender: str, message_id: str) -> bytes:
    """A bundled sample request, written by ``sender`` under its own Message-ID (our MTA's verdict
    was on the sample's sender: it goes)."""
    raw = unauthenticated((SAMPLES_DIR / f"{name}.eml").read_bytes())
    raw = re.sub(rb"(?mi)^Message-ID:.*$", f"Message-ID: <{message_id}>".encode(), raw, count=1)
    raw = re.sub(rb"(?mi)^From:.*$", f"From: Client <{sender}>".encode(), raw, count=1)
    analysis = analyze(raw, own_addresses=OWN)
    assert analysis.action in ("acknowledge", "request_info") and analysis.sender == sender, \
        "the test needs a request mailbot answers"
    return raw


def filed(dovecot) -> int:
    """Messages read, decided and moved out of the inbox: processed, or waiting for a person (a complete
    P.O change goes to review in these settings, which name no [routing] contracts_team)."""
    return dovecot.count_under(BOT, "Bot/Processed") + dovecot.count_under(BOT, "Bot/Review")


def mailbot(settings: Path, *args: str) -> subprocess.CompletedProcess:
    result = run_mailbot(settings, *args)
    assert result.returncode == 0, result.stderr
    return result


def loop_settings(tmp_path: Path, dovecot, smtp_port: int, limits: dict) -> Path:
    """The IMAP settings, and a directory in which the test senders (client.example, example.test)
    are one customer owning the numbers of the sample requests: only then does mailbot answer them."""
    settings = write_imap_settings(tmp_path, dovecot, smtp_port, limits=limits)
    lines = ["customer_number,customer_name,email_domains,account_manager_email,sales_contact_email,"
             "contract_number,serial_number,site_address"]
    serials: set[str] = set()
    for n, name in enumerate(REQUESTS):
        fields = analyze((SAMPLES_DIR / f"{name}.eml").read_bytes(), own_addresses=OWN).fields
        contract = fields["contract_number"] or f"CT-LOOP-{n}"
        for serial in fields["serial_numbers"] or [f"SN-LOOP-{n}"]:
            if serial not in serials:
                serials.add(serial)
                lines.append(f"700001,Client Example,client.example example.test,am@cf.canon.fr,"
                             f"sales@cf.canon.fr,{contract},{serial},1 rue A 75001 Paris")
    (tmp_path / "directory.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    mailbot(settings, "directory", "import", str(tmp_path / "directory.csv"))
    return settings


def replies(smtp) -> list:
    """What the SMTP server got for customers (forwards of complete cases go to colleagues at cf.canon.fr)."""
    return [m for m in smtp.messages if not m.rcpt_tos[0].endswith("@cf.canon.fr")]


def db(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "var" / "mailbot.db")
    conn.row_factory = sqlite3.Row
    return conn


def ledger(tmp_path: Path, message_id: str) -> sqlite3.Row:
    with db(tmp_path) as conn:
        return conn.execute("select * from messages where message_id = ?", [message_id]).fetchone()


def outbox_states(tmp_path: Path) -> dict[str, int]:
    with db(tmp_path) as conn:
        return dict(conn.execute("select state, count(*) from outbox group by state").fetchall())


# -- (a) per sender ----------------------------------------------------------------------


def test_five_requests_from_one_customer_get_per_sender_replies_the_rest_go_to_review(
        dovecot, smtp_server, tmp_path):
    customer = "jean.client@client.example"
    settings = loop_settings(tmp_path, dovecot, smtp_server.port,
                             limits={"per_sender": 3, "per_case": 10, "per_hour": 200})
    ids = [f"req-{i}@client.example" for i in range(5)]
    raws = [request(REQUESTS[i], customer, ids[i]) for i in range(5)]
    for raw in raws[:4]:
        dovecot.append(BOT, "INBOX", raw)
    first = mailbot(settings, "once")
    dovecot.append(BOT, "INBOX", raws[4])  # after a restart: the count comes from the database
    second = mailbot(settings, "once")

    smtp_server.wait_for(3)
    time.sleep(0.5)
    answered = replies(smtp_server)
    assert len(answered) == 3, first.stdout + second.stdout
    assert [r.rcpt_tos for r in answered] == [[customer]] * 3
    assert [r.message["In-Reply-To"] for r in answered] == [f"<{i}>" for i in ids[:3]]
    # Three answered, two over the limit for review; of the three, the complete P.O change waits for a
    # person too (no [routing] contracts_team here), in the review folder.
    assert dovecot.count_under(BOT, "Bot/Processed") == 2
    assert len(dovecot.uids(BOT, "Bot/Review")) == 3 and dovecot.uids(BOT, "INBOX") == []
    for message_id in ids[3:]:
        row = ledger(tmp_path, f"<{message_id}>")
        assert (row["action"], row["destination"]) == ("review", "review")
        assert f"rate limit: 3 replies to {customer} in 24 h" in json.loads(row["analysis"])["reasons"]
    assert outbox_states(tmp_path) == {"sent": len(smtp_server.messages)}  # the replies and the forwards


# -- (b) bounces ---------------------------------------------------------------------------


def bounce_for(*recipients: str, returned: str = "") -> bytes:
    """A delivery-status report, as an MTA would send it back, naming ``recipients`` as failed,
    with the headers of the message it returns (Message-ID ``returned``)."""
    blocks = "".join(f"\r\nFinal-Recipient: rfc822; {r}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                     f"Diagnostic-Code: smtp; 550 5.1.1 <{r}>: Recipient address rejected\r\n"
                     for r in recipients)
    return (
        "Return-Path: <>\r\n"
        "From: MAILER-DAEMON@mx.client.example (Mail Delivery System)\r\n"
        "To: contrats.service.wfps@cf.canon.fr\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid('dsn', 'mx.client.example')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.client.example\r\n{blocks}"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {OWN[0]}\r\nTo: {recipients[0]}\r\nMessage-ID: {returned}\r\n\r\n"
        "--B--\r\n").encode()


def test_an_address_that_bounced_is_not_written_to_again(dovecot, smtp_server, tmp_path):
    gone, other = "gone@client.example", "other@client.example"
    settings = loop_settings(tmp_path, dovecot, smtp_server.port, limits={})  # the defaults
    dovecot.append(BOT, "INBOX", request("po_change", gone, "first@client.example"))
    mailbot(settings, "once")
    [reply] = smtp_server.wait_for(1)
    assert reply.rcpt_tos == [gone]

    dovecot.append(BOT, "INBOX", bounce_for(gone, returned="<someone-else@client.example>"))
    assert "ignore" in mailbot(settings, "once").stdout
    with db(tmp_path) as conn:
        assert conn.execute("select count(*) from suppressed").fetchone()[0] == 0, \
            "a report that quotes none of our messages suppresses nobody"

    dovecot.append(BOT, "INBOX", bounce_for(gone, "stranger@client.example", returned=str(reply.message["Message-ID"])))
    result = mailbot(settings, "once")
    assert "ignore" in result.stdout
    with db(tmp_path) as conn:
        suppressed = {r["address"]: r for r in conn.execute("select * from suppressed")}
    assert list(suppressed) == [gone], "only the recipient of the message it returns is suppressed"
    assert suppressed[gone]["until"] > suppressed[gone]["created_at"]

    dovecot.append(BOT, "INBOX", request("equipment_move", gone, "second@client.example"))
    dovecot.append(BOT, "INBOX", request("equipment_move", other, "third@client.example"))
    mailbot(settings, "once")
    smtp_server.wait_for(2)
    time.sleep(0.5)
    answered = replies(smtp_server)
    assert [r.rcpt_tos for r in answered] == [[gone], [other]]
    row = ledger(tmp_path, "<second@client.example>")
    assert (row["action"], row["destination"]) == ("review", "review")
    reasons = json.loads(row["analysis"])["reasons"]
    assert any(r.startswith(f"no reply: {gone} bounced on ") for r in reasons), reasons
    # the bounced address's request, and the first P.O change (complete, no [routing] contracts_team here)
    assert len(dovecot.uids(BOT, "Bot/Review")) == 2
    assert answered[1].message["In-Reply-To"] == "<third@client.example>"


# -- (c) the global brake -----------------------------------------------------------------


def test_the_brake_counts_the_forward_that_goes_with_the_last_allowed_reply(dovecot, smtp_server, tmp_path):
    """A complete request sends two messages (the reply and the forward to the colleague): with 1 sent
    and a limit of 2, counting only its reply let 3 out in the hour."""
    settings = loop_settings(tmp_path, dovecot, smtp_server.port,
                             limits={"per_sender": 3, "per_case": 2, "per_hour": 2})
    dovecot.multiappend(BOT, "INBOX", [request("po_change_missing_contract", "asks@client.example",
                                               "asks@client.example"),  # a request for information: 1
                                       request("equipment_move", "moves@client.example",
                                               "moves@client.example")])  # complete: reply and forward
    mailbot(settings, "once")
    smtp_server.wait_for(2)
    time.sleep(1.0)
    assert len(smtp_server.messages) == 2  # the limit, not one more
    # The pair was held whole; held replies are then released oldest first as far as the hour
    # allows: the reply went, its forward waits for the next slot.
    assert outbox_states(tmp_path) == {"sent": 2, "held": 1}


def test_the_global_brake_holds_replies_alerts_once_and_intake_goes_on(dovecot, smtp_server, tmp_path):
    settings = loop_settings(tmp_path, dovecot, smtp_server.port,
                             limits={"per_sender": 3, "per_case": 2, "per_hour": 3})
    # Requests that no colleague gets a forward of (forwards count in the brake too).
    unrouted = ("po_change", "automatic_meter_reads", "po_change_missing_contract")
    dovecot.multiappend(BOT, "INBOX", [request(unrouted[i % 3], f"client{i}@client.example",
                                               f"brake-{i}@client.example") for i in range(6)])
    first = mailbot(settings, "once")
    smtp_server.wait_for(3)
    time.sleep(0.5)
    assert [r.message["In-Reply-To"] for r in smtp_server.messages] == [
        f"<brake-{i}@client.example>" for i in range(3)]
    assert outbox_states(tmp_path) == {"sent": 3, "held": 3}
    assert first.stdout.count("reply held") == 3
    errors = [line for line in first.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "sending stopped: 3 replies in the last hour" in errors[0], first.stderr
    assert dovecot.uids(BOT, "INBOX") == [] and filed(dovecot) == 6
    with db(tmp_path) as conn:
        alerts = conn.execute("select kind, message, cleared_at from alerts").fetchall()
    assert [tuple(a) for a in alerts] == [("brake", "sending stopped: 3 replies in the last hour (limit 3)",
                                           None)]

    # More mail while the brake is on: read, decided, moved, held; no second alert or ERROR.
    dovecot.multiappend(BOT, "INBOX", [request("po_change", f"late{i}@client.example",
                                               f"late-{i}@client.example") for i in range(2)])
    second = mailbot(settings, "once")
    time.sleep(0.5)
    assert len(smtp_server.messages) == 3
    assert outbox_states(tmp_path) == {"sent": 3, "held": 5}
    assert "sending stopped" not in second.stderr
    assert dovecot.uids(BOT, "INBOX") == [] and filed(dovecot) == 8
    with db(tmp_path) as conn:
        assert conn.execute("select count(*) from alerts").fetchone()[0] == 1

    # An hour later (the sent replies are backdated): held replies go out, oldest first, 3 at most.
    with db(tmp_path) as conn:
        conn.execute("update outbox set sent_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-2 hours') "
                     "where state = 'sent'")
    mailbot(settings, "once")
    smtp_server.wait_for(6)
    time.sleep(0.5)
    assert [r.message["In-Reply-To"] for r in smtp_server.messages[3:]] == [
        f"<brake-{i}@client.example>" for i in range(3, 6)]
    assert outbox_states(tmp_path) == {"sent": 6, "held": 2}


# -- (d) a real vacation responder --------------------------------------------------------

VACATION = """require ["vacation", "vacation-seconds"];
vacation :seconds 1 :subject "Absent" "Je suis absent jusqu'au 7 décembre.";
"""


def automatic(received) -> bool:
    return (received.message["Auto-Submitted"] or "no").split(";")[0].strip().lower() != "no"


def test_a_sieve_vacation_responder_and_mailbot_stop_after_one_automatic_message_each_way(
        dovecot, delivering_smtp, tmp_path):
    """The customer is away (a real Sieve vacation, answering every 1 s at most); mailbot's
    replies are delivered into the customer's mailbox by the SMTP server, and anything the
    vacation sends comes back into mailbot's.

    mailbot answers the customer once. Sieve does not answer that reply: it comes from the
    null sender with Auto-Submitted (the log says so). Then a person of the service desk
    writes to the customer from the same mailbox, with an ordinary sender: the vacation
    does answer that one, into mailbot's inbox; mailbot reads it and does not answer it.
    Nothing more happens afterwards."""
    smtp = delivering_smtp
    dovecot.sieve_put(CUSTOMER, "away", VACATION)
    settings = loop_settings(tmp_path, dovecot, smtp.port, limits={})  # the shipped defaults
    settings.write_text(settings.read_text(encoding="utf-8") + f'\n[bot]\naddress = "{BOT}"\n',
                        encoding="utf-8")
    request_id = "away-1@example.test"
    raw = request("po_change", CUSTOMER, request_id).replace(
        b"contrats.service.wfps@cf.canon.fr", BOT.encode())
    dovecot.deliver(BOT, raw, sender=CUSTOMER)

    log = tmp_path / "daemon.log"
    daemon = start_daemon(settings, log)
    try:
        [ours] = smtp.wait_for(1, timeout=60)
        smtp.wait_delivered()
        wait_until(lambda: "discarded vacation reply to <>" in dovecot.log_text(), 10,
                   "Sieve to decide about mailbot's reply")

        desk_id = make_msgid("desk", "example.test")
        desk = (f"From: Service desk <{BOT}>\r\nTo: {CUSTOMER}\r\nSubject: Votre contrat\r\n"
                f"Message-ID: {desk_id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "\r\nBonjour, pouvez-vous nous rappeler ?\r\n").encode()
        with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as client:
            client.sendmail(BOT, [CUSTOMER], desk)
        smtp.wait_for(3, timeout=20)  # the desk's message, then the vacation's answer to it
        smtp.wait_delivered()
        wait_until(lambda: dovecot.uids(BOT, "INBOX") == [] and filed(dovecot) == 2,
                   30, "mailbot to read the vacation reply")
        time.sleep(4)  # long enough for another round: Sieve answers every second, IDLE in 0.5 s
        smtp.wait_delivered()
    finally:
        assert stop_daemon(daemon) == 0, log.read_text()

    transcript = smtp.messages
    assert len(transcript) == 3, [(m.mail_from, m.rcpt_tos, m.message["Subject"]) for m in transcript]
    ours, human, vacation = transcript
    # mailbot answered the customer once, as a robot must
    assert (ours.mail_from, ours.rcpt_tos) == ("", [CUSTOMER])
    assert ours.message["In-Reply-To"] == f"<{request_id}>" and automatic(ours)
    assert [m for m in transcript if m.rcpt_tos == [CUSTOMER] and automatic(m)] == [ours]
    # the vacation answered the desk's message once, and never mailbot's reply
    assert human.message["Message-ID"] == desk_id and not automatic(human)
    assert (vacation.mail_from, vacation.rcpt_tos) == ("", [BOT])
    assert vacation.message["In-Reply-To"] == desk_id and automatic(vacation)
    assert [m for m in transcript if m.rcpt_tos == [BOT] and automatic(m)] == [vacation]
    assert dovecot.log_text().count("sent vacation response") == 1
    # mailbot read the vacation reply and did not answer it
    row = ledger(tmp_path, vacation.message["Message-ID"])
    assert row is not None and row["action"] == "ignore"
    assert outbox_states(tmp_path) == {"sent": 1}
    customer_inbox = dovecot.fetch_all(CUSTOMER)
    assert [b"Auto-Submitted: auto-replied" in m for m in customer_inbox] == [True, False]
