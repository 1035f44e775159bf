"""Access tokens for the other services: issued to a signed-in account with its memberships, verified by
the services' TokenVerifier against the live JWKS; their expiry; the keys' rotation (by command and by age)."""

import asyncio
import os
import sys
import time
from uuid import UUID

import pytest
from joserfc import jws

from treffpunkt_shared.contracts.staff import Membership, Role
from treffpunkt_shared.staff_tokens import LEEWAY_SECONDS, InvalidAccessToken, TokenVerifier

from ..services import RunningService
from .conftest import MovableClock, add_account, signed_in_client

ORGANISATION = UUID("5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71")
CONTACT = UUID("7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e02")
PASSWORD = "richtig-langes-passwort"
MEMBERSHIPS = [Membership(role=Role.organiser, organisation_id=ORGANISATION),
               Membership(role=Role.contact, contact_person_id=CONTACT)]


def verifier(staff: RunningService, audience: str = "registration") -> TokenVerifier:
    """A verifier as a service has one, fresh (no key set fetched yet)."""
    return TokenVerifier(f"{staff.base_url}/.well-known/jwks.json", staff.settings.issuer, audience)


def kid(token: str) -> str:
    return jws.extract_compact(token.encode()).protected["kid"]


async def _token(client, csrf: str, audience: str = "registration") -> str:
    answer = await client.post("/api/tokens", json={"audience": audience}, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


async def test_an_access_token_carries_the_account_and_its_memberships_and_verifies_against_the_jwks(
        staff: RunningService) -> None:
    account = await add_account(staff, "orga@example.org", PASSWORD, MEMBERSHIPS, name="Olga Orga")
    async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, csrf):
        answer = await client.post("/api/tokens", json={"audience": "registration"}, headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        body = answer.json()
        assert (body["token_type"], body["expires_in"]) == ("Bearer", 300)
        claims = await verifier(staff).verify(body["access_token"])
        assert (claims.sub, claims.name, claims.aud, claims.iss) == (account, "Olga Orga", "registration",
                                                                     staff.settings.issuer)
        assert sorted(claims.memberships, key=lambda m: m.role) == sorted(MEMBERSHIPS, key=lambda m: m.role)
        assert claims.exp - claims.iat == 300
        with pytest.raises(InvalidAccessToken):  # one audience per service
            await verifier(staff, "catalog").verify(body["access_token"])
        catalog_token = await _token(client, csrf, "catalog")
        assert (await verifier(staff, "catalog").verify(catalog_token)).aud == "catalog"

        assert (await client.post("/api/tokens", json={"audience": "registration"})).status_code == 403  # no CSRF
        wrong = await client.post("/api/tokens", json={"audience": "staff"}, headers={"X-CSRF-Token": csrf})
        assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "audience"]
    assert (await staff.client.post("/api/tokens", json={"audience": "registration"})).status_code == 401
    jwks = (await staff.client.get("/.well-known/jwks.json")).json()
    assert [key["kid"] for key in jwks["keys"]] == [kid(body["access_token"])]
    assert all("d" not in key for key in jwks["keys"])  # public keys only


async def test_an_access_token_expires_after_its_lifetime(start_staff) -> None:
    staff = await start_staff(access_token_lifetime_seconds=60)
    await add_account(staff, "orga@example.org", PASSWORD, MEMBERSHIPS)
    async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, csrf):
        token = await _token(client, csrf)
    claims = await verifier(staff).verify(token)
    assert claims.exp - claims.iat == 60
    assert await verifier(staff).verify(token, now=claims.exp + LEEWAY_SECONDS - 1)
    with pytest.raises(InvalidAccessToken, match="exp"):
        await verifier(staff).verify(token, now=claims.exp + LEEWAY_SECONDS + 1)


async def _rotate_keys(staff: RunningService) -> None:
    env = os.environ | {"STAFF_DATABASE_URL": staff.settings.database_url, "STAFF_DATABASE_NAME": staff.settings.database}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "staff", "rotate-keys", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()


async def test_after_rotate_keys_new_tokens_carry_the_new_key_and_old_ones_verify_until_the_old_key_is_retired(
        staff: RunningService, clock: MovableClock) -> None:
    await add_account(staff, "orga@example.org", PASSWORD, MEMBERSHIPS)
    async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, csrf):
        old = await _token(client, csrf)
        await _rotate_keys(staff)
        new = await _token(client, csrf)
    assert kid(new) != kid(old)
    published = [key["kid"] for key in (await staff.client.get("/.well-known/jwks.json")).json()["keys"]]
    assert published == [kid(new), kid(old)]
    services_verifier = verifier(staff)
    assert (await services_verifier.verify(old)).sub == (await services_verifier.verify(new)).sub
    rotations = await staff.fetch("SELECT actor, target_id FROM audit_entry WHERE action = 'keys_rotated' ORDER BY id")
    assert [(r["actor"], r["target_id"]) for r in rotations][-1] == ("command-line", kid(new))

    # Once no token of the old key can be valid any more, the JWKS leaves it out (and its row is gone at the
    # next rotation): a token signed with it no longer verifies, even before its own expiry.
    # (The command retired it by the system's time, a moment after the test's clock started: a minute more.)
    clock.advance(seconds=staff.settings.access_token_lifetime_seconds + LEEWAY_SECONDS + 60)
    published = [key["kid"] for key in (await staff.client.get("/.well-known/jwks.json")).json()["keys"]]
    assert published == [kid(new)]
    with pytest.raises(InvalidAccessToken):
        await verifier(staff).verify(old, now=time.time())


async def test_the_signing_key_rotates_by_itself_once_it_is_old(staff: RunningService, clock: MovableClock) -> None:
    await add_account(staff, "orga@example.org", PASSWORD, MEMBERSHIPS)

    async def token_now() -> str:  # days pass between them: a session each
        async with signed_in_client(staff, "orga@example.org", PASSWORD) as (client, csrf):
            return await _token(client, csrf)

    first = await token_now()
    clock.advance(days=staff.settings.signing_key_rotation_days - 1)
    assert kid(await token_now()) == kid(first)
    clock.advance(days=1, seconds=1)
    later = await token_now()
    assert kid(later) != kid(first)
    [rotation] = await staff.fetch("SELECT actor, target_id FROM audit_entry WHERE action = 'keys_rotated' "
                                   "AND target_id = $1", kid(later))
    assert rotation["actor"] == "key-rotation"
