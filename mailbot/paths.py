"""Where the project's editable resources live.

Templates and classifier rules are data that the business edits without touching
code, so in the repository they sit beside the package (``templates/``,
``classifiers/``); a wheel puts them inside it (pyproject.toml's package-dir), so
an installed mailbot finds them without the repository.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _resource(name: str) -> Path:
    """``mailbot/<name>`` when installed from a wheel, else ``<repository>/<name>``."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PROJECT_DIR / name


TEMPLATES_DIR = _resource("templates")
CLASSIFIERS_DIR = _resource("classifiers")
SITUATIONS_FILE = CLASSIFIERS_DIR / "situations.toml"
SAMPLES_DIR = PACKAGE_DIR / "samples"
SAMPLE_DIRECTORY = CLASSIFIERS_DIR / "directory.sample.csv"  # the demo customer directory (make run imports it)
CORPORA_DIR = PROJECT_DIR / "tests" / "corpus"
# What `mailbot eval` scores by default: the shared dev corpus beside the repository, then our own.
DEFAULT_CORPORA = (PROJECT_DIR.parent / "shared" / "corpus" / "dev", CORPORA_DIR / "holdout",
                   CORPORA_DIR / "tune", CORPORA_DIR / "sealed", CORPORA_DIR / "sealed2",
                   CORPORA_DIR / "sealed3", CORPORA_DIR / "sealed4", CORPORA_DIR / "sealed5", CORPORA_DIR / "sealed6",
                   CORPORA_DIR / "sealed7", CORPORA_DIR / "sealed8", CORPORA_DIR / "sealed9",
                   CORPORA_DIR / "sealed10", CORPORA_DIR / "sealed11", CORPORA_DIR / "sealed12",
                   CORPORA_DIR / "sealed13", CORPORA_DIR / "sealed14", CORPORA_DIR / "sealed15",
                   CORPORA_DIR / "sealed16", CORPORA_DIR / "sealed17", CORPORA_DIR / "sealed18",
                   CORPORA_DIR / "sealed19", CORPORA_DIR / "sealed20", CORPORA_DIR / "sealed21",
                   CORPORA_DIR / "sealed22", CORPORA_DIR / "sealed23", CORPORA_DIR / "sealed24",
                   CORPORA_DIR / "sealed25", CORPORA_DIR / "sealed26", CORPORA_DIR / "sealed27",
                   CORPORA_DIR / "sealed28", CORPORA_DIR / "sealed29", CORPORA_DIR / "sealed30",
                   CORPORA_DIR / "sealed31", CORPORA_DIR / "sealed32",
                   CORPORA_DIR / "sealed33", CORPORA_DIR / "sealed34", CORPORA_DIR / "sealed35",
                   CORPORA_DIR / "sealed36")
