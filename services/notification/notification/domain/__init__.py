"""The notification service's rules as plain objects: no I/O."""
