"""Validating a large file's rows in worker processes, chunk by chunk, in file order.

Validation is pure Python (phone numbers above all) and needs no database: a large file's
chunks are parsed by ``CUSTOMERS_IMPORT_WORKERS`` forked processes while the job's own process
reads the file and records each chunk's duplicates and errors. Results come back in the order
of the file, so line numbers, duplicate detection (first line wins) and the report are those
of a single-process run. At most two chunks per worker are in flight: memory stays a few
chunks deep whatever the file's size.

The workers are forked (not spawned) so that they inherit the row parser as it is, field types
registered by plugins included, without pickling it; they never touch the database
connections they inherit.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from .decoding import Row
from .rows import ParsedRow

Parser = Callable[[Row], ParsedRow]
IN_FLIGHT_PER_WORKER = 2

_parser: Parser  # a worker process's parser, set once when it starts (``_install``)


def parsed_chunks(
    blocks: Iterable[list[Row]], parse: Parser, workers: int
) -> Iterator[list[ParsedRow]]:
    """Each block of rows parsed, in order: in this process when ``workers`` is 1 or less."""
    if workers <= 1:
        for block in blocks:
            yield [parse(row) for row in block]
        return
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_install,
        initargs=(parse,),
    )
    pending: deque[Future[list[ParsedRow]]] = deque()
    try:
        for block in blocks:
            pending.append(pool.submit(_parse_block, block))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _install(parse: Parser) -> None:
    global _parser
    _parser = parse


def _parse_block(block: list[Row]) -> list[ParsedRow]:
    return [_parser(row) for row in block]
