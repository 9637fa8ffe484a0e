"""The trained classifier (mailbot/read/textcat.py), its tokenizer (tokenizer.py) and how classify combines
it with the keywords.

One model is trained per session on a small fixture (tests/textcat_fixture),
never on the shipped examples or the corpus.
"""

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailbot.read import textcat, tokenizer
from mailbot.read.analyze import analyze
from mailbot.read.classify import Classification, classify, combine, keyword_classify
from mailbot.read.textcat import model_text
from mailbot.cli import cli
from mailbot.read.quotes import split
from mailbot.read.rules import load_rules

FIXTURE = Path(__file__).parent / "textcat_fixture"
SITUATIONS = ["po_change", "equipment_move", "billing_entity_change", "invoice_address_change", "invoice_by_email",
              "meter_read_request", "automatic_meter_reads", "contract_termination", "bank_details_check", "other"]


@pytest.fixture(scope="session")
def examples():
    return textcat.read_examples(FIXTURE)


@pytest.fixture(scope="session")
def trained(examples, tmp_path_factory):
    """(model, saved directory): the fixture model, trained once per session."""
    model = textcat.train(examples)
    return model, model.save(tmp_path_factory.mktemp("model") / "model")


@pytest.fixture(scope="session")
def rules():
    return load_rules()


# -- training and the saved model -------------------------------------------------------------------


def test_training_twice_gives_byte_identical_model_files(examples, trained, tmp_path):
    _, first = trained
    second = textcat.train(examples).save(tmp_path / "again")
    assert (first / "textcat" / "model").read_bytes() == (second / "textcat" / "model").read_bytes()
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_saved_without_tokenizer_and_vocab_and_small(trained):
    _, saved = trained
    assert not (saved / "tokenizer").exists() and not (saved / "vocab").exists()
    assert sum(p.stat().st_size for p in saved.rglob("*") if p.is_file()) < 1_000_000


def test_saved_with_our_tokenizers_language(trained):
    _, saved = trained
    assert json.loads((saved / "meta.json").read_text())["lang"] == tokenizer.LANG
    assert 'lang = "mailbot_fr"' in (saved / "config.cfg").read_text()


def test_meta_records_labels_count_and_examples_hash(examples, trained):
    model, saved = trained
    meta = json.loads((saved / textcat.META_FILE).read_text())
    assert meta == model.meta
    assert meta["labels"] == sorted(SITUATIONS)
    assert meta["examples"] == len(examples) == sum(meta["per_label"].values())
    assert meta["examples_sha256"] == textcat.examples_hash(examples)
    assert meta["training_accuracy"] >= 0.9


def test_save_and_load_give_identical_predictions(trained, examples):
    model, saved = trained
    loaded = textcat.load(saved)
    texts = [ex.text for ex in examples[:8]] + ["Bonjour, nous voulons résilier le contrat du traceur.", ""]
    assert [loaded.predict(t) for t in texts] == [model.predict(t) for t in texts]
    assert loaded.labels == model.labels


def test_predict_gives_every_label_summing_to_one(trained):
    model, _ = trained
    probs = model.predict("Nouveau bon de commande\n\nMerci de noter notre nouveau numéro de commande.")
    assert set(probs) == set(SITUATIONS)
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-4)
    assert all(0.0 <= p <= 1.0 for p in probs.values())
    assert textcat.top(probs, 1)[0][0] == "po_change"


