"""The committed contracts and configuration reference are those the code makes: each service's AsyncAPI
document (its Kafka side) and OpenAPI document (its HTTP side), every environment variable of every
service with its default and meaning, and the architecture document's message table, from each
service's handler table."""

import json
from pathlib import Path

import pytest

from treffpunkt_shared.docs import ARCHITECTURE, REGENERATE, SERVICES, documents, handler_table, settings_class
from treffpunkt_shared.messaging.consumer import dead_letter_topic
from treffpunkt_shared.topics import TOPICS

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return documents(ROOT)


def test_the_committed_documents_are_up_to_date_with_the_code(generated):
    for path, text in generated.items():
        committed = ROOT / path
        assert committed.exists(), f"{path} is missing: run `{REGENERATE}` and commit it"
        assert committed.read_text() == text, f"{path} is out of date with the code: run `{REGENERATE}` and commit it"


@pytest.mark.parametrize("service", SERVICES)
def test_each_asyncapi_document_lists_what_the_service_receives_and_sends(generated, service):
    document = json.loads(generated[f"docs/asyncapi/{service}.json"])
    by_action: dict[str, set[str]] = {"receive": set(), "send": set()}
    for operation in document["operations"].values():
        channel = document["channels"][operation["channel"]["$ref"].rsplit("/", 1)[1]]
        by_action[operation["action"]].add(channel["address"])
        for ref in channel["messages"].values():
            message = document["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
            payload = document["components"]["schemas"][message["payload"]["$ref"].rsplit("/", 1)[1]]
            # One envelope per event type (`oneOf`), or the envelope itself on a topic with a single type.
            assert payload.get("oneOf") or "payload" in payload.get("properties", {}), \
                f"{channel['address']}: no message schema"
    consumed = {t.name for t in TOPICS if service in t.consumers}
    assert by_action["receive"] == consumed
    assert by_action["send"] == {t.name for t in TOPICS if t.producer == service} | {
        dead_letter_topic(topic) for topic in consumed}


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_is_in_the_configuration_reference_with_its_meaning(generated, service):
    cls = settings_class(service)
    reference = generated["docs/configuration.md"]
    prefix = cls.model_config["env_prefix"]
    for name, field in cls.model_fields.items():
        assert field.description, f"{service}: the setting {name} has no description"
        assert f"| `{prefix}{name.upper()}` |" in reference


def test_the_readme_links_the_configuration_reference():
    assert "(docs/configuration.md)" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("service", SERVICES)
def test_the_message_table_names_every_handler_of_the_service(generated, service):
    table = generated[ARCHITECTURE]
    for message_type, handler in handler_table(service).items():
        assert f"| `{message_type.event_type}` |" in table
        assert f"{service}: `{handler.__module__}.{handler.__qualname__}`" in table


def test_the_readme_links_the_architecture_document_of_the_repository():
    readme = (ROOT / "README.md").read_text()
    assert "(docs/architecture.md)" in readme
    assert "../shared/" not in readme
