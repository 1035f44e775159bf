"""The catalog's rules as plain objects: no I/O, no framework."""
