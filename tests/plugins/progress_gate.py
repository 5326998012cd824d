"""A test plugin that can hold a learner's progress calculation at a barrier, to line two requests up.

It contributes no steps. A test arms it with `arm(app, parties)`: from then on every progress calculation of
that app waits (a few seconds at most) until `parties` calculations are running at once, so two transactions
reach their completion checks together, which is the race the enrolment lock must order.
"""

import contextlib
import threading

from lms.plugins import hookimpl

KEY = "tests.progress_gate"


def arm(app, parties: int, timeout: float = 3.0) -> None:
    """Make progress calculations of `app` wait for each other, `parties` at a time."""
    app.extensions[KEY] = threading.Barrier(parties, timeout=timeout)


def disarm(app) -> None:
    """Let progress calculations run freely again."""
    app.extensions.pop(KEY, None)


@hookimpl
def lms_progress_steps(app, user_id, courses):
    """Wait at the armed barrier (if any); add nothing."""
    barrier = app.extensions.get(KEY)
    if barrier is not None:
        # A broken barrier means the other request is waiting for our lock: no meeting will happen, go on.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
    return {}
