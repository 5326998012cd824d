"""The data-entry drill over real HTTP: the server times the run and grades each field by its match, pasted
records fail, and the result shows after the run and in the review."""

from tests.test_typing_test import exercise_lab, finish_claim, started_attempt, started_seconds_ago, step

DRILL_FILE = [
    {
        "type": "data_entry",
        "title": "drill-claims",
        "tags": ["skills/data-entry"],
        "stem": "Key the two claim forms.",
        "fields": [
            {"name": "Claim number", "match": "exact"},
            {"name": "Customer name", "match": "text"},
            {"name": "Date of loss", "match": "date"},
            {"name": "Amount", "match": "number"},
        ],
        "date_order": "mdy",
        "records": [
            ["CL-40318", "Amara Nwosu", "03/14/2026", "1,250.00"],
            ["CL-40322", "Jonas Lindqvist", "03/16/2026", "87.50"],
        ],
        "min_accuracy": 85,
        "min_kph": 2000,
    }
]
# Keyed as a careful learner would, in other accepted forms, with one slip: the second amount.
KEYED = {
    "r0f0": "CL-40318",
    "r0f1": "amara nwosu",
    "r0f2": "2026-03-14",
    "r0f3": "1250",
    "r1f0": "CL-40322",
    "r1f1": "Jonas  Lindqvist",
    "r1f2": "March 16, 2026",
    "r1f3": "78.50",
}


def drill_lab(app, tmp_path):
    """A course whose one module has a data-entry drill as an exercise."""
    return exercise_lab(app, tmp_path, DRILL_FILE, "data-entry-drill", "Data-entry drill")


def key_in_steps(client, attempt_id, token):
    """Send the boxes as the page does while the learner keys them: one more box filled at each save."""
    names = list(KEYED)
    for end in range(1, len(names)):
        fields = {name: KEYED[name] for name in names[:end]}
        assert step(client, attempt_id, token, "progress", **fields).status_code == 200


def test_a_keyed_drill_is_timed_by_the_server_and_graded_field_by_field(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path, drill_lab, "data-entry-drill")
    assert step(client, attempt_id, token, "start").status_code == 200
    started_seconds_ago(app, attempt_id, 36)
    key_in_steps(client, attempt_id, token)
    finished = step(client, attempt_id, token, "finish", finished_at=finish_claim(app, attempt_id, 36), **KEYED)

    assert finished.status_code == 200, finished.text
    result = finished.get_json()
    # 7 of 8 fields right (87.5 %, over 85 %); 76 characters in 36 s (a little more by the server's clock) is
    # 7,600 keystrokes an hour at most, over 2,000.
    assert result["met"] is True, result
    summary = result["feedback"][0]
    assert summary.startswith("7 of 8 fields right (87.5%), ")
    keystrokes = int(summary.split(", ")[1].split(" keystrokes")[0].replace(",", ""))
    assert 7400 <= keystrokes <= 7600, summary
    assert result["feedback"][1] == "Check: record 2, Amount: “78.50” for “87.50”."

    page = client.get(f"/quizzes/attempts/{attempt_id}").text
    assert "Your last run meets the standard." in page and "record 2, Amount" in page
    submitted = client.post(f"/quizzes/attempts/{attempt_id}/submit", data={"csrf_token": token})
    review = client.get(submitted.headers["Location"]).text
    assert "Passed" in review and "7 of 8 fields right" in review


def test_records_pasted_in_at_once_do_not_pass(app, client, learner, tmp_path):
    attempt_id, token = started_attempt(app, client, learner, tmp_path, drill_lab, "data-entry-drill")
    step(client, attempt_id, token, "start")
    started_seconds_ago(app, attempt_id, 120)
    finished = step(client, attempt_id, token, "finish", finished_at=finish_claim(app, attempt_id, 120), **KEYED)

    assert finished.get_json()["met"] is False
    assert "counts as pasted" in finished.get_json()["feedback"][0]
