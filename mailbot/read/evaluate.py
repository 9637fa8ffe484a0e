"""Score ``analyze`` against a labelled corpus (``labels.jsonl``, see corpus/FORMAT.md).

Pure: reads the corpus folder, runs the same ``analyze`` as the daemon and the
CLI, and returns figures plus every disagreement, so a change to the rules can
be judged by what it fixes and what it breaks. Printing is the CLI's job.

Comparison follows FORMAT.md: values as written (surrounding spaces removed),
lists in order, dates as ISO strings; ``missing`` as sorted lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from mailbot.read.analysis import FIELD_KEYS, Analysis
from mailbot.read.analyze import analyze, detect_language, example_text
from mailbot.read.rules import Rules

LABELS = "labels.jsonl"
_REQUIRED_KEYS = ("file", "situation", "automated", "fields", "missing", "lead_time_ok")


class CorpusError(Exception):
    """The corpus cannot be scored: missing folder, labels file or message, invalid label line."""


@dataclass
class Label:
    """One line of labels.jsonl."""

    line: int
    file: str
    situation: str
    automated: bool
    fields: dict[str, Any]
    missing: list[str]
    lead_time_ok: bool | None


@dataclass
class Mismatch:
    """One disagreement: which message, which item (``situation``, ``fields.po_number``...)."""

    file: str
    what: str
    expected: Any
    got: Any

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "what": self.what, "expected": self.expected, "got": self.got}


@dataclass
class ClassScores:
    """Precision, recall and F1 of one situation; None when undefined (nothing predicted / expected)."""

    support: int
    predicted: int
    precision: float | None
    recall: float | None
    f1: float

    def as_dict(self) -> dict[str, Any]:
        return {"support": self.support, "predicted": self.predicted, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


@dataclass
class Report:
    """The figures of one evaluation run, and what differed."""

    corpus: str
    messages: int
    situation_accuracy: float
    situation_macro_f1: float
    situations: dict[str, ClassScores]
    automated_precision: float | None
    automated_recall: float | None
    fields: dict[str, float]
    missing: float
    lead_time_ok: float
    given: dict[str, float | None] = field(default_factory=dict)  # per field, over messages that give it
    given_mean: float | None = None  # over every (message, field) given
    errors: list[Mismatch] = field(default_factory=list)
    attached: "Report | None" = None  # the same figures over the messages with attachments (None: there are none)

    def as_dict(self) -> dict[str, Any]:
        return {
            "corpus": self.corpus,
            "messages": self.messages,
            "situation_accuracy": self.situation_accuracy,
            "situation_macro_f1": self.situation_macro_f1,
            "situations": {name: s.as_dict() for name, s in self.situations.items()},
            "automated_precision": self.automated_precision,
            "automated_recall": self.automated_recall,
            "fields": dict(self.fields),
            "missing": self.missing,
            "lead_time_ok": self.lead_time_ok,
            "given": dict(self.given),
            "given_mean": self.given_mean,
            "errors": [e.as_dict() for e in self.errors],
            "with_attachments": self.attached.as_dict() if self.attached else None,
        }


def normalize(value: Any) -> Any:
    """A field value in the form labels use: strings stripped, dates ISO, tuples as lists."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def _parse_label(number: int, text: str) -> Label:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{LABELS} line {number}: invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict):
        raise CorpusError(f"{LABELS} line {number}: expected a JSON object, got {type(data).__name__}")
    absent = [key for key in _REQUIRED_KEYS if key not in data]
    if absent:
        raise CorpusError(f"{LABELS} line {number}: missing key(s) {', '.join(absent)}")
    fields = data["fields"]
    if not isinstance(fields, dict):
        raise CorpusError(f"{LABELS} line {number}: 'fields' must be an object")
    absent = [key for key in FIELD_KEYS if key not in fields]
    if absent:
        raise CorpusError(f"{LABELS} line {number}: 'fields' lacks {', '.join(absent)}")
    if not isinstance(data["missing"], list):
        raise CorpusError(f"{LABELS} line {number}: 'missing' must be a list")
    return Label(number, str(data["file"]), str(data["situation"]), bool(data["automated"]),
                 {key: fields[key] for key in FIELD_KEYS}, list(data["missing"]), data["lead_time_ok"])


