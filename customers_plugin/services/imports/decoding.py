"""Reading an import file: encoding (UTF-8 with or without BOM, UTF-16 as Excel writes it),
delimiter (comma, semicolon or tab, sniffed from the header line) and rows numbered by the
physical line they start on (header = line 1; a quoted cell spanning lines counts them all).

The file is read incrementally from disk: memory does not grow with its size. The header is
read through a window of ``HEADER_MAX_CHARS`` characters, so a file whose first line never
ends is refused after that much, not read whole.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ...i18n import _

DELIMITERS = (",", ";", "\t")
MAX_CELL = 64 * 1024
HEADER_MAX_CHARS = 64 * 1024
_HEADER_TOO_LONG = _("the header (first line) is longer than {n} characters", n=HEADER_MAX_CHARS)


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, broken quoting, no header)."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # physical line the row starts on
    cells: list[str]


def detect_encoding(head: bytes) -> str:
    """The encoding of a file from its first bytes (BOM, else NUL patterns, else UTF-8)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be"
    return "utf-8"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter used most often outside quotes in the header line (comma by default)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvFile:
    """An import file on disk. ``header()`` reads the first row; ``rows()`` streams the rest."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as raw:
            self.encoding = detect_encoding(raw.read(4))
        with self._open() as text:
            try:
                first = text.readline(HEADER_MAX_CHARS + 1)
            except UnicodeDecodeError:
                raise FileProblem(_("the file is neither UTF-8 nor UTF-16 text")) from None
        if len(first) > HEADER_MAX_CHARS:
            raise FileProblem(_HEADER_TOO_LONG)
        if not first.strip():
            raise FileProblem(_("the file is empty or its first line (the header) is blank"))
        self.delimiter = sniff_delimiter(first)

    def _open(self) -> io.TextIOWrapper:
        return open(self.path, encoding=self.encoding, newline="")

    def header(self) -> list[str]:
        """The first row, read from at most ``HEADER_MAX_CHARS`` characters of the file."""
        with self._open() as text:
            try:
                head = text.read(HEADER_MAX_CHARS + 1)
            except UnicodeDecodeError:
                raise FileProblem(
                    _("line {line}: the file is neither UTF-8 nor UTF-16 text", line=1)
                ) from None
        window = io.StringIO(head)
        csv.field_size_limit(MAX_CELL)
        try:
            cells = next(csv.reader(window, delimiter=self.delimiter, strict=False))
        except StopIteration:
            raise FileProblem(_("the file has no header line")) from None
        except csv.Error as exc:
            raise FileProblem(
                _("line {line}: the CSV is broken ({problem})", line=1, problem=exc)
            ) from None
        if len(head) > HEADER_MAX_CHARS and window.tell() >= len(head):
            raise FileProblem(_HEADER_TOO_LONG)
        return [c.lstrip("\ufeff") for c in cells]

    def rows(self) -> Iterator[Row]:
        """Data rows (blank lines skipped), each with the physical line it starts on."""
        return self._read()

    def _read(self) -> Iterator[Row]:
        csv.field_size_limit(MAX_CELL)
        with self._open() as text:
            reader = csv.reader(text, delimiter=self.delimiter, strict=False)
            previous = 0
            first = True
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError:
                    raise FileProblem(
                        _(
                            "line {line}: the file is neither UTF-8 nor UTF-16 text",
                            line=previous + 1,
                        )
                    ) from None
                except csv.Error as exc:
                    raise FileProblem(
                        _(
                            "line {line}: the CSV is broken ({problem})",
                            line=previous + 1,
                            problem=exc,
                        )
                    ) from None
                line = previous + 1
                previous = reader.line_num
                if first:
                    first = False
                    continue
                if not any(c.strip() for c in cells):
                    continue
                yield Row(line, cells)
