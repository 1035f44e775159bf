"""Refusals and what is wrong with a field, in the language of the page or of the registration (or as
Accept-Language asks), German and English; never pydantic's English on a German page."""

import pytest

from registration.texts import TEXTS

from .test_registration_errors import stored

# Every field wrong at once: each answer names it, in our words.
EVERYTHING_WRONG = {
    "event_id": "not-an-id", "session_id": 7, "first_name": "", "last_name": "x" * 201, "email": "not-an-address",
    "organisation": "Muster\u202eHbmG", "phone": "<i>1</i>", "remarks": "a\u200bb", "consent": 1, "unknown": "?",
}


def what_is_wrong(language: str) -> dict[str, str]:
    words = TEXTS[language]
    return {
        "event_id": words["error.uuid_parsing"], "session_id": words["error.uuid_type"],
        "first_name": words["error.string_too_short"], "last_name": words["error.string_too_long"].format(max_length=200),
        "email": words["error.email.value_error"], "organisation": words["error.string_pattern_mismatch"],
        "phone": words["error.phone.string_pattern_mismatch"], "remarks": words["error.string_pattern_mismatch"],
        "consent": words["error.consent.bool_type"], "unknown": words["error.extra_forbidden"],
    }


def messages(response) -> dict[str, str]:
    return {error["loc"][-1]: error["msg"] for error in response.json()["detail"]}


@pytest.mark.parametrize(("language", "header", "answer"), [
    ("de", None, "de"), ("en", None, "en"), (None, "en-GB,en;q=0.9", "en"), (None, "fr", "de"), ("en", "de", "en"),
])
async def test_every_invalid_field_is_named_in_the_answers_language(saga, language, header, answer):
    body = EVERYTHING_WRONG | ({"language": language} if language else {})
    headers = {"Accept-Language": header} if header else {}

    response = await saga.registration.client.post("/api/registrations", json=body, headers=headers)

    assert response.status_code == 422
    assert messages(response) == what_is_wrong(answer)
    assert "Input should" not in response.text and "Muster" not in response.text


async def test_consent_is_the_json_value_true_only(saga):
    event = await saga.create_event([(5, 0)])

    answers = {consent: await saga.register(event, event["sessions"][0], consent=consent)
               for consent in (1, "true", "yes", False, None)}

    assert {consent: (response.status_code, messages(response)) for consent, response in answers.items()} == {
        1: (422, {"consent": TEXTS["de"]["error.consent.bool_type"]}),
        "true": (422, {"consent": TEXTS["de"]["error.consent.bool_type"]}),
        "yes": (422, {"consent": TEXTS["de"]["error.consent.bool_type"]}),
        False: (422, {"consent": TEXTS["de"]["error.consent.literal_error"]}),
        None: (422, {"consent": TEXTS["de"]["error.consent.missing"]}),  # left out
    }
    assert await stored(saga) == 0


async def test_refusals_are_in_the_registrations_language(saga):
    event = await saga.create_event([(5, 0)])
    session = event["sessions"][0]
    await saga.register(event, session, wait=5, email="jana.muster@example.org")

    german = await saga.register(event, session, email="jana.muster@example.org")
    english = await saga.register(event, session, email="jana.muster@example.org", language="en")

    assert german.status_code == english.status_code == 409
    assert german.json()["detail"] == TEXTS["de"]["refused.already_registered"]
    assert english.json()["detail"] == TEXTS["en"]["refused.already_registered"]


async def test_a_forged_links_refusal_follows_accept_language(saga):
    event = await saga.create_event([(5, 0)])
    registration = (await saga.register(event, event["sessions"][0])).json()
    forged = registration["links"]["status"].split("?token=")[0] + "?token=forged"

    german = await saga.registration.client.get(forged)
    english = await saga.registration.client.get(forged, headers={"Accept-Language": "en-US,en;q=0.8"})

    assert german.status_code == english.status_code == 403
    assert german.json()["detail"] == TEXTS["de"]["invalid_link"]
    assert english.json()["detail"] == TEXTS["en"]["invalid_link"]


