"""The import contracts (pyproject ``[tool.importlinter]``, docs/architecture.md: layers, the
domains' order, independent interfaces) hold on the real tree, and each breaks on a deliberate
import in the wrong direction: proof that `make lint` and `make test` would catch one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "push", "bots", "workers", "sandbox")
LINT = Path(sys.executable).with_name("lint-imports")
PYPROJECT = ROOT / "pyproject.toml"


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


LAYERS = "Layers point down"
DOMAINS = "Domains in their declared order"
INTERFACES = "Interfaces never import each other"


def test_the_real_tree_keeps_every_contract(tmp_path):
    result = _lint(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_both_contracts_name_the_same_domains():
    contracts = {
        c["id"]: c
        for c in tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    }
    in_layers = next(line for line in contracts["layers"]["layers"] if "api.dossiers" in line)
    in_order = " : ".join(contracts["domains"]["layers"])
    assert set(re.split(r"\s*[:|]\s*", in_layers)) == set(re.split(r"\s*[:|]\s*", in_order))


@pytest.mark.parametrize(
    ("module", "bad_import", "contract", "reported"),
    [
        ("api/kernel/clock.py", "bots.models", LAYERS, "api.kernel.clock -> bots.models"),
        (
            "api/catalog/service.py",
            "api.dossiers.models",
            DOMAINS,
            "api.catalog.service -> api.dossiers.models",
        ),
        (
            "bots/thread_relay.py",
            "api.console.views",
            INTERFACES,
            "bots.thread_relay -> api.console.views",
        ),
    ],
)
def test_an_import_in_the_wrong_direction_breaks_its_contract(
    tmp_path, module, bad_import, contract, reported
):
    tree = _copy_tree(tmp_path)
    source = tree / module
    source.write_text(source.read_text() + f"\nimport {bad_import}  # deliberate\n")
    result = _lint(tree)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout[-3000:]
    assert reported in result.stdout