def load_labels(corpus_dir: str | Path) -> list[Label]:
    """The labels of a corpus, each checked to name an existing message."""
    folder = Path(corpus_dir)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: no such corpus folder")
    path = folder / LABELS
    if not path.is_file():
        raise CorpusError(f"{path}: no {LABELS} in the corpus folder")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    labels = [_parse_label(number, text) for number, text in enumerate(lines, 1) if text.strip()]
    if not labels:
        raise CorpusError(f"{path}: no labels")
    seen: dict[str, int] = {}
    for label in labels:
        if label.file in seen:
            raise CorpusError(f"{LABELS} line {label.line}: {label.file} already labelled on line {seen[label.file]}")
        seen[label.file] = label.line
        if not (folder / label.file).is_file():
            raise CorpusError(f"{LABELS} line {label.line}: {label.file}: no such message in {folder}")
    return labels


def corpus_examples(corpus_dir: str | Path) -> tuple[list[dict[str, str]], int]:
    """The person-written mails of a labelled corpus as training examples of the classifier, in the labels'
    order (``{"text", "label", "lang", "file"}``: ``textcat.read_examples`` reads them), and how many were
    left out: automated mail (the guard answers it before any reading) and mail whose words say nothing
    ("voir PJ": the files hold the request, see ``analyze.example_text``)."""
    folder = Path(corpus_dir)
    examples, skipped = [], 0
    for label in load_labels(folder):
        text = "" if label.automated else example_text((folder / label.file).read_bytes())
        if not text:
            skipped += 1
            continue
        examples.append({"text": text, "label": label.situation, "lang": detect_language(text),
                         "file": f"{folder.name}/{label.file}"})
    return examples, skipped


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _situation_scores(pairs: list[tuple[str, str]]) -> dict[str, ClassScores]:
    """Per-situation scores over the labels present in gold ∪ predicted."""
    scores = {}
    for name in sorted({g for g, _ in pairs} | {p for _, p in pairs}):
        tp = sum(g == name and p == name for g, p in pairs)
        support = sum(g == name for g, _ in pairs)
        predicted = sum(p == name for _, p in pairs)
        f1 = 2 * tp / (support + predicted)  # > 0 denominator: name occurs on one side
        scores[name] = ClassScores(support, predicted, _ratio(tp, predicted), _ratio(tp, support), f1)
    return scores


def compare(label: Label, result: Analysis) -> list[Mismatch]:
    """What ``result`` got wrong about one labelled message."""
    errors = []

    def check(what: str, expected: Any, got: Any) -> None:
        if expected != got:
            errors.append(Mismatch(label.file, what, expected, got))

    check("situation", label.situation, result.situation)
    check("automated", label.automated, result.automated)
    for key in FIELD_KEYS:
        check(f"fields.{key}", normalize(label.fields[key]), normalize(result.fields.get(key)))
    check("missing", sorted(label.missing), sorted(result.missing))
    check("lead_time_ok", label.lead_time_ok, result.lead_time_ok)
    return errors


def _given(value: Any) -> bool:
    """Does the label give this field (a value, a non-empty list, a K-bis)?"""
    return value not in (None, "", [], False)


def score(labels: list[Label], results: list[Analysis], corpus: str = "") -> Report:
    """The report for labels and the analyses of their messages, in the same order."""
    errors = [e for label, result in zip(labels, results, strict=True) for e in compare(label, result)]
    wrong = {(e.file, e.what) for e in errors}
    count = len(labels)

    def rate(what: str) -> float:
        return sum((label.file, what) not in wrong for label in labels) / count

    pairs = [(label.situation, result.situation) for label, result in zip(labels, results)]
    situations = _situation_scores(pairs)
    flagged = sum(result.automated for result in results)
    expected = sum(label.automated for label in labels)
    hits = sum(label.automated and result.automated for label, result in zip(labels, results))
    given = {key: [(label.file, f"fields.{key}") not in wrong for label in labels if _given(label.fields[key])]
             for key in FIELD_KEYS}
    every = [ok for oks in given.values() for ok in oks]
    return Report(
        corpus=corpus,
        messages=count,
        situation_accuracy=rate("situation"),
        situation_macro_f1=sum(s.f1 for s in situations.values()) / len(situations),
        situations=situations,
        automated_precision=_ratio(hits, flagged),
        automated_recall=_ratio(hits, expected),
        fields={key: rate(f"fields.{key}") for key in FIELD_KEYS},
        missing=rate("missing"),
        lead_time_ok=rate("lead_time_ok"),
        given={key: _ratio(sum(oks), len(oks)) for key, oks in given.items()},
        given_mean=_ratio(sum(every), len(every)),
        errors=errors,
    )


