"""The catalog's HTTP APIs: one for staff, one for the public."""
