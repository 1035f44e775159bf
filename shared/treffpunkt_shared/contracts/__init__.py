"""The contracts between the services: the message envelope and each topic's event payloads.

These models are the only thing services share about each other. Consumers ignore unknown fields;
a breaking change is a new major version on a new topic.
"""
