from ..saga.conftest import saga  # noqa: F401  (a catalog and a registration service, and the saga's steps)
