"""Move modules and rewrite every reference to them (imports, mock paths, docs) in tracked files.

Usage: ``python docs/plans/issue-13/move.py <repo> "old.mod new.mod,old2 new2"``; read the diff after.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

TEXT_ENDINGS = (".py", ".toml", ".md", ".cfg", ".ini", ".txt", ".json", ".sh", ".html", ".yml")


def move_file(old: str, new: str) -> None:
    source = Path(old.replace(".", "/"))
    source = source.with_suffix(".py") if source.with_suffix(".py").exists() else source
    target = Path(new.replace(".", "/") + (".py" if source.suffix == ".py" else ""))
    target.parent.mkdir(parents=True, exist_ok=True)
    init = target.parent / "__init__.py"
    if not init.exists():
        init.write_text("")
        subprocess.run(["git", "add", str(init)], check=True)
    subprocess.run(["git", "mv", str(source), str(target)], check=True)


def rewrite_from_imports(text: str, old: str, new: str) -> str:
    """``from api import clock`` → ``from api.kernel import clock`` (other names stay)."""
    old_parent, old_name = old.rsplit(".", 1)
    new_parent, new_name = new.rsplit(".", 1)

    def fix(match: re.Match) -> str:
        indent, names = match.group(1), [n.strip() for n in match.group(2).split(",")]
        moved = [n for n in names if n.split(" as ")[0].strip() == old_name]
        if not moved:
            return match.group(0)
        lines = []
        kept = [n for n in names if n not in moved]
        if kept:
            lines.append(f"{indent}from {old_parent} import {', '.join(kept)}")
        for name in moved:
            alias = name.split(" as ")[1].strip() if " as " in name else None
            alias = alias or (old_name if new_name != old_name else None)
            lines.append(
                f"{indent}from {new_parent} import {new_name}" + (f" as {alias}" if alias else "")
            )
        return "\n".join(lines)

    pattern = rf"^([ \t]*)from {re.escape(old_parent)} import ([A-Za-z_][\w, ]*(?: as \w+)?)$"
    return re.sub(pattern, fix, text, flags=re.M)


def rewrite(text: str, old: str, new: str) -> str:
    text = rewrite_from_imports(text, old, new)
    text = re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new, text)
    old_path, new_path = old.replace(".", "/"), new.replace(".", "/")
    return re.sub(rf"(?<![\w/]){re.escape(old_path)}(?=[/.])", new_path, text)


def main(root: str, spec: str) -> None:
    moves = [tuple(pair.split()) for pair in spec.split(",")]
    for old, new in moves:
        move_file(old, new)
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True)
    for name in tracked.stdout.split():
        path = Path(name)
        if not (name.endswith(TEXT_ENDINGS) or path.name == "Makefile") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        changed = text
        for old, new in moves:
            changed = rewrite(changed, old, new)
        if changed != text:
            path.write_text(changed, encoding="utf-8")


if __name__ == "__main__":
    import os

    os.chdir(sys.argv[1])
    main(sys.argv[1], sys.argv[2])
