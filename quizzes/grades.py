"""The grades Moodle allows for an answer, so that every question written or imported here exports to Moodle."""

# Moodle's full list of answer grades, in percent; their negatives are allowed too.
MOODLE_GRADES = (
    *(100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333),
    *(30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0),
)
# Moodle matches a grade to its list within 0.00001 of a fraction, i.e. 0.001 of a percent.
TOLERANCE = 0.001


def is_moodle_grade(weight: float) -> bool:
    """Whether Moodle's importer accepts this answer weight (in percent)."""
    return any(abs(abs(weight) - grade) <= TOLERANCE for grade in MOODLE_GRADES)


def weight_problems(config: dict) -> list[str]:
    """Answer weights in a question's config that Moodle would refuse, in plain English."""
    problems = []
    for key in ("choices", "answers"):
        entries = config.get(key) if isinstance(config, dict) else None
        for n, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
            value = entry.get("weight") if isinstance(entry, dict) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not is_moodle_grade(value):
                what = "Choice" if key == "choices" else "Answer"
                problems.append(
                    f"{what} {n} has the weight {value:g}%, which Moodle does not accept; use one of its grades: "
                    "100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, "
                    "14.28571, 12.5, 11.11111, 10, 5 or 0 (or one of these below zero)."
                )
    return problems
