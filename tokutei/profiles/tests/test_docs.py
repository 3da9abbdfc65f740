"""docs/profiles.md documents every section and key of the schema, and the open-parameter table."""

from __future__ import annotations

import inspect
from pathlib import Path

from pydantic import BaseModel

from tokutei.profiles import schema

DOC = Path(__file__).resolve().parents[3] / "docs" / "profiles.md"


def schema_models():
    return [cls for _, cls in inspect.getmembers(schema, inspect.isclass)
            if issubclass(cls, BaseModel) and cls.__module__ == schema.__name__ and cls is not schema.Strict]


def test_the_format_document_names_every_section_and_key():
    text = DOC.read_text(encoding="utf-8")
    missing = []
    for model in schema_models():
        if model.__name__.rstrip("_") not in text:
            missing.append(model.__name__)
        missing += [f"{model.__name__}.{name}" for name in model.model_fields if f"`{name}`" not in text]
    assert missing == []


def test_the_format_document_maps_every_shipped_open_marker_kind(shipped):
    text = DOC.read_text(encoding="utf-8")
    for name, profile in shipped.items():
        for path, _param in profile.open_parameters():
            leaf = path.split(".")[-1]
            assert f"`{leaf}`" in text or leaf == "open", (name, path)
