"""A learner makes an API token from their profile, sees it once, calls the API with it, reads the API reference
drawn in the browser from the OpenAPI document, and revokes the token, in a real browser."""

import json
import urllib.request

from playwright.sync_api import expect

from tests.browser.test_badge_journey import sign_in


def call_api(url: str, token: str) -> tuple[int, dict]:
    """A request outside the browser, as a script would make it."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_learner_makes_a_token_calls_the_api_reads_its_reference_and_revokes_it(page, live_server, make_user, axe):
    base = live_server.url
    learner = make_user(name="Rosa Dimaculangan")
    csp_errors = []
    page.on("console", lambda message: csp_errors.append(message.text) if "Content Security" in message.text else None)
    sign_in(page, base, learner)

    page.goto(f"{base}/profile")
    page.get_by_role("link", name="Manage your API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no tokens.")).to_be_visible()
    # A learner is offered the scopes their role allows, never the admin one.
    expect(page.get_by_label("Read your courses, progress, attempts and badges")).to_be_checked()
    expect(page.get_by_label("Read users, cohorts and progress reports (admins only)")).to_have_count(0)
    axe(page, "API tokens")

    page.get_by_label("Token name").fill("Progress dashboard")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Your new token. Copy it now: it is shown only this once.").input_value()
    assert secret.startswith("lms_pat_")
    expect(page.get_by_role("row", name="Progress dashboard")).to_contain_text("read")
    axe(page, "a new API token")

    status, me = call_api(f"{base}/api/v1/me", secret)
    assert status == 200 and me["display_name"] == "Rosa Dimaculangan" and me["scopes"] == ["read"]

    page.get_by_role("link", name="LMS API").first.click()
    expect(page.get_by_role("heading", name="API reference")).to_be_visible()
    # Swagger UI draws every operation from the document, with the summaries the code's docstrings give.
    expect(page.get_by_text("BPO Academy LMS API").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/me/badges")).to_be_visible()
    expect(page.get_by_text("The caller's badges and certificates.")).to_be_visible()
    axe(page, "API reference")
    page.locator(".opblock-summary-control", has_text="/api/v1/users").first.click()  # open one operation
    expect(page.locator(".parameters-col_name", has_text="limit")).to_be_visible()
    expect(page.locator(".responses-table").first).to_contain_text("Too Many Requests")
    axe(page, "API reference, one operation open")
    assert csp_errors == []

    page.goto(f"{base}/profile/tokens/")
    page.get_by_role("button", name="Revoke Progress dashboard").click()
    expect(page.get_by_text("Token revoked").first).to_be_visible()
    status, problem = call_api(f"{base}/api/v1/me", secret)
    assert status == 401 and problem["title"] == "Unauthorized"
