"""Where work comes in: Kafka consumers, background workers, the staff API."""
