"""Browser test helpers: an accessibility check with axe-core.

A flash message is copied into the screen-reader announcer a moment after the page loads, so text looked up with
`get_by_text` may be found twice: check the message itself (`.first`, which comes before the announcer, or the
`.flash` element)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def axe():
    """Run axe-core on a page and fail with readable details on any WCAG 2.1 A/AA violation."""
    runner = Axe()

    def check(page, label="", best_practice=False):
        """With `best_practice`, axe's best-practice rules too (a table's empty heading, two regions of one name)."""
        # A page still loading has no document for axe to read: let it finish first.
        page.wait_for_load_state("load")
        tags = [*WCAG_TAGS, "best-practice"] if best_practice else WCAG_TAGS
        results = runner.run(page, options={"runOnly": {"type": "tag", "values": tags}})
        violations = results.response["violations"]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in violations
        ]
        assert violations == [], f"accessibility violations on {label or page.url}:\n" + "\n".join(details)

    return check
