"""Signing in through a real OpenID provider (tests/oidc_provider: the certified `oidc-provider` on node),
end to end over HTTP as a browser does: the staff service's redirect, the provider's login form, the
callback, the session. The refusals come from the provider's real answers, changed on the way where a test
needs a forged one (by the proxy in front of the provider's token endpoint) or from a provider configured so
(a clock behind: ID tokens that arrive expired); the staff service has no switch for any of it."""

import base64
import hashlib
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from uuid import UUID

import httpx
import pytest
from pydantic import ValidationError

from staff.adapters.audit import hashed_email
from staff.settings import StaffSettings
from treffpunkt_shared.contracts.staff import AccessClaims, Membership, Role

from ..oidc_provider import USERS, Client, OpenIDProvider, log_in
from ..services import RunningService, free_port
from .conftest import MovableClock, add_account, hidden_field
from .oidc_fixtures import OTHER_CLIENT, OTHER_REDIRECT, PROVIDER_NAME

ORGANISATION = UUID("5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71")
OTHER_ORGANISATION = UUID("0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a")
CONTACT_PERSON = UUID("7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e02")
GROUP_ROLES = {"treffpunkt-admins": "admin", "ihk-veranstaltungen": [f"organiser:{ORGANISATION}"],
               "kontakt-schulz": f"contact:{CONTACT_PERSON}", "treffpunkt-organisers": f"organiser:{OTHER_ORGANISATION}"}


def email_of(login: str) -> str:
    return USERS[login]["claims"]["email"]


@pytest.fixture
async def staff(start_oidc_staff, provider: OpenIDProvider) -> RunningService:
    provider.proxy.rewrite = None  # the token endpoint's answers unchanged, unless the test says otherwise
    return await start_oidc_staff(provider.issuer)


