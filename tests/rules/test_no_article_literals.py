"""Rules are data: no article is written into code that users read (style.md 4, issue 11 item 5).

An article-like literal — 「004 §10」, 「§11.5」, 「第11条」, a requirement id such as 「R-LOG-3」 or 「E-24」 — in a
string of non-test code (docstrings and comments excepted) or in a template would show one organisation's
article to every organisation. Articles come from the profile and are shown with ``cite``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "tokutei"
ARTICLE = re.compile(r"(?:\b\d{3} ?§|§\s?\d|第[0-9０-９一二三四五六七八九十百]+条|\bR-[A-Z]{2,5}-\d+|\bE-\d{2}\b)")


def _source_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                ids.add(id(body[0].value))
    return ids


def _string_literals(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_code_string_cites_an_article():
    found = [f"{path.relative_to(ROOT)}:{line}: {text[:80]!r}"
             for path in _source_files() for line, text in _string_literals(path) if ARTICLE.search(text)]
    assert found == [], "articles come from the profile:\n" + "\n".join(found)


def test_no_template_cites_an_article():
    found = []
    for path in sorted(ROOT.rglob("*.html")):
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(encoding="utf-8"), flags=re.S)
        for number, line in enumerate(text.splitlines(), 1):
            if ARTICLE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == [], "articles come from the profile:\n" + "\n".join(found)
