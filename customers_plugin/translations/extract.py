"""Extract the messages to translate and bring the catalogs up to date (for translators and
CI; nothing here runs in a request).

``python -m customers_plugin.translations.extract`` (``make i18n-extract``) writes
``messages.pot`` and ``admin.pot`` beside their catalogs and merges new msgids into every
locale's ``.po`` file (new entries arrive untranslated; a translator fills them in).
``missing(domain)`` says, per locale, which msgids of the code a catalog does not translate.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from ..i18n import DOMAINS, LOCALES, SOURCE_LOCALE, catalog_path

PACKAGE = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "N_": None}
# (folder under the package, babel method map); the first pattern that matches a file wins
SOURCES: dict[str, tuple[Path, list[tuple[str, str]]]] = {
    "messages": (
        PACKAGE,
        [("admin/**", "ignore"), ("**/admin/**", "ignore"), ("**.py", "python")],
    ),
    "admin": (
        PACKAGE / "admin",
        [
            ("**.py", "python"),
            ("**/templates/**.html", "jinja2"),
            ("**/static/**.js", "javascript"),
        ],
    ),
}
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
# the admin's ES modules write t("…") (static/i18n.js)
DOMAIN_KEYWORDS = {"admin": {**KEYWORDS, "t": None}}


def extract(domain: str) -> Catalog:
    """The msgids the code of ``domain`` marks, with where each is used."""
    folder, method_map = SOURCES[domain]
    catalog = Catalog(domain=domain, project="customers-plugin", charset="utf-8")
    if not folder.is_dir():
        return catalog
    found = extract_from_dir(
        str(folder),
        method_map,
        options_map=OPTIONS,
        keywords=DOMAIN_KEYWORDS.get(domain, KEYWORDS),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        location = (str((folder / filename).relative_to(PACKAGE)), lineno)
        catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def read_catalog(locale: str, domain: str) -> Catalog | None:
    path = catalog_path(locale, domain)
    if not path.is_file():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=locale, domain=domain)


def missing(domain: str) -> dict[str, list[str]]:
    """Per locale, the msgids of the code its catalog lacks or leaves untranslated or fuzzy."""
    wanted = extract(domain)
    gaps: dict[str, list[str]] = {}
    for locale in LOCALES:
        if locale == SOURCE_LOCALE:
            continue
        catalog = read_catalog(locale, domain)
        absent = []
        for message in wanted:
            if not message.id:
                continue
            have = catalog.get(message.id, message.context) if catalog else None
            strings = have.string if have else None
            done = all(strings) if isinstance(strings, tuple | list) else bool(strings)
            if have is None or not done or have.fuzzy:
                absent.append(message.id if isinstance(message.id, str) else message.id[0])
        if absent:
            gaps[locale] = absent
    return gaps


def update(domain: str) -> list[Path]:
    """Write ``<domain>.pot`` and merge it into each locale's catalog; the paths written."""
    template = extract(domain)
    if not len(template):
        return []
    written = []
    pot = DOMAINS[domain] / f"{domain}.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    with pot.open("wb") as out:
        write_po(out, template, width=100)
    written.append(pot)
    for locale in LOCALES:
        if locale == SOURCE_LOCALE:
            continue
        catalog = read_catalog(locale, domain) or Catalog(
            locale=locale,
            domain=domain,
            project="customers-plugin",
            copyright_holder="the customers-plugin authors",
            fuzzy=False,
        )
        catalog.update(template, no_fuzzy_matching=True)
        path = catalog_path(locale, domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, omit_header=False, ignore_obsolete=True)
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    for domain in argv or list(SOURCES):
        for path in update(domain):
            print(path.relative_to(PACKAGE.parent))
        for locale, ids in missing(domain).items():
            print(f"{domain}/{locale}: {len(ids)} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
