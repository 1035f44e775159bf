"""A city's or chamber's website may call the JSON API from the browser only if it is allowed."""

ALLOWED = "https://www.musterstadt.example.de"


async def test_only_configured_origins_may_call_the_api_from_a_browser(start_service):
    registration = await start_service("registration", cors_allowed_origins=[ALLOWED])

    def preflight(origin: str):
        return registration.client.options("/api/registrations", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key"})

    allowed = await preflight(ALLOWED)
    stranger = await preflight("https://evil.example.org")

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "idempotency-key" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in stranger.headers
