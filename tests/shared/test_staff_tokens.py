"""Staff access tokens: issued with one key, verified against the key set published over HTTP."""

import time
import uuid

import pytest
from aiohttp import web

from treffpunkt_shared.contracts.staff import Membership, Role
from treffpunkt_shared.staff_tokens import (
    InvalidAccessToken,
    TokenVerifier,
    issue,
    jwks,
    key_from_json,
    key_to_json,
    new_signing_key,
)

ISSUER = "http://staff.test"
ORGANISER = Membership(role=Role.organiser, organisation_id=uuid.uuid4())


@pytest.fixture
async def published():
    """A JWKS endpoint on a local port serving whatever keys the test puts in the list."""
    keys = [new_signing_key()]
    fetches = []

    async def serve(_: web.Request) -> web.Response:
        fetches.append(time.monotonic())
        return web.json_response(jwks(keys))

    app = web.Application()
    app.router.add_get("/.well-known/jwks.json", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield keys, fetches, f"http://127.0.0.1:{port}/.well-known/jwks.json"
    await runner.cleanup()


def token(key, audience="registration", *, lifetime=300, now=None, issuer=ISSUER):
    return issue(key, issuer=issuer, audience=audience, claims_sub=uuid.uuid4(), name="Erika Beispiel",
                 memberships=[ORGANISER], lifetime_seconds=lifetime, now=now)


async def test_a_token_verifies_with_its_claims(published):
    keys, _, url = published
    claims = await TokenVerifier(url, ISSUER, "registration").verify(token(keys[0]))
    assert claims.aud == "registration" and claims.name == "Erika Beispiel"
    assert claims.memberships == [ORGANISER]
    assert claims.exp - claims.iat == 300


@pytest.mark.parametrize("case", ["wrong audience", "wrong issuer", "expired", "unknown key", "tampered", "not a jwt"])
async def test_a_token_that_is_not_for_this_service_or_no_longer_valid_is_refused(published, case):
    keys, _, url = published
    verifier = TokenVerifier(url, ISSUER, "registration")
    given = {
        "wrong audience": lambda: token(keys[0], "catalog"),
        "wrong issuer": lambda: token(keys[0], issuer="http://elsewhere.test"),
        "expired": lambda: token(keys[0], lifetime=60, now=time.time() - 120),
        "unknown key": lambda: token(new_signing_key()),
        # A changed payload (another audience's claims) under the original signature.
        "tampered": lambda: ".".join([(t := token(keys[0])).split(".")[0], token(keys[0], "catalog").split(".")[1],
                                      t.split(".")[2]]),
        "not a jwt": lambda: "tpk_not-a-jwt",
    }[case]()
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(given)


async def test_expiry_allows_for_a_little_clock_difference(published):
    keys, _, url = published
    verifier = TokenVerifier(url, ISSUER, "registration")
    issued = token(keys[0], lifetime=60)
    assert await verifier.verify(issued, now=time.time() + 75)
    with pytest.raises(InvalidAccessToken):
        await verifier.verify(issued, now=time.time() + 120)


async def test_a_rotated_key_is_fetched_when_a_token_names_it_and_stored_keys_round_trip(published):
    keys, fetches, url = published
    verifier = TokenVerifier(url, ISSUER, "registration", refetch_seconds=0)
    await verifier.verify(token(keys[0]))
    keys.insert(0, key_from_json(key_to_json(new_signing_key())))
    await verifier.verify(token(keys[0]))
    assert len(fetches) == 2
    # The old key, still published, needs no fetch.
    await verifier.verify(token(keys[1]))
    assert len(fetches) == 2


async def test_made_up_key_ids_do_not_make_a_stream_of_fetches(published):
    keys, fetches, url = published
    verifier = TokenVerifier(url, ISSUER, "registration")
    await verifier.verify(token(keys[0]))
    for _ in range(5):
        with pytest.raises(InvalidAccessToken):
            await verifier.verify(token(new_signing_key()))
    assert len(fetches) == 1
