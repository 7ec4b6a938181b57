"""pre-commit runs what `make lint` runs: the same commands, in the same order."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _lint_recipe() -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lint: .*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "no lint target in the Makefile"
    return [line.strip().replace("$(BIN)/", ".venv/bin/") for line in recipe.group(1).splitlines()]


def test_pre_commit_hooks_are_the_lint_commands():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    assert hooks == _lint_recipe()
    assert _lint_recipe()[2] == ".venv/bin/mypy"