def evaluate(corpus_dir: str | Path, *, own_addresses: tuple[str, ...] = (), rules: Rules | None = None,
             timezone: str = "Europe/Paris") -> Report:
    """Run ``analyze`` on every labelled message of ``corpus_dir`` and score it."""
    folder = Path(corpus_dir)
    labels = load_labels(folder)
    results = []
    for label in labels:
        try:
            raw = (folder / label.file).read_bytes()
        except OSError as exc:
            raise CorpusError(f"{LABELS} line {label.line}: {label.file}: {exc.strerror or exc}") from None
        results.append(analyze(raw, own_addresses=own_addresses, rules=rules, timezone=timezone))
    report = score(labels, results, str(folder))
    chosen = [(label, result) for label, result in zip(labels, results) if result.attachments]
    if chosen:  # mail with attachments, reported apart (issue #15)
        report.attached = score([c[0] for c in chosen], [c[1] for c in chosen], f"{folder} (with attachments)")
    return report


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def report_lines(report: Report) -> list[str]:
    """The report as text lines: figures first, then one line per error."""
    lines = [
        f"corpus: {report.corpus} ({report.messages} messages)",
        f"situation accuracy {_figure(report.situation_accuracy)}  macro-F1 {_figure(report.situation_macro_f1)}",
        f"automated precision {_figure(report.automated_precision)}  recall {_figure(report.automated_recall)}",
        "fields (exact match):",
        *(f"  {key:<22} {_figure(value)}" for key, value in report.fields.items()),
        f"fields given (exact match over the messages that give them): mean {_figure(report.given_mean)}",
        *(f"  {key:<22} {_figure(value)}" for key, value in report.given.items()),
        f"missing      {_figure(report.missing)}",
        f"lead_time_ok {_figure(report.lead_time_ok)}",
        f"{'situation':<24} {'support':>7} {'predicted':>9} {'precision':>9} {'recall':>7} {'F1':>6}",
        *(f"  {name:<22} {s.support:>7} {s.predicted:>9} {_figure(s.precision):>9} {_figure(s.recall):>7} "
          f"{_figure(s.f1):>6}" for name, s in report.situations.items()),
        *([f"with attachments ({report.attached.messages} messages): situation accuracy "
           f"{_figure(report.attached.situation_accuracy)}, fields given {_figure(report.attached.given_mean)}, "
           f"missing {_figure(report.attached.missing)}, lead_time_ok {_figure(report.attached.lead_time_ok)}"]
          if report.attached else []),
        f"errors: {len(report.errors)}",
    ]
    lines.extend(f"  {e.file}: {e.what}: expected {e.expected!r}, got {e.got!r}" for e in report.errors)
    return lines


def side_by_side(reports: list[Report]) -> list[str]:
    """The figures of several corpora in columns (no errors: a sealed corpus is never read, only scored)."""
    names = [Path(r.corpus).name or r.corpus for r in reports]
    width = max(8, *(len(n) for n in names))

    def row(label: str, values: list[str]) -> str:
        return f"{label:<28}" + "".join(f"{v:>{width + 2}}" for v in values)

    lines = [row("", names), row("messages", [str(r.messages) for r in reports])]
    lines.append(row("situation accuracy", [_figure(r.situation_accuracy) for r in reports]))
    lines.append(row("automated precision", [_figure(r.automated_precision) for r in reports]))
    lines.append(row("automated recall", [_figure(r.automated_recall) for r in reports]))
    lines.append(row("fields given, mean", [_figure(r.given_mean) for r in reports]))
    lines.extend(row(f"  {key}", [_figure(r.given.get(key)) for r in reports]) for key in FIELD_KEYS)
    lines.append(row("missing exact", [_figure(r.missing) for r in reports]))
    lines.append(row("lead_time_ok", [_figure(r.lead_time_ok) for r in reports]))
    lines.append(row("errors", [str(len(r.errors)) for r in reports]))
    apart = [r.attached for r in reports]
    lines.append(row("with attachments: messages", [str(a.messages) if a else "0" for a in apart]))
    lines.append(row("  situation accuracy", [_figure(a.situation_accuracy) if a else "-" for a in apart]))
    lines.append(row("  fields given, mean", [_figure(a.given_mean) if a else "-" for a in apart]))
    lines.append(row("  missing exact", [_figure(a.missing) if a else "-" for a in apart]))
    return lines
