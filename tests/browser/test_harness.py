"""The harness itself: it drives the system's Chromium, and axe-core finds what it should."""

import pytest

from .harness import assert_accessible


async def test_axe_reports_a_missing_label_and_passes_a_labelled_field(page):
    await page.set_content('<!doctype html><html lang="de"><head><title>Probe</title></head><body><main>'
                           '<h1>Probe</h1><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="label"):
        await assert_accessible(page)

    await page.set_content('<!doctype html><html lang="de"><head><title>Probe</title></head><body><main>'
                           '<h1>Probe</h1><label for="name">Name</label><input id="name" type="text"></main></body></html>')
    await assert_accessible(page)
