"""Actions and readings the test modules share: pressing buttons as a learner does, reading pages, racing."""

import html
import re
import threading

from tests.conftest import csrf_token_from


def page_text(response) -> str:
    """The visible text of a page: tags removed, entities decoded, white space collapsed."""
    body = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def enrol(client, course_slug: str):
    """Press "Enrol" on the course page; returns the response to the press."""
    token = csrf_token_from(client.get(f"/courses/{course_slug}").get_data(as_text=True))
    response = client.post(f"/courses/{course_slug}/enrol", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == f"/courses/{course_slug}"
    return response


def mark_complete(client, course_slug: str, module_slug: str, lesson_slug: str):
    """Open a lesson and press "Mark as complete"; returns the response to the press."""
    url = f"/courses/{course_slug}/{module_slug}/{lesson_slug}"
    page = client.get(url)
    assert page.status_code == 200 and "Mark as complete" in page.get_data(as_text=True)
    return client.post(f"{url}/complete", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})


def at_once(count: int, task, app=None) -> tuple[list, list]:
    """Run task(n) for n in range(count) in threads released together: (results by n, errors raised).

    With `app`, each thread runs in an app context of its own and ends its session, as a request would.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[str] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            if app is None:
                results[n] = task(n)
                return
            with app.app_context():
                try:
                    results[n] = task(n)
                finally:
                    from lms.extensions import db

                    db.session.remove()
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts there are none
            with lock:
                errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors
