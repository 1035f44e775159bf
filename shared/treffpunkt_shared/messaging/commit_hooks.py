"""What must only happen once a transaction has committed: counting what it did in the metrics (a
transaction rolled back and tried again must not count twice), waking who waits for its rows.

The one way, in consumers and HTTP handlers alike: the code that does the work calls `after_commit`;
whoever owns the transaction wraps it in `run_after_commit` (the shared consumer does, for each batch)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar("after_commit", default=None)


def after_commit(callback: Callable[[], None]) -> None:
    """Call `callback` once the transaction in hand has committed."""
    callbacks = _after_commit.get()
    if callbacks is None:
        raise RuntimeError("after_commit() is for work inside run_after_commit(), such as a consumer's handlers")
    callbacks.append(callback)


@contextmanager
def run_after_commit() -> Iterator[None]:
    """Collect the `after_commit` callbacks of the block, which holds one transaction, and call them when
    the block ends without an error (the transaction committed). Inside another such block (a route that
    wraps a handler's transaction in its own, to write the audit entry with it) the outer block owns the
    transaction: the callbacks wait for its end."""
    if _after_commit.get() is not None:
        yield
        return
    callbacks: list[Callable[[], None]] = []
    token = _after_commit.set(callbacks)
    try:
        yield
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        callback()