def test_training_reports_progress_per_epoch(examples):
    seen = []
    textcat.train(examples[:12], epochs=3, progress=lambda epoch, epochs, loss: seen.append((epoch, epochs, loss)))
    assert [(e, n) for e, n, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert all(loss >= 0 for _, _, loss in seen)


def test_normalisation_folds_case_accents_digits_and_spaces():
    assert textcat.normalize("RÉSILIATION\u00a0du  contrat\nCT-2026-01234") == "resiliation du contrat ct-0000-00000"
    assert textcat.normalize("l’adresse") == "l'adresse"
    assert len(textcat.normalize(" ".join(f"m{i:x}" for i in range(5_000)))) == textcat.MAX_CHARS


def test_normalisation_reads_a_phrase_repeated_in_a_row_once():
    """A bag of words counts every copy: "du mois dernier" eight times in a subject outweighed "une question sur
    notre facture" and read as meter readings; a mail that repeats itself says it once."""
    repeated = "Question sur la facture " + "du mois dernier " * 8 + "\n\nUne question sur notre facture."
    assert textcat.normalize(repeated) == "question sur la facture du mois dernier une question sur notre facture."
    assert textcat.normalize("du mois dernier, du mois dernier, du mois dernier.") == "du mois dernier,"
    # one word twice is French ("nous nous permettons"); a third copy is a repeat
    assert textcat.normalize("Nous nous permettons, merci merci MERCI, très très urgent") == \
        "nous nous permettons, merci merci tres tres urgent"
    # numbers are compared before their digits become 0: a phone, serials, readings keep their shape
    assert textcat.normalize("tél 01 23 45 67 89, 3Y2C40719 3Y2C40720") == "tel 00 00 00 00 00, 0y0c00000 0y0c00000"
    assert textcat.normalize("relevé noir 12 345 couleur 6 789") == "releve noir 00 000 couleur 0 000"


def test_model_input_is_subject_blank_line_new_text_and_a_bare_forward_brings_its_request():
    parts = split("Bonjour,\nnous souhaitons résilier.\n\nCordialement,\nMarc", "Résiliation")
    assert model_text("Résiliation", parts) == "Résiliation\n\nBonjour,\nnous souhaitons résilier."
    forward = split("Pour info\n\n-------- Message transféré --------\nDe : Jean <j@x.fr>\nObjet : compteurs\n\n"
                    "Bonjour, voici les compteurs du traceur.\nJean", "TR: compteurs")
    assert "voici les compteurs" in model_text("TR: compteurs", forward)


@pytest.mark.parametrize("line, message", [
    ("not json", "not JSON"),
    ('{"text": "x"}', "string keys text and label"),
    ('{"text": " ", "label": "other"}', "empty"),
])
def test_a_bad_examples_line_is_named(tmp_path, line, message):
    (tmp_path / "a.jsonl").write_text('{"text": "ok", "label": "other"}\n' + line + "\n")
    with pytest.raises(textcat.ExamplesError, match=rf"a\.jsonl:2: .*{message}"):
        textcat.read_examples(tmp_path)


def test_a_missing_or_foreign_model_directory_is_reported(tmp_path):
    with pytest.raises(textcat.ModelMissing, match="mailbot train"):
        textcat.load(tmp_path / "nowhere")


def test_a_model_read_with_spacys_french_is_refused_for_retraining(trained, tmp_path):
    """Normalisation 1 read with spacy.blank("fr"): its weights belong to French's tokens, and loading it would
    import spacy.lang.fr; it is refused before spaCy reads it."""
    _, saved = trained
    old = tmp_path / "old"
    old.mkdir()
    for name in ("config.cfg", "meta.json"):
        (old / name).write_text((saved / name).read_text().replace(tokenizer.LANG, "fr"))
    (old / "textcat").mkdir()
    for part in (saved / "textcat").iterdir():
        (old / "textcat" / part.name).write_bytes(part.read_bytes())
    meta = json.loads((saved / textcat.META_FILE).read_text())
    (old / textcat.META_FILE).write_text(json.dumps({**meta, "normalisation": 1}))
    with pytest.raises(textcat.ModelMissing, match=rf"normalisation 1, this code uses {textcat.NORMALISATION} \(run `mailbot train`\)"):
        textcat.load(old)


# -- the tokenizer ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def words():
    import spacy

    nlp = spacy.blank(tokenizer.LANG)
    return lambda raw: [token.text for token in nlp.make_doc(textcat.normalize(raw))]


@pytest.mark.parametrize("raw, tokens", [
    # elisions cut after their apostrophe, either apostrophe
    ("L'adresse de facturation", ["l'", "adresse", "de", "facturation"]),
    ("L’adresse", ["l'", "adresse"]),
    ("Qu'il", ["qu'", "il"]),
    ("D'ici le 15/01/2027", ["d'", "ici", "le", "00/00/0000"]),
    ("jusqu'à", ["jusqu'", "a"]),
    ("D'aujourd'hui", ["d'", "aujourd'hui"]),
    ("(l'ancien)", ["(", "l'", "ancien", ")"]),
    ("it's", ["it'", "s"]),
    # hyphens: cut between letters, a pronoun after a verb keeps its hyphen, French's few whole words
    ("Ci-joint le K-bis", ["ci", "-", "joint", "le", "k", "-", "bis"]),
    ("Pouvez-vous", ["pouvez", "-vous"]),
    ("Y a-t-il", ["y", "a", "-t", "-il"]),
    ("Qu'est-ce", ["qu'", "est", "-ce"]),
    ("voir ci-dessous", ["voir", "ci-dessous"]),
    ("un rendez-vous", ["un", "rendez-vous"]),
    ("par e-mail, vos e-mails", ["par", "e-mail", ",", "vos", "e-mails"]),
    # what French's TOKEN_MATCH kept whole is cut
    ("anti-spam", ["anti", "-", "spam"]),
    ("Télé-relève", ["tele", "-", "releve"]),
    ("Saint-Denis", ["saint", "-", "denis"]),
    # numbers, abbreviations, punctuation, addresses
    ("Contrat n°CT-2026-01234", ["contrat", "n°", "ct-0000", "-", "00000"]),
    ("N° de commande : 4500123456.", ["n°", "de", "commande", ":", "0000000000", "."]),
    ("cf. facture du 3 janv.", ["cf.", "facture", "du", "0", "janv."]),
    ("Merci.", ["merci", "."]),
    ("marc.lefort@atelier-lefort.fr", ["marc.lefort@atelier-lefort.fr"]),
    ("https://www.canon.fr/contact", ["https://www.canon.fr/contact"]),
    ("12,50 €", ["00,00", "€"]),
])
def test_the_tokenizer_cuts_normalised_french(words, raw, tokens):
    assert words(raw) == tokens


def test_the_classifier_never_imports_spacys_french(tmp_path):
    """Importing spacy.lang.fr compiles its TOKEN_MATCH (~2.8 s of CPU): neither training nor reading a mail
    with the shipped model may bring it in."""
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mailbot.read import textcat\n"
        "from mailbot.read.analyze import analyze\n"
        f"textcat.train(textcat.read_examples(Path({str(FIXTURE)!r})), epochs=1)\n"
        "result = analyze(b'From: a@b.fr\\r\\nTo: c@d.fr\\r\\nSubject: Resiliation\\r\\n\\r\\n'\n"
        "                 b'Bonjour, nous souhaitons resilier le contrat du traceur PW300-0040001.\\r\\n')\n"
        "print(textcat.default_model().nlp.lang)\n"
        "print(any(e.stage == 'classify' and e.name == 'model' for e in result.evidence))\n"
        "print([m for m in sorted(sys.modules) if m == 'spacy.lang.fr' or m.startswith('spacy.lang.fr.')])\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    lang, model_read, french = done.stdout.splitlines()
    assert (lang, model_read, french) == (tokenizer.LANG, "True", "[]")


def test_train_command_prints_counts_progress_accuracy_and_where(tmp_path):
    result = CliRunner().invoke(cli, ["train", "--examples", str(FIXTURE), "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "41 examples" in result.output and "po_change" in result.output
    assert "epoch 20/20" in result.output and "training accuracy" in result.output
    assert f"saved to {tmp_path / 'm'}" in result.output
    assert (tmp_path / "m" / "textcat" / "model").is_file()


def test_train_command_refuses_labels_that_are_not_situations(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"text": "a", "label": "po_chnage"}\n{"text": "b", "label": "other"}\n')
    result = CliRunner().invoke(cli, ["train", "--examples", str(tmp_path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "po_chnage" in result.output


# -- the combination ------------------------------------------------------------------------------------


def keywords(situation: str, confidence: float, secondary: str | None = None, **scores: float) -> Classification:
    """A keyword vote as keyword_classify would give it."""
    all_scores = {s: 0.0 for s in SITUATIONS} | scores
    return Classification(situation, confidence, secondary, all_scores)


def probs(**given: float) -> dict[str, float]:
    rest = (1.0 - sum(given.values())) / (len(SITUATIONS) - len(given))
    return {s: given.get(s, rest) for s in SITUATIONS}


def test_agreement_is_more_confident_than_either_vote(rules):
    result = combine(keywords("po_change", 0.7, po_change=6.5), probs(po_change=0.8), rules)
    assert result.situation == "po_change"
    assert result.confidence > 0.8
    assert result.evidence[-1].name == "model" and result.evidence[-1].text == "keywords and model agree"
    assert result.evidence[-1].detail.startswith("po_change 0.80")


def test_two_weak_votes_that_agree_stay_below_review(rules):
    result = combine(keywords("po_change", 0.3, po_change=3.0), probs(po_change=0.3), rules)
    assert result.situation == "po_change" and result.confidence < rules.review_below


def test_disagreement_of_two_convinced_votes_goes_to_review(rules):
    kw = keywords("po_change", 0.7, po_change=6.5)
    result = combine(kw, probs(invoice_by_email=0.9), rules)
    assert result.confidence < rules.review_below
    assert {result.situation, result.secondary} == {"po_change", "invoice_by_email"}


def test_strong_keywords_beat_a_weak_model(rules):
    result = combine(keywords("contract_termination", 0.75, contract_termination=8.0),
                     probs(equipment_move=0.3, contract_termination=0.2), rules)
    assert result.situation == "contract_termination"
    assert result.confidence >= rules.review_below
    assert "keywords over model" in result.evidence[-1].text


def test_a_confident_model_beats_absent_keywords(rules):
    result = combine(keywords("other", 1.0), probs(equipment_move=0.9), rules)
    assert result.situation == "equipment_move"
    assert result.confidence >= rules.review_below
    assert "model over keywords" in result.evidence[-1].text


def test_a_lukewarm_model_alone_goes_to_review(rules):
    result = combine(keywords("other", 1.0), probs(equipment_move=0.6), rules)
    assert result.situation == "equipment_move" and result.confidence < rules.review_below


def test_a_confident_model_does_not_override_other_keywords_silently(rules):
    result = combine(keywords("other", 0.75, other=6.0), probs(po_change=0.8), rules)
    assert result.confidence < rules.review_below


def test_second_request_found_by_keywords_survives_an_exclusive_model(rules):
    kw = keywords("po_change", 0.5, "invoice_by_email", po_change=6.5, invoice_by_email=4.0)
    result = combine(kw, probs(po_change=0.98), rules)
    assert (result.situation, result.secondary) == ("po_change", "invoice_by_email")


def test_no_model_means_keywords_alone(rules):
    kw = keywords("po_change", 0.7, po_change=6.5)
    assert combine(kw, None, rules) is kw


def test_classify_without_the_shipped_model_uses_keywords_and_warns(monkeypatch, caplog, rules, tmp_path):
    monkeypatch.setattr(textcat, "MODEL_DIR", tmp_path / "missing")
    parts = split("Bonjour,\nnous souhaitons résilier le contrat de notre traceur.", "Résiliation")
    with caplog.at_level(logging.WARNING, logger="mailbot.read.textcat"):
        result = classify("Résiliation", parts, rules, textcat.default_model())
    alone = keyword_classify("Résiliation", parts, rules)
    assert (result.situation, result.confidence, result.secondary) == (alone.situation, alone.confidence, None)
    assert not any(e.name == "model" for e in result.evidence)
    assert "keywords alone" in caplog.text
    with pytest.raises(textcat.ModelMissing):
        textcat.predict("Bonjour")


def test_analyze_records_the_model_probabilities_and_keyword_evidence(monkeypatch, trained):
    monkeypatch.setattr(textcat, "MODEL_DIR", trained[1])
    raw = (b"From: a@b.fr\r\nTo: c@d.fr\r\nSubject: =?utf-8?q?R=C3=A9siliation?=\r\nDate: Mon, 02 Nov 2026 09:30:00 +0100"
           b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour, nous souhaitons resilier le contrat du "
           b"traceur PW300-0040001.\r\n")
    result = analyze(raw)
    assert result.situation == "contract_termination"
    model = [e for e in result.evidence if e.stage == "classify" and e.name == "model"]
    assert len(model) == 1 and model[0].detail.startswith("contract_termination ")
    assert any(e.stage == "classify" and e.name == "contract_termination" for e in result.evidence)


# -- the shipped model ------------------------------------------------------------------------------------


def test_the_shipped_model_was_trained_on_the_current_examples(rules):
    meta_file = textcat.MODEL_DIR / textcat.META_FILE
    assert meta_file.is_file(), f"{textcat.MODEL_DIR}: no model; run `mailbot train`"
    meta = json.loads(meta_file.read_text())
    examples = textcat.read_examples(textcat.EXAMPLES_DIR)
    assert meta["examples_sha256"] == textcat.examples_hash(examples), (
        "classifiers/examples changed since the model was trained: run `mailbot train` and commit classifiers/model")
    assert meta["labels"] == sorted(rules.situations)
    assert meta["normalisation"] == textcat.NORMALISATION
    size = sum(p.stat().st_size for p in textcat.MODEL_DIR.rglob("*") if p.is_file())
    assert size < 1_000_000, size


def test_the_shipped_corpus_examples_are_the_tune_corpus_as_analyze_reads_it_today():
    """classifiers/examples/corpus_tune.jsonl is `mailbot examples tests/corpus/tune`'s output: a mail added
    to tune, a label corrected or a change of how analyze reads a body makes it stale (`make model`)."""
    from mailbot.read.evaluate import corpus_examples

    shipped = textcat.EXAMPLES_DIR / "corpus_tune.jsonl"
    lines = shipped.read_text(encoding="utf-8").splitlines()
    fresh, _ = corpus_examples(Path(__file__).parent / "corpus" / "tune")
    assert len(lines) == len(fresh), "tests/corpus/tune changed: run `make model` and commit classifiers/"
    stale = [row["file"] for line, row in zip(lines, fresh) if json.loads(line) != row]
    assert not stale, f"{len(stale)} example(s) read differently today ({stale[:5]}…): run `make model`"
