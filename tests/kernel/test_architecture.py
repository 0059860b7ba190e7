"""The layer contract (pyproject ``[tool.importlinter]``, docs/architecture.md) holds on the real
tree and breaks on a deliberate upward import: proof that `make lint` would catch one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "push", "bots", "workers", "sandbox")
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


@pytest.mark.parametrize(
    ("module", "bad_import", "reported"),
    [
        ("api/kernel/clock.py", "bots.models", "api.kernel.clock -> bots.models"),
        (
            "api/catalog/service.py",
            "api.dossiers.models",
            "api.catalog.service -> api.dossiers.models",
        ),
    ],
)
def test_an_import_in_the_wrong_direction_breaks_the_contract(
    tmp_path, module, bad_import, reported
):
    tree = _copy_tree(tmp_path)
    source = tree / module
    source.write_text(source.read_text() + f"\nimport {bad_import}  # deliberate\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "Layers point down" in result.stdout
    assert reported in result.stdout
