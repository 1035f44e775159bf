"""Playwright driving the system's Chromium, and axe-core checking each page against WCAG 2.1 A/AA.

Playwright never downloads a browser here: it launches the Chromium that the machine has (Debian's
`chromium` package; `.ci/run` installs it). Without one the browser tests are skipped locally, with
the reason, and fail where `TREFFPUNKT_BROWSER_REQUIRED=1` says they must run (CI).
"""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Frame, Page

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium", "/usr/bin/google-chrome")

# Headless without a sandbox (we run as root in CI) and without Chromium's own traffic to Google's
# services: the machine has no network beyond the package registries, and those attempts slow it down.
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# What "accessible" means for the public pages: BITV 2.0 refers to WCAG 2.1 level AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()


def chromium_path() -> str:
    """The browser to drive: `CHROMIUM_PATH`, else the first of the usual places; skips (or fails where
    the browser is required) when there is none."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        found = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        candidates = [found] if found else []
    else:
        candidates = [path for path in CANDIDATES if Path(path).is_file()]
    if candidates:
        return candidates[0]
    reason = (f"no Chromium at CHROMIUM_PATH={configured}" if configured else
              f"no Chromium found (looked at {', '.join(CANDIDATES)}); install it with `apt-get install chromium` "
              "or set CHROMIUM_PATH")
    if os.environ.get("TREFFPUNKT_BROWSER_REQUIRED") == "1":
        pytest.fail(f"browser tests are required here, but {reason}")
    pytest.skip(reason)


async def assert_accessible(page: Page | Frame) -> None:
    """axe-core with the WCAG 2.1 A and AA rules on the page as it is now: no violation."""
    results = await _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                            "resultTypes": ["violations"]})
    violations = results.response["violations"]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}; at " + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )
    assert not violations, f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {page.url}:\n{details}"
