"""The trained situation classifier: spaCy ``textcat`` (bag of words and bigrams) over our own tokenizer.

The keywords of situations.toml are precise but only know the phrasings
someone wrote down; this model learns from the labelled examples in
``classifiers/examples/*.jsonl`` and generalises to wordings nobody listed.
``classify.py`` combines both. Choices, all measured in
reference/text-stack-measurements.md §2:

- TextCatBOW.v3 with bigrams, exclusive classes: ~1 s to train, ~1,200 long
  mails/s, the best accuracy of the architectures tried on small data.
- Training is deterministic (fixed seed, seeded shuffle, fixed epochs), so
  training twice on the same examples gives byte-identical model files, and
  the shipped model can be checked against its examples (``meta`` below).
- The tokenizer is a spaCy language of ours, ``mailbot_fr`` (``tokenizer.py``):
  spaCy's generic rules and what French adds to them that normalised text
  shows (elisions, a pronoun's hyphen, a few exceptions), without importing
  ``spacy.lang.fr``, whose TOKEN_MATCH regex costs ~2.8 s of CPU to compile.
- The model directory is saved without the tokenizer and the vocabulary
  (``exclude=["tokenizer", "vocab"]``, loaded with the same exclude): both are
  rebuilt from the language its config names, and the weights alone are a few
  hundred KB.
- One input for training and prediction alike: an example goes through the
  same quote and signature split as a message (``example_input``), then the
  same ``normalize``.

Importing spaCy costs ~0.5–1 s and loading the shipped model ~0.1–0.15 s (~3 s
more with ``blank("fr")``); it is loaded once per process, lazily, and kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from mailbot import paths
from mailbot.read.htmltext import fold, normalize_spaces
from mailbot.read.quotes import Parts, request, split

if TYPE_CHECKING:  # spaCy is imported lazily: it costs ~0.6 s to import
    from spacy.language import Language

log = logging.getLogger(__name__)

MODEL_DIR = paths.CLASSIFIERS_DIR / "model"
EXAMPLES_DIR = paths.CLASSIFIERS_DIR / "examples"
META_FILE = "mailbot.json"  # our own record beside spaCy's files
EXCLUDE = ["tokenizer", "vocab"]

# Bump when ``normalize`` or the tokenizer changes: models trained with another one are refused.
# 3: a phrase repeated in a row read once; 2: our tokenizer (``tokenizer.py``) in place of spaCy's French;
# 1 read with ``blank("fr")``.
NORMALISATION = 3
REPEAT_WORDS = 4  # the longest phrase (in words) whose copies in a row are read once
SEED = 0
EPOCHS = 20
BATCH_SIZE = 8
DROPOUT = 0.2
MAX_CHARS = 3000  # the request is at the top; bounds the tokenizer's cost on long mails
ARCHITECTURE = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": True,
    "ngram_size": 2,
    "no_output_layer": False,
    "length": 2**14,  # hashed feature buckets: 10 labels × 2^14 × 4 bytes ≈ 0.65 MB of weights
}

_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»"

Progress = Callable[[int, int, float], None]  # (epoch, epochs, loss of that epoch)


class ModelMissing(RuntimeError):
    """No usable trained model at the given path."""


class ExamplesError(ValueError):
    """An examples file is unreadable or has a bad line (the message names file and line)."""


def normalize(text: str) -> str:
    """The text the model sees, the same at training and prediction time.

    Lower case and accents folded (customers write "RÉSILIATION", "resilier"
    and "résilier" for the same word; the keyword rules fold the same way),
    odd spaces made plain, every digit made 0 (contract, serial and P.O.
    numbers and dates say nothing about the situation, their shape may),
    whitespace runs made one space (line layout belongs to the mail client),
    a phrase repeated in a row read once (the bag of words counts every copy:
    a subject that says "du mois dernier" eight times is no meter reading),
    and cut to MAX_CHARS.
    """
    words = _SPACES.sub(" ", fold(normalize_spaces(text))).strip().split(" ")
    return _DIGIT.sub("0", " ".join(_once(words[:MAX_CHARS])))[:MAX_CHARS]


def _once(words: list[str]) -> list[str]:
    """``words`` with each run of copies of a phrase of two to REPEAT_WORDS words kept once, and of one word kept
    twice ("nous nous permettons", "très très"); words compared without their punctuation and before digits are
    zeroed (two serials or phone pairs are not one repeated)."""
    kept: list[str] = []
    keys: list[str] = []
    for word in words:
        kept.append(word)
        keys.append(word.strip(_EDGE_PUNCTUATION))
        if len(keys) >= 3 and keys[-1] == keys[-2] == keys[-3]:
            del kept[-1], keys[-1]
            continue
        for n in range(2, REPEAT_WORDS + 1):
            if len(keys) >= 2 * n and keys[-1] == keys[-1 - n] and keys[-n:] == keys[-2 * n:-n]:
                del kept[-n:], keys[-n:]
                break
    return kept


def model_input(subject: str, new: str) -> str:
    """The text of one message as the examples write it: subject, blank line, new text."""
    return f"{subject.strip()}\n\n{new.strip()}"


def model_text(subject: str, parts: Parts) -> str:
    """What the model reads of a message: its subject and the new text of its request
    (quotes.request: a bare forward's, or the history a short reply answers in); for a short answer to our
    question that sends the reader to the customer's own request below it, that request (the answer, "Le voici :
    9830014572, pour le reste voir mon message ci-dessous", names no topic and reads as "other" to the model)."""
    inner = request(parts)
    return model_input(subject, inner.earlier or inner.new)


def example_parts(text: str) -> tuple[str, str]:
    """(subject, body) of an example written as: subject, blank line, body; no blank line, no subject."""
    subject, blank, body = text.partition("\n\n")
    return (subject, body) if blank else ("", text)


def example_input(text: str) -> str:
    """What the model reads of an example: built exactly as for a message (``model_text``).

    Examples are whole mails (greeting, signature, sometimes quoted history);
    a message's model input is its subject and new text, without signature or
    quotes, so the examples go through the same split.
    """
    subject, body = example_parts(text)
    return model_text(subject, split(body, subject))


# -- examples ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str
    lang: str = "fr"
    where: str = ""  # file:line, for error messages


def read_examples(directory: Path | str = EXAMPLES_DIR) -> list[LabelledText]:
    """Every example of ``directory/*.jsonl``, files in sorted order, lines in file order."""
    directory = Path(directory)
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise ExamplesError(f"{directory}: no *.jsonl examples")
    examples = []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ExamplesError(f"{path}: cannot read: {exc}") from None
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExamplesError(f"{where}: not JSON: {exc}") from None
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("text", "label")):
                raise ExamplesError(f"{where}: expected an object with string keys text and label")
            if not item["text"].strip() or not item["label"].strip():
                raise ExamplesError(f"{where}: empty text or label")
            examples.append(LabelledText(item["text"], item["label"].strip(), str(item.get("lang", "fr")), where))
    return examples


