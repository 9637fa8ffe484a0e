"""Missing fields, lead time and the action follow the seed's rules, kept as data."""

from datetime import datetime, timedelta, timezone

import pytest

from mailbot.read.analysis import empty_fields
from mailbot.decide.measures import is_nominative, lead_time_ok, missing_fields
from mailbot.read.rules import ROUTES, RulesError, load_rules
from tests.support import reading_decision

RULES = load_rules()
PARIS_WINTER = timezone(timedelta(hours=1))


def fields(**values):
    result = empty_fields()
    result.update(values)
    return result


MISSING = [
    # (situation, fields, expected missing)
    ("po_change", fields(contract_number="CT-1", po_number="BC-1"), []),
    ("po_change", fields(po_number="BC-1"), ["contract_number"]),
    ("po_change", fields(), ["contract_number", "po_number"]),
    ("equipment_move", fields(serial_numbers=["PW345-0061287"], new_address_postcode="69100"), []),
    ("equipment_move", fields(serial_numbers=["PW345-0061287"]), ["new_address"]),
    ("equipment_move", fields(serial_numbers=["PW345-0061287"], new_email="atelier@x.fr"), ["new_address"]),
    ("billing_entity_change", fields(serial_numbers=["3Y078344"]), ["kbis"]),
    ("billing_entity_change", fields(kbis=True), ["serial_numbers"]),
    ("invoice_address_change", fields(customer_number="1039946", new_address_postcode="35510"), []),
    ("invoice_address_change", fields(customer_number="1039946", new_email="factures@x.fr"), []),
    ("invoice_address_change", fields(new_email="factures@x.fr"), ["customer_number"]),
    ("invoice_by_email", fields(contract_number="CT-1", new_email="compta.fournisseurs@x.fr"), []),
    ("invoice_by_email", fields(contract_number="CT-1", new_email="claire.vasseur@x.fr"), ["new_email"]),
    ("invoice_by_email", fields(new_email="gestion.financiere@x.fr"), ["contract_number"]),
    ("meter_read_request", fields(serial_numbers=["3Y 064219"]), ["meter_readings"]),
    ("meter_read_request", fields(meter_readings=[25604]), ["serial_numbers"]),
    ("automatic_meter_reads", fields(), ["serial_numbers"]),
    ("contract_termination", fields(contract_number="CT-1"), ["serial_numbers"]),
    ("bank_details_check", fields(), []),
    ("other", fields(), []),
]


@pytest.mark.parametrize("situation, given, expected", MISSING, ids=[f"{s}-{i}" for i, (s, _, _) in enumerate(MISSING)])
def test_missing(situation, given, expected):
    rule = RULES.situations[situation]
    got = reading_decision(situation, given, RULES).missing
    assert got == expected
    assert missing_fields(rule.required, given, generic_email=rule.generic_email,
                          postal_address=rule.postal_address) == (
        expected if situation != "other" else []
    )


@pytest.mark.parametrize(
    "address, nominative",
    [
        ("jean.dupont@x.fr", True),
        ("j.dupont@x.fr", True),
        ("claire_vasseur@x.fr", True),
        ("factures@x.fr", False),
        ("compta.fournisseurs@x.fr", False),
        ("gestion.financiere@x.fr", False),
        ("factures-fournisseurs@x.fr", False),
        ("services.techniques@x.fr", False),
        ("accounts.payable@x.com", False),
    ],
)
def test_nominative(address, nominative):
    assert is_nominative(address) is nominative


