"""Settings from the environment, declared in one place (style.md 5, issue 11 item 5).

Every setting the code reads — ``settings.X`` or ``getattr(settings, "X", …)`` — is declared in
``tokutei/settings.py`` (or is one of Django's own), so that the list at the top of that file is the whole
list and no default hides in a call far away.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import global_settings

import tokutei.settings as project_settings

ROOT = Path(__file__).resolve().parents[2] / "tokutei"


def _settings_read(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "settings" \
                and node.attr.isupper():
            yield node.lineno, node.attr
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"getattr", "hasattr"} \
                and len(node.args) >= 2 and isinstance(node.args[0], ast.Name) and node.args[0].id == "settings" \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            yield node.lineno, node.args[1].value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("_setting") \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            yield node.lineno, node.args[0].value  # a helper that reads a setting by name


def test_every_setting_the_code_reads_is_declared():
    declared = set(vars(project_settings)) | set(vars(global_settings))
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if "tests" in parts or "migrations" in parts or path.name.startswith("settings"):
            continue
        missing += [f"{path.relative_to(ROOT)}:{line}: {name}" for line, name in _settings_read(path)
                    if name not in declared]
    assert missing == [], "declare these in tokutei/settings.py:\n" + "\n".join(missing)
