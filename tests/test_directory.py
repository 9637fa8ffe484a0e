"""The customer directory: the CSV file, its import, the trust rule and the cross-check (trust.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlite_utils.db import Table

from mailbot.decide import directory, trust
from mailbot.read.analysis import Analysis
from mailbot.read.analyze import analyze
from mailbot.decide.directory import COLUMNS, Directory, DirectoryError, parse_csv, read_csv
from mailbot.paths import SAMPLE_DIRECTORY, SAMPLES_DIR
from mailbot.store import Store, StoreDirectory, directory_counts, replace_directory
from tests.support import AUTHSERV_ID, maildir_processor, unauthenticated

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
OWN = ("contrats.service.wfps@cf.canon.fr",)
HEADER = ",".join(COLUMNS)
ACME = "100001,Acme Impression,acme.fr acme-group.com,am@cf.canon.fr,sales@cf.canon.fr,CT-1,SN-1,1 rue A 75001 Paris"
ACME2 = "100001,Acme Impression,acme.fr acme-group.com,am@cf.canon.fr,sales@cf.canon.fr,CT-1,SN-2,1 rue A 75001 Paris"
ZETA = "200002,Zeta TP,zeta.fr jean.zeta@gmail.com,am@cf.canon.fr,sales@cf.canon.fr,CT-2,SN-3,2 rue B 69001 Lyon"


def csv_text(*lines: str, header: str = HEADER) -> str:
    return "\n".join((header, *lines)) + "\n"


# -- the CSV file ---------------------------------------------------------------------


def test_the_sample_directory_knows_every_sample_sender():
    rows = read_csv(SAMPLE_DIRECTORY)
    assert len({r.customer_number for r in rows}) == 5 and 10 <= len(rows) <= 15
    known = Directory.from_rows(rows)
    for sample in SAMPLES_DIR.glob("*.eml"):
        analysis = analyze(sample.read_bytes(), own_addresses=OWN)
        if analysis.action in ("acknowledge", "request_info"):
            assert known.customers_of_address(analysis.sender), sample.name


def test_a_good_file_is_parsed_and_normalised():
    rows = parse_csv("\ufeff" + csv_text(ACME.replace("CT-1", " ct-1 "), "", ZETA))
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].contract_number == "CT-1" and rows[0].email_domains == ("acme.fr", "acme-group.com")


BAD_FILES = [
    ("empty file", "", "directory: empty file"),
    ("missing column", csv_text(header=HEADER.replace(",site_address", "")), "directory:1: missing column(s): site_address"),
    ("semicolons", csv_text(header=HEADER.replace(",", ";")), "(columns must be separated by commas)"),
    ("unknown column", csv_text(header=HEADER + ",notes"), "directory:1: unknown column(s): notes"),
    ("no rows", csv_text(), "directory: no rows"),
    ("empty value", csv_text(ACME, ZETA.replace("SN-3", "")), "directory:3: column serial_number: empty"),
    ("bad domain", csv_text(ACME.replace("acme.fr ", "acme ")), "directory:2: column email_domains: 'acme' is not a domain"),
    ("bad e-mail", csv_text(ACME.replace("am@cf", "am.cf")), "directory:2: column account_manager_email: 'am.cf.canon.fr' is not an e-mail address"),
    ("too many values", csv_text(ACME + ",extra"), "directory:2: more values than columns"),
    ("serial twice", csv_text(ACME, ACME), "directory:3: column serial_number: SN-1 already on line 2"),
    ("contract of two customers", csv_text(ACME, ZETA.replace("CT-2", "CT-1")),
     "directory:3: column contract_number: CT-1 belongs to customer 100001 on line 2"),
    ("customer name differs", csv_text(ACME, ACME2.replace("Acme Impression", "Acme SA")),
     "directory:3: column customer_name: customer 100001 has 'Acme Impression' on line 2"),
    ("customer domains differ", csv_text(ACME, ACME2.replace(" acme-group.com", "")),
     "directory:3: column email_domains: customer 100001 has 'acme.fr acme-group.com' on line 2"),
    ("a column renamed", csv_text(header=HEADER.replace("site_address", "adresse du site")),
     "directory:1: missing column(s): site_address (found instead: adresse du site)"),
    ("two columns missing", csv_text(header=HEADER.replace(",contract_number,serial_number", "")),
     "directory:1: missing column(s): contract_number, serial_number"),
    ("no header line", csv_text(ZETA, header=ACME),
     f"directory:1: missing column(s): all of {HEADER} (the first line must be the header line, naming the columns)"),
    ("tabs", csv_text(header=HEADER.replace(",", "\t")), "(columns must be separated by commas)"),
]


@pytest.mark.parametrize("text, message", [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_a_bad_file_is_refused_naming_the_line_and_column(text, message):
    with pytest.raises(DirectoryError) as caught:
        parse_csv(text)
    assert message in str(caught.value)


def test_an_unreadable_file_is_named(tmp_path):
    with pytest.raises(DirectoryError, match="cannot read"):
        read_csv(tmp_path / "nope.csv")
    (tmp_path / "latin1.csv").write_bytes(csv_text(ACME.replace("Acme", "Acm\xe9")).encode("latin-1"))
    with pytest.raises(DirectoryError, match="not UTF-8"):
        read_csv(tmp_path / "latin1.csv")


SAVE_AS = 'save it as CSV UTF-8 from Excel (File > Save As > "CSV UTF-8 (comma delimited)")'


def test_a_file_not_in_utf8_names_the_line_and_says_how_to_save_it(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(csv_text(ACME, ZETA.replace("Zeta TP", "Zêta TP")).encode("cp1252"))
    with pytest.raises(DirectoryError) as caught:
        read_csv(path)
    assert str(caught.value) == (f"{path}:3: not UTF-8 text (byte 0xEA after '200002,Z', as Excel's plain \"CSV\" "
                                 f"writes it (Windows-1252)): {SAVE_AS}")
    path.write_bytes(csv_text(ACME).encode("utf-16"))
    with pytest.raises(DirectoryError) as caught:
        read_csv(path)
    assert str(caught.value) == f"{path}:1: not UTF-8 but UTF-16 (Excel's \"Unicode text\"): {SAVE_AS}"
    path.write_bytes(b"\x81" + csv_text(ACME).encode())
    with pytest.raises(DirectoryError, match=r"excel.csv:1: not UTF-8 text \(byte 0x81 at the start of the line\)"):
        read_csv(path)


def test_import_of_a_file_not_in_utf8_exits_2_with_one_line(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("", encoding="utf-8")
    path = tmp_path / "excel.csv"
    path.write_bytes(csv_text(ACME.replace("Acme", "Acmé")).encode("latin-1"))
    result = mailbot(settings, "directory", "import", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"mailbot: error: {path}:2: not UTF-8 text (byte 0xE9 after '100001,Acm'")
    assert result.stderr.endswith(f"{SAVE_AS}\n") and result.stderr.count("\n") == 1
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(csv_text(ACME, header=HEADER.replace("email_domains", "domaines")), encoding="utf-8")
    result = mailbot(settings, "directory", "import", str(renamed))
    assert result.returncode == 2 and result.stderr == (f"mailbot: error: {renamed}:1: missing column(s): "
                                                         f"email_domains (found instead: domaines)\n")


# -- lookups ----------------------------------------------------------------------------


@pytest.fixture(params=["rows", "store"])
def lookup(request, tmp_path):
    rows = parse_csv(csv_text(ACME, ACME2, ZETA))
    if request.param == "rows":
        yield Directory.from_rows(rows)
        return
    store = Store(tmp_path / "m.db")
    replace_directory(store, rows)
    yield StoreDirectory(store)
    store.close()


def test_lookups_answer_the_same_from_rows_and_from_the_database(lookup):
    assert lookup.loaded()
    assert lookup.customers_of_address("a@acme.fr") == ["100001"]
    assert lookup.customers_of_address("x@mail.acme-group.com") == ["100001"], "a sub-domain is the customer's"
    assert lookup.customers_of_address("a@notacme.fr") == []
    assert lookup.customers_of_address("jean.zeta@gmail.com") == ["200002"], "listed whole"
    assert lookup.customers_of_address("someone.else@gmail.com") == [], "a provider's domain is nobody's"
    assert lookup.senders_of("200002") == ["jean.zeta@gmail.com", "zeta.fr"]
    assert directory.serial_on_contract(lookup, "sn-2", "CT-1") is True
    assert directory.serial_on_contract(lookup, "SN-3", "CT-1") is False
    assert directory.serial_on_contract(lookup, "SN-9", "CT-1") is None
    assert directory.contract_of_customers(lookup, "CT-2", ["200002"]) is True
    assert directory.contract_of_customers(lookup, "CT-2", ["100001"]) is False
    assert directory.contract_of_customers(lookup, "CT-9", ["100001"]) is None


def fields(contract=None, serials=(), customer=None, new_email=None) -> dict:
    return {"contract_number": contract, "serial_numbers": list(serials), "customer_number": customer,
            "new_email": new_email}


def message(sender="a@acme.fr", reply_to="", given=None, auth="pass", plain=True) -> Analysis:
    return Analysis(sender=sender, sender_plain=plain, reply_to=reply_to, reply_to_plain=bool(reply_to),
                    fields=given or fields(), auth={"status": auth, "method": "dmarc", "detail": f"dmarc={auth}"})


CHECKS = [
    # (what, sensitive, message, expected review codes, expected recipient)
    ("customer, its own numbers", True, message(given=fields("CT-1", ["SN-1"])), set(), "a@acme.fr"),
    ("a Reply-To outside the customer is not written to", True,
     message(reply_to="pay@evil.fr"), set(), "a@acme.fr"),
    ("a Reply-To in the sender's domain is", False, message(reply_to="compta@acme.fr"), set(), "compta@acme.fr"),
    ("a Reply-To of the same customer is", False, message(reply_to="x@acme-group.com"), set(), "x@acme-group.com"),
    ("a Reply-To that is not plain is not", False,
     Analysis(sender="a@acme.fr", sender_plain=True, reply_to="=?utf-8?q?v=40x.example?=", reply_to_plain=False,
              fields=fields(), auth={"status": "pass"}), set(), "a@acme.fr"),
    ("unknown sender", True, message(sender="a@other.fr"), {trust.SENDER_UNKNOWN}, "a@other.fr"),
    ("unknown sender citing a customer's contract", False, message(sender="p.martin@evil.example",
                                                                   given=fields("CT-1", ["SN-1"])),
     {trust.SENDER_UNKNOWN, trust.NUMBERS_OF_KNOWN_CUSTOMER}, "p.martin@evil.example"),
    ("unknown sender, unknown numbers", False, message(sender="a@other.fr", given=fields("CT-404")),
     {trust.SENDER_UNKNOWN}, "a@other.fr"),
    ("a From that is not plain: nobody is written to", False, message(plain=False), {trust.FROM_NOT_PLAIN}, None),
    ("sensitive, not authenticated", True, message(auth="none"), {trust.UNAUTHENTICATED}, "a@acme.fr"),
    ("not sensitive, not authenticated", False, message(auth="none"), set(), "a@acme.fr"),
    ("forged, whatever the situation", False, message(auth="fail"), {trust.AUTH_FAILED}, "a@acme.fr"),
    ("serial not on the contract", False, message(given=fields("CT-1", ["SN-3"])), {trust.SERIAL_NOT_ON_CONTRACT},
     "a@acme.fr"),
    ("contract of another customer", False, message(given=fields("CT-2")), {trust.CONTRACT_OF_ANOTHER}, "a@acme.fr"),
    ("serial of another customer", False, message(given=fields(None, ["SN-3"])), {trust.SERIAL_OF_ANOTHER},
     "a@acme.fr"),
    ("another customer's serial written differently", False, message(given=fields(None, ["sn 3"])),
     {trust.SERIAL_OF_ANOTHER}, "a@acme.fr"),
    ("another customer's contract written differently", False, message(given=fields("ct\u20132")),
     {trust.CONTRACT_OF_ANOTHER}, "a@acme.fr"),
    ("its own serial written differently is on its contract", False, message(given=fields("CT 1", ["sn1"])),
     set(), "a@acme.fr"),
    ("customer number of another customer", False, message(given=fields(customer="200002")),
     {trust.CUSTOMER_NUMBER_OF_ANOTHER}, "a@acme.fr"),
    ("numbers not in the directory are noted, not held against it", False,
     message(given=fields("CT-404", ["SN-404"])), set(), "a@acme.fr"),
    ("a customer on a provider, listed whole", False, message(sender="jean.zeta@gmail.com", given=fields("CT-2")),
     set(), "jean.zeta@gmail.com"),
    ("another user of that provider is unknown", False,
     message(sender="jean.zeta2@gmail.com", given=fields("CT-2")),
     {trust.SENDER_UNKNOWN, trust.NUMBERS_OF_KNOWN_CUSTOMER}, "jean.zeta2@gmail.com"),
    ("the same domain as a provider address is not the same sender", False,
     message(sender="jean.zeta@gmail.com", reply_to="attacker@gmail.com"), set(), "jean.zeta@gmail.com"),
]


@pytest.mark.parametrize("what, sensitive, analysis, codes, recipient", CHECKS, ids=[c[0] for c in CHECKS])
def test_trust(lookup, what, sensitive, analysis, codes, recipient):
    verdict = trust.judge(lookup, analysis, sensitive=sensitive, checks_new_email=False)
    assert all(e.stage == "trust" for e in verdict.evidence) and verdict.evidence
    assert verdict.codes == codes, [f.reason for f in verdict.review]
    assert verdict.recipient == recipient


NEW_EMAILS = [
    ("factures@acme.fr", set()),
    ("compta@mail.acme-group.com", set()),
    ("factures@acme-compta.fr", {trust.NEW_EMAIL_LOOKALIKE}),
    ("factures@acme.com", {trust.NEW_EMAIL_LOOKALIKE}),
    ("factures@acrne.fr", {trust.NEW_EMAIL_LOOKALIKE}),
    ("factures@cabinet-expert.fr", {trust.NEW_EMAIL_FOREIGN}),
]


@pytest.mark.parametrize("new_email, codes", NEW_EMAILS)
def test_a_new_invoice_address_must_be_the_customers(lookup, new_email, codes):
    verdict = trust.judge(lookup, message(given=fields(new_email=new_email)), sensitive=True, checks_new_email=True)
    assert verdict.codes == codes, [f.reason for f in verdict.review]
    if trust.NEW_EMAIL_LOOKALIKE in codes:
        assert "looks like the customer's" in verdict.review[0].reason


def test_trust_without_a_directory():
    verdict = trust.judge(Directory(), message(given=fields("CT-1")), sensitive=False, checks_new_email=False)
    assert verdict.codes == {trust.NO_DIRECTORY} and verdict.unknown_sender and verdict.recipient == "a@acme.fr"


def test_a_public_provider_is_refused_as_a_customer_domain():
    with pytest.raises(DirectoryError, match=r"directory:2: column email_domains: 'gmail.com' is a public mailbox "
                                             r"provider .* list the customer's full addresses instead"):
        parse_csv(csv_text(ACME.replace("acme.fr acme-group.com", "acme.fr gmail.com")))
    with pytest.raises(DirectoryError, match="'orange.fr' is a public mailbox provider"):
        parse_csv(csv_text(ACME.replace("acme.fr acme-group.com", "orange.fr")))
    with pytest.raises(DirectoryError, match="is not a plain e-mail address"):
        parse_csv(csv_text(ACME.replace("acme.fr acme-group.com", 'a..b@gmail.com')))


# -- the import command -------------------------------------------------------------------


def mailbot(settings: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailbot", "--settings", str(settings), *args],
                          capture_output=True, text=True, timeout=60)


def test_import_replaces_the_directory_and_refuses_bad_input_leaving_it_whole(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("", encoding="utf-8")
    first = mailbot(settings, "directory", "import", str(SAMPLE_DIRECTORY))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("5 customers, 12 e-mail domains, 10 contracts, 13 equipment")

    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(ACME, ZETA.replace("zeta.fr", "zeta")), encoding="utf-8")
    refused = mailbot(settings, "directory", "import", str(bad))
    assert refused.returncode == 2
    assert refused.stderr == f"mailbot: error: {bad}:3: column email_domains: 'zeta' is not a domain " \
                             f"(write e.g. 'acme.fr', several separated by spaces)\n"
    store = Store(tmp_path / "var" / "mailbot.db")
    assert directory_counts(store)["equipment"] == 13, "a refused file changes nothing"
    store.close()

    good = tmp_path / "good.csv"
    good.write_text(csv_text(ACME, ZETA), encoding="utf-8")
    second = mailbot(settings, "directory", "import", str(good))
    assert second.returncode == 0, second.stderr
    assert "2 customers, 4 e-mail domains, 2 contracts, 2 equipment" in second.stdout
    store = Store(tmp_path / "var" / "mailbot.db")
    assert store.db.execute("select serial_number from equipment order by 1").fetchall() == [("SN-1",), ("SN-3",)]
    assert StoreDirectory(store).customers_of_address("x@ormeval-impression.fr") == [], "the old rows are gone"
    store.close()


def test_import_is_one_transaction(tmp_path, monkeypatch):
    store = Store(tmp_path / "m.db")
    replace_directory(store, parse_csv(csv_text(ACME, ZETA)))
    before = directory_counts(store)
    real = Table.insert_all

    def failing(self, records, *args, **kwargs):
        if self.name == "equipment":
            raise RuntimeError("disk full")
        return real(self, records, *args, **kwargs)

    monkeypatch.setattr(Table, "insert_all", failing)
    with pytest.raises(RuntimeError):
        replace_directory(store, parse_csv(csv_text(ACME2)))
    assert directory_counts(store) == before
    assert StoreDirectory(store).serial_contract("SN-3") == "CT-2"
    store.close()


# -- the trust rule in the processor (Maildir in and out, no network) ---------------------


@pytest.fixture
def bot(tmp_path):
    processor, store, inbox = maildir_processor(tmp_path, {"trust": {"authserv_id": AUTHSERV_ID}}, clock=lambda: NOW)
    count = iter(range(1000))

    def deliver_and_run(raw: bytes) -> dict:
        name = f"m{next(count)}"
        raw = re.sub(rb"(?mi)^Message-ID:.*$", f"Message-ID: <{name}@test>".encode(), raw, count=1)
        (inbox / "tmp" / name).write_bytes(raw)
        (inbox / "tmp" / name).rename(inbox / "new" / name)
        assert processor.run_once() == 1
        action, analysis = store.db.execute("select action, analysis from messages where uid = ?",
                                            [name]).fetchone()
        analysis = json.loads(analysis)
        assert analysis["action"] == action
        return analysis

    yield store, deliver_and_run
    store.close()


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / f"{name}.eml").read_bytes()


def from_(raw: bytes, address: str) -> bytes:
    return re.sub(rb"(?mi)^From:.*$", f"From: Someone <{address}>".encode(), raw, count=1)


def trust_details(analysis: dict) -> list[str]:
    return [e["detail"] for e in analysis["evidence"] if e["stage"] == "trust"]


def codes(analysis: dict) -> set[str]:
    return {e["name"] for e in analysis["evidence"] if e["stage"] == "trust"}


def test_sensitive_request_from_a_customer_domain_is_acknowledged(bot):
    store, run = bot
    replace_directory(store, read_csv(SAMPLE_DIRECTORY))
    analysis = run(sample("invoice_by_email"))
    assert analysis["action"] == "acknowledge"
    assert "t.gaudemard@gaudemard-tp.fr: customer 1052290 (Gaudemard TP)" in trust_details(analysis)
    assert "contract CT-2025-07350: customer 1052290 (Gaudemard TP)" in trust_details(analysis)
    assert store.outbox_counts() == {"sent": 2}  # the acknowledgement, and the forward to the account manager
    assert [r["kind"] for r in store.db.query("select kind from outbox order by id")] == ["acknowledge", "forward"]


def test_a_request_from_outside_the_directory_gets_a_neutral_acknowledgement_and_a_person(bot):
    store, run = bot
    replace_directory(store, read_csv(SAMPLE_DIRECTORY))
    for name in ("invoice_by_email", "billing_entity_change", "invoice_address_change", "bank_details_check"):
        analysis = run(from_(unauthenticated(sample(name)), "compta@gaudemard-tp-fr.com"))
        assert analysis["action"] == "review", name
        assert "sender compta@gaudemard-tp-fr.com is not in the customer directory" in analysis["reasons"]
        assert trust.SENDER_UNKNOWN in codes(analysis)
        assert trust.UNAUTHENTICATED in codes(analysis)
    rows = list(store.db.query("select kind, recipient, state from outbox"))
    assert rows == [{"kind": "neutral_ack", "recipient": "compta@gaudemard-tp-fr.com", "state": "sent"}], \
        "one neutral acknowledgement a day to an address outside the directory (bank details: none, fraud check)"


def test_a_from_changed_after_our_mta_judged_it_is_forged(bot):
    store, run = bot
    replace_directory(store, read_csv(SAMPLE_DIRECTORY))
    analysis = run(from_(sample("invoice_by_email"), "compta@gaudemard-tp-fr.com"))  # DMARC judged gaudemard-tp.fr
    assert analysis["action"] == "review" and trust.AUTH_FAILED in codes(analysis)
    assert store.outbox_counts() == {}, "no acknowledgement to an address our MTA calls forged"


def test_a_reply_to_outside_the_directory_is_never_written_to(bot):
    store, run = bot
    replace_directory(store, read_csv(SAMPLE_DIRECTORY))
    raw = sample("invoice_by_email").replace(b"\nSubject:", b"\nReply-To: <factures@gaudemard-compta.eu>\nSubject:", 1)
    analysis = run(raw)
    assert analysis["action"] == "acknowledge"
    assert "reply_to_refused" in codes(analysis)
    assert {r["recipient"] for r in store.db.query("select recipient from outbox where kind != 'forward'")} == {
        "t.gaudemard@gaudemard-tp.fr"}


def test_without_a_directory_nobody_is_known(bot):
    store, run = bot
    analysis = run(sample("billing_entity_change"))
    assert analysis["action"] == "review"
    assert "no customer directory loaded: the sender cannot be checked" in analysis["reasons"]
    assert trust.NO_DIRECTORY in codes(analysis)
    assert run(sample("po_change"))["action"] == "review", "not sensitive, but the sender cannot be checked"
    assert {r["kind"] for r in store.db.query("select kind from outbox")} == {"neutral_ack"}


def test_a_contract_of_another_customer_goes_to_review(bot):
    store, run = bot
    replace_directory(store, read_csv(SAMPLE_DIRECTORY))
    assert run(sample("po_change"))["action"] == "acknowledge"
    analysis = run(sample("po_change").replace(b"CT-2026-01234", b"CT-2025-07350"))
    assert analysis["action"] == "review"
    assert analysis["reasons"][-1] == ("contract CT-2025-07350 belongs to customer 1052290 (Gaudemard TP), "
                                       "not to the sender's (1048877 (Berthomieu Castagnier Ingénierie))")
    assert analysis["reasons"][-1] in trust_details(analysis)


def test_a_serial_not_on_the_contract_given_goes_to_review(bot):
    store, run = bot
    rows = read_csv(SAMPLE_DIRECTORY)
    replace_directory(store, rows)
    raw = sample("invoice_by_email").replace(b"CT-2025-07350", b"CT-2025-07350, matricule PW345-0011207", 1)
    analysis = run(raw)
    if "PW345-0011207" not in analysis["fields"]["serial_numbers"]:
        pytest.fail(f"the test needs the serial extracted: {analysis['fields']}")
    assert analysis["action"] == "review"
    assert "serial PW345-0011207 is on contract CT-2024-08802, not on contract CT-2025-07350" in analysis["reasons"]
