"""Every form works with the keyboard alone: Tab to each field, type, submit with Enter."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import Site

ACTIVE = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {id: e.id, tag: e.tagName, text: (e.textContent || "").trim(),
          outline: style.outlineStyle !== "none" && style.outlineWidth !== "0px"};
}"""


def tab_to(page: Page, *, element_id: str = "", button: str = "", limit: int = 60) -> None:
    """Press Tab until the field with this id (or the button with this text) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if (element_id and active["id"] == element_id) or (
            button and active["tag"] == "BUTTON" and active["text"] == button
        ):
            assert active["outline"], f"no visible focus on {element_id or button}"
            return
    raise AssertionError(f"{element_id or button} cannot be reached with Tab")


def test_submit_check_and_sign_in_with_the_keyboard_alone(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/lapor")
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE)["text"] == "Langsung ke isi halaman"  # the skip link first
    tab_to(page, element_id="classification-0")
    page.keyboard.press("ArrowDown")  # radios: arrows choose within the group
    page.keyboard.press("ArrowUp")
    tab_to(page, element_id="title")
    page.keyboard.type("Lampu jalan mati di Jl. Veteran")
    tab_to(page, element_id="body")
    page.keyboard.type("Sudah tiga minggu gelap, rawan kecelakaan.")
    tab_to(page, button="Kirim laporan")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Laporan Anda sudah tercatat")).to_be_visible()
    receipt = page.locator("#receipt-text").inner_text().strip()

    page.goto(f"{site.base}/cek")
    tab_to(page, element_id="receipt")
    page.keyboard.type(receipt)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Perkembangan laporan Anda")).to_be_visible()
    expect(page.get_by_text("Lampu jalan mati")).to_have_count(0)  # no content, only steps

    page.goto(f"{site.base}/masuk")
    tab_to(page, element_id="token")
    page.keyboard.type(site.tokens["liaison"])
    tab_to(page, button="Masuk")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    tab_to(page, button="Keluar")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Masuk petugas")).to_be_visible()
