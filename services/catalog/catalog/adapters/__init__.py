"""The catalog's connections to the outside: PostgreSQL."""
