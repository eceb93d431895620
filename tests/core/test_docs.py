"""The documentation site documents every hook, every configuration key and every environment
variable of the tests, and builds without a warning.

How the checks are kept (for whoever adds a hook, a setting or a test variable):

- a **hook** is documented by its docstring in ``customers_plugin/hookspecs.py`` (Google style,
  rendered by mkdocstrings): a summary line, an ``Args:`` entry for every argument of the
  signature, ``Returns:`` unless the hook returns ``None`` (its first line without a colon,
  or it is read as a type), and an ``Example:`` with a fenced python block that compiles;
  ``docs/hooks.md`` renders it with one ``::: customers_plugin.hookspecs.<hook>`` line under its
  family;
- a **configuration key** of ``customers_plugin.config.DEFAULTS`` has a row
  ``| `KEY` | default | meaning |`` in ``docs/configuration.md``;
- an **environment variable** the tests or benchmarks read with a default is named
  ``CUSTOMERS_TEST_*`` and is listed in README.md.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import griffe
import pytest

from customers_plugin import hookspecs
from customers_plugin.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
HOOKS_PAGE = (DOCS / "hooks.md").read_text(encoding="utf-8")
CONFIG_PAGE = (DOCS / "configuration.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
# the options mkdocs.yml gives mkdocstrings, so the test reads the docstrings as the site does
PARSE_OPTIONS = {"returns_multiple_items": False, "returns_named_value": False}

HOOKS = sorted(
    name
    for name, obj in vars(hookspecs).items()
    if inspect.isfunction(obj) and hasattr(obj, "customers_spec")
)


def _sections(hook: str) -> dict[str, griffe.DocstringSection]:
    function = getattr(hookspecs, hook)
    assert function.__doc__, f"{hook}: no docstring"
    parsed = griffe.Docstring(inspect.cleandoc(function.__doc__)).parse(
        "google", warn_missing_types=False, **PARSE_OPTIONS
    )
    sections: dict[str, griffe.DocstringSection] = {}
    for section in parsed:
        key = section.kind.value
        if key == "admonition":
            key = section.value.annotation  # "example"
        sections[key] = section
    return sections


def test_the_contract_has_all_five_families():
    assert len(HOOKS) >= 30
    assert {
        "on_order_placed",
        "customer_created",
        "authorize",
        "register_field_types",
        "allowed_payment_methods",
    } <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_docstring_documents_each_argument(hook):
    sections = _sections(hook)
    assert "text" in sections, f"{hook}: no summary"
    arguments = list(inspect.signature(getattr(hookspecs, hook)).parameters)
    documented = {p.name: p.description for p in sections["parameters"].value}
    assert list(documented) == arguments, f"{hook}: Args must list {arguments} in order"
    for name, description in documented.items():
        assert description.strip(), f"{hook}: argument {name} has no description"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_docstring_says_what_it_returns(hook):
    sections = _sections(hook)
    annotation = inspect.signature(getattr(hookspecs, hook)).return_annotation
    if annotation in (None, "None"):
        assert "returns" not in sections, f"{hook} returns None: drop its Returns section"
        return
    assert "returns" in sections, f"{hook}: no Returns section"
    (answer,) = sections["returns"].value
    assert not answer.annotation, (
        f"{hook}: the first line of Returns reads as a type ({answer.annotation!r}): "
        "reword it without a colon"
    )
    assert answer.description.strip()


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_docstring_has_an_example_that_compiles(hook):
    sections = _sections(hook)
    assert "example" in sections, f"{hook}: no 'Example:' section"
    text = sections["example"].value.description
    blocks = re.findall(r"```python\n(.*?)\n```", text, re.S)
    assert blocks, f"{hook}: the example has no ```python block"
    for block in blocks:
        compile(block, f"<{hook} example>", "exec")


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_rendered_on_the_hooks_page(hook):
    directive = f"::: customers_plugin.hookspecs.{hook}\n"
    assert HOOKS_PAGE.count(directive) == 1, f"docs/hooks.md: add '{directive.strip()}'"


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_config_key_is_documented(key):
    assert f"| `{key}` |" in CONFIG_PAGE, f"docs/configuration.md: no row for {key}"


def test_configuration_page_names_only_real_keys():
    rows = re.findall(r"^\| `([A-Z_]+)` \|", CONFIG_PAGE, re.M)
    assert sorted(set(rows)) == sorted(rows), "a key has two rows"
    assert set(rows) <= set(DEFAULTS), set(rows) - set(DEFAULTS)


def _test_variables() -> dict[str, bool]:
    """Environment variables read by tests/ and benchmarks/: name -> read with a default (set by
    whoever runs the tests) rather than required (set by a test for a child process)."""
    found: dict[str, bool] = {}
    for folder in ("tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for name in re.findall(r"os\.environ\.get\(\s*\"([A-Z0-9_]+)\"", text):
                found[name] = True
            for name in re.findall(r"os\.environ\[\"([A-Z0-9_]+)\"\]", text):
                found.setdefault(name, False)
    return found


def test_environment_variables_of_the_tests_have_one_prefix_and_are_in_the_readme():
    variables = _test_variables()
    ours = {name for name in variables if name.startswith("CUSTOMERS_")}
    assert {"CUSTOMERS_TEST_POSTGRES_URL", "CUSTOMERS_TEST_REDIS_URL"} <= ours
    assert all(name.startswith("CUSTOMERS_TEST_") for name in ours), sorted(ours)
    for name in sorted(n for n in ours if variables[n]):
        assert f"`{name}`" in README, f"README.md: document {name}"


def test_readme_is_short_and_its_links_resolve():
    assert README.count("\n") <= 300
    for target in re.findall(r"\]\(((?:docs|examples)/[^)#]+)", README):
        assert (ROOT / target).exists(), target


def test_the_site_builds_without_a_warning(tmp_path):
    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(mkdocs.parent)},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "site" / "api" / "openapi.json").exists()
    reference = (tmp_path / "site" / "api" / "reference" / "index.html").read_text()
    assert "/api/v1/customers" in reference
