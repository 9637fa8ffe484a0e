"""The command line's contracts: analyze --json, help, clear errors."""

import json
import subprocess
import sys

from mailbot.read.analysis import FIELD_KEYS
from mailbot.paths import SAMPLES_DIR

CONTRACT_KEYS = {"file", "message_id", "situation", "confidence", "automated", "fields",
                 "missing", "lead_time_ok", "action"}


def mailbot(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailbot", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def test_analyze_json_prints_one_object_per_message_with_the_contract_keys(tmp_path):
    result = mailbot("analyze", "--json", str(SAMPLES_DIR), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(list(SAMPLES_DIR.glob("*.eml")))
    for line in lines:
        record = json.loads(line)
        assert CONTRACT_KEYS <= set(record)
        assert set(record["fields"]) == set(FIELD_KEYS)
        assert record["action"] in ("acknowledge", "request_info", "review", "ignore")
    by_file = {json.loads(line)["file"]: json.loads(line) for line in lines}
    assert by_file["out_of_office.eml"]["automated"] is True
    assert by_file["po_change.eml"]["situation"] == "po_change"


def test_analyze_plain_output_is_one_line_per_message(tmp_path):
    result = mailbot("analyze", str(SAMPLES_DIR / "po_change.eml"), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("po_change.eml: po_change")


def test_analyze_a_missing_path_is_a_usage_error(tmp_path):
    result = mailbot("analyze", str(tmp_path / "nope.eml"), cwd=tmp_path)
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr and "Traceback" not in result.stderr


def test_every_command_has_help():
    for command in ("run", "once", "analyze", "eval", "train", "requeue", "seed-demo", "directory import",
                    "outbox list", "outbox show", "outbox release", "outbox discard", "suppressions list",
                    "suppressions clear", "cases list", "cases show", "cases close"):
        result = mailbot(*command.split(), "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout, command
