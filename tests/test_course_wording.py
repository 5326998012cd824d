"""The course teaches the guide's facts in its own words: the shared overlap checker finds no passage of the
course that repeats the guide word for word."""

import subprocess
import sys

from tests.conftest import ROOT


def test_no_passage_of_the_course_repeats_the_guide(shared_dir):
    checker = shared_dir / "tools" / "seed_overlap.py"
    found = subprocess.run(
        [sys.executable, str(checker), "--repo", str(ROOT)], capture_output=True, text=True, timeout=120, check=False
    )
    assert found.returncode == 0 and found.stdout.strip() == "", found.stdout + found.stderr
