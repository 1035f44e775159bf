"""Which Kafka broker the embedded stack takes when Apache Kafka cannot run here: the mock broker,
saying why in one line, unless TREFFPUNKT_BROKER=kafka forbids it (as .ci/run does)."""

import pytest

from treffpunkt_devstack import apache_kafka, brokers


@pytest.fixture
def no_jars_and_no_maven(tmp_path, monkeypatch):
    monkeypatch.setattr(apache_kafka, "LIB", tmp_path / "lib")
    monkeypatch.setattr(apache_kafka, "_FETCHED_STAMP", tmp_path / "lib" / ".fetched-from")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no mvn (and no java) on it
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.setattr(brokers, "docker_available", lambda: False)


def test_without_java_or_the_jars_the_mock_stands_in_and_says_why(no_jars_and_no_maven, tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    broker = brokers.start_broker(tmp_path / "kafka", tmp_path / "kafka.log", choice="any")
    try:
        assert broker.is_mock and broker.kind == "mock"
        assert broker.fallback_reason == ("Apache Kafka cannot run here: no Java (java on the PATH or JAVA_HOME); "
                                          "using the mock broker instead.")
    finally:
        broker.stop()


def test_a_fetch_that_cannot_happen_is_one_line_and_kafka_only_refuses_the_mock(no_jars_and_no_maven, tmp_path):
    with pytest.raises(apache_kafka.Unavailable, match=r"^the Apache Kafka jars are not fetched yet and there is no Maven"):
        apache_kafka.fetch()
    with pytest.raises(brokers.NoBroker, match="TREFFPUNKT_BROKER=kafka forbids the mock broker"):
        brokers.start_broker(tmp_path / "kafka", tmp_path / "kafka.log", choice="kafka")


def test_an_unknown_choice_is_named():
    with pytest.raises(brokers.NoBroker, match=r"TREFFPUNKT_BROKER=.redpanda.: choose one of any, kafka, mock"):
        brokers.broker_choice("redpanda")


def test_a_new_cluster_id_is_never_taken_for_an_option_by_the_storage_tool():
    from treffpunkt_devstack.apache_kafka import _cluster_id

    ids = {_cluster_id() for _ in range(5000)}  # without the rule, about 78 of them start with '-'

    assert len(ids) == 5000 and all(len(i) == 22 and not i.startswith("-") for i in ids)
