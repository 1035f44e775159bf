"""No compacted topic carries registrants' data, and those that carry it keep it at most 7 days (their
dead letters 14): what the privacy texts and the record of processing activities say."""

from treffpunkt_shared.topics import DAY_MS, all_topics


def test_personal_data_is_on_no_compacted_topic_and_kept_at_most_a_week_or_two_for_dead_letters():
    personal = [t for t in all_topics() if t.personal_data]

    assert {t.name for t in personal} >= {"registration.registration.v1", "notification.delivery.v1"}
    assert not [t.name for t in personal if t.compacted]
    assert all(0 < t.retention_ms <= (14 if t.name.endswith(".dlq") else 7) * DAY_MS for t in personal)
