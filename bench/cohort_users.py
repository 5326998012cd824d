"""Locust users for the cohort scenario (bench/cohort.py): each is one seeded learner who reads, answers and submits.

A learner works through the course quiz by quiz: three rounds of two lesson views and one answer save, then the
submit, with 1 to 3 seconds of thought before each request. Every learner is a different seeded account with
its own open attempts, so every submit is a new fact.
"""

import itertools
import json
import os
import pathlib

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

USER_AGENT = "lms-bench"
LEARNERS = json.loads(pathlib.Path(os.environ["LMS_COHORT_FILE"]).read_text(encoding="utf-8"))
NEXT_LEARNER = itertools.count()
ROUNDS_PER_QUIZ = 3


class Learner(FastHttpUser):
    """One learner of the cohort."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        """Take the next seeded learner; stop when every one is in use."""
        number = next(NEXT_LEARNER)
        if number >= len(LEARNERS):
            raise StopUser()
        self.learner = LEARNERS[number]
        self.headers = {"Cookie": self.learner["cookie"], "User-Agent": USER_AGENT}
        self.form = {**self.headers, "Content-Type": "application/x-www-form-urlencoded"}

    def step(self, method: str, path: str, name: str, body: str | None = None) -> None:
        """One request, then the learner's thinking time; a response other than 200 or 302 is a failure."""
        headers = self.form if body is not None else self.headers
        with self.client.request(
            method, path, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code not in (200, 302):
                response.failure(f"{response.status_code}: {(response.text or '')[:300]}")
        self.wait()

    @task
    def work_through_the_course(self) -> None:
        """Quiz by quiz: read, answer, read, answer, then submit."""
        lessons = itertools.cycle(self.learner["lessons"])
        for attempt in self.learner["attempts"]:
            for _round in range(ROUNDS_PER_QUIZ):
                self.step("GET", next(lessons), "lesson page")
                self.step("GET", next(lessons), "lesson page")
                self.step("POST", attempt["url"] + "/save", "answer save", attempt["body"])
            self.step("POST", attempt["url"] + "/submit", "quiz submit", attempt["body"])
        raise StopUser()
