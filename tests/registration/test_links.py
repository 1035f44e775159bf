"""The registrants' links: the tokens are the ones itsdangerous makes, so links sent before stay valid."""

from uuid import uuid4

from itsdangerous import URLSafeSerializer

from registration.links import Links

SECRET = "test-signing-secret-0123456789"


def test_a_token_is_what_the_serializer_makes_and_is_valid_only_for_its_registration():
    links = Links("https://anmeldung.example.de/", SECRET)
    serializer = URLSafeSerializer(SECRET, salt="registration-link")
    ids = [uuid4() for _ in range(200)]

    for registration_id in ids:
        token = links.token(registration_id)
        assert token == serializer.dumps(str(registration_id))
        assert links.is_valid(registration_id, token)
    assert not links.is_valid(ids[0], links.token(ids[1]))
    assert not links.is_valid(ids[0], links.token(ids[0]) + "x")
    assert not Links("https://anmeldung.example.de/", SECRET + "-other").is_valid(ids[0], links.token(ids[0]))
    assert links.status_api(ids[0]) == f"https://anmeldung.example.de/api/registrations/{ids[0]}?token={links.token(ids[0])}"
