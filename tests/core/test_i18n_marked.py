"""Every user-facing error text is marked for translation: a string literal (or f-string)
given directly as the message of ``invalid(field, …)``, of a ``ServiceError`` subclass
(``raise NotFound("…")``, ``HostAnswer(status, code, "…")``), of marshmallow's
``ValidationError`` or as a validator's ``error=`` fails here with its file and line; wrap it
in ``_()`` (``_("… {name}", name=…)`` for values) and translate it (test_i18n_catalogs)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import customers_plugin
from customers_plugin.services.errors import ServiceError

PACKAGE = Path(customers_plugin.__file__).resolve().parent
# Operator-only texts (never in an API answer) may stay English: (path under the package,
# the literal's beginning). Keep it small; each entry says why.
ALLOWED: dict[tuple[str, str], str] = {}
# the argument that carries the message, by callable name (0 unless listed; None: only the
# ``error=`` / ``message=`` keyword, as marshmallow's validators take it)
VALIDATORS = ("Regexp", "Length", "Range", "OneOf")
MESSAGE_ARGUMENT: dict[str, int | None] = {
    "invalid": 1,
    "HostAnswer": 2,
    **dict.fromkeys(VALIDATORS),
}


def _modules():
    for module in pkgutil.walk_packages(customers_plugin.__path__, "customers_plugin."):
        if ".admin" not in module.name:
            importlib.import_module(module.name)


def _error_classes() -> set[str]:
    _modules()
    found: set[str] = set()
    todo = [ServiceError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def unmarked(source: str, messengers: set[str]) -> list[tuple[int, str]]:
    """(line, literal) of each message given as a bare literal in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name not in messengers:
            continue
        index = MESSAGE_ARGUMENT.get(name, 0)
        candidates = [] if index is None else node.args[index : index + 1]
        candidates += [k.value for k in node.keywords if k.arg in ("message", "error")]
        found += [(c.lineno, ast.unparse(c)) for c in candidates if _is_literal(c)]
    return found


def _messengers() -> set[str]:
    return _error_classes() | {"invalid", "ValidationError", *VALIDATORS}


def test_the_scanner_finds_bare_literals_and_accepts_marked_ones():
    names = {"invalid", "NotFound", "HostAnswer", "ValidationError", "Regexp"}
    source = (
        'raise NotFound("no such thing")\n'
        'raise invalid("code", f"at most {n}")\n'
        'HostAnswer(409, "taken", "the host says no")\n'
        'raise ma.ValidationError("bad")\n'
        'validate.Regexp("^[a-z]$", error="letters")\n'
        'validate.Regexp("^[a-z]$", error=_("letters"))\n'
        'raise NotFound(_("no such thing"))\n'
        'raise invalid("code", _("at most {n}", n=n))\n'
        "HostAnswer(409, code.reason, code.message)\n"
    )
    assert [line for line, _text in unmarked(source, names)] == [1, 2, 3, 4, 5]


def test_every_error_message_of_the_package_is_marked_for_translation():
    messengers = _messengers()
    bare = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("admin/"):
            continue
        for line, text in unmarked(path.read_text(encoding="utf-8"), messengers):
            if not any(relative == p and text[1:].startswith(s) for p, s in ALLOWED):
                bare.append(f"{relative}:{line}: {text}")
    assert not bare, "wrap these messages in _() and translate them:\n" + "\n".join(bare)
