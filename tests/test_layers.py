"""The house's import rules, read from the source: the base layer (`portal.lib`) imports no
app, and the apps import one way, blocs ← pledges ← reports ← councils ← notifications
(imports inside functions count). Notifications is the top layer: the apps announce events through
`portal.lib.events` and never import it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("blocs", "pledges", "reports", "councils", "notifications")
# package -> the top-level packages it must never import
FORBIDDEN = {
    "portal/lib": {"blocs", "pledges", "reports", "councils", "notifications"},
    "blocs": {"pledges", "reports", "councils", "notifications"},
    "pledges": {"reports", "councils", "notifications"},
    "reports": {"councils", "notifications"},
    "councils": {"notifications"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_one_way(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}"
    wrong = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[package])
        for path in files
    }
    assert {path: names for path, names in wrong.items() if names} == {}


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from reports.models import Report\n    import pledges\n")
    assert imported_packages(source) == {"reports", "pledges"}
