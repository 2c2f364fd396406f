"""A whistleblower submits anonymously, keeps the receipt and checks it: the browser proves it.

Acceptance of issue 7: the receipt page shows the agency's follow-up and its in-browser
verification passes; after an administrator rewrites a stored entry, the same page says the
verification failed and names the entry. The receipt never reaches a URL, the browser's
history or the server's log.
"""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

import requests
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.support import Site, check_page, history_urls, wait_verified
from tests.integration.tampering import Dba
from verify.note import parse_vkey
from verify.receipt import verify_receipt

FOLLOW_UP = "Tim UPT Jalan sudah meninjau lokasi; penambalan dijadwalkan hari Kamis."
READ_EVENT = "SELECT state FROM ledger_events WHERE originator_id = ? AND originator_version = ?"
WRITE_EVENT = (
    "UPDATE ledger_events SET state = ? WHERE originator_id = ? AND originator_version = ?"
)


def submit_anonymously(page: Page, site: Site, artifacts: Path) -> tuple[str, str]:
    """Fill in the form as a citizen would; returns (receipt, report id)."""
    page.goto(f"{site.base}/")
    check_page(page, artifacts, "01-home")
    page.get_by_role("main").get_by_role("link", name="Buat laporan").click()
    check_page(page, artifacts, "02-submit")
    page.get_by_label("Anonim").check()
    page.get_by_label("Instansi yang dituju").select_option("kota-serang")
    page.get_by_label("Judul laporan").fill("Jalan berlubang di Jl. Ahmad Yani")
    page.get_by_label(re.compile(r"^Isi laporan")).fill(
        "Lubang besar di depan SDN 3 Cipare sejak dua bulan."
    )
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("heading", name="Laporan Anda sudah tercatat")).to_be_visible()
    receipt = page.locator("#receipt-text").inner_text().strip()
    link = page.get_by_role("link", name="Unduh bukti (.tlog-proof)")
    report_id = (link.get_attribute("download") or "").removesuffix(".tlog-proof")
    assert re.fullmatch(r"([A-Z2-7]{5}-){7}[A-Z2-7]{5}", receipt)
    wait_verified(page)
    check_page(page, artifacts, "03-receipt")
    with page.expect_download() as download:
        link.click()
    proof = Path(download.value.path()).read_text()
    keys = requests.get(f"{site.base}/v1/log/keys", timeout=10).json()
    log_keys = [parse_vkey(v) for v in keys["log_vkeys"]]
    verify_receipt(proof, log_keys, report_id=UUID(report_id))  # lapor-verify agrees
    return receipt, report_id


def check_receipt(page: Page, site: Site, receipt: str) -> None:
    """Type the receipt into the check form and open the report."""
    page.goto(f"{site.base}/cek")
    page.get_by_label("Tanda terima").fill(receipt.lower().replace("-", " "))
    page.get_by_role("button", name="Buka laporan").click()
    expect(page.get_by_role("heading", name="Perkembangan laporan Anda")).to_be_visible()


def tamper_submission(site: Site, report_id: str) -> None:
    """An administrator rewrites the intake channel of the stored submission event."""
    dba = Dba(site.database)
    stored = bytes(dba.one(READ_EVENT, dba.sid(UUID(report_id)), 1)[0])
    assert b'"channel":"web"' in stored
    forged = stored.replace(b'"channel":"web"', b'"channel":"sms_1708"')
    dba.execute(WRITE_EVENT, forged, dba.sid(UUID(report_id)), 1)


def test_receipt_check_verifies_in_the_browser_and_names_a_tampered_entry(
    context: BrowserContext, page: Page, site: Site, artifacts: Path
) -> None:
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    receipt, report_id = submit_anonymously(page, site, artifacts)

    site.act("admin", report_id, "verify", {"handling_class": "ringan"})
    site.act("admin", report_id, "disposition", {"agency_id": "kota-serang"})
    site.act("liaison", report_id, "follow_up", {"message": FOLLOW_UP})

    check_receipt(page, site, receipt)
    expect(page.get_by_text(FOLLOW_UP)).to_be_visible()
    assert "Terverifikasi di peramban Anda" in wait_verified(page)
    check_page(page, artifacts, "04-status")

    page.get_by_label("Jawaban Anda").fill("Terima kasih, lubang masih ada di sisi kiri jalan.")
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.get_by_text("Jawaban Anda sudah tercatat.")).to_be_visible()
    wait_verified(page)

    tamper_submission(site, report_id)
    check_receipt(page, site, receipt)
    wait_verified(page, "failed")
    status = page.locator("[data-verify-status]").inner_text()
    assert "Verifikasi GAGAL" in status
    assert "versi 1 (Submitted" in status
    expect(page.locator(".check-fail").first).to_contain_text("telah diubah")
    check_page(page, artifacts, "05-status-tampered")

    secrets = (receipt, receipt.replace("-", ""), receipt.lower().replace("-", " "))
    seen = [*urls, *history_urls(page), page.url]
    assert not [u for u in seen if any(s.lower() in u.lower() for s in secrets)]
    assert not [u for u in seen if "receipt" in u.lower()]
    log = site.server.output()
    assert "POST /cek" in log  # the access log is on, and holds no receipt
    assert not any(s in log for s in secrets)
