"""Progress percentages round the way a person expects."""

import pytest

from courses.progress import percent


@pytest.mark.parametrize(
    ("done", "total", "shown"),
    [(0, 3, 0), (1, 3, 33), (2, 3, 67), (1, 8, 13), (3, 8, 38), (27, 28, 96), (199, 200, 99), (3, 3, 100), (0, 0, 0)],
)
def test_progress_rounds_half_up_and_reaches_100_only_when_every_step_is_done(done, total, shown):
    assert percent(done, total) == shown
