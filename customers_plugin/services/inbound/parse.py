"""Reading one RFC 5322 message with Python's ``email`` package (``policy.default``): who it is
from and to, which message it answers, its subject, the reply's own text (text/plain preferred,
else the text of the HTML; quoted text and the signature removed) and its attached files.

Nothing here touches the database; the caller bounds the raw message's size before parsing.
"""

from __future__ import annotations

import email
import html
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

from ...bounds import text_problem

SUBJECT_MAX = 255
BODY_MAX = 20_000
MESSAGE_ID_MAX = 255
MAX_REFERENCES = 50
MAX_RECIPIENTS = 100
_ADDRESS_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
_MSG_ID = re.compile(r"<([^<>\s]{1,250})>")
# bidi marks clients put around quoted names and addresses (Arabic and Hebrew Gmail)
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# the line that introduces the quoted message: "On <date>, <name> wrote:" and its kin
_ATTRIBUTION = re.compile(
    r"(?:\bwrote|\bha scritto|\ba écrit|\bschrieb|\bescribió|\bescreveu|كتب|כתב|כתבה)\s*:\s*$"
    r"|^בתאריך\s.*:\s*$|^في\s.*\bكتب\b.*:\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^(?:On|Il|Le|Am|El|Em|في|בתאריך|ב-)\s", re.IGNORECASE)
_SEPARATOR = re.compile(r"^(?:-{2,}\s*Original Message\s*-{2,}|_{10,}|-{5,}\s*Forwarded .*)$", re.I)


@dataclass(frozen=True, slots=True)
class MailFile:
    filename: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class Mail:
    message_id: str | None
    answers: tuple[str, ...]  # In-Reply-To, then References (newest first)
    recipients: tuple[str, ...]
    sender: str | None
    subject: str | None
    text: str
    files: tuple[MailFile, ...]


def parse(raw: bytes) -> Mail:
    """The parts of ``raw`` the inbox needs; never raises for a malformed message (what
    cannot be read is left out)."""
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = _body_part(message)
    return Mail(
        message_id=_first_id(_header(message, "Message-ID")),
        answers=_answered(message),
        recipients=_addresses(message, _ADDRESS_HEADERS),
        sender=next(iter(_addresses(message, ("From",))), None),
        subject=_clean(_header(message, "Subject"), SUBJECT_MAX) or None,
        text=_clean(reply_text(_text_of(body)) if body is not None else "", BODY_MAX),
        files=tuple(_files(message, body)),
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, LookupError):
        return ""  # a header the parser cannot decode
    return str(value) if value is not None else ""


def _first_id(value: str) -> str | None:
    found = _MSG_ID.search(value)
    return f"<{found.group(1)}>" if found else None


def _answered(message: EmailMessage) -> tuple[str, ...]:
    ids = [f"<{i}>" for i in _MSG_ID.findall(_header(message, "In-Reply-To"))]
    ids += reversed([f"<{i}>" for i in _MSG_ID.findall(_header(message, "References"))])
    return tuple(dict.fromkeys(ids))[:MAX_REFERENCES]


def _addresses(message: EmailMessage, names: tuple[str, ...]) -> tuple[str, ...]:
    values = [_header(message, name) for name in names]
    pairs = getaddresses([v for v in values if v])
    found = dict.fromkeys(addr.strip().lower() for _name, addr in pairs if "@" in addr)
    return tuple(found)[:MAX_RECIPIENTS]


def _clean(text: str, limit: int) -> str:
    """Text the database can keep: forbidden control characters removed, bounded."""
    text = _CONTROL.sub("", text).strip()
    text = text[:limit]
    return text if text_problem(text) is None else ""


def _body_part(message: EmailMessage) -> EmailMessage | None:
    try:
        return message.get_body(preferencelist=("plain", "html"))  # type: ignore[return-value]
    except (KeyError, TypeError, ValueError):
        return None


def _text_of(part: EmailMessage) -> str:
    """The part's text, decoded from its transfer encoding and charset (an unknown charset
    is read as UTF-8 with replacements); HTML reduced to its text."""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        return html_text(content)
    return content


def _files(message: EmailMessage, body: EmailMessage | None) -> list[MailFile]:
    found = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        filename = part.get_filename()
        if part.get_content_disposition() != "attachment" and not filename:
            continue  # the other alternative of the body, or an inline part without a name
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found.append(MailFile(filename, payload))
    return found


# -- the reply's own text ---------------------------------------------------------------------


def reply_text(text: str) -> str:
    """``text`` without what it quotes: cut at the attribution line ("On … wrote:", "Il … ha
    scritto:", "… كتب:", "בתאריך … :"), a forwarded or original-message separator or the
    signature delimiter ``-- ``; lines starting with ``>`` dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        plain = _BIDI.sub("", line).strip()
        if line in ("-- ", "--"):  # the signature delimiter (some clients drop its space)
            break
        if _SEPARATOR.match(plain) or _ATTRIBUTION.search(plain):
            break
        following = _BIDI.sub("", lines[i + 1]).strip() if i + 1 < len(lines) else ""
        if _ATTRIBUTION_START.match(plain) and _ATTRIBUTION.search(f"{plain} {following}"):
            break  # the attribution wrapped onto two lines
        if plain.startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


class _TextOfHtml(HTMLParser):
    """The text of an HTML body: no script, style or head; quoted blocks (``blockquote``,
    Gmail's ``gmail_quote``) left out; block elements end lines."""

    _SKIP = {"script", "style", "head", "title", "blockquote"}
    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        classes = " ".join(str(v) for k, v in attrs if k == "class")
        if self.skipping or tag in self._SKIP or "gmail_quote" in classes:
            if tag not in ("br", "img", "hr", "meta", "link", "input"):
                self.skipping.append(tag)
            return
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if self.skipping[-1] == tag:
                self.skipping.pop()
            return
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The visible text of ``markup`` (never markup: the result is plain text)."""
    parser = _TextOfHtml()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = "".join(parser.parts)
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
