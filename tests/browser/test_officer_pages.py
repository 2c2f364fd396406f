"""Officers and auditors: sign in with a token, read a report's timeline, work the queue.

The auditor's timeline verifies the whole report in the browser; stating a purpose shows
sealed fields and records the disclosure exactly as the API does; the liaison's queue lists
the report with its deadline in working days; signing out ends the session.
"""

from __future__ import annotations

import re
from pathlib import Path

import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE
from tests.browser.support import Site, check_page, wait_verified

BODY = "Pungutan liar di loket KTP kelurahan Cipare, Rp50.000 per berkas."


def handled_report(site: Site) -> str:
    """A public complaint, verified, dispositioned to Kota Serang and followed up."""
    submitted = requests.post(
        f"{site.base}/v1/reports",
        json={
            "classification": "pengaduan",
            "privacy": "public",
            "target_agency_id": "kota-serang",
            "title": "Pungli di loket KTP",
            "body": BODY,
        },
        timeout=30,
    )
    assert submitted.status_code == 201, submitted.text
    report_id: str = submitted.json()["report_id"]
    site.act("admin", report_id, "verify", {"handling_class": "normatif"})
    site.act("admin", report_id, "disposition", {"agency_id": "kota-serang"})
    site.act("liaison", report_id, "follow_up", {"message": "Petugas loket sudah diperiksa."})
    return report_id


def sign_in(page: Page, site: Site, token: str) -> None:
    page.goto(f"{site.base}/masuk")
    page.get_by_label("Token API").fill(token)
    page.get_by_role("button", name="Masuk", exact=True).click()


def test_auditor_timeline_verifies_and_records_disclosures(
    page: Page, site: Site, artifacts: Path
) -> None:
    report_id = handled_report(site)
    page.goto(f"{site.base}/masuk")
    check_page(page, artifacts, "06-login")
    sign_in(page, site, site.tokens["auditor"])
    expect(page.get_by_role("heading", name="Daftar laporan")).to_be_visible()
    check_page(page, artifacts, "07-reports")

    page.goto(f"{site.base}/laporan/{report_id}")
    text = wait_verified(page)
    assert "entri versi 4 (FollowedUp" in text
    entries = page.locator("[data-entry-version]")
    expect(entries).to_have_count(4)
    expect(entries.nth(2)).to_contain_text("Tepat waktu".lower())  # disposition met its clock
    expect(page.locator("[data-entry-check]").first).to_contain_text("berhasil")
    assert BODY not in page.content()  # sealed until a purpose is stated
    check_page(page, artifacts, "08-report")

    page.get_by_label("Tujuan").select_option("audit")
    page.get_by_label("Rujukan").fill("LHP 12/2026")
    page.get_by_role("button", name="Tampilkan isi tertutup").click()
    expect(page.get_by_text(BODY)).to_be_visible()
    wait_verified(page)
    check_page(page, artifacts, "09-report-disclosed")

    history = requests.get(
        f"{site.base}/v1/reports/{report_id}/history",
        headers={"Authorization": f"Bearer {site.tokens['auditor']}"},
        timeout=30,
    ).json()
    last = history["entries"][-1]
    assert last["event_type"] == "DisclosureRecorded"
    assert last["header"]["purpose"] == "audit: LHP 12/2026"
    assert last["header"]["actor"]["role"] == "ombudsman_auditor"


def test_liaison_queue_sorts_and_sign_out_ends_the_session(
    browser: Browser, site: Site, artifacts: Path
) -> None:
    report_id = handled_report(site)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, site, site.tokens["liaison"])
    expect(page.get_by_role("heading", name=re.compile("Antrian"))).to_be_visible()
    inbox = page.locator("#inbox")
    expect(inbox).to_contain_text(report_id[:8])
    expect(inbox).to_contain_text("hari kerja")
    expect(page.get_by_role("heading", name="Kepatuhan")).to_be_visible()
    check_page(page, artifacts, "10-queue")

    inbox.get_by_role("link", name="Batas waktu").click()
    assert "sort=due" in page.url and "dir=desc" in page.url
    expect(page.locator("#inbox th[aria-sort=descending]")).to_have_count(1)

    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("link", name="Masuk petugas")).to_be_visible()
    page.goto(f"{site.base}/antrian")
    expect(page.get_by_role("heading", name="Masuk petugas dan pemeriksa")).to_be_visible()
    context.close()


def test_english_switch(page: Page, site: Site, artifacts: Path) -> None:
    page.goto(f"{site.base}/cek")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Check a receipt")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    check_page(page, artifacts, "11-check-english")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", name="Cek tanda terima")).to_be_visible()


def test_error_states_are_accessible_too(page: Page, site: Site, artifacts: Path) -> None:
    page.goto(f"{site.base}/lapor")
    page.get_by_role("button", name="Kirim laporan").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Periksa kembali isian berikut")
    summary.get_by_role("link").first.click()  # the summary leads to the field
    check_page(page, artifacts, "12-submit-errors")

    page.goto(f"{site.base}/cek")
    page.get_by_label("Tanda terima").fill("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH")
    page.get_by_role("button", name="Buka laporan").click()
    expect(page.get_by_role("alert")).to_contain_text("Tanda terima tidak dikenali")
    check_page(page, artifacts, "13-receipt-unknown")

    page.goto(f"{site.base}/antrian")
    expect(page.get_by_role("alert")).to_contain_text("Silakan masuk")
    sign_in(page, site, site.tokens["auditor"])
    page.goto(f"{site.base}/laporan/00000000-0000-4000-8000-000000000000")
    expect(page.get_by_role("alert")).to_contain_text("Laporan tidak ditemukan")
    check_page(page, artifacts, "14-not-found")
