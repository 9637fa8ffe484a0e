"""Where the project's editable resources live.

Templates and classifier rules are data that the business edits without touching
code, so they sit beside the package (``templates/``, ``classifiers/``) rather than
inside it; the package is installed in editable mode by the Makefile.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
TEMPLATES_DIR = PROJECT_DIR / "templates"
CLASSIFIERS_DIR = PROJECT_DIR / "classifiers"
SITUATIONS_FILE = CLASSIFIERS_DIR / "situations.toml"
SAMPLES_DIR = PACKAGE_DIR / "samples"
SAMPLE_DIRECTORY = CLASSIFIERS_DIR / "directory.sample.csv"  # the demo customer directory (make run imports it)
CORPORA_DIR = PROJECT_DIR / "tests" / "corpus"
# What `mailbot eval` scores by default: the shared dev corpus beside the repository, then our own.
DEFAULT_CORPORA = (PROJECT_DIR.parent / "shared" / "corpus" / "dev", CORPORA_DIR / "holdout",
                   CORPORA_DIR / "tune", CORPORA_DIR / "sealed")
