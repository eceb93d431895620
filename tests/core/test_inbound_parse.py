"""Reading inbound emails: real MIME shapes (multipart/alternative, attachments,
quoted-printable, base64, RFC 2047 Arabic and Hebrew subjects, ISO-8859-8 bodies), the reply
text without its quotes and signature in English, Arabic, Hebrew and Italian, and HTML read as
text only."""

from __future__ import annotations

import base64

import pytest

from customers_plugin.services.inbound.parse import html_text, parse, reply_text

ALTERNATIVE = b"""\
From: Layla <layla@example.com>
To: Shop <reply+0123456789abcdef0123456789abcdef@mail.shop.example>
Subject: Re: Your order
Message-ID: <reply-1@mail.example.com>
In-Reply-To: <out-1@shop.example>
References: <out-0@shop.example> <out-1@shop.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Yes please, deliver on Tuesday =E2=80=94 thanks!

On Mon, 1 Dec 2026 at 10:00, Shop <shop@example.com> wrote:
> When should we deliver?
--alt
Content-Type: text/html; charset="utf-8"

<div>Yes please (html)</div>
--alt--
"""


def test_multipart_alternative_prefers_the_plain_text_and_reads_the_headers():
    mail = parse(ALTERNATIVE)
    assert mail.text == "Yes please, deliver on Tuesday \u2014 thanks!"
    assert mail.subject == "Re: Your order"
    assert mail.message_id == "<reply-1@mail.example.com>"
    assert mail.answers == ("<out-1@shop.example>", "<out-0@shop.example>")
    assert mail.recipients == ("reply+0123456789abcdef0123456789abcdef@mail.shop.example",)
    assert mail.sender == "layla@example.com"
    assert mail.files == ()


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

WITH_FILES = (
    b"""\
From: sara@example.com
To: reply+abcdefgh12345678@shop.example
Subject: =?UTF-8?B?2LfZhNioINin2YTYtdmK2KfZhtip?=
Message-ID: <files@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mix"

--mix
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64

"""
    + base64.encodebytes("<p>مرحبا، <b>الفاتورة</b> مرفقة</p><script>alert(1)</script>".encode())
    + b"""
--alt--
--mix
Content-Type: application/pdf; name="invoice.pdf"
Content-Disposition: attachment; filename="=?UTF-8?B?2YHYp9iq2YjYsdipLnBkZg==?="
Content-Transfer-Encoding: base64

"""
    + base64.encodebytes(PDF)
    + b"""
--mix
Content-Type: image/png
Content-Disposition: inline; filename="photo.png"
Content-Transfer-Encoding: base64

"""
    + base64.encodebytes(PNG)
    + b"""
--mix--
"""
)


def test_attachments_and_an_html_only_body_in_arabic():
    mail = parse(WITH_FILES)
    assert mail.subject == "طلب الصيانة"
    assert mail.text == "مرحبا، الفاتورة مرفقة"  # no markup, no script
    assert [(f.filename, f.data) for f in mail.files] == [("فاتورة.pdf", PDF), ("photo.png", PNG)]


HEBREW_8859 = (
    b"From: dan@example.co.il\r\n"
    b"To: reply+abcdefgh12345678@shop.example\r\n"
    b"Subject: =?ISO-8859-8?B?" + base64.b64encode("הזמנה".encode("iso-8859-8")) + b"?=\r\n"
    b"Message-ID: <heb@example.co.il>\r\n"
    b"Content-Type: text/plain; charset=iso-8859-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    + (
        "שלום, אני מגיע מחר.\r\n\r\n"
        "בתאריך יום ב', 1 בדצמ' 2026, 10:00, מאת Shop <s@x.com>:\r\n> מתי?\r\n"
    ).encode("iso-8859-8")
)


def test_iso_8859_8_hebrew_body_and_subject_with_the_hebrew_attribution_cut():
    mail = parse(HEBREW_8859)
    assert mail.subject == "הזמנה"
    assert mail.text == "שלום, אני מגיע מחר."


def test_an_unknown_charset_is_read_as_utf8_with_replacements():
    raw = (
        b"From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=x-unknown-42\n\n"
        b"caf\xc3\xa9 \xff ok\n"
    )
    assert parse(raw).text == "caf\u00e9 \ufffd ok"


def test_a_message_without_ids_or_body_still_parses():
    mail = parse(b"Subject: only a header\n\n")
    assert (mail.message_id, mail.answers, mail.sender, mail.text) == (None, (), None, "")
    assert parse(b"\x00\xff garbage without headers").files == ()


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("Thanks!\n\nOn Tue, Dec 1, 2026 at 9:00 AM Shop <s@x.com> wrote:\n> hi", "Thanks!"),
        ("Thanks!\nOn Tue, Dec 1, 2026 at 9:00 AM Shop <s@x.com>\nwrote:\n> hi", "Thanks!"),
        (
            "Grazie!\n\nIl giorno lun 1 dic 2026 alle 10:00 Shop <s@x.com> ha scritto:\n> ciao",
            "Grazie!",
        ),
        ("شكرا\n\n\u202bفي الاثنين، ١ ديسمبر ٢٠٢٦، كتب Shop <s@x.com>:\u202c\n> مرحبا", "شكرا"),
        (
            "תודה\n\n\u202bבתאריך יום ב׳, 1 בדצמ׳ 2026 ב-10:00 "
            "מאת \u202aShop\u202c <s@x.com>:\u202c\n> היי",
            "תודה",
        ),
        ("Merci\n\nLe lun. 1 déc. 2026, Shop <s@x.com> a écrit :\n> bonjour", "Merci"),
        ("Fine\n-- \nLayla\nCEO", "Fine"),
        ("Fine\n--\nLayla", "Fine"),
        ("Top\n> quoted 1\nmiddle\n> quoted 2", "Top\nmiddle"),
        ("Here\n\n-----Original Message-----\nFrom: Shop", "Here"),
        ("Here\n________________________________\nFrom: Shop", "Here"),
        ("-- not a signature\nkept", "-- not a signature\nkept"),
        ("On my way; I wrote: this line stays\nyes", "On my way; I wrote: this line stays\nyes"),
    ],
)
def test_quoted_text_and_signatures_are_stripped(text, reply):
    assert reply_text(text) == reply


def test_html_keeps_text_and_drops_quotes_styles_and_scripts():
    markup = (
        "<html><head><style>p{}</style><title>t</title></head><body>"
        "<p>Hello &amp; welcome<br>line two</p>"
        '<div class="gmail_quote">On Mon … wrote:<blockquote>old</blockquote></div>'
        "<blockquote>older <b>nested</b></blockquote><script>x()</script><p>end</p></body></html>"
    )
    assert html_text(markup) == "Hello & welcome\nline two\n\nend"


def test_the_body_is_bounded_and_control_characters_removed():
    raw = b"Subject: a\x01b\nContent-Type: text/plain\n\n" + b"x\x00" * 30_000
    mail = parse(raw)
    assert len(mail.text) == 20_000 and "\x00" not in mail.text


def test_a_quoted_printable_utf8_hebrew_subject_and_body():
    subject = "=?UTF-8?Q?" + "".join(f"={b:02X}" for b in "תשובה".encode()) + "?="
    body = "".join(f"={b:02X}" for b in "כן, תודה".encode())
    raw = (
        f"Subject: Re: {subject}\nContent-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: quoted-printable\n\n{body}\n"
    ).encode()
    mail = parse(raw)
    assert (mail.subject, mail.text) == ("Re: תשובה", "כן, תודה")