@pytest.fixture
async def visitor() -> AsyncIterator[httpx.AsyncClient]:
    """A browser of its own, over HTTP: its cookies, no JavaScript."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def start_url(staff: RunningService, lang: str = "de") -> str:
    return f"{staff.settings.base_url}/sign-in/oidc?lang={lang}"


async def audit(staff: RunningService) -> list[tuple[str, str, str | None, str | None]]:
    return [(r["actor"], r["action"], r["target_id"], r["detail"]) for r in
            await staff.fetch("SELECT actor, action, target_id, detail FROM audit_entry ORDER BY id")]


async def refusals(staff: RunningService) -> list[tuple[str | None, str | None]]:
    return [(target, detail) for _, action, target, detail in await audit(staff) if action == "sign_in_failed"]


async def sessions(staff: RunningService) -> int:
    return len(await staff.fetch("SELECT 1 FROM sign_in_session"))


def payload(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_signing_in_through_the_provider_starts_a_session_that_works_for_pages_and_tokens(
        staff: RunningService, visitor: httpx.AsyncClient) -> None:
    sign_in_page = await visitor.get(f"{staff.settings.base_url}/sign-in")
    assert 'href="/sign-in/oidc?lang=de"' in sign_in_page.text and f"Mit {PROVIDER_NAME} anmelden" in sign_in_page.text
    account = await add_account(staff, email_of("erika").upper(), None,
                                [Membership(role=Role.organiser, organisation_id=ORGANISATION)], name="Erika B.")

    home = await log_in(visitor, start_url(staff), "erika")

    assert home.status_code == 200 and str(home.url) == f"{staff.settings.base_url}/", home.text
    assert "Erika B." in home.text and f"Veranstalter der Organisation {ORGANISATION}" in home.text
    authorization = parse_qs(urlsplit(home.history[0].headers["location"]).query)  # where the staff service sent us
    assert authorization["code_challenge_method"] == ["S256"] and len(authorization["code_challenge"][0]) >= 43
    assert authorization["nonce"] and authorization["state"] and authorization["client_id"] == ["treffpunkt-staff"]
    assert "code_verifier" not in authorization
    cookie = next(h for r in home.history for h in r.headers.get_list("set-cookie") if h.startswith("treffpunkt_staff="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()

    answer = await visitor.post(f"{staff.settings.base_url}/api/tokens", json={"audience": "registration"},
                                headers={"X-CSRF-Token": hidden_field(home.text, "csrf_token")})
    assert answer.status_code == 200, answer.text
    claims = AccessClaims.model_validate(payload(answer.json()["access_token"]))
    assert claims.sub == account and claims.aud == "registration"
    assert claims.memberships == [Membership(role=Role.organiser, organisation_id=ORGANISATION)]
    assert (str(account), "signed_in", str(account), "oidc") in await audit(staff)
    own_trail = await visitor.get(f"{staff.settings.base_url}/api/staff/audit", params={"account_id": str(account)})
    assert {"action": "signed_in", "detail": "oidc"}.items() <= own_trail.json()[0].items()
    assert not await staff.fetch("SELECT 1 FROM oidc_sign_in")  # the state is used up
    # Signed in at the provider already: back at once, without its form (single sign-on), in English.
    english = await visitor.get(start_url(staff, "en"), follow_redirects=True)
    assert str(english.url) == f"{staff.settings.base_url}/?lang=en" and 'lang="en"' in english.text


async def test_a_replayed_state_is_refused(staff: RunningService, visitor: httpx.AsyncClient) -> None:
    await add_account(staff, email_of("erika"), None)
    home = await log_in(visitor, start_url(staff), "erika")
    assert home.status_code == 200
    [callback] = [r.url for r in home.history if r.url.path == "/sign-in/oidc/callback"]

    again = await visitor.get(callback)  # the same visitor, the same code and state
    async with httpx.AsyncClient(timeout=10) as someone_else:  # who read the address
        elsewhere = await someone_else.get(callback)

    for answer in (again, elsewhere):
        assert answer.status_code == 400
        assert "Die Anmeldung war abgelaufen oder wurde schon verwendet" in answer.text
    assert await sessions(staff) == 1
    assert await refusals(staff) == [(None, "oidc: unknown or used state")] * 2


async def test_a_state_from_another_browser_is_refused(staff: RunningService, visitor: httpx.AsyncClient) -> None:
    await add_account(staff, email_of("erika"), None)
    started = await visitor.get(start_url(staff))  # an attacker starts a sign-in and has a victim finish it
    async with httpx.AsyncClient(timeout=10) as victim:
        answer = await log_in(victim, started.headers["location"], "erika")
    assert answer.status_code == 400 and await sessions(staff) == 0
    assert await refusals(staff) == [(None, "oidc: state of another browser")]


async def test_an_id_token_for_another_client_is_refused(staff: RunningService, visitor: httpx.AsyncClient,
                                                         provider: OpenIDProvider) -> None:
    await add_account(staff, email_of("erika"), None)
    started = await visitor.get(start_url(staff))
    nonce = parse_qs(urlsplit(started.headers["location"]).query)["nonce"][0]
    # The same person signs in to another application of the provider, with the same nonce: a real ID token,
    # signed by the provider, but for the other client.
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url = f"{provider.issuer}/auth?" + urlencode({
        "response_type": "code", "client_id": OTHER_CLIENT.client_id, "redirect_uri": OTHER_REDIRECT,
        "scope": "openid email", "state": "other-state", "nonce": nonce, "code_challenge": challenge,
        "code_challenge_method": "S256"})
    async with httpx.AsyncClient(timeout=10) as other_app:
        back = await log_in(other_app, url, "erika", stop_at=OTHER_REDIRECT)
        code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
        exchanged = await other_app.post(f"{provider.issuer}/token", auth=(OTHER_CLIENT.client_id,
                                                                           OTHER_CLIENT.client_secret), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": OTHER_REDIRECT, "code_verifier": verifier})
    other_tokens = exchanged.json()
    assert payload(other_tokens["id_token"])["aud"] == OTHER_CLIENT.client_id
    provider.proxy.rewrite = lambda answer: answer | {"id_token": other_tokens["id_token"]}

    answer = await log_in(visitor, started.headers["location"], "erika")

    assert answer.status_code == 400 and "konnte nicht bestätigt werden" in answer.text
    assert await sessions(staff) == 0
    assert await refusals(staff) == [(None, "oidc: ID token audience")]


async def test_a_tampered_id_token_is_refused(staff: RunningService, visitor: httpx.AsyncClient,
                                              provider: OpenIDProvider) -> None:
    await add_account(staff, email_of("gruppen"), None, [Membership(role=Role.admin)])
    await add_account(staff, email_of("erika"), None)

    def impersonate(answer: dict[str, Any]) -> dict[str, Any]:
        header, _, signature = answer["id_token"].split(".")
        changed = payload(answer["id_token"]) | {"sub": "gruppen"}  # erika's ID token, made out to the admin
        encoded = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
        return answer | {"id_token": f"{header}.{encoded}.{signature}"}

    provider.proxy.rewrite = impersonate
    answer = await log_in(visitor, start_url(staff), "erika")

    assert answer.status_code == 400 and provider.proxy.token_requests > 0
    assert await sessions(staff) == 0
    assert await refusals(staff) == [(None, "oidc: ID token signature")]


async def test_an_expired_id_token_is_refused(start_oidc_staff, clients: list[Client], provider_logs: Path,
                                              visitor: httpx.AsyncClient) -> None:
    # A provider whose clock is ten minutes behind, with one-minute ID tokens: they arrive nine minutes expired.
    late = {"OIDC_CLOCK_OFFSET_SECONDS": "-600", "OIDC_ID_TOKEN_TTL_SECONDS": "60"}
    async with OpenIDProvider(clients, provider_logs / "late-provider.log", settings=late) as late_provider:
        staff = await start_oidc_staff(late_provider.issuer)
        await add_account(staff, email_of("erika"), None)
        answer = await log_in(visitor, start_url(staff), "erika")
    assert answer.status_code == 400 and await sessions(staff) == 0
    assert await refusals(staff) == [(None, "oidc: ID token expired")]


async def test_an_unverified_email_is_refused(staff: RunningService, visitor: httpx.AsyncClient) -> None:
    await add_account(staff, email_of("max"), None)  # the account exists, but the provider does not vouch for it
    answer = await log_in(visitor, start_url(staff), "max")
    assert answer.status_code == 403 and "keine bestätigte E-Mail-Adresse" in answer.text
    assert await sessions(staff) == 0
    assert await refusals(staff) == [(hashed_email(email_of("max")), "oidc: email not verified")]


async def test_an_address_without_an_account_is_refused_without_a_group_mapping(
        staff: RunningService, visitor: httpx.AsyncClient) -> None:
    answer = await log_in(visitor, start_url(staff, "en"), "unbekannt")
    assert answer.status_code == 403 and "There is no active Treffpunkt account" in answer.text
    assert not await staff.fetch("SELECT 1 FROM staff_account")
    assert await refusals(staff) == [(hashed_email(email_of("unbekannt")), "oidc: no account")]


async def test_a_deactivated_account_is_refused(staff: RunningService, visitor: httpx.AsyncClient) -> None:
    account = await add_account(staff, email_of("erika"), None)
    await staff.fetch("UPDATE staff_account SET active = false WHERE id = $1", account)
    answer = await log_in(visitor, start_url(staff), "erika")
    assert answer.status_code == 403 and await sessions(staff) == 0
    assert await refusals(staff) == [(str(account), "oidc: account deactivated")]


async def test_the_group_mapping_gives_the_mapped_memberships(start_oidc_staff, clients: list[Client],
                                                              provider_logs: Path) -> None:
    # This provider puts the address and the groups into the ID token, as Keycloak does.
    async with OpenIDProvider(clients, provider_logs / "keycloak-like.log",
                              settings={"OIDC_CLAIMS_IN_ID_TOKEN": "1"}) as keycloak_like:
        staff = await start_oidc_staff(keycloak_like.issuer, oidc_groups_claim="groups",
                                       oidc_group_roles=GROUP_ROLES)
        erika = await add_account(staff, email_of("erika"), None,
                                  [Membership(role=Role.contact, contact_person_id=CONTACT_PERSON)])
        async with httpx.AsyncClient(timeout=10) as visitor:
            home = await log_in(visitor, start_url(staff), "gruppen")  # no account yet: one is made
            assert home.status_code == 200 and "Gabi Gruppe" in home.text
            token = await visitor.post(f"{staff.settings.base_url}/api/tokens", json={"audience": "catalog"},
                                       headers={"X-CSRF-Token": hidden_field(home.text, "csrf_token")})
        async with httpx.AsyncClient(timeout=10) as visitor:
            assert (await log_in(visitor, start_url(staff), "erika")).status_code == 200
        async with httpx.AsyncClient(timeout=10) as visitor:
            refused = await log_in(visitor, start_url(staff), "unbekannt")  # in no mapped group

    assert token.status_code == 200, token.text
    assert set(AccessClaims.model_validate(payload(token.json()["access_token"])).memberships) == {
        Membership(role=Role.admin), Membership(role=Role.contact, contact_person_id=CONTACT_PERSON),
        Membership(role=Role.organiser, organisation_id=ORGANISATION)}
    [gabi] = await staff.fetch("SELECT id, display_name FROM staff_account WHERE email = $1", email_of("gruppen"))
    assert gabi["display_name"] == "Gabi Gruppe"
    # Erika's memberships are those of her groups now (the admin-given contact role is gone).
    assert [(r["role"], r["organisation_id"]) for r in
            await staff.fetch("SELECT role, organisation_id FROM staff_membership WHERE account_id = $1", erika)] == [
        ("organiser", OTHER_ORGANISATION)]
    entries = await audit(staff)
    assert ("openid-connect", "account_created", str(gabi["id"]), "oidc") in entries
    assert ("openid-connect", "account_changed", str(erika), "oidc: memberships from groups") in entries
    assert (str(erika), "signed_in", str(erika), "oidc") in entries
    assert refused.status_code == 403
    assert await refusals(staff) == [(hashed_email(email_of("unbekannt")), "oidc: no mapped group")]


async def test_without_openid_connect_settings_there_is_no_provider_sign_in(start_service, clock: MovableClock,
                                                                            visitor: httpx.AsyncClient) -> None:
    port = free_port()
    staff = await start_service("staff", http_port=port, issuer=f"http://localhost:{port}",
                                app_options={"clock": clock})
    page = await visitor.get(f"{staff.settings.base_url}/sign-in")
    assert page.status_code == 200 and "/sign-in/oidc" not in page.text
    assert (await visitor.get(start_url(staff))).status_code == 404
    assert (await visitor.get(f"{staff.settings.base_url}/sign-in/oidc/callback?state=x&code=y")).status_code == 404


def test_the_group_mapping_is_read_from_the_environment_and_a_wrong_one_names_its_group(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_OIDC_GROUPS_CLAIM", "groups")
    monkeypatch.setenv("STAFF_OIDC_GROUP_ROLES", json.dumps(GROUP_ROLES))
    settings = StaffSettings()
    assert settings.oidc_group_roles["treffpunkt-admins"] == [Membership(role=Role.admin)]
    assert settings.oidc_group_roles["kontakt-schulz"] == [Membership(role=Role.contact,
                                                                      contact_person_id=CONTACT_PERSON)]
    monkeypatch.setenv("STAFF_OIDC_GROUP_ROLES", json.dumps({"ihk-veranstaltungen": "organiser"}))
    with pytest.raises(ValidationError, match="ihk-veranstaltungen"):
        StaffSettings()
    monkeypatch.delenv("STAFF_OIDC_GROUPS_CLAIM")
    monkeypatch.setenv("STAFF_OIDC_GROUP_ROLES", json.dumps(GROUP_ROLES))
    with pytest.raises(ValidationError, match="set both or neither"):
        StaffSettings()
    with pytest.raises(ValidationError, match="oidc_client_secret"):
        StaffSettings(oidc_issuer="https://login.example.org", oidc_client_id="treffpunkt", oidc_group_roles={})


async def test_a_cancelled_sign_in_an_answer_of_another_issuer_and_an_expired_state_are_refused(
        staff: RunningService, visitor: httpx.AsyncClient, clock: MovableClock) -> None:
    callback = f"{staff.settings.base_url}/sign-in/oidc/callback"

    async def state() -> str:
        started = await visitor.get(start_url(staff))
        return parse_qs(urlsplit(started.headers["location"]).query)["state"][0]

    cancelled = await visitor.get(callback, params={"state": await state(), "error": "access_denied"})
    mixed_up = await visitor.get(callback, params={"state": await state(), "code": "x", "iss": "https://idp.example"})
    late_state = await state()
    clock.advance(minutes=11)
    late = await visitor.get(callback, params={"state": late_state, "code": "x"})
    assert [answer.status_code for answer in (cancelled, mixed_up, late)] == [400] * 3
    assert await refusals(staff) == [(None, "oidc: provider answered access_denied"),
                                     (None, "oidc: issuer of the answer"), (None, "oidc: state expired")]


async def test_a_provider_that_cannot_be_reached_gets_a_503_page(start_oidc_staff, visitor: httpx.AsyncClient) -> None:
    staff = await start_oidc_staff(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    answer = await visitor.get(start_url(staff))
    assert answer.status_code == 503 and "nicht erreichbar" in answer.text
