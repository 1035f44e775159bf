"""The form on another website: a host page served from another origin includes the snippet, and the
registration goes through inside the frame, which fits its content; an origin that the operator did
not allow cannot frame the form; the host page's styles do not reach it."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import Frame, Page

from ..saga.scenario import start_saga
from .harness import assert_accessible
from .site import OPERATOR, visit

# What a careless (or hostile) host stylesheet does to everything on its page.
HOSTILE = "* { color: red !important; font-size: 40px !important; font-family: serif !important; }"


@dataclass
class HostPage:
    """A city's page on its own origin (localhost and a port, where the service is 127.0.0.1)."""
    server: ThreadingHTTPServer
    html: str = ""

    @property
    def url(self) -> str:
        return f"http://localhost:{self.server.server_port}/"

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    def snippet(self, base_url: str, event_id: str) -> None:
        """The page with the snippet from the README (the placeholder and the script), and hostile styles."""
        self.html = f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Stadt Musterstadt</title><style>{HOSTILE}</style></head>
<body><h1>Stadt Musterstadt</h1><p id="host-text">Wirtschaftsförderung</p>
<div data-treffpunkt-event="{event_id}" data-lang="de">
  <a href="{base_url}/events/{event_id}/register">Zur Anmeldung</a>
</div>
<script src="{base_url}/static/embed.js" defer></script>
</body></html>"""


@contextmanager
def _host_page() -> Iterator[HostPage]:
    host: HostPage

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = host.html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host = HostPage(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def city() -> Iterator[HostPage]:
    with _host_page() as host:
        yield host


@pytest.fixture
def stranger() -> Iterator[HostPage]:
    with _host_page() as host:
        yield host


@pytest.fixture
async def embedding_site(start_service, city: HostPage) -> AsyncIterator:
    yield await start_saga(start_service, embed_origins=[city.origin], **OPERATOR)


async def _form_frame(page: Page) -> Frame:
    frame = await (await page.locator("iframe").element_handle()).content_frame()
    assert frame is not None
    await frame.locator("form").wait_for()
    return frame


async def _fitted_height(page: Page, frame: Frame, *, above: float = 0) -> float:
    """The frame's height once the form has reported it (and above `above`): the form's own height, so
    that the form scrolls with the host page, not inside the frame."""
    await page.wait_for_function(
        "above => { const h = document.querySelector('iframe').style.height;"
        " return h.endsWith('px') && parseFloat(h) > above; }", arg=above)
    height = (await page.locator("iframe").bounding_box())["height"]
    content = await frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    assert abs(height - content) <= 1, (height, content)
    assert await frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    return height


async def test_a_registration_through_the_form_embedded_in_another_origins_page(embedding_site, city, page):
    event = await embedding_site.create_event([(1, 1), (20, 5)])
    base = embedding_site.registration.base_url
    city.snippet(base, event["id"])

    await page.goto(city.url)
    frame = await _form_frame(page)
    assert frame.url == f"{base}/embed/events/{event['id']}?lang=de"
    assert await page.locator("iframe").get_attribute("title") == "Anmeldeformular"
    first_height = await _fitted_height(page, frame)
    await assert_accessible(frame)

    # The host's styles hold on the host page, and nothing of them in the frame.
    host_text = await page.locator("#host-text").evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).fontSize]")
    assert host_text == ["rgb(255, 0, 0)", "40px"]
    for selector in ("h1", "label[for=first_name]", "button"):
        color, size, family = await frame.locator(selector).evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e).fontSize, getComputedStyle(e).fontFamily]")
        assert color != "rgb(255, 0, 0)" and size != "40px" and "serif" != family, (selector, color, size, family)

    # Sent empty: the errors in the frame, summarised at the top; the frame grows to show them.
    await frame.locator("button[type=submit]").click()
    await frame.locator("#error-summary").wait_for()
    assert await frame.evaluate("document.activeElement.id") == "error-summary"  # as on the hosted form
    assert frame.url == f"{base}/embed/events/{event['id']}"
    await _fitted_height(page, frame, above=first_height)
    await assert_accessible(frame)

    # Corrected and sent: the answer in the frame, the status page opening in a new window.
    await frame.locator("#session_id").check()
    await frame.locator("#first_name").fill("Jana")
    await frame.locator("#last_name").fill("Muster")
    await frame.locator("#email").fill("jana.muster@example.org")
    await frame.locator("#organisation").fill("Muster Logistik GmbH")
    await frame.locator("#consent").check()
    await frame.locator("button[type=submit]").click()
    status = frame.locator("#status")
    await status.wait_for()
    assert await status.get_attribute("data-status") == "confirmed", await status.text_content()
    await _fitted_height(page, frame)
    await assert_accessible(frame)
    link = frame.locator("a", has_text="Status Ihrer Anmeldung")
    assert await link.get_attribute("target") == "_blank"
    async with page.context.expect_page() as opened:
        await link.click()
    status_page = await opened.value
    await status_page.wait_for_load_state()
    assert status_page.url.startswith(f"{base}/r/")
    assert await status_page.locator("#status").get_attribute("data-status") == "confirmed"
    assert page.url == city.url  # the host page stayed

    # The footer's links open in a new window too, and say so.
    for link in await frame.locator("footer a").all():
        assert await link.get_attribute("target") == "_blank"
        assert "neuen Fenster" in await link.text_content()


async def test_the_embed_page_itself_in_both_languages(embedding_site, page):
    event = await embedding_site.create_event([(20, 5)])
    url = f"{embedding_site.registration.base_url}/embed/events/{event['id']}"
    await visit(page, url)
    await visit(page, f"{url}?lang=en")
    assert await page.locator("footer a", has_text="opens in a new window").count() == 3


async def test_an_origin_not_configured_cannot_frame_the_form(embedding_site, stranger, page):
    event = await embedding_site.create_event([(20, 5)])
    base = embedding_site.registration.base_url
    stranger.snippet(base, event["id"])

    await page.goto(stranger.url)
    frame = await (await page.locator("iframe").element_handle()).content_frame()
    # Chromium refuses to show the page (frame-ancestors) and puts its error page there instead.
    for _ in range(100):
        if frame.url not in ("", "about:blank"):
            break
        await asyncio.sleep(0.1)
    assert frame.url.startswith("chrome-error:"), frame.url
    assert await frame.locator("form").count() == 0
    assert await page.locator("iframe").evaluate("e => e.style.height") == "40rem"
