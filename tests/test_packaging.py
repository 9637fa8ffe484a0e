"""An installed mailbot finds its templates, rules and model without the repository.

The wheel is built from a copy of the project's files, installed with --no-deps
into a fresh virtual environment, and run from a folder outside the repository;
the dependencies come from the test environment's site-packages, given by
PYTHONPATH (which, unlike the site folder itself, does not load the editable
install of this checkout).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from mailbot.paths import PROJECT_DIR, SAMPLES_DIR

SHIPPED = ("pyproject.toml", "README.md", "mailbot", "templates", "classifiers")


def test_the_wheel_carries_templates_classifiers_and_model(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in SHIPPED:
        path = PROJECT_DIR / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, source / name)
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "-w", str(wheels), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("mailbot-*.whl")
    import zipfile

    carried = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "classifiers"):  # each folder is listed in pyproject.toml: none forgotten
        files = {f"mailbot/{p.relative_to(source).as_posix()}" for p in (source / folder).rglob("*") if p.is_file()}
        assert files <= carried, sorted(files - carried)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                                "--no-deps", str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": sysconfig.get_paths()["purelib"], "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    analysed = subprocess.run([str(venv / "bin" / "mailbot"), "analyze", "--json", str(SAMPLES_DIR / "po_change.eml")],
                              capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120)
    assert analysed.returncode == 0, analysed.stderr
    result = json.loads(analysed.stdout)
    assert (result["situation"], result["action"]) == ("po_change", "acknowledge")

    where = subprocess.run([str(python), "-c", (
        "import mailbot, mailbot.paths as p, mailbot.compose.replies as r, mailbot.read.textcat as t;"
        "print(mailbot.__file__); print(p.TEMPLATES_DIR); print(p.CLASSIFIERS_DIR);"
        "print(len(r.environment().list_templates())); print(t.default_model() is not None)")],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120)
    assert where.returncode == 0, where.stderr
    package, templates, classifiers, count, model = where.stdout.split("\n")[:5]
    site = str(venv)
    assert package.startswith(site) and templates.startswith(site) and classifiers.startswith(site)
    assert Path(templates).name == "templates" and int(count) > 20 and model == "True"
