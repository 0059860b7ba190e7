"""The layer contract (pyproject ``[tool.importlinter]``, docs/architecture.md) holds on the real
tree and breaks on a deliberate upward import: proof that `make lint` would catch one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "push", "bots", "workers")
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    # PYTHONPATH first: the copy shadows the editable install of the real tree.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=300
    )


def _copy_tree(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_real_tree_keeps_the_layers(tmp_path):
    result = _lint(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    tree = _copy_tree(tmp_path)
    clock = tree / "api" / "kernel" / "clock.py"
    clock.write_text(clock.read_text() + "\nimport bots.models  # deliberate upward import\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "Layers point down" in result.stdout
    assert "api.kernel.clock -> bots.models" in result.stdout


def test_a_new_import_between_domains_in_the_wrong_direction_breaks_it(tmp_path):
    tree = _copy_tree(tmp_path)
    catalog = tree / "api" / "catalog" / "service.py"
    catalog.write_text(catalog.read_text() + "\nimport api.dossiers.models  # deliberate\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "api.catalog.service -> api.dossiers.models" in result.stdout
