"""The registrant's side running for real (catalog and registration with the operator's links set), and
a visit to one of its pages that checks what every public page must be."""

from playwright.async_api import Page

from .harness import assert_accessible

OPERATOR = {
    "privacy_url": "https://www.musterstadt.example.de/datenschutz",
    "imprint_url": "https://www.musterstadt.example.de/impressum",
    "accessibility_feedback_email": "barrierefreiheit@musterstadt.example.de",
}
AT_200_PERCENT = {"width": 640, "height": 400}  # a 1280x800 window at 200% zoom, in CSS pixels


async def check_page(page: Page) -> None:
    """The public page as it is now: what every page must be (`check_any_page`) and the footer's links."""
    await check_any_page(page)
    assert await page.locator("footer a[href^='/barrierefreiheit']").count() == 1
    for url in (OPERATOR["privacy_url"], OPERATOR["imprint_url"]):
        assert await page.locator(f"footer a[href='{url}']").count() == 1


async def check_any_page(page: Page) -> None:
    """Any page of the system as it is now (the public ones and the staff's): 0 axe violations (WCAG 2.1 A/AA),
    its language, no time limit, no inline style or script, and it reflows at 200% zoom (no horizontal
    scrolling)."""
    await assert_accessible(page)
    assert await page.locator("html").get_attribute("lang") in ("de", "en")
    assert await page.locator("meta[http-equiv='refresh' i]").count() == 0
    # Nothing inline, so that a Content-Security-Policy without 'unsafe-inline' lets the page work.
    assert await page.locator("[style], style, script:not([src])").count() == 0
    assert not await page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))")
    size = page.viewport_size
    await page.set_viewport_size(AT_200_PERCENT)
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    await page.set_viewport_size(size)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 200% zoom"


async def visit(page: Page, url: str) -> None:
    await page.goto(url)
    await check_page(page)
