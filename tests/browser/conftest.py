"""Fixtures for tests in a real browser: Chromium through Playwright, one browser per test session,
a fresh context (no cookies, German locale) for each test."""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from ..saga.scenario import Saga, start_saga
from .harness import LAUNCH_ARGS, chromium_path
from .site import OPERATOR


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = await context.new_page()
    yield page
    await context.close()


@pytest.fixture
async def public_site(start_service) -> Saga:
    """Catalog and registration, with the operator's privacy, imprint and accessibility contact set."""
    return await start_saga(start_service, **OPERATOR)
