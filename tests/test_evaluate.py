"""mailbot eval: the metrics on a tiny corpus written here, the CLI, and the dev-corpus acceptance bar."""

import copy
import json
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.read.analysis import FIELD_KEYS, Analysis, empty_fields
from mailbot.read.evaluate import CorpusError, Label, compare, corpus_examples, evaluate, score, side_by_side

DEV_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/dev"
SIGNATURE = "\n\nCordialement,\nMarc Lefort\nAtelier Lefort – 12 rue du Port – 13002 Marseille\n"


def mail(body: str, subject: str, headers: dict | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Marc Lefort <m.lefort@atelier-lefort.fr>"
    msg["To"] = "contrats.service.wfps@cf.canon.fr"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Nov 2026 09:30:00 +0100"
    msg["Message-ID"] = f"<{len(subject)}.{len(body)}@atelier-lefort.fr>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def fields(**values) -> dict:
    return {**empty_fields(), **values}


def label(file, situation, *, automated=False, missing=(), lead_time_ok=None, **values) -> dict:
    return {"file": file, "situation": situation, "automated": automated, "fields": fields(**values),
            "missing": list(missing), "lead_time_ok": lead_time_ok, "note": ""}


# The tiny corpus: five messages and what a service-desk reader sees in them.
MESSAGES = {
    "po.eml": mail("Bonjour,\nPour le contrat CT-2026-01234, notre nouveau bon de commande est BC-27-0099, à utiliser "
                   "à compter du 1er janvier 2027 (l'ancien BC-26-0042 est clos)." + SIGNATURE, "Bon de commande 2027"),
    "meters.eml": mail("Bonjour,\nVoici nos relevés de compteurs :\nPW345-0061287 : 32 118 m²\nCW3800-0006109 : "
                       "noir 5 002 m², couleur 14 877 m²" + SIGNATURE, "RE: Demande de relevés compteurs"),
    "email.eml": mail("Bonjour,\nMerci d'envoyer désormais nos factures par e-mail à marc.lefort@atelier-lefort.fr "
                      "à partir du 15 novembre 2026. Contrat CT-2025-07777." + SIGNATURE, "Factures par e-mail"),
    "ooo.eml": mail("Je suis absent jusqu'au 4 janvier 2027.", "Réponse automatique : Bon de commande",
                    {"Auto-Submitted": "auto-replied"}),
    "toner.eml": mail("Bonjour,\nPouvez-vous nous livrer deux cartouches d'encre noire pour notre Arizona ?"
                      + SIGNATURE, "Commande de toner"),
}
TRUTH = [
    label("po.eml", "po_change", lead_time_ok=True, contract_number="CT-2026-01234", po_number="BC-27-0099",
          effective_date="2027-01-01"),
    label("meters.eml", "meter_read_request", serial_numbers=["PW345-0061287", "CW3800-0006109"],
          meter_readings=[32118, 5002, 14877]),
    label("email.eml", "invoice_by_email", missing=["new_email"], lead_time_ok=False,
          contract_number="CT-2025-07777", effective_date="2026-11-15", new_email="marc.lefort@atelier-lefort.fr"),
    label("ooo.eml", "other", automated=True),
    label("toner.eml", "other"),
]


def write_corpus(folder: Path, labels: list[dict], messages: dict = MESSAGES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, raw in messages.items():
        (folder / name).write_bytes(raw)
    (folder / "labels.jsonl").write_text("".join(json.dumps(item) + "\n" for item in labels), encoding="utf-8")
    return folder


def relabel(file: str, path: str, value) -> list[dict]:
    """TRUTH with one label changed (``path`` is "situation" or "fields.po_number"...)."""
    labels = copy.deepcopy(TRUTH)
    target = next(item for item in labels if item["file"] == file)
    *parents, key = path.split(".")
    for parent in parents:
        target = target[parent]
    target[key] = value
    return labels


PERFECT = {"situation_accuracy": 1.0, "situation_macro_f1": 1.0, "automated_precision": 1.0,
           "automated_recall": 1.0, "missing": 1.0, "lead_time_ok": 1.0, **{f"fields.{k}": 1.0 for k in FIELD_KEYS}}

METRIC_CASES = [
    # (id, labels, figures that differ from PERFECT, expected errors as (file, what))
    ("all right", TRUTH, {}, []),
    ("values compared without surrounding spaces", relabel("po.eml", "fields.contract_number", " CT-2026-01234 "),
     {}, []),
    # po_change: P 1/1 R 1/2 F1 2/3; other: P 1/2 R 1/1 F1 2/3; the two others 1.0
    ("wrong situation", relabel("toner.eml", "situation", "po_change"),
     {"situation_accuracy": 0.8, "situation_macro_f1": (2 / 3 + 2 / 3 + 1 + 1) / 4}, [("toner.eml", "situation")]),
    ("automated missed", relabel("toner.eml", "automated", True),
     {"automated_recall": 0.5}, [("toner.eml", "automated")]),
    ("automated wrongly flagged", relabel("ooo.eml", "automated", False),
     {"automated_precision": 0.0, "automated_recall": None}, [("ooo.eml", "automated")]),
    ("old PO is not the new one", relabel("po.eml", "fields.po_number", "BC-26-0042"),
     {"fields.po_number": 0.8}, [("po.eml", "fields.po_number")]),
    ("lists compared in order", relabel("meters.eml", "fields.serial_numbers", ["CW3800-0006109", "PW345-0061287"]),
     {"fields.serial_numbers": 0.8}, [("meters.eml", "fields.serial_numbers")]),
    ("readings are integers as written", relabel("meters.eml", "fields.meter_readings", [32118, 5002]),
     {"fields.meter_readings": 0.8}, [("meters.eml", "fields.meter_readings")]),
    ("dates as ISO strings", relabel("po.eml", "fields.effective_date", "01/01/2027"),
     {"fields.effective_date": 0.8}, [("po.eml", "fields.effective_date")]),
    ("missing", relabel("email.eml", "missing", []), {"missing": 0.8}, [("email.eml", "missing")]),
    ("lead time", relabel("po.eml", "lead_time_ok", None), {"lead_time_ok": 0.8}, [("po.eml", "lead_time_ok")]),
]


def figures(report) -> dict:
    data = report.as_dict()
    flat = {key: data[key] for key in PERFECT if not key.startswith("fields.")}
    flat.update({f"fields.{key}": value for key, value in data["fields"].items()})
    return flat


@pytest.mark.parametrize("labels, changed, errors", [c[1:] for c in METRIC_CASES], ids=[c[0] for c in METRIC_CASES])
def test_metrics(tmp_path, labels, changed, errors):
    report = evaluate(write_corpus(tmp_path / "corpus", labels))
    assert report.messages == len(MESSAGES)
    assert figures(report) == pytest.approx({**PERFECT, **changed})
    assert [(e.file, e.what) for e in report.errors] == errors


def test_an_error_says_what_was_expected_and_what_came_out(tmp_path):
    report = evaluate(write_corpus(tmp_path / "corpus", relabel("po.eml", "fields.po_number", "BC-26-0042")))
    (error,) = report.errors
    assert (error.expected, error.got) == ("BC-26-0042", "BC-27-0099")


def test_per_situation_scores_and_macro_f1_over_gold_and_predicted_labels():
    gold = ["a", "a", "b", "c"]
    predicted = ["a", "b", "b", "d"]
    labels = [Label(i, f"{i}.eml", g, False, empty_fields(), [], None) for i, g in enumerate(gold)]
    results = [Analysis(situation=p) for p in predicted]
    report = score(labels, results)
    assert set(report.situations) == {"a", "b", "c", "d"}
    a, b, c, d = (report.situations[name] for name in "abcd")
    assert (a.precision, a.recall, a.f1) == pytest.approx((1.0, 0.5, 2 / 3))
    assert (b.precision, b.recall, b.f1) == pytest.approx((0.5, 1.0, 2 / 3))
    assert (c.precision, c.recall, c.f1) == (None, 0.0, 0.0)  # never predicted: precision undefined
    assert (d.precision, d.recall, d.f1) == (0.0, None, 0.0)  # never expected: recall undefined
    assert report.situation_accuracy == 0.5
    assert report.situation_macro_f1 == pytest.approx((2 / 3 + 2 / 3) / 4)
    assert report.automated_precision is None and report.automated_recall is None


def test_missing_is_compared_as_a_set():
    gold = Label(1, "x.eml", "billing_entity_change", False, empty_fields(), ["serial_numbers", "kbis"], None)
    result = Analysis(situation="billing_entity_change", missing=["kbis", "serial_numbers"])
    assert compare(gold, result) == []


BAD_CORPORA = [
    # (id, what to do to a good corpus, words the error must contain)
    ("no folder", lambda d: d.rename(d.with_name("gone")), ["no such corpus folder"]),
    ("no labels", lambda d: (d / "labels.jsonl").unlink(), ["no labels.jsonl"]),
    ("empty labels", lambda d: (d / "labels.jsonl").write_text("\n"), ["no labels"]),
    ("label names a missing file", lambda d: (d / "toner.eml").unlink(), ["line 5", "toner.eml", "no such message"]),
    ("invalid JSON", lambda d: (d / "labels.jsonl").write_text(
        json.dumps(TRUTH[0]) + "\n{oops\n"), ["line 2", "invalid JSON"]),
    ("not an object", lambda d: (d / "labels.jsonl").write_text("[1, 2]\n"), ["line 1", "JSON object"]),
    ("a key is missing", lambda d: (d / "labels.jsonl").write_text(
        json.dumps({k: v for k, v in TRUTH[0].items() if k != "situation"}) + "\n"), ["line 1", "situation"]),
    ("a field is missing", lambda d: (d / "labels.jsonl").write_text(
        json.dumps({**TRUTH[0], "fields": {"po_number": None}}) + "\n"), ["line 1", "contract_number"]),
    ("a file labelled twice", lambda d: (d / "labels.jsonl").write_text(
        json.dumps(TRUTH[0]) + "\n" + json.dumps(TRUTH[0]) + "\n"), ["line 2", "already labelled on line 1"]),
]


@pytest.mark.parametrize("damage, words", [c[1:] for c in BAD_CORPORA], ids=[c[0] for c in BAD_CORPORA])
def test_bad_corpus_is_a_clear_error(tmp_path, damage, words):
    corpus = write_corpus(tmp_path / "corpus", TRUTH)
    damage(corpus)
    with pytest.raises(CorpusError) as error:
        evaluate(corpus)
    for word in words:
        assert word in str(error.value)


# -- the command line ---------------------------------------------------------------------------------


def mailbot(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailbot", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_cli_json_is_one_document_with_the_figures_and_the_errors(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", relabel("toner.eml", "situation", "po_change"))
    result = mailbot("eval", str(corpus), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"messages", "situation_accuracy", "situation_macro_f1", "situations", "automated_precision",
            "automated_recall", "fields", "missing", "lead_time_ok", "errors"} <= set(report)
    assert report["messages"] == 5
    assert report["situation_accuracy"] == pytest.approx(0.8)
    assert set(report["fields"]) == set(FIELD_KEYS)
    assert set(report["situations"]["po_change"]) == {"support", "predicted", "precision", "recall", "f1"}
    assert report["errors"] == [{"file": "toner.eml", "what": "situation", "expected": "po_change", "got": "other"}]


def test_cli_text_report_gives_figures_then_one_line_per_error(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", relabel("po.eml", "fields.po_number", "BC-26-0042"))
    result = mailbot("eval", str(corpus), cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # low scores are not a failure of the command
    lines = result.stdout.splitlines()
    assert lines[0].startswith("corpus:") and "5 messages" in lines[0]
    assert any(line.split() == ["po_number", "0.800"] for line in lines)
    assert lines[-2:] == ["errors: 1", "  po.eml: fields.po_number: expected 'BC-26-0042', got 'BC-27-0099'"]


@pytest.mark.parametrize("labels_text, words", [
    (None, "no such corpus folder"),
    ("{oops\n", "line 1: invalid JSON"),
], ids=["missing folder", "bad labels"])
def test_cli_bad_input_exits_2_with_one_line(tmp_path, labels_text, words):
    corpus = tmp_path / "corpus"
    if labels_text is not None:
        write_corpus(corpus, TRUTH)
        (corpus / "labels.jsonl").write_text(labels_text)
    result = mailbot("eval", str(corpus), cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


# -- acceptance: the development corpus -------------------------------------------------------------


def assert_acceptance(report) -> None:
    """Issue #3's floors: situations 0.95, automated recall 1, every field 0.95, missing 0.90, lead time 0.95."""
    errors = "\n".join(f"{e.file}: {e.what}: expected {e.expected!r}, got {e.got!r}" for e in report.errors)
    assert report.situation_accuracy >= 0.95, errors
    assert report.automated_recall == 1.0, errors
    for key, rate in report.fields.items():
        assert rate >= 0.95, f"{key}: {rate:.3f}\n{errors}"
    assert report.missing >= 0.90, errors
    assert report.lead_time_ok >= 0.95, errors


def test_dev_corpus_acceptance():
    assert (DEV_CORPUS / "labels.jsonl").is_file(), (
        f"the labelled dev corpus is expected at {DEV_CORPUS} (../shared beside the repository)")
    report = evaluate(DEV_CORPUS)
    assert report.messages == 36
    assert_acceptance(report)


def test_own_holdout_corpus_meets_the_same_floors():
    """48 messages written without looking at the dev corpus (tests/corpus/holdout)."""
    report = evaluate(Path(__file__).resolve().parent / "corpus" / "holdout")
    assert report.messages == 48
    assert_acceptance(report)


# -- issue #10: the targets on unseen mail, and floors that can only go up ---------------------------

CORPORA = Path(__file__).resolve().parent / "corpus"
# Issue #10's targets: what the product must read on mail nobody tuned it on.
TARGETS = {"situation_accuracy": 0.97, "automated_precision": 1.0, "automated_recall": 1.0, "given_mean": 0.95,
           "given_each": 0.90, "missing": 0.93, "lead_time_ok": 0.95}
# What the tune halves (error analysis) and the sealed halves (each scored once, at the end of the work
# that split it) gave, short of the targets: a change may raise them, never lower them. The README says
# how far each is from TARGETS.
FLOORS = {
    # tune: the first halves of waves 1-4 and 6, and waves 8, 10, 12 to 15, 17, 19, 20, 22b, 23, 24b, 27, 29, 31,
    # 33, 34, 36, 37, 39, 40, 42 and 43
    # (128 + 100 + 80 + 80 + 80 + 100 + 100 + 150 + 150 + 150 + 100 + 50 + 400 + 100 + 200 + 200 + 200 + 200 + 200
    # + 370 + 180 + 120 + 180 + 180 + 135 + 135 + 135 + 90, issue #10); wave 29's purchase orders brought the weakest field from 0.958 to
    # 0.948 (P.O) as it was added; wave 31 brought the situations from 0.990 to 0.988 (its batches read 0.900-1.000 at
    # first sight; no mail of the 2,768 before it reads worse); waves 33 and 34 (purchase orders, readings and
    # addresses: 180 + 120) read fields 0.909-0.980 at first sight; waves 36 and 37 (new addresses and situations that
    # take a careful reading first: 180 + 180) read fields 0.890-0.970 at first sight; with the twelfth session's
    # changes the whole (3,798) reads 0.991 / 0.983 (weakest: SIREN 0.965) / 0.987 / 0.996; waves 39 and 40 (P.O,
    # e-mail, dates and customer numbers, addresses: 135 + 135) read situations 0.933-1.000 and fields 0.832-0.971 at
    # first sight with the thirteenth session's starting code; with its changes the whole (4,068) reads 0.990 / 0.983
    # (weakest: SIREN 0.948, wave 40's SIRENs from signatures, which no other batch labels) / 0.985 / 0.997; waves 42
    # and 43 (addresses, dates and customer numbers, attachments with readings, P.O, e-mail: 135 + 90) read situations
    # 0.933-1.000 and fields 0.878-0.980 at first sight with the fourteenth session's starting code; with its changes
    # the whole (4,293) reads 0.990 / 0.984 (weakest: SIREN 0.950) / 0.985 / 0.997; waves 45 and 47 (P.O, readings and
    # addresses, dates and customer numbers, addresses and situations, e-mail: 5 x 45) read situations 0.956-1.000 and
    # fields 0.937-0.981 at first sight with the fifteenth session's starting code; with its changes the whole (4,518)
    # reads 0.990 / 0.984 (weakest: SIREN 0.953) / 0.986 / 0.997, and with the tokenizer of our own (its retrained model)
    # 0.989 / 0.984 / 0.985 / 0.996; waves 48, 50 and 51 (ten batches of 45: readings and addresses, P.O, e-mail,
    # attachments, dates and customer numbers, addresses and situations) read situations 0.889-1.000 and fields
    # 0.840-1.000 at first sight with the sixteenth session's starting code; with its changes the whole (4,968) reads
    # 0.990 / 0.984 (weakest: SIREN 0.956) / 0.986 / 0.997, and no mail of it reads worse than with that code;
    # wave 53 (four batches of 45: readings and addresses, addresses and situations, attachments with dates and
    # customer numbers, e-mail) read situations 0.911-1.000 and fields 0.927-0.990 at first sight with the
    # seventeenth session's starting code; wave 54 (four more: readings and addresses, P.O with attachments,
    # addresses and situations, dates and customer numbers) 0.956-1.000 and 0.922-0.981; with the session's changes
    # the whole (5,328) reads 0.990 / 0.984 (weakest: SIREN 0.959) / 0.985 / 0.997; waves 56-59 (sixteen batches of
    # 45, each emphasis twice or more) read situations 0.889-1.000 and fields 0.899-0.981 at first sight with the
    # eighteenth session's starting code; with its changes the whole (6,048) reads 0.990 / 0.985 (weakest: SIREN
    # 0.963) / 0.986 / 0.997; waves 60-62 (eighteen batches of 45) read situations 0.889-1.000 and fields 0.890-0.991
    # at first sight with the nineteenth session's starting code; the last 270 (wave 62) came after the session's
    # changes, which read them exactly as that code does, so the whole (6,858) reads 0.990 / 0.983 (weakest: SIREN
    # 0.952) / 0.984 / 0.996 and the floor of `missing` went from 0.985 to 0.983 for those mails (of the first 6,588,
    # none reads worse than with that code); wave 64 (six batches of 45) read situations 0.956-1.000 and fields
    # 0.938-0.990 at first sight with the twentieth session's starting code, and its SIREN figures (signatures' RCS
    # mentions labelled none) brought tune's SIREN to 0.950; with the session's changes the whole (7,128) reads 0.990 /
    # 0.984 (weakest: SIREN 0.958) / 0.985 / 0.996; wave 65 (six more) read situations 0.933-1.000 and fields
    # 0.897-0.991 at first sight with that starting code; waves 67 and 68 (ten batches of 45) read situations
    # 0.933-1.000 and fields 0.941-1.000 at first sight with the twenty-first session's starting code (601f8f1); with
    # its changes the whole (7,848) reads 0.990 / 0.984 (weakest: SIREN 0.961) / 0.985 / 0.996; wave 69 (four more) read
    # situations 0.956-1.000 and fields 0.948-1.000 at first sight with that starting code (da96193: one mail of 180
    # read differently, better), and the whole (8,028) reads 0.990 / 0.984 (SIREN 0.960) / 0.984 / 0.996. Since the
    # twenty-second session tune's mails are the classifier's training examples too (make model): wave 70 (ten batches
    # of 45, 439 -> 447 of 450 situations right at first sight, start code -> code of that moment) joined, and the
    # whole (8,478) reads 0.998 / 0.983 (SIREN 0.957) / 0.989 / 0.998 -- situations on training mails, no measure;
    # wave 72 (six batches of 45, 265 -> 266 of 270 situations at first sight) read fields 0.928-1.000, so the whole
    # (8,748) reads 0.998 / 0.9828 / 0.989 / 0.998 and the floor of the fields' mean went from 0.983 to 0.982 for
    # those mails (of the first 8,478, two read differently with the model that learnt them: one situation better,
    # one worse, no field); wave 73 (six batches of 45, 266 -> 266 of 270 situations at first sight) joined in the
    # twenty-third session, and the whole (9,018) reads 0.998 / 0.9836 (SIREN 0.954) / 0.989 / 0.998; wave 74 (eight
    # batches of 45, 358 -> 359 of 360 situations at first sight) followed: the whole (9,378) reads 0.998 / 0.9836
    # (SIREN 0.956) / 0.989 / 0.998; wave 75 (six batches of 45, 268 -> 268 of 270 at first sight) then: the whole
    # (9,648) reads 0.998 / 0.9833 (P.O 0.956) / 0.989 / 0.998; wave 76 (four batches, 179 -> 179 of 180 at first
    # sight): the whole (9,828) reads 0.998 / 0.9833 (P.O 0.956) / 0.989 / 0.998; waves 77 and 78 (twelve batches of
    # 45, twenty-fourth session; 530 -> 530 of 540 situations at first sight) joined: the whole (10,368) reads 0.998 /
    # 0.9836 (P.O 0.957, SIREN 0.972) / 0.989 / 0.997; waves 79 and 80 (seven batches of 45, twenty-fifth session; 310
    # -> 310 of 315 situations at first sight) joined: the whole (10,683) reads 0.998 / 0.9840 (P.O 0.958, SIREN 0.971)
    # / 0.989 / 0.997
    "tune": {"situation_accuracy": 0.989, "given_mean": 0.982, "given_each": 0.950, "missing": 0.983,
             "lead_time_ok": 0.996},
    # sealed: the first wave's other half; scored at the end of the first session, again (figures only) since
    "sealed": {"situation_accuracy": 0.992, "given_mean": 0.935, "given_each": 0.750, "missing": 0.962,
               "lead_time_ok": 0.992},
    # sealed2: the second wave's other half, scored at the end of issue #10's work in the second session, then
    # (figures only, by this floor test and the final scoring) after the third and fourth waves' changes
    "sealed2": {"situation_accuracy": 0.990, "given_mean": 0.884, "given_each": 0.777, "missing": 0.950,
                "lead_time_ok": 0.960},
    # sealed3: the third wave's other half (with attachments), scored at the end of the third wave's work
    "sealed3": {"situation_accuracy": 0.950, "given_mean": 0.889, "given_each": 0.750, "missing": 0.887,
                "lead_time_ok": 0.962},
    # sealed4: the fourth wave's other half, scored once at the end of the fourth wave's work
    "sealed4": {"situation_accuracy": 0.925, "given_mean": 0.877, "given_each": 0.500, "missing": 0.925,
                "lead_time_ok": 0.950},
    # sealed5: a fifth wave of 120, all sealed (no tune half), scored once at the end of the second session
    "sealed5": {"situation_accuracy": 0.950, "given_mean": 0.882, "given_each": 0.615, "missing": 0.900,
                "lead_time_ok": 0.975},
    # sealed6: the sixth wave's other half, scored once in the middle of the third session
    "sealed6": {"situation_accuracy": 0.987, "given_mean": 0.876, "given_each": 0.666, "missing": 0.962,
                "lead_time_ok": 1.0},
    # sealed7: a seventh wave of 120, all sealed, scored once in the middle of the third session
    "sealed7": {"situation_accuracy": 0.958, "given_mean": 0.886, "given_each": 0.687, "missing": 0.866,
                "lead_time_ok": 0.991},
    # sealed8: a ninth wave of 120, all sealed, scored once at the end of the third session
    "sealed8": {"situation_accuracy": 0.975, "given_mean": 0.940, "given_each": 0.857, "missing": 0.925,
                "lead_time_ok": 0.983},
    # sealed9: an eleventh wave of 120, all sealed, scored once at the end of the fourth session
    "sealed9": {"situation_accuracy": 0.983, "given_mean": 0.923, "given_each": 0.833, "missing": 0.941,
                "lead_time_ok": 0.991},
    # sealed10: a sixteenth wave of 120, all sealed, scored once at the very end of the fourth session
    "sealed10": {"situation_accuracy": 0.975, "given_mean": 0.897, "given_each": 0.818, "missing": 0.950,
                 "lead_time_ok": 0.950},
    # sealed11: an eighteenth wave of 120, all sealed, scored once at the end of the fifth session
    "sealed11": {"situation_accuracy": 0.983, "given_mean": 0.938, "given_each": 0.750, "missing": 0.983,
                 "lead_time_ok": 0.983},
    # sealed12: a twenty-first wave of 120, all sealed after sealed11 was scored, scored once at the very end of
    # the fifth session
    "sealed12": {"situation_accuracy": 0.975, "given_mean": 0.946, "given_each": 0.903, "missing": 0.983,
                 "lead_time_ok": 0.983},
    # sealed13: a twenty-second wave of 120, all sealed at the start of the sixth session, scored once at its end
    "sealed13": {"situation_accuracy": 0.983, "given_mean": 0.971, "given_each": 0.833, "missing": 0.983,
                 "lead_time_ok": 0.966},
    # sealed14: a twenty-fourth wave of 120 (a third of the b+c half with purchase orders), all sealed at the start
    # of the seventh session, scored once at its end
    "sealed14": {"situation_accuracy": 0.966, "given_mean": 0.945, "given_each": 0.807, "missing": 0.933,
                 "lead_time_ok": 0.991},
    # sealed15: a twenty-fifth wave of 120, all sealed after sealed14 was scored, scored once at the very end of the
    # seventh session (the session's final code and its starting code gave the same figures)
    "sealed15": {"situation_accuracy": 0.983, "given_mean": 0.949, "given_each": 0.727, "missing": 0.941,
                 "lead_time_ok": 1.0},
    # sealed16: a twenty-sixth wave of 120, all sealed at the start of the eighth session, scored once at its end
    "sealed16": {"situation_accuracy": 0.983, "given_mean": 0.940, "given_each": 0.800, "missing": 0.916,
                 "lead_time_ok": 0.983},
    # sealed17: a twenty-eighth wave of 120, all sealed at the start of the ninth session, scored once at its end
    # (the session's final code and its starting code gave the same figures)
    "sealed17": {"situation_accuracy": 0.991, "given_mean": 0.959, "given_each": 0.812, "missing": 0.991,
                 "lead_time_ok": 0.983},
    # sealed18: a thirtieth wave of 120 (half with new invoice e-mail addresses in a third of the mail), all sealed
    # at the start of the tenth session, scored at its end (d42de81: fields 0.973); the final review's mends, made
    # after that, read one of its mails differently: this floor is what the final code gives (fields 0.968)
    "sealed18": {"situation_accuracy": 0.983, "given_mean": 0.968, "given_each": 0.833, "missing": 0.975,
                 "lead_time_ok": 1.0},
    # sealed19: a thirty-second wave of 120 (half with purchase orders in a third, half with readings and addresses
    # first), all sealed at the start of the eleventh session, scored once at its end (the session's starting code
    # read one of its mails differently)
    "sealed19": {"situation_accuracy": 0.966, "given_mean": 0.942, "given_each": 0.851, "missing": 0.941,
                 "lead_time_ok": 0.983},
    # sealed20: a thirty-fifth wave of 120 (half with new addresses and situations that take a careful reading, half
    # with no emphasis), all sealed at the start of the twelfth session, scored once at its end (the session's
    # starting code gave the same figures; it read one of the 120 mails differently)
    "sealed20": {"situation_accuracy": 0.966, "given_mean": 0.914, "given_each": 0.800, "missing": 0.958,
                 "lead_time_ok": 0.975},
    # sealed21: a thirty-eighth wave of 120 (two halves with no emphasis), all sealed at the start of the thirteenth
    # session, scored once at its end (the session's starting code gave the same figures and read no mail differently)
    "sealed21": {"situation_accuracy": 0.983, "given_mean": 0.952, "given_each": 0.900, "missing": 0.975,
                 "lead_time_ok": 0.991},
    # sealed22: a forty-first wave of 120 (briefs b with c's kinds; a with e's, attachments in a third), all sealed at the
    # start of the fourteenth session, scored once at its end (0.975 / 0.968 / 0.958 / 0.992 with its starting code)
    "sealed22": {"situation_accuracy": 0.983, "given_mean": 0.971, "given_each": 0.900, "missing": 0.958,
                 "lead_time_ok": 1.0},
    # sealed23: a forty-fourth wave of 120 (briefs d with e's kinds, attachments; c with a's kinds), sealed at the end of
    # the fourteenth session, scored once at the end of the fifteenth (0.992 / 0.968 / 0.975 / 0.992 with its starting
    # code, readings 0.800)
    "sealed23": {"situation_accuracy": 0.991, "given_mean": 0.977, "given_each": 0.916, "missing": 0.975,
                 "lead_time_ok": 0.991},
    # sealed24: a forty-sixth wave of 120 (briefs a with b's kinds, invoice e-mail addresses; d with c's kinds,
    # addresses and situations), sealed at the start of the fifteenth session, scored once at the end of the sixteenth
    # (0.975 / 0.955 / 0.942 / 0.983 with its starting code); its new postcodes, 0.862 (25 of 29), are under the
    # issue's 0.90 for each field
    "sealed24": {"situation_accuracy": 0.983, "given_mean": 0.954, "given_each": 0.862, "missing": 0.950,
                 "lead_time_ok": 0.991},
    # sealed25: a forty-ninth wave of 120 (briefs b with d's kinds, purchase orders; e with c's kinds, attachments,
    # dates and customer numbers), sealed in the sixteenth session, scored once at the end of the seventeenth (the
    # same with its starting code: no mail reads differently); its situations, 0.967 (116 of 120), are under the
    # issue's 0.97
    "sealed25": {"situation_accuracy": 0.966, "given_mean": 0.963, "given_each": 0.913, "missing": 0.950,
                 "lead_time_ok": 0.975},
    # sealed26: a fifty-second wave, all of it (briefs a+d with new addresses and situations easy to confuse, b+c),
    # sealed in the seventeenth session, scored once at the end of the eighteenth (the same with its starting code:
    # no mail reads differently); its fields, 0.940, are under the 0.95, and serials 0.875, new postcodes
    # 0.853 and SIRENs 0.833 (5 of 6) under 0.90
    "sealed26": {"situation_accuracy": 0.991, "given_mean": 0.940, "given_each": 0.833, "missing": 0.950,
                 "lead_time_ok": 1.000},
    # sealed27: a fifty-fifth wave, all of it (briefs d+b with addresses and situations, a+c with readings and
    # addresses), sealed in the eighteenth session, scored once at the end of the nineteenth (the same with its
    # starting code: no mail reads differently); new postcodes 0.829 (29 of 35) under the 0.90
    "sealed27": {"situation_accuracy": 0.991, "given_mean": 0.968, "given_each": 0.828, "missing": 0.966,
                 "lead_time_ok": 1.000},
    # sealed28: a sixtieth wave, all of it (briefs e+b with serials, SIRENs and new postcodes, c+a with invoice e-mail
    # addresses), sealed in the nineteenth session and scored once at its end (one mail reads better than with its
    # starting code: its situation and date); new postcodes 0.871 (27 of 31) under 0.90
    "sealed28": {"situation_accuracy": 0.991, "given_mean": 0.959, "given_each": 0.870, "missing": 0.966,
                 "lead_time_ok": 0.991},
    # sealed29: a sixty-third wave, all of it (briefs b+a with addresses and situations, d+e with serials, SIRENs and
    # new postcodes), sealed in the nineteenth session, scored once at the end of the twentieth (the same with its
    # starting code: no mail reads differently); situations 0.950 under the 0.97, P.O 0.800 (8 of 10) under 0.90
    "sealed29": {"situation_accuracy": 0.950, "given_mean": 0.972, "given_each": 0.800, "missing": 0.966,
                 "lead_time_ok": 0.991},
    # sealed30: a sixty-fourth wave's sealed half (briefs c+d with serials, SIRENs and new postcodes, e+b with readings
    # and addresses), sealed in the twentieth session before any change, scored once at its end (one mail reads
    # better than with its starting code: its SIREN); SIRENs 0.867 (13 of 15) under 0.90
    "sealed30": {"situation_accuracy": 0.975, "given_mean": 0.952, "given_each": 0.866, "missing": 0.966,
                 "lead_time_ok": 0.991},
    # sealed31: a sixty-sixth wave, all of it (briefs a+b with purchase orders, d+c with addresses and situations),
    # sealed in the twentieth session, scored once at the end of the twenty-first (the same with its starting code: no
    # mail reads differently); situations 0.950 under the 0.97, fields 0.950 at the target's edge (0.9498),
    # SIREN 0.857 (6 of 7) under 0.90, `missing` 0.942
    "sealed31": {"situation_accuracy": 0.950, "given_mean": 0.949, "given_each": 0.857, "missing": 0.941,
                 "lead_time_ok": 0.983},
    # sealed32: a sixty-seventh wave's sealed half (briefs a+c with serials, SIRENs and new postcodes, e+b with readings
    # and addresses), sealed in the twenty-first session before any change, scored once at its end: one mail reads
    # worse than with its starting code (a contract number: 0.962 -> 0.923), none better; SIREN 0.875 (14 of 16)
    "sealed32": {"situation_accuracy": 0.983, "given_mean": 0.948, "given_each": 0.875, "missing": 0.975,
                 "lead_time_ok": 0.975},
    # sealed33: wave 70's sealed half (szl: brief b with d's kinds, addresses and situations; szm: brief d with a's
    # kinds, purchase orders), written and sealed whole before the twenty-second session changed anything; scored once
    # at its end (figures only): with the session's starting code (8102444) 0.958 / 0.959 / 0.933 / 0.992, with its
    # end (the classifier trained on the tune corpus too) 0.967 / 0.963 (new postcode 0.867) / 0.925 / 1.000
    "sealed33": {"situation_accuracy": 0.966, "given_mean": 0.963, "given_each": 0.866, "missing": 0.925,
                 "lead_time_ok": 1.000},
    # sealed34: wave 71's sealed half (szx: brief c with b's kinds, readings and addresses; szy: brief e with c's kinds,
    # invoice e-mails), sealed whole in the twenty-second session, scored once at the end of the twenty-third (figures
    # only): with its starting code (af48ee9) and its end alike, 0.983 / 0.967 (SIREN 0.778, 7 of 9; new e-mail 0.923) /
    # 0.950 / 1.000; 115 of 118 acted on without review, all right
    "sealed34": {"situation_accuracy": 0.983, "given_mean": 0.967, "given_each": 0.777, "missing": 0.950,
                 "lead_time_ok": 1.000},
    # sealed35: wave 73's sealed half (tag: brief a with d's kinds, addresses and situations; tah: brief b with e's kinds,
    # dates and customer numbers), sealed whole in the twenty-third session, scored once at the end of the twenty-fourth
    # (figures only): with its starting code (a182fd5) and its end alike, 1.000 / 0.960 (new postcode 0.875, new e-mail
    # 0.923, serials 0.942) / 0.950 / 0.983; 116 of 116 acted on without review, all right
    "sealed35": {"situation_accuracy": 1.000, "given_mean": 0.960, "given_each": 0.874, "missing": 0.950,
                 "lead_time_ok": 0.983},
    # sealed36: wave 77's sealed half (tbg: brief c with a's kinds, serials and SIRENs; tbh: brief d with e's kinds,
    # orders), sealed whole in the twenty-fourth session, scored once at the end of the twenty-fifth (figures only):
    # with its starting code (5e4181e) 0.992 / 0.982 (readings 0.778, P.O 0.917) / 0.975 / 0.992, with its end the same
    # but `missing` 0.967 (the retrained model reads another wrong situation for the one mail read wrongly by both);
    # 115 of 116 acted on without review, one of them wrong (the same mail, with both codes)
    "sealed36": {"situation_accuracy": 0.991, "given_mean": 0.982, "given_each": 0.777, "missing": 0.966,
                 "lead_time_ok": 0.991},
}


def figures_of(report) -> dict[str, float]:
    given = [rate for rate in report.given.values() if rate is not None]
    return {"situation_accuracy": report.situation_accuracy, "automated_precision": report.automated_precision,
            "automated_recall": report.automated_recall, "given_mean": report.given_mean,
            "given_each": min(given), "missing": report.missing, "lead_time_ok": report.lead_time_ok}


def short_of(figures: dict[str, float], bars: dict[str, float | None]) -> list[str]:
    return [f"{key} {figures[key]:.3f} < {bar:.3f}" for key, bar in bars.items()
            if bar is not None and (figures[key] is None or figures[key] < bar - 1e-9)]


@pytest.mark.parametrize("corpus", ["dev", "holdout"])
def test_the_corpora_we_read_meet_the_targets(corpus):
    report = evaluate(DEV_CORPUS if corpus == "dev" else CORPORA / corpus)
    errors = "\n".join(f"{e.file}: {e.what}: expected {e.expected!r}, got {e.got!r}" for e in report.errors)
    assert not short_of(figures_of(report), TARGETS), errors


def assert_keeps_its_floor(corpus: str, size: int) -> None:
    report = evaluate(CORPORA / corpus)
    assert report.messages == size
    figures = figures_of(report)
    assert figures["automated_precision"] == figures["automated_recall"] == 1.0
    assert not short_of(figures, FLOORS[corpus]), short_of(figures, FLOORS[corpus])


def test_tune_keeps_its_floor():
    """tune's mails have been the classifier's training examples too since the twenty-second session (`make
    model`): its situations measure nothing any more, its floor is a regression check of the readers."""
    assert_keeps_its_floor("tune", 10683)


@pytest.mark.parametrize("corpus, size", [("sealed", 132), ("sealed2", 100), ("sealed3", 80),
                                          ("sealed4", 80), ("sealed5", 120), ("sealed6", 80), ("sealed7", 120),
                                          ("sealed8", 120), ("sealed9", 120),
                                          ("sealed10", 120), ("sealed11", 120), ("sealed12", 120),
                                          ("sealed13", 120), ("sealed14", 120), ("sealed15", 120),
                                          ("sealed16", 120), ("sealed17", 120), ("sealed18", 120),
                                          ("sealed19", 120), ("sealed20", 120), ("sealed21", 120),
                                          ("sealed22", 120), ("sealed23", 120), ("sealed24", 120),
                                          ("sealed25", 120), ("sealed26", 120), ("sealed27", 120),
                                          ("sealed28", 120), ("sealed29", 120), ("sealed30", 120),
                                          ("sealed31", 120), ("sealed32", 120),
                                          ("sealed33", 120), ("sealed34", 120), ("sealed35", 120),
                                          ("sealed36", 120)])
def test_unseen_corpora_never_go_down(corpus, size):
    """Written by helpers who never read mailbot/ nor the other corpora, split in halves before anyone
    looked (tests/corpus/README.md); the sealed half was scored, never read."""
    assert_keeps_its_floor(corpus, size)


def test_mail_with_attachments_is_reported_apart():
    report = evaluate(DEV_CORPUS)
    assert report.attached is not None and report.attached.messages == 4  # the dev corpus's four
    assert report.attached.corpus.endswith("(with attachments)")
    lines = side_by_side([report])
    assert any(line.startswith("with attachments: messages") and line.rstrip().endswith("4") for line in lines)
    assert report.as_dict()["with_attachments"]["messages"] == 4


# -- a labelled corpus as training examples (mailbot examples) --------------------------------------------


def test_examples_command_writes_each_person_written_mail_as_the_classifier_reads_it(tmp_path):
    # a "voir PJ" whose readings are in a file: its words say nothing, learnt from them the model would guess
    # readings for every "voir PJ"
    thin = mail("Bonjour,\nVoir PJ.\nCordialement,\nMarc", "Relevés")
    corpus = write_corpus(tmp_path / "corpus", TRUTH + [label("thin.eml", "meter_read_request")],
                          MESSAGES | {"thin.eml": thin})
    out = tmp_path / "examples" / "corpus.jsonl"
    result = mailbot("examples", str(corpus), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # the auto-reply is no example: analyze never classifies it (the guard answers first)
    assert [(r["file"], r["label"]) for r in rows] == [
        ("corpus/po.eml", "po_change"), ("corpus/meters.eml", "meter_read_request"),
        ("corpus/email.eml", "invoice_by_email"), ("corpus/toner.eml", "other")]
    po = rows[0]
    assert po["text"].startswith("Bon de commande 2027\n\nBonjour,\nPour le contrat CT-2026-01234")
    assert "Marc Lefort" in po["text"] and po["lang"] == "fr"
    assert "4 examples" in result.stdout and "2 skipped" in result.stdout
    # what `mailbot train` reads: the same texts and labels
    from mailbot.read import textcat
    assert [(e.text, e.label) for e in textcat.read_examples(out.parent)] == [(r["text"], r["label"]) for r in rows]


def test_examples_command_names_a_bad_corpus_and_writes_nothing(tmp_path):
    out = tmp_path / "corpus.jsonl"
    out.write_text("the examples of before\n", encoding="utf-8")
    result = mailbot("examples", str(tmp_path / "nowhere"), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2 and "no such corpus folder" in result.stderr
    assert "Traceback" not in result.stderr and out.read_text(encoding="utf-8") == "the examples of before\n"
    # a situation the rules do not know is refused before anything is written
    corpus = write_corpus(tmp_path / "typo", relabel("po.eml", "situation", "po_chnage"))
    result = mailbot("examples", str(corpus), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2 and "po_chnage" in result.stderr and "Traceback" not in result.stderr
    assert out.read_text(encoding="utf-8") == "the examples of before\n"


def test_examples_command_says_when_it_cannot_write(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", TRUTH)
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    result = mailbot("examples", str(corpus), "--out", str(tmp_path / "a-file" / "x.jsonl"), cwd=tmp_path)
    assert result.returncode == 3 and "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.glob("**/*.new"))


def test_a_message_analyze_does_not_read_is_no_example(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", TRUTH[:1] + [label("junk.eml", "po_change")],
                          {"po.eml": MESSAGES["po.eml"], "junk.eml": b"\xff\xfe\x00garbage"})
    rows, skipped = corpus_examples(corpus)
    assert [row["file"] for row in rows] == ["corpus/po.eml"] and skipped == 1
