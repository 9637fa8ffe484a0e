"""The package's shape: no import cycle, and no long module without the reason at its top."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mailbot"
LONG = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path, known: set[str]) -> set[str]:
    """The mailbot modules ``path`` imports when it is imported (not those imported inside functions,
    nor under TYPE_CHECKING)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in known}
            if node.module in known:
                found.add(node.module)
    return found


def test_no_import_cycle():
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: top_level_imports(path, set(files)) - {name} for name, path in files.items()}
    graph = {name: {d for d in deps if not name.startswith(d + ".")} for name, deps in graph.items()}  # parents
    visiting, done, cycles = set(), set(), []

    def visit(name: str, trail: list[str]) -> None:
        if name in done:
            return
        if name in visiting:
            cycles.append(trail[trail.index(name):] + [name])
            return
        visiting.add(name)
        for dep in sorted(graph[name]):
            visit(dep, trail + [dep])
        visiting.discard(name)
        done.add(name)

    for name in sorted(graph):
        visit(name, [name])
    assert cycles == []


def test_a_long_module_says_why_at_its_top():
    long = [p for p in PACKAGE.rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > LONG]
    assert long, "the check would pass vacuously"
    unexplained = [str(p.relative_to(PACKAGE)) for p in long
                   if "size" not in (ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "").lower()]
    assert unexplained == []
