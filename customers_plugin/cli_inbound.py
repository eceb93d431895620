"""``flask customers inbound read-mbox PATH`` and ``read-maildir PATH``: feed a mailbox's
emails to the same inbound service as ``POST /inbound/email``, one line per email saying what
became of it (stored, duplicate, unmatched, too large, failed) and a summary. Reading a mailbox
again keeps nothing twice (duplicates are recognised by their Message-ID). Lines carry ids and
counts only, never an address or a subject."""

from __future__ import annotations

import mailbox
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click

from .cli import customers_cli
from .services import inbound
from .state import get_state

TOO_LARGE, FAILED = "too_large", "failed"


@customers_cli.group("inbound")
def inbound_group() -> None:
    """Emails answering threads."""


@inbound_group.command("read-mbox")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def read_mbox(path: Path) -> None:
    """Keep every email of an mbox file that answers a thread."""
    box = mailbox.mbox(path, create=False)
    try:
        _feed(_raw_messages(box))
    finally:
        box.close()


@inbound_group.command("read-maildir")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def read_maildir(path: Path) -> None:
    """Keep every email of a Maildir folder (new and cur) that answers a thread."""
    _feed(_raw_messages(mailbox.Maildir(path, create=False)))


def _raw_messages(box: mailbox.Mailbox) -> Iterator[bytes]:
    for key in box.iterkeys():
        yield box.get_bytes(key)


def _feed(messages: Iterator[bytes]) -> None:
    state = get_state()
    limit = int(state.setting("CUSTOMERS_INBOUND_MAX_BYTES"))
    counts: Counter[str] = Counter()
    for n, raw in enumerate(messages, start=1):
        if len(raw) > limit:
            outcome, details = TOO_LARGE, f"{len(raw)} bytes > {limit}"
        else:
            try:
                received = inbound.receive(state, raw)
            except Exception as exc:  # one bad email never stops the others
                outcome, details = FAILED, type(exc).__name__
            else:
                outcome, details = received.outcome, _details(received)
        counts[outcome] += 1
        click.echo(f"{n}: {outcome}{' ' + details if details else ''}")
    summary = ", ".join(f"{counts[k]} {k}" for k in sorted(counts)) or "no email"
    click.echo(f"customers: inbound {summary}")
    if counts[FAILED]:
        raise SystemExit(1)


def _details(received: inbound.Received) -> str:
    if received.message_id is None:
        return ""
    files = f" files={received.files}" if received.files or received.refused_files else ""
    refused = f" refused_files={received.refused_files}" if received.refused_files else ""
    return f"message={received.message_id} thread={received.thread_id}{files}{refused}"
