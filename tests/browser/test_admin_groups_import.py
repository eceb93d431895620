"""The admin's groups, import, export and custom fields screens on the example host, in
Chromium, as a merchant uses them: a group built from a condition with a preview of who joins
and leaves, members added by hand and why each is in it, checkout rules; an import of pasted
addresses with a bad one (progress, the row report by line, undo); an export of the list's
filter with chosen columns; a custom field added, relabelled and deleted; the groups and import
screens in Arabic, right to left, with the accessibility check.

The tests share the seeded shop of ``shop.py`` with the other browser tests; each changes only
what no other test looks at (its own group, field and imported addresses)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from .a11y import problems
from .conftest import admin_tab
from .shop import SKIP, SKIP_REASON, Shop

if SKIP:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # imported only when not skipped

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def members(page: Page):
    return page.locator("table.members tbody tr")


def test_a_group_from_a_condition_with_preview_members_why_and_checkout_rules(
    page: Page, shop: Shop
) -> None:
    page.goto(shop.url + "groups")
    page.get_by_role("link", name="New group").click()
    page.get_by_label("Name", exact=True).fill("Italian customers")
    page.get_by_role("button", name="Add a condition").click()
    page.get_by_label("Field of condition 1").select_option(label="Country")
    page.get_by_label("Test of condition 1").select_option(label="is")
    page.get_by_label("Value of condition 1").fill("IT")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview")).to_have_text("Matching customers: 2")
    page.get_by_role("button", name="Create group").click()

    expect(page.locator("h1")).to_have_text("Italian customers")
    expect(members(page)).to_have_count(2)
    expect(members(page).filter(has_text="Niccolò Bianchi")).to_contain_text("By conditions")
    giulia = members(page).filter(has_text="Giulia Rossi")
    giulia.get_by_role("button", name="Why?").click()
    expect(giulia.locator(".why")).to_contain_text("Country is Italy")
    expect(giulia.locator(".why .yes")).to_contain_text("this customer: Italy")

    page.get_by_label("Add a customer by hand").fill("Dana")
    page.get_by_role("button", name="Find", exact=True).click()
    page.get_by_role("button", name="Add to the group").click()
    dana = members(page).filter(has_text="דנה לוי")
    expect(dana).to_contain_text("By hand")

    page.get_by_label("Value of condition 1").fill("IL")  # Avi joins; both Italians leave
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview .join")).to_have_text("+1 join")
    expect(page.locator(".preview .leave")).to_have_text("−2 leave")
    page.get_by_label("Value of condition 1").fill("IT")
    page.get_by_label("Free shipping for members").check()
    page.get_by_label("Coupons members may use").fill("VIP10, SPRING")
    page.get_by_role("button", name="Save group").click()
    expect(page.locator("#toast")).to_have_text("The group was saved.")

    page.get_by_role("link", name="All groups").click()
    row = page.locator("table.groups tbody tr", has_text="Italian customers")
    expect(row.locator("td").nth(1)).to_have_text("3")
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(row).to_contain_text("Country is Italy")
    expect(row).to_contain_text("Free shipping")
    expect(row).to_contain_text("Coupons: VIP10, SPRING")


def test_an_import_of_pasted_addresses_reports_the_bad_line_and_is_undone(
    page: Page, shop: Shop
) -> None:
    page.goto(shop.url + "import")
    expect(page.get_by_role("link", name="Download the template")).to_have_attribute(
        "href", re.compile(r"/api/v1/imports/template\.csv$")
    )
    page.get_by_label("Or paste email addresses").fill(
        "fair1@example.com\nnot-an-address\nfair2@example.com"
    )
    page.get_by_label("Subscribe them to marketing").check()
    page.get_by_label("Tags for everyone imported").fill("fair")
    page.get_by_label("Rows with problems").select_option("skip-bad-rows")
    page.get_by_role("button", name="Start the import").click()

    expect(page.get_by_role("status").first).to_contain_text("Done")
    counts = page.locator("ul.counts li")
    expect(counts.filter(has_text="Created")).to_contain_text("2")
    expect(counts.filter(has_text="Rows with problems")).to_contain_text("1")
    report = page.locator("table.report tbody tr")
    expect(report).to_have_count(1)
    expect(report.first.locator("td")).to_have_text(["3", "email", "not a valid email address"])
    created = shop.api("GET", "/customers?tag=fair")["items"]
    assert sorted(c["email"] for c in created) == ["fair1@example.com", "fair2@example.com"]

    page.get_by_role("button", name="Undo import").click()
    page.locator("dialog[open]").get_by_role("button", name="Undo import").click()
    expect(page.get_by_role("status").first).to_contain_text("Undone")
    assert shop.api("GET", "/customers?tag=fair")["items"] == []
    page.get_by_role("link", name="New import").click()
    expect(page.locator("table.imports tbody tr").first).to_contain_text("Undone")


def test_an_export_of_the_lists_filter_with_chosen_columns_downloads_when_ready(
    page: Page, shop: Shop
) -> None:
    # a tag of this test's own: the shop is shared, and another file may tag someone "vip"
    for email in ("dana@example.com", "omar@example.com"):
        found = shop.api("GET", f"/customers?q={email}")["items"][0]
        shop.api("POST", f"/customers/{found['id']}/tags", json={"tags": ["export-pick"]})
    page.goto(shop.url + "export?tag=export-pick")
    expect(page.locator("form")).to_contain_text("tag: export-pick")
    page.get_by_role("button", name="Select none").click()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Name", exact=True).check()
    page.get_by_role("button", name="Export", exact=True).click()
    link = page.get_by_role("link", name="Download the file")
    expect(link).to_be_visible()
    origin = shop.url.removesuffix("/admin/")
    data = page.request.get(origin + (link.get_attribute("href") or "")).text()
    lines = data.lstrip("\ufeff").splitlines()
    assert lines[0] == "email,name"
    assert sorted(lines[1:]) == ["dana@example.com,דנה לוי", "omar@example.com,عمر الفاروق"]


def test_a_custom_field_is_added_relabelled_and_deleted_after_a_confirmation(
    page: Page, shop: Shop
) -> None:
    page.goto(shop.url + "fields")
    adder = page.locator("form", has_text="Add a field")
    adder.get_by_label("Label", exact=True).fill("Shoe size")
    adder.get_by_role("combobox", name="Type").select_option(label="Number")
    adder.get_by_role("button", name="Add field").click()
    row = page.locator("table.fields tbody tr", has_text="shoe_size")
    expect(row).to_contain_text("Number")
    row.get_by_label("Label of shoe_size").fill("Shoe size (EU)")
    row.get_by_role("button", name="Rename").click()
    expect(page.locator("#toast")).to_have_text("The field was renamed.")
    assert [f["label"] for f in shop.api("GET", "/fields")["items"] if f["key"] == "shoe_size"] == [
        "Shoe size (EU)"
    ]
    row = page.locator("table.fields tbody tr", has_text="shoe_size")
    row.get_by_role("button", name="Delete").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Every customer's value of this field is deleted too.")
    dialog.get_by_role("button", name="Delete field").click()
    expect(page.locator("#toast")).to_have_text("The field was deleted.")
    expect(page.locator("table.fields tbody tr", has_text="shoe_size")).to_have_count(0)


def test_groups_and_import_in_arabic_read_right_to_left(browser: Browser, shop: Shop) -> None:
    with admin_tab(browser, shop, locale="ar-SA") as page:
        page.goto(shop.url + "groups/new")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("h1")).to_have_text("مجموعة جديدة")
        page.get_by_role("button", name="إضافة شرط").click()
        field = page.get_by_label("حقل الشرط 1")
        field.select_option(label="إجمالي المشتريات")
        page.get_by_label("مقارنة الشرط 1").select_option(label="أكبر من")
        page.get_by_label("قيمة الشرط 1").fill("1")
        page.get_by_role("button", name="معاينة").click()
        one = page.evaluate("new Intl.NumberFormat('ar').format(1)")  # the browser's digits
        expect(page.locator(".preview")).to_have_text(f"عدد العملاء المطابقين: {one}")
        box, value = field.bounding_box(), page.get_by_label("قيمة الشرط 1").bounding_box()
        assert box and value and box["x"] > value["x"]  # the field comes first, on the right
        assert problems(page) == []

        page.goto(shop.url + "import")
        expect(page.locator("h1")).to_have_text("استيراد العملاء")
        page.get_by_label("أو الصق عناوين البريد الإلكتروني").fill("ar1@example.com, wrong@")
        page.get_by_label("تجربة: افحص الملف دون كتابة أي شيء").check()
        page.get_by_label("صفوف بها مشكلات").select_option("skip-bad-rows")
        page.get_by_role("button", name="ابدأ الاستيراد").click()
        expect(page.locator("p.notice").first).to_have_text("تجربة فقط: لم يُكتب أي شيء")
        report = page.locator("table.report tbody tr td")
        three = page.evaluate("new Intl.NumberFormat('ar').format(3)")
        expect(report).to_have_text([three, "email", "عنوان البريد الإلكتروني غير صالح"])
        assert problems(page) == []
        assert shop.api("GET", "/customers?q=ar1@example.com")["items"] == []
