"""The validation pass's output, kept for the writing pass: the rows that passed, chunk by
chunk, in a file beside the upload (one JSON line per chunk).

Validating a row costs far more than reading it back (phone numbers above all), and a
``reject-file`` import must validate every row before writing one; the writing pass reads these
chunks instead of parsing the file again. Memory stays one chunk deep. The file is rewritten by
every validation pass (a retried job validates again) and removed with the upload.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .rows import ParsedRow

_DATE = "$date"


@dataclass(frozen=True, slots=True)
class StagedChunk:
    first_line: int
    last_line: int
    size: int  # rows in the chunk, good and bad
    rows: list[ParsedRow]  # the chunk's rows that passed validation


def staged_path(upload: Path) -> Path:
    return upload.with_suffix(".validated")


class Stager:
    """Writes the chunks of one validation pass (to a temporary name, renamed when complete)."""

    def __init__(self, upload: Path) -> None:
        self._target = staged_path(upload)
        self._partial = self._target.with_suffix(".part")
        self._out: IO[str] = open(self._partial, "w", encoding="utf-8")  # noqa: SIM115

    def add(self, chunk_rows: Sequence[ParsedRow]) -> None:
        """Stage one validated chunk (all its rows; those with errors are left out)."""
        chunk = {
            "lines": [r.line for r in chunk_rows],
            "rows": [_encode(r) for r in chunk_rows if not r.errors],
        }
        self._out.write(json.dumps(chunk, ensure_ascii=False, separators=(",", ":")) + "\n")

    def complete(self) -> None:
        self._out.close()
        self._partial.replace(self._target)

    def abandon(self) -> None:
        self._out.close()
        self._partial.unlink(missing_ok=True)


def read_chunks(upload: Path, after_line: int) -> Iterator[StagedChunk]:
    """The staged chunks, from the first row after ``after_line`` (the batch's checkpoint; a
    chunk it falls inside keeps only its later rows).

    :raises FileNotFoundError: when no complete validation pass was staged.
    """
    with open(staged_path(upload), encoding="utf-8") as staged:
        for text in staged:
            chunk = json.loads(text)
            lines = [n for n in chunk["lines"] if n > after_line]
            if lines:
                rows = [_decode(r) for r in chunk["rows"] if r["line"] > after_line]
                yield StagedChunk(lines[0], lines[-1], len(lines), rows)


def remove(upload: Path) -> None:
    staged_path(upload).unlink(missing_ok=True)


def _encode(row: ParsedRow) -> dict[str, Any]:
    return {
        "line": row.line,
        "values": {k: _plain(v) for k, v in row.values.items()},
        "email_key": row.email_key,
        "fields": {str(k): list(v) for k, v in row.fields.items()},
        "tags": row.tags,
        "consent": row.consent,
    }


def _decode(data: dict[str, Any]) -> ParsedRow:
    return ParsedRow(
        line=data["line"],
        values={k: _typed(v) for k, v in data["values"].items()},
        email_key=data["email_key"],
        fields={uuid.UUID(k): (v[0], v[1]) for k, v in data["fields"].items()},
        tags=data["tags"],
        consent=data["consent"],
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and _DATE in value:
        return dt.date.fromisoformat(value[_DATE])
    return value
