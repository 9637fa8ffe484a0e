"""Held-out estimate of analyze's situations on the tune corpus, now that tune trains the classifier.

Not a test: since the twenty-second session `make model` trains on the tune
corpus's mails, so `mailbot eval tests/corpus/tune` reads the model's own
training mails. Here the tune mails are split in two halves (by a hash of
each example's text); a model is trained on the hand-written examples and
one half, analyze reads the other half with it, and the figures of both
halves are summed: situation accuracy, the share acted on without review
(confidence >= review_below) and how many of those are wrong. The keywords
were written while reading tune, so the estimate flatters them.

    python bench/tune_holdout.py [--tune DIR] [--examples DIR]
"""

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailbot.read import textcat  # noqa: E402
from mailbot.read.analyze import analyze, example_text  # noqa: E402
from mailbot.read.evaluate import load_labels  # noqa: E402
from mailbot.read.rules import load_rules  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS_EXAMPLES = "corpus_"  # the files `mailbot examples` writes (corpus_tune.jsonl): left out, replaced by a half


def half(text: str) -> int:
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", default=str(ROOT / "tests/corpus/tune"))
    parser.add_argument("--examples", default=str(textcat.EXAMPLES_DIR))
    args = parser.parse_args()
    hand = [e for e in textcat.read_examples(args.examples) if not Path(e.where).name.startswith(CORPUS_EXAMPLES)]
    review_below = load_rules().review_below
    folder = Path(args.tune)
    mails = []  # (raw, situation, example text, half) of each person-written tune mail
    for label in load_labels(folder):
        if not label.automated:
            raw = (folder / label.file).read_bytes()
            text = example_text(raw)
            mails.append((raw, label.situation, text, half(text or label.file)))
    print(f"{len(hand)} hand-written examples, {len(mails)} person-written tune mails")
    n = right = acted = acted_wrong = 0
    for k in (0, 1):
        started = time.perf_counter()
        train = hand + [textcat.LabelledText(text, situation) for _, situation, text, h in mails if text and h != k]
        model = textcat.train(train)
        trained = time.perf_counter() - started
        for raw, situation, _, h in mails:
            if h != k:
                continue
            result = analyze(raw, model=model)
            if result.automated:
                continue
            n += 1
            right += result.situation == situation
            if result.confidence >= review_below:
                acted += 1
                acted_wrong += result.situation != situation
        print(f"half {k}: trained on {len(train)} in {trained:.0f} s, read in {time.perf_counter() - started - trained:.0f} s")
    print(f"situations {right}/{n} = {right / n:.4f}; acted on without review {acted / n:.3f} "
          f"({acted}), wrong among them {acted_wrong} ({acted_wrong / max(acted, 1):.4f}); review {n - acted}")


if __name__ == "__main__":
    main()
