"""What every child process of the embedded stack gets: it ends when its parent does."""

import ctypes
import signal
import sys


def die_with_parent() -> None:
    """For `preexec_fn`: should the parent be killed outright (even SIGKILL), the kernel sends the child
    SIGTERM (Linux only), so no service, broker or database outlives the supervisor or the test run."""
    if sys.platform == "linux":
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
