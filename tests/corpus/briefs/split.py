"""Split one helper's batch in two halves, tune and sealed, by a seeded shuffle, without printing any content."""
import json, random, shutil, sys
from pathlib import Path
batch = Path(sys.argv[1])
root = Path("/work/main/tests/corpus")
lines = [l for l in (batch / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
rng = random.Random(f"mailbot-issue-10-{batch.name}")
order = list(range(len(lines)))
rng.shuffle(order)
half = len(lines) // 2
for name, idx in (("tune", sorted(order[:half])), ("sealed", sorted(order[half:]))):
    with open(root / name / "labels.jsonl", "a", encoding="utf-8") as out:
        for i in idx:
            label = json.loads(lines[i])
            shutil.copy2(batch / label["file"], root / name / label["file"])
            out.write(lines[i] + "\n")
    print(batch.name, name, len(idx))
