"""A staff user imports a semicolon-separated Latin-1 file: uploads it, reads the preview,
confirms, and finds the guests in the guest list."""

import pytest
from django.urls import reverse

from tests.admin_fixtures import make_staff
from tests.browser.test_admin_list import log_in, screenshot
from wagtail_guests.models import ConsentRecord, Guest

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# As Excel on a French Windows saves "CSV (separator: semicolon)": Latin-1 bytes, semicolons.
CONTENT = (
    "Prénom;Nom;E-mail;Téléphone;Langue;Consentement newsletter;Arrivée;Départ\r\n"
    "Hélène;Brûlé;helene.brule@example.com;06 12 34 56 78;fr;oui;14/07/2030;17/07/2030\r\n"
    "François;Noël;;+33 6 98 76 54 32;français;;;\r\n"
    "Zoé;Lefèvre;zoe@example.org;;fr;non;;\r\n"
).encode("latin-1")


def test_staff_imports_a_latin1_semicolon_file(live_server, browser_page, artifacts, tmp_path):
    page = browser_page
    make_staff("reception")
    upload = tmp_path / "clients-excel.csv"
    upload.write_bytes(CONTENT)
    log_in(page, live_server, "reception")

    page.goto(live_server.url + reverse("guests:index") + "?all=1")
    page.locator("a[data-guests-import]").click()
    expect(page.get_by_role("heading", name="Import guests")).to_be_visible()
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and preview").click()

    # The preview: how the file was read, its first rows with their accents, the counts.
    expect(page.get_by_text("Preview: nothing has been imported yet")).to_be_visible()
    expect(page.locator("[data-import-reading]")).to_contain_text("Windows-1252")
    expect(page.locator("[data-import-reading]")).to_contain_text("Semicolon")
    sample = page.locator("[data-import-sample]")
    expect(sample).to_contain_text("Hélène")
    expect(sample).to_contain_text("Brûlé")
    expect(sample).to_contain_text("Noël")
    counts = page.locator("[data-import-counts]")
    expect(counts.locator('[data-count="new"]')).to_have_text("3")
    expect(counts.locator('[data-count="errors"]')).to_have_text("0")
    expect(page.get_by_text("An import cannot be undone.")).to_be_visible()
    assert Guest.objects.count() == 0  # nothing written yet
    screenshot(page, artifacts / "import-preview.png")

    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_text("Import done.")).to_be_visible()
    page.get_by_role("link", name="See the guest list").click()
    names = page.locator("#listing-results td.title a[href*='/inspect/']")
    expect(names).to_have_text(
        ["François Noël", "Hélène Brûlé", "Zoé Lefèvre"], use_inner_text=True
    )

    helene = Guest.objects.get(email="helene.brule@example.com")
    assert (helene.phone, helene.language, helene.newsletter_consent) == (
        "+33612345678",
        "fr",
        "given",
    )
    record = ConsentRecord.objects.get(guest=helene)
    assert (record.source, record.import_filename) == ("import", "clients-excel.csv")
    assert helene.bookings.count() == 1
