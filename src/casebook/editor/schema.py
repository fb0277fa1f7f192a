"""The JSON Schema of a case's front matter, with the vocabularies filled in as enums.

Editors' IDEs (VS Code's YAML extension) use it to validate and autocomplete case files.
"""

from __future__ import annotations

import json
from typing import Any

from casebook.sources.model import CaseFrontMatter
from casebook.sources.vocabularies import Vocabularies


def case_schema(vocabularies: Vocabularies) -> dict[str, Any]:
    schema = CaseFrontMatter.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Casebook case front matter"
    for vocabulary in vocabularies.controlling():
        assert vocabulary.field is not None
        target = _locate(schema, vocabulary.field.split("."))
        if target is None:
            continue
        target.pop("pattern", None)
        target["enum"] = list(vocabulary.terms)
        target["description"] = f"{vocabulary.label}: one of the ids in {vocabulary.source}"
    return schema


def _locate(schema: dict[str, Any], parts: list[str]) -> dict[str, Any] | None:
    """The schema node for a dotted field path, through $refs and list items."""
    node: dict[str, Any] = schema
    for part in parts:
        node = _resolve(schema, node)
        if node.get("type") == "array":
            node = _resolve(schema, node["items"])
        properties = node.get("properties", {})
        if part not in properties:
            return None
        node = properties[part]
    node = _resolve(schema, node)
    if node.get("type") == "array":
        return _resolve(schema, node["items"])
    return node


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        resolved: dict[str, Any] = schema["$defs"][name]
        return resolved
    for key in ("anyOf", "allOf"):
        for option in node.get(key, []):
            option = _resolve(schema, option)
            if option.get("type") != "null":
                return option
    return node


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