@pytest.mark.parametrize(
    "effective, received, expected",
    [
        ("2027-04-01", datetime(2027, 3, 1, 11, 20, tzinfo=PARIS_WINTER), True),  # exactly one month
        ("2027-03-31", datetime(2027, 3, 1, 11, 20, tzinfo=PARIS_WINTER), False),
        ("2027-01-01", datetime(2026, 12, 15, 16, 42, tzinfo=PARIS_WINTER), False),
        ("2027-02-28", datetime(2027, 1, 31, 9, 0, tzinfo=PARIS_WINTER), True),  # month end clamps
        # 23:30 UTC on 30 Nov is 1 Dec in Paris: one month later is 1 Jan
        ("2026-12-31", datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc), False),
        ("2027-01-01", datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc), True),
        (None, datetime(2027, 3, 1, tzinfo=PARIS_WINTER), None),
        ("2027-04-01", None, None),
    ],
)
def test_lead_time(effective, received, expected):
    assert lead_time_ok(effective, received, 1) is expected


def test_no_lead_time_rule_means_unknown():
    received = datetime(2027, 3, 1, tzinfo=PARIS_WINTER)
    assert lead_time_ok("2027-03-02", received, 0) is None
    got = reading_decision("contract_termination", fields(effective_date="2027-03-02"), RULES, received=received)
    assert got.lead_time_ok is None


ACTIONS = [
    # (situation, fields, confidence, automated, fraud signals, expected action)
    ("po_change", fields(contract_number="CT-1", po_number="BC-1"), 0.9, False, None, "acknowledge"),
    ("po_change", fields(po_number="BC-1"), 0.9, False, None, "request_info"),
    ("po_change", fields(contract_number="CT-1", po_number="BC-1"), 0.3, False, None, "review"),
    ("po_change", fields(contract_number="CT-1", po_number="BC-1"), 0.9, True, None, "ignore"),
    ("other", fields(), 1.0, False, None, "review"),
    ("other", fields(), 1.0, True, None, "ignore"),
    ("bank_details_check", fields(), 0.9, False, ("iban",), "review"),
    ("bank_details_check", fields(), 0.9, False, None, "acknowledge"),
]


@pytest.mark.parametrize("situation, given, confidence, automated, warnings, expected", ACTIONS)
def test_action(situation, given, confidence, automated, warnings, expected):
    decision = reading_decision(situation, given, RULES, confidence=confidence, automated=automated,
                                fraud=warnings or ())
    assert decision.action == expected
    assert decision.reasons


def test_late_request_is_still_acknowledged_with_a_reason():
    received = datetime(2026, 12, 15, 16, 42, tzinfo=PARIS_WINTER)
    given = fields(contract_number="4500162207", po_number="EJ-2027-000518", effective_date="2027-01-01")
    decision = reading_decision("po_change", given, RULES, received=received)
    assert (decision.action, decision.lead_time_ok) == ("acknowledge", False)
    assert any(r.startswith("late") for r in decision.reasons)


# -- the rules file --------------------------------------------------------------------------------


def test_rules_file_covers_every_situation_and_field():
    assert set(RULES.situations) == {
        "po_change", "equipment_move", "billing_entity_change", "invoice_address_change", "invoice_by_email",
        "meter_read_request", "automatic_meter_reads", "contract_termination", "bank_details_check", "other",
    }
    assert set(RULES.fields) == {
        "contract_number", "po_number", "serial_numbers", "new_address", "kbis", "customer_number", "new_email",
        "meter_readings",
    }
    assert 0 < RULES.review_below < 1
    for situation in RULES.situations.values():
        assert situation.route in ROUTES
        assert situation.keywords
    assert RULES.situations["po_change"].lead_time_months == 1
    assert RULES.situations["billing_entity_change"].sensitive
    assert [s.id for s in RULES.situations.values() if s.generic_email] == ["invoice_by_email"]
    # readings, remote reading and a check of Canon's bank details take effect at no date (no labelled mail of these
    # has one)
    assert sorted(s.id for s in RULES.situations.values() if not s.effective_date) == [
        "automatic_meter_reads", "bank_details_check", "meter_read_request"]


GOOD = """
[classifier]
review_below = 0.5
[situations.other]
label_fr = "Autre"
label_en = "Other"
required = []
lead_time_months = 0
route = "service_desk"
sensitive = false
keywords = [ { pattern = 'toner', weight = 1.0 } ]
[fields.kbis]
label_fr = "a"
label_en = "b"
where_fr = "c"
where_en = "d"
"""