@pytest.mark.parametrize(("lang", "words"), [("de", TEXTS["de"]), ("en", TEXTS["en"])])
async def test_the_form_says_what_is_wrong_in_the_pages_language(saga, lang, words):
    event = await saga.create_event([(5, 0)])
    fields = {"session_id": event["sessions"][0]["id"], "first_name": "Jana\u202e", "last_name": "Muster",
              "email": "jana.muster@example", "organisation": "Muster\u200b Logistik", "phone": "<i>1</i>",
              "lang": lang}

    page = await saga.registration.client.post(f"/events/{event['id']}/register", data=fields)

    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    for message in (words["error.string_pattern_mismatch"], words["error.email.value_error"],
                    words["error.phone.string_pattern_mismatch"], words["error.consent.missing"]):
        assert message in page.text
    assert "Input should" not in page.text and "value is not" not in page.text
    assert await stored(saga) == 0


async def test_the_forms_refusals_are_in_the_pages_language(saga):
    event = await saga.create_event([(5, 0)])
    fields = {"session_id": event["sessions"][0]["id"], "first_name": "Jana", "last_name": "Muster",
              "email": "jana.muster@example.org", "organisation": "Muster Logistik GmbH", "consent": "yes"}
    await saga.registration.client.post(f"/events/{event['id']}/register", data=fields)

    german = await saga.registration.client.post(f"/events/{event['id']}/register", data=fields)
    english = await saga.registration.client.post(f"/events/{event['id']}/register", data=fields | {"lang": "en"})

    assert german.status_code == english.status_code == 409
    assert "bereits angemeldet" in german.text and 'lang="de"' in german.text
    assert "already registered" in english.text and 'lang="en"' in english.text


async def test_a_language_we_do_not_speak_gets_the_german_pages(saga):
    event = await saga.create_event([(5, 0)])

    front = await saga.registration.client.get("/?lang=fr")
    form = await saga.registration.client.get(f"/events/{event['id']}/register?lang=fr")
    missing = await saga.registration.client.get("/events/3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c99/register?lang=en")

    assert front.status_code == form.status_code == 200
    assert front.headers["content-type"].startswith("text/html") and 'lang="de"' in front.text
    assert "Veranstaltungen" in front.text and "Verbindlich anmelden" in form.text
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert TEXTS["en"]["no_such_event"] in missing.text


async def test_invisible_characters_are_refused_naming_the_field(saga):
    event = await saga.create_event([(5, 0)])
    tricks = ("\u202a", "\u202e", "\u2066", "\u2069", "\u200e", "\u200f", "\u200b", "\u200c", "\u200d", "\u2060",
              "\ufeff")

    for field in ("first_name", "last_name", "organisation", "remarks"):
        for trick in tricks:
            response = await saga.register(event, event["sessions"][0], **{field: f"Muster{trick}GmbH"})

            assert response.status_code == 422, (field, trick)
            assert messages(response) == {field: TEXTS["de"]["error.string_pattern_mismatch"]}, (field, trick)
    assert await stored(saga) == 0


async def test_the_phone_field_takes_phone_numbers_only(saga):
    event = await saga.create_event([(50, 0)])
    numbers = ("+49 561 0000-200", "(0561) 123/456", "", "<i>1</i>", "+", "0561 12345 ext. 7", "1" * 31)

    answers = {phone: (await saga.register(event, event["sessions"][0], phone=phone)).status_code for phone in numbers}

    assert answers == {"+49 561 0000-200": 202, "(0561) 123/456": 202, "": 202, "<i>1</i>": 422, "+": 422,
                       "0561 12345 ext. 7": 422, "1" * 31: 422}
    assert {row["phone"] for row in await saga.registration.fetch("SELECT phone FROM registration")} == {
        "+49 561 0000-200", "(0561) 123/456", None}  # an empty optional field is no phone number
