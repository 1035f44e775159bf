from ..saga.conftest import saga  # noqa: F401  (a catalog and a registration service, for this package too)