@pytest.mark.parametrize(
    "change, key",
    [
        (("review_below = 0.5", "review_below = 'high'"), "classifier.review_below"),
        (("review_below = 0.5", "review_below = 2"), "classifier.review_below"),
        (('route = "service_desk"', 'route = "nobody"'), "situations.other.route"),
        (("required = []", 'required = ["kbis", "shoe_size"]'), "situations.other.required"),
        (("required = []", 'required = ["contract_number"]'), "fields.contract_number"),
        (("'toner'", "'(unclosed'"), "situations.other.keywords[0].pattern"),
        (("weight = 1.0 }", "weight = 1.0, excludes = \"po_change\" }"), "situations.other.keywords[0].excludes"),
        (("weight = 1.0 }", "weight = 1.0, excludes = [\"nowhere\"] }"), "situations.other.keywords[0].excludes"),
        (("weight = 1.0", "weight = true"), "situations.other.keywords[0].weight"),
        (("weight = 1.0 }", "weight = 1.0, negates = true }"), "situations.other.keywords[0].negates"),
        (("weight = 1.0 }", "weight = -1.0, negates = \"yes\" }"), "situations.other.keywords[0].negates"),
        (("weight = 1.0 }", "weight = 1.0, cites = 1 }"), "situations.other.keywords[0].cites"),
        (("weight = 1.0 }", "weight = 1.0, about_values = \"yes\" }"), "situations.other.keywords[0].about_values"),
        (("lead_time_months = 0", "lead_time_months = -1"), "situations.other.lead_time_months"),
        (('label_en = "Other"\n', ""), "situations.other.label_en"),
        (("[situations.other]", "[situations.po_change]"), "situations.other"),
        (("where_en = \"d\"", "where_en = 3"), "fields.kbis.where_en"),
        (("sensitive = false", "sensitive = false\neffective_date = \"no\""), "situations.other.effective_date"),
        (("sensitive = false", "sensitive = false\naddress_words = '(traceur'"), "situations.other.address_words"),
        (("sensitive = false", "sensitive = false\naddress_words = 3"), "situations.other.address_words"),
        (("sensitive = false", "sensitive = false\nnew_address = \"no\""), "situations.other.new_address"),
        (("sensitive = false", "sensitive = false\nattached = [\"meter_readings\"]"), "situations.other.attached"),
        (("sensitive = false", "sensitive = false\nattached = \"siren\""), "situations.other.attached"),
        (("review_below = 0.5", "review_below = 0.5\nkeywords_decide = [[\"other\", \"po_change\"]]"),
         "classifier.keywords_decide[0]"),
        (("review_below = 0.5", "review_below = 0.5\nkeywords_decide = [\"other\"]"), "classifier.keywords_decide[0]"),
        (("review_below = 0.5", "review_below = 0.5\nkeywords_decide = \"other\""), "classifier.keywords_decide"),
    ],
)
def test_bad_rules_name_the_key(tmp_path, change, key):
    path = tmp_path / "situations.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert key in str(error.value)
    assert str(path) in str(error.value)


def test_good_minimal_rules_load(tmp_path):
    path = tmp_path / "situations.toml"
    path.write_text(GOOD, encoding="utf-8")
    rules = load_rules(path)
    assert list(rules.situations) == ["other"]
    assert rules.situations["other"].keywords[0].pattern.search("TONER noir")


@pytest.mark.parametrize("content", [None, "not = [valid"])
def test_unreadable_rules(tmp_path, content):
    path = tmp_path / "situations.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError, match="situations.toml"):
        load_rules(path)


def test_patterns_are_accent_tolerant(tmp_path):
    path = tmp_path / "situations.toml"
    path.write_text(GOOD.replace("'toner'", "'résilier'"), encoding="utf-8")
    pattern = load_rules(path).situations["other"].keywords[0].pattern
    assert pattern.search("resilier") and pattern.search("RESILIER")
