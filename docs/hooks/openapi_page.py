"""MkDocs hook: the REST API reference, rendered from the OpenAPI document the plugin serves.

At each build a throwaway app (in-memory SQLite, no third-party plugins) answers
``GET {prefix}/openapi.json``; the document becomes two generated files of the site:
``api/openapi.json`` (the document itself, to download or feed a client generator) and
``api/reference.md`` (one section per endpoint, one table per schema). Nothing is fetched from
the network, so ``mkdocs build --strict`` works offline.
"""

from __future__ import annotations

import json
import tempfile
from typing import Any

from flask import Flask
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from customers_plugin import CustomersPlugin

METHODS = ("get", "post", "put", "patch", "delete")


def served_document() -> dict[str, Any]:
    """The OpenAPI document exactly as a host's app serves it."""
    folder = tempfile.mkdtemp(prefix="customers-docs-")
    app = Flask("customers_docs", instance_path=folder)
    app.config.update(
        CUSTOMERS_DATABASE_URI="sqlite://",
        CUSTOMERS_LOAD_ENTRY_POINTS=False,
        CUSTOMERS_ATTACHMENTS_FOLDER=folder,
        CUSTOMERS_TRANSFER_FOLDER=folder,
    )
    CustomersPlugin(app)
    prefix = app.config["CUSTOMERS_URL_PREFIX"].rstrip("/")
    response = app.test_client().get(f"{prefix}/openapi.json")
    assert response.status_code == 200, response.status_code
    app.extensions["customers"].db.dispose()
    return response.json


def _cell(text: Any) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def _type(schema: dict[str, Any]) -> str:
    """A short type for a table cell: links to component schemas, constraints in brackets."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})"
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            return " or ".join(_type(s) for s in schema[key])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        kind = f"array of {_type(schema.get('items', {}))}"
    elif kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        if isinstance(extra, dict) and extra:
            kind = f"object of {_type(extra)}"
    if "format" in schema:
        kind += f" ({schema['format']})"
    bounds = []
    if "enum" in schema:
        bounds.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"]))
    for key, label in (("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥")):
        if key in schema:
            bounds.append(f"{label} {schema[key]}")
    if "maxLength" in schema:
        bounds.append(f"length ≤ {schema['maxLength']}")
    if "maxItems" in schema:
        bounds.append(f"at most {schema['maxItems']} items")
    if schema.get("nullable"):
        bounds.append("nullable")
    return kind + (f" ({'; '.join(bounds)})" if bounds else "")


def _anchor(schema_name: str) -> str:
    return "schema-" + schema_name.lower()


def _operation(path: str, method: str, op: dict[str, Any]) -> list[str]:
    out = [f"### `{method.upper()} {path}`", ""]
    if op.get("summary"):
        out += [op["summary"], ""]
    if op.get("description"):
        out += [op["description"], ""]
    params = op.get("parameters", [])
    if params:
        out += ["| parameter | in | type | required | description |", "|---|---|---|---|---|"]
        for p in params:
            out.append(
                f"| `{p['name']}` | {p['in']} | {_cell(_type(p.get('schema', {})))} | "
                f"{'yes' if p.get('required') else 'no'} | {_cell(p.get('description'))} |"
            )
        out.append("")
    body = op.get("requestBody")
    if body:
        for media, content in body.get("content", {}).items():
            required = " (required)" if body.get("required") else ""
            out += [f"Body{required}, `{media}`: {_type(content.get('schema', {}))}", ""]
    responses = op.get("responses", {})
    if responses:
        out += ["| status | answer |", "|---|---|"]
        for status, answer in responses.items():
            schemas = [
                _type(c["schema"]) for c in answer.get("content", {}).values() if "schema" in c
            ]
            text = _cell(answer.get("description"))
            if schemas:
                text += " — " + _cell(", ".join(schemas))
            out.append(f"| {status} | {text} |")
        out.append("")
    return out


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    out = [f"### {name} {{#{_anchor(name)}}}", ""]
    if schema.get("description"):
        out += [schema["description"], ""]
    properties = schema.get("properties", {})
    if not properties:
        return [*out, f"Type: {_type(schema)}", ""]
    required = set(schema.get("required", []))
    out += ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in properties.items():
        flags = "read-only" if spec.get("readOnly") else ("yes" if field in required else "no")
        out.append(
            f"| `{field}` | {_cell(_type(spec))} | {flags} | {_cell(spec.get('description'))} |"
        )
    return [*out, ""]


def render(spec: dict[str, Any]) -> str:
    """The reference page: endpoints grouped by tag, in the document's order, then schemas."""
    lines = [
        "# REST API reference",
        "",
        "Generated at build time from the OpenAPI document that the plugin serves at "
        f"`{{prefix}}/openapi.json` ({spec['info']['title']} {spec['info']['version']}, "
        f"OpenAPI {spec['openapi']}). Download it: [openapi.json](openapi.json). Conventions "
        "(authentication, errors, pagination) are in the [API overview](index.md).",
        "",
    ]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                by_tag.setdefault((op.get("tags") or ["other"])[0], []).append((path, method, op))
    descriptions = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    for tag, operations in by_tag.items():
        lines += [f"## {tag}", "", descriptions.get(tag, ""), ""]
        for path, method, op in operations:
            lines += _operation(path, method, op)
    lines += ["## Schemas", ""]
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        lines += _schema(name, schema)
    return "\n".join(lines)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    spec = served_document()
    document = json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
    files.append(File.generated(config, "api/openapi.json", content=document))
    files.append(File.generated(config, "api/reference.md", content=render(spec)))
    return files
