"""The gettext catalogs: each parses, translates every message the code marks (a new
untranslated message fails here with the list), keeps the placeholders of its msgid, and the
library messages the API passes on cover the marshmallow fields the schemas use."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import marshmallow as ma
import pytest
from babel.messages.pofile import read_po

from customers_plugin import i18n, schemas
from customers_plugin.translations import LIBRARY_MESSAGES
from customers_plugin.translations.extract import extract, missing

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TRANSLATED = [loc for loc in i18n.LOCALES if loc != i18n.SOURCE_LOCALE]
DOMAINS = [d for d in i18n.DOMAINS if i18n.catalog_path("ar", d).is_file()]


def _catalog(locale: str, domain: str):
    with i18n.catalog_path(locale, domain).open("rb") as po:
        return read_po(po, locale=locale, domain=domain, abort_invalid=True)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", TRANSLATED)
def test_catalog_parses_and_names_its_language(locale, domain):
    catalog = _catalog(locale, domain)
    assert str(catalog.locale) == locale
    assert not catalog.fuzzy, "a fuzzy header makes gettext tools skip the file"
    assert len(catalog) > 0


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_of_the_code_is_translated_in_every_catalog(domain):
    gaps = missing(domain)
    report = "\n".join(
        f"{locale}: {len(ids)} untranslated:\n  " + "\n  ".join(ids) for locale, ids in gaps.items()
    )
    assert not gaps, f"run `make i18n-extract` and translate in the .po files:\n{report}"


def test_the_messages_domain_finds_the_code_and_library_messages():
    found = {m.id for m in extract("messages") if m.id}
    assert {"no such customer", "missing permission {permission}"} <= found
    assert set(LIBRARY_MESSAGES) <= found


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_msgid(locale, domain):
    wrong = []
    for message in _catalog(locale, domain):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((ids[0], text))
    assert not wrong, wrong


def _schema_fields():
    for module in pkgutil.iter_modules(schemas.__path__):
        loaded = importlib.import_module(f"{schemas.__name__}.{module.name}")
        for _name, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, ma.Schema) and cls.__module__ == loaded.__name__:
                for field in cls._declared_fields.values():
                    yield field
                    inner = getattr(field, "inner", None)
                    if inner is not None:
                        yield inner


def test_library_messages_cover_the_marshmallow_fields_the_schemas_use():
    known = set(LIBRARY_MESSAGES)
    uncovered = set()
    for field in _schema_fields():
        for message in field.error_messages.values():
            kind = getattr(field, "OBJ_TYPE", "{obj_type}")
            text = message.replace("{obj_type}", kind)
            if "{awareness}" in text:  # only raised by datetimes that want (or refuse) a zone
                if kind != "datetime":
                    continue
                texts = {text.replace("{awareness}", a) for a in ("naive", "aware")}
            else:
                texts = {text}
            uncovered.update((type(field).__name__, t) for t in texts - known)
    assert not uncovered, sorted(uncovered)
