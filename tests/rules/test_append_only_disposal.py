"""Append-only records leave only through the disposal execution (issue 13; tokutei/core/models.py).

``AppendOnlyQuerySet.dispose`` with a ``DisposalPermit`` is the one way an append-only row is removed. A call
or a permit anywhere in non-test code other than the retention service's disposal module would open a second
path around the disposal list (its schedule check, second person, confirmation and disposal record).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "tokutei"
ALLOWED = {Path("core/models.py"), Path("retention/services/kept.py")}


def _uses(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dispose" \
                and any(k.arg == "permit" for k in node.keywords):
            lines.append(node.lineno)
        if isinstance(node, ast.Name) and node.id == "DisposalPermit":
            lines.append(node.lineno)
        if isinstance(node, ast.alias) and node.name == "DisposalPermit":
            lines.append(getattr(node, "lineno", 0))
    return lines


def test_only_the_disposal_execution_removes_append_only_records():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts or rel in ALLOWED:
            continue
        offenders += [f"{rel}:{n}" for n in _uses(path)]
    assert not offenders, f"append-only rows removed outside the disposal execution: {offenders}"
