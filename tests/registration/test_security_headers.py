"""The hosted pages under a Content-Security-Policy without inline script or style, framed only by the
configured websites; the pages whose URL carries a registrant's token neither cached nor passed on as
a referrer; nothing served for a browser to sniff into something else."""

import re

import pytest
from pydantic import ValidationError

from registration.settings import RegistrationSettings

EMBEDDING = ["https://www.musterstadt.example.de", "https://*.ihk.example.de"]


def policy(response) -> dict[str, str]:
    directives = (part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    return {name: value for name, value in directives}


def assert_no_inline_script_or_style(html: str) -> None:
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert "<style" not in html and " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None


async def test_every_page_has_the_headers_and_token_pages_are_private(saga):
    event = await saga.create_event([(1, 0)])
    registered = (await saga.register(event, event["sessions"][0], wait=5)).json()
    client, links = saga.registration.client, saga.registration.app.state.links

    pages = {
        "events": await client.get("/"),
        "form": await client.get(f"/events/{event['id']}/register"),
        "answer": await client.post(f"/events/{event['id']}/register", data={"first_name": "Jana"}),
        "status": await client.get(links.status_page(registered["id"])),
        "cancel": await client.get(links.cancel_page(registered["id"])),
        "invalid link": await client.get(f"/r/{registered['id']}?token=forged"),
    }
    status_json = await client.get(registered["links"]["status"])
    stylesheet = await client.get("/static/public.css")

    for name, page in pages.items():
        assert page.headers["content-type"].startswith("text/html"), name
        csp = policy(page)
        assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'" and csp["default-src"] == "'self'"
        assert csp["frame-ancestors"] == "'none'", name
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer", name
        assert page.headers["cache-control"] == "no-store", name
        assert_no_inline_script_or_style(page.text)
        assert 'href="/static/public.css"' in page.text
    assert status_json.headers["cache-control"] == "no-store" and status_json.headers["referrer-policy"] == "no-referrer"
    assert status_json.headers["x-content-type-options"] == "nosniff"
    assert stylesheet.status_code == 200 and stylesheet.headers["content-type"].startswith("text/css")
    assert "font-family" in stylesheet.text


async def test_only_the_configured_websites_may_frame_the_pages(start_service):
    registration = await start_service("registration", embed_origins=EMBEDDING)

    page = await registration.client.get("/")

    assert policy(page)["frame-ancestors"] == " ".join(EMBEDDING)


def test_an_embedding_origin_cannot_smuggle_in_a_policy():
    with pytest.raises(ValidationError, match="is not an origin"):
        RegistrationSettings(signing_secret="s" * 16, embed_origins="https://a.example.de; script-src *")


@pytest.mark.parametrize("service", ["catalog", "registration", "notification"])
async def test_the_api_docs_page_runs_without_inline_script(start_service, service):
    running = await start_service(service)

    docs = await running.client.get("/docs")
    start = await running.client.get("/docs/start.js")

    assert docs.status_code == 200
    assert_no_inline_script_or_style(docs.text)
    assert "'unsafe-inline'" not in docs.headers["content-security-policy"]
    assert policy(docs)["frame-ancestors"] == "'none'"
    assert start.status_code == 200 and "SwaggerUIBundle" in start.text
    assert start.headers["x-content-type-options"] == "nosniff"
