"""Held-out estimate of the trained classifier: stratified 5-fold cross-validation on the examples.

Not a test: it prints, per fold and on average, the accuracy and macro-F1 of
the model alone, of the keywords alone and of their combination (what
analyze uses), and, for the combination, how many messages get a confidence
≥ review_below ("auto") and how accurate those are, and the same for the
ones that would be answered without review ("acted": not "other", which a
person always reads).
The keywords need no training, so they are scored on the same held-out
folds for comparison. Never point it at the evaluation corpus.

    python bench/textcat_cv.py [EXAMPLES_DIR] [--folds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailbot.read import textcat  # noqa: E402
from mailbot.read.classify import combine, keyword_classify  # noqa: E402
from mailbot.read.quotes import split  # noqa: E402
from mailbot.read.rules import load_rules  # noqa: E402


def folds_of(examples: list[textcat.LabelledText], k: int, seed: int = 0) -> list[int]:
    """Fold number of every example; each label spread evenly over the folds (seeded)."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        by_label[ex.label].append(i)
    rng = random.Random(seed)
    fold = [0] * len(examples)
    offset = 0
    for label in sorted(by_label):
        indices = by_label[label]
        rng.shuffle(indices)
        for j, i in enumerate(indices):
            fold[i] = (j + offset) % k
        offset += len(indices)
    return fold


def macro_f1(truth: list[str], predicted: list[str]) -> float:
    f1s = []
    for label in sorted(set(truth)):
        tp = sum(t == p == label for t, p in zip(truth, predicted))
        fp = sum(p == label != t for t, p in zip(truth, predicted))
        fn = sum(t == label != p for t, p in zip(truth, predicted))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return statistics.mean(f1s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", nargs="?", default=str(textcat.EXAMPLES_DIR))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()

    examples = textcat.read_examples(args.examples)
    if "corpus" in Path(args.examples).resolve().parts:
        sys.exit("refusing to train on an evaluation corpus")
    rules = load_rules()
    fold = folds_of(examples, args.folds)
    inputs = [textcat.example_input(ex.text) for ex in examples]
    keyword_votes = []
    for ex in examples:
        subject, body = textcat.example_parts(ex.text)
        keyword_votes.append(keyword_classify(subject, split(body, subject), rules))

    print(f"{len(examples)} examples, {len(set(ex.label for ex in examples))} labels, {args.folds} folds")
    print(f"{'fold':>4} {'n':>4} | {'model acc':>9} {'F1':>5} | {'keyw acc':>8} {'F1':>5} | "
          f"{'comb acc':>8} {'F1':>5} | {'auto':>5} {'auto acc':>8} | {'acted':>5} {'acted acc':>9} | {'train s':>7}")
    rows = []
    right_p, wrong_p = [], []
    confusions: dict[tuple[str, str], int] = defaultdict(int)
    for k in range(args.folds):
        train = [ex for ex, f in zip(examples, fold) if f != k]
        held = [i for i, f in enumerate(fold) if f == k]
        started = time.perf_counter()
        model = textcat.train(train)
        seconds = time.perf_counter() - started
        probs = model.predict_many(inputs[i] for i in held)
        truth = [examples[i].label for i in held]
        model_pred = [textcat.top(p, 1)[0][0] for p in probs]
        keyword_pred = [keyword_votes[i].situation for i in held]
        combined = [combine(keyword_votes[i], p, rules) for i, p in zip(held, probs)]
        comb_pred = [c.situation for c in combined]
        auto = [(c.situation == t) for c, t in zip(combined, truth) if c.confidence >= rules.review_below]
        acted = [(c.situation == t) for c, t in zip(combined, truth)
                 if c.confidence >= rules.review_below and c.situation != "other"]  # "other" is always reviewed
        for p, t, m in zip(probs, truth, model_pred):
            (right_p if m == t else wrong_p).append(max(p.values()))
        for t, c in zip(truth, comb_pred):
            if t != c:
                confusions[(t, c)] += 1
        n = len(held)
        row = (
            sum(m == t for m, t in zip(model_pred, truth)) / n, macro_f1(truth, model_pred),
            sum(m == t for m, t in zip(keyword_pred, truth)) / n, macro_f1(truth, keyword_pred),
            sum(m == t for m, t in zip(comb_pred, truth)) / n, macro_f1(truth, comb_pred),
            len(auto) / n, (sum(auto) / len(auto)) if auto else 0.0,
            len(acted) / n, (sum(acted) / len(acted)) if acted else 0.0, seconds,
        )
        rows.append(row)
        print(f"{k + 1:>4} {n:>4} | {row[0]:>9.3f} {row[1]:>5.3f} | {row[2]:>8.3f} {row[3]:>5.3f} | "
              f"{row[4]:>8.3f} {row[5]:>5.3f} | {row[6]:>5.2f} {row[7]:>8.3f} | {row[8]:>5.2f} {row[9]:>9.3f} | "
              f"{row[10]:>7.2f}")
    mean = [statistics.mean(col) for col in zip(*rows)]
    print(f"{'mean':>4} {'':>4} | {mean[0]:>9.3f} {mean[1]:>5.3f} | {mean[2]:>8.3f} {mean[3]:>5.3f} | "
          f"{mean[4]:>8.3f} {mean[5]:>5.3f} | {mean[6]:>5.2f} {mean[7]:>8.3f} | {mean[8]:>5.2f} {mean[9]:>9.3f} | "
          f"{mean[10]:>7.2f}")
    print(f"model top probability: right {statistics.mean(right_p):.2f} (n={len(right_p)}), "
          f"wrong {statistics.mean(wrong_p) if wrong_p else 0:.2f} (n={len(wrong_p)})")
    if confusions:
        print("combined errors (truth -> predicted): " + ", ".join(
            f"{t}->{p} {n}" for (t, p), n in sorted(confusions.items(), key=lambda kv: -kv[1])))

    model = textcat.train(examples)
    texts = inputs * max(1, 2000 // len(inputs))
    started = time.perf_counter()
    for text in texts:
        model.predict(text)
    per = (time.perf_counter() - started) / len(texts)
    print(f"predict: {per * 1000:.2f} ms per message (one at a time, {len(texts)} messages)")


if __name__ == "__main__":
    main()
