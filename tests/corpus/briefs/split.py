"""Split one helper's batch in two halves, tune and sealed, by a seeded shuffle, without printing any content."""
import json, random, shutil, sys
from pathlib import Path
batch = Path(sys.argv[1])
sealed = sys.argv[2] if len(sys.argv) > 2 else "sealed"  # the second wave (issue #10, session 2) seals apart: sealed2
root = Path("/work/main/tests/corpus")
lines = [l for l in (batch / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
rng = random.Random(f"mailbot-issue-10-{batch.name}")
order = list(range(len(lines)))
rng.shuffle(order)
half = len(lines) // 2
(root / sealed).mkdir(exist_ok=True)
for name, idx in (("tune", sorted(order[:half])), (sealed, sorted(order[half:]))):
    with open(root / name / "labels.jsonl", "a", encoding="utf-8") as out:
        for i in idx:
            label = json.loads(lines[i])
            shutil.copy2(batch / label["file"], root / name / label["file"])
            out.write(lines[i] + "\n")
    print(batch.name, name, len(idx))