def examples_hash(examples: Iterable[LabelledText]) -> str:
    """sha256 over the examples' (text, label, lang) in order: which data a model was trained on."""
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(json.dumps([ex.text, ex.label, ex.lang], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


# -- the model -----------------------------------------------------------------------------------------


@dataclass
class TextModel:
    """A trained pipeline and our record of what it was trained on."""

    nlp: Language
    meta: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return list(self.nlp.get_pipe("textcat").labels)

    def predict(self, text: str) -> dict[str, float]:
        """Probability of every label (they sum to 1), for a raw text."""
        doc = self.nlp(normalize(text))
        return {label: float(p) for label, p in doc.cats.items()}

    def predict_many(self, texts: Iterable[str], batch_size: int = 64) -> list[dict[str, float]]:
        docs = self.nlp.pipe((normalize(t) for t in texts), batch_size=batch_size)
        return [{label: float(p) for label, p in doc.cats.items()} for doc in docs]

    def save(self, out: Path | str) -> Path:
        """spaCy's files without tokenizer and vocabulary, plus ``mailbot.json``.

        Written beside ``out`` first and swapped in, so a failed save never
        leaves half a model where the daemon loads it.
        """
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fresh, stale = out.with_name(out.name + ".new"), out.with_name(out.name + ".old")
        for leftover in (fresh, stale):
            shutil.rmtree(leftover, ignore_errors=True)
        self.nlp.to_disk(fresh, exclude=EXCLUDE)
        (fresh / META_FILE).write_text(json.dumps(self.meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if out.exists():
            out.rename(stale)
        fresh.rename(out)
        shutil.rmtree(stale, ignore_errors=True)
        return out


_spacy_lock = threading.Lock()


def _blank() -> Language:
    """A new blank pipeline of our tokenizer's language (``tokenizer.py``)."""
    import spacy

    from mailbot.read import tokenizer

    with _spacy_lock:  # one at a time: spaCy fills its registries on first use
        return spacy.blank(tokenizer.LANG)


def train(examples: list[LabelledText], *, epochs: int = EPOCHS, progress: Progress | None = None) -> TextModel:
    """Train from ``examples``; the same examples always give the same weights, to the byte."""
    from spacy.training import Example
    from spacy.util import fix_random_seed

    if not examples:
        raise ExamplesError("no examples to train on")
    labels = sorted({ex.label for ex in examples})
    if len(labels) < 2:
        raise ExamplesError(f"need at least two labels, got {labels}")
    started = time.perf_counter()
    fix_random_seed(SEED)
    nlp = _blank()
    textcat = nlp.add_pipe("textcat", config={"model": dict(ARCHITECTURE)})
    for label in labels:
        textcat.add_label(label)
    data = [
        Example.from_dict(nlp.make_doc(normalize(example_input(ex.text))),
                          {"cats": {lb: float(lb == ex.label) for lb in labels}})
        for ex in examples
    ]
    optimizer = nlp.initialize(lambda: data)
    shuffler = random.Random(SEED)
    order = list(range(len(data)))
    for epoch in range(1, epochs + 1):
        shuffler.shuffle(order)
        losses: dict[str, float] = {}
        for start in range(0, len(order), BATCH_SIZE):
            nlp.update([data[i] for i in order[start:start + BATCH_SIZE]], sgd=optimizer, drop=DROPOUT,
                       losses=losses)
        if progress:
            progress(epoch, epochs, losses.get("textcat", 0.0))
    model = TextModel(nlp)
    predicted = model.predict_many(example_input(ex.text) for ex in examples)
    right = sum(max(p, key=p.get) == ex.label for p, ex in zip(predicted, examples))
    import spacy

    model.meta = {
        "labels": labels,
        "examples": len(examples),
        "per_label": dict(sorted(Counter(ex.label for ex in examples).items())),
        "examples_sha256": examples_hash(examples),
        "training_accuracy": round(right / len(examples), 4),
        "architecture": dict(ARCHITECTURE),
        "epochs": epochs,
        "batch_size": BATCH_SIZE,
        "dropout": DROPOUT,
        "seed": SEED,
        "normalisation": NORMALISATION,
        "spacy_version": spacy.__version__,
    }
    log.info("textcat trained on %d examples in %.1f s", len(examples), time.perf_counter() - started)
    return model


def load(path: Path | str = MODEL_DIR) -> TextModel:
    """Load a model saved by ``TextModel.save``; ModelMissing when there is none or it does not fit."""
    import spacy

    from mailbot.read import tokenizer  # noqa: F401 - registers the language the saved config names

    path = Path(path)
    meta_file = path / META_FILE
    if not meta_file.is_file() or not (path / "config.cfg").is_file():
        raise ModelMissing(f"{path}: no trained model (run `mailbot train`)")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelMissing(f"{meta_file}: unreadable: {exc}") from None
    if meta.get("normalisation") != NORMALISATION:
        raise ModelMissing(f"{path}: trained with normalisation {meta.get('normalisation')}, "
                           f"this code uses {NORMALISATION} (run `mailbot train`)")
    try:
        with _spacy_lock:
            nlp = spacy.load(path, exclude=EXCLUDE)
    except Exception as exc:  # noqa: BLE001 - a broken model directory is a missing model
        raise ModelMissing(f"{path}: cannot load: {type(exc).__name__}: {exc}") from None
    return TextModel(nlp, meta)


@lru_cache(maxsize=4)
def _cached(path: Path) -> TextModel | None:
    try:
        return load(path)
    except ModelMissing as exc:
        log.warning("%s; classifying with keywords alone", exc)
        return None


_cache_lock = threading.Lock()


def default_model() -> TextModel | None:
    """The shipped model (``MODEL_DIR``), loaded once per process; None, with a warning, if missing."""
    with _cache_lock:
        return _cached(Path(MODEL_DIR))


def predict(text: str) -> dict[str, float]:
    """Probability of every label for ``text`` with the shipped model; ModelMissing without one."""
    model = default_model()
    if model is None:
        raise ModelMissing(f"{MODEL_DIR}: no trained model (run `mailbot train`)")
    return model.predict(text)


def top(probs: dict[str, float], n: int = 3) -> list[tuple[str, float]]:
    """The n most probable labels, best first (ties by name, so the order is stable)."""
    return sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
