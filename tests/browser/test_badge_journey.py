"""A learner finishes a module in the browser, gets the badge, downloads it, an employer checks it logged out,
and the admin's revocation shows on the public page."""

import json
import re
import struct
import zlib

from playwright.sync_api import expect

from tests.test_badges_issuing import (
    FIRST_BADGE_NAME,
    FIRST_MODULE,
    awards_of,
    complete_lessons,
    enrol_learner,
    sync_course,
    take_quiz,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def itxt_chunks(png: bytes) -> dict:
    """Keyword -> text of every iTXt chunk (uncompressed, as badges are baked)."""
    assert png.startswith(PNG_SIGNATURE)
    chunks, pos = {}, len(PNG_SIGNATURE)
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        assert struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])[0] == zlib.crc32(kind + data)
        if kind == b"iTXt":
            keyword, rest = data.split(b"\0", 1)
            assert rest[0] == 0, "compressed iTXt"
            text = rest[2:].split(b"\0", 2)[2]
            chunks[keyword.decode("latin-1")] = text.decode("utf-8")
        pos += 12 + length
    return chunks


def sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard")


def test_learner_earns_downloads_and_shares_a_badge_that_the_admin_then_revokes(
    page, browser, live_server, app, make_user, axe, tmp_path
):
    base = live_server.url
    course = sync_course(app)
    module = course.modules[FIRST_MODULE]
    learner = make_user(name="Maya Santos", email="maya.santos@example.com")
    admin = make_user("admin", name="Ana Admin", email="ana.admin@example.com")
    # Most of the module is done already: the quiz passed and all but the last lesson read.
    enrol_learner(app, learner["id"], course)
    complete_lessons(app, learner["id"], module.lesson_ids[:-1])
    take_quiz(app, learner["id"], module.quiz_id)
    assert awards_of(app, learner["id"]) == []

    sign_in(page, base, learner)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My badges").click()
    expect(page.get_by_role("heading", name="My badges", level=1)).to_be_visible()
    expect(page.get_by_text("You have not earned a badge yet.")).to_be_visible()

    # The last step, in the browser: the module's last lesson is marked as complete.
    page.goto(f"{base}/courses/{course.slug}/{module.slug}/{module.lesson_slugs[-1]}")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page).to_have_url(f"{base}/courses/{course.slug}/{module.slug}")
    expect(page.get_by_text("marked as complete.").first).to_be_visible()
    # The moment is marked: the module and its badge, with the badge's image and the ways on, read out too.
    expect(page.get_by_text(f"Module complete: {module.title}").first).to_be_visible()
    expect(page.get_by_text(f"Badge earned: {FIRST_BADGE_NAME}").first).to_be_visible()
    expect(page.get_by_role("link", name="Continue to your next step")).to_be_visible()
    expect(page.get_by_role("link", name="See your badges")).to_be_visible()
    expect(page.locator(".flash-achievement img")).to_have_count(1)
    expect(page.get_by_role("status")).to_contain_text(f"Badge earned: {FIRST_BADGE_NAME}")
    axe(page, "module page with the earning messages")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My badges").click()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=FIRST_BADGE_NAME))
    expect(card).to_be_visible()
    expect(card.get_by_text(re.compile(r"Earned on \d{2} \w+ \d{4}"))).to_be_visible()
    for name in ("PNG image of", "SVG image of", "JSON assertion of", "Credential (JWT) of", "Credential (JSON-LD) of"):
        expect(card.get_by_role("link", name=f"{name} {FIRST_BADGE_NAME}")).to_be_visible()
    expect(
        card.get_by_role("link", name=re.compile(rf"^Add to LinkedIn profile\s*: {FIRST_BADGE_NAME}$"))
    ).to_have_attribute("href", re.compile(r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME&"))
    axe(page, "My badges")
    (award,) = awards_of(app, learner["id"])
    verify_url = f"{base}/badges/verify/{award['public_id']}"
    expect(card.get_by_label("Share link")).to_have_value(verify_url)

    # Download the baked PNG.
    with page.expect_download() as info:
        card.get_by_role("link", name=f"PNG image of {FIRST_BADGE_NAME}").click()
    download = info.value
    assert download.suggested_filename == "bpo-foundations-badge.png"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    png = saved.read_bytes()
    chunks = itxt_chunks(png)
    baked = json.loads(chunks["openbadges"])
    hosted = page.request.get(f"{base}/badges/assertions/{award['public_id']}")
    assert hosted.status == 200 and hosted.headers["content-type"].startswith("application/ld+json")
    assert baked == hosted.json()
    assert baked["id"] == f"{base}/badges/assertions/{award['public_id']}"
    assert chunks["openbadgecredential"].count(".") == 2  # the signed OB 3.0 credential rides along

    # An employer opens the share link without an account.
    employer = browser.new_context()
    try:
        public = employer.new_page()
        public.goto(verify_url)
        expect(public.get_by_role("heading", name=FIRST_BADGE_NAME, level=1)).to_be_visible()
        expect(public.get_by_role("status")).to_contain_text("Valid badge.")
        expect(public.get_by_text("Sign out")).to_have_count(0)  # really logged out
        for text in (
            "BPO Academy",
            module.title,
            "best quiz score 100%",
            "Completed every lesson of the module on what BPO is",
        ):
            expect(public.get_by_text(text, exact=False).first).to_be_visible()
        expect(public.locator("#earner")).to_have_text("Maya Santos")  # the learner's display name, by default
        axe(public, "verify page (valid)")

        # The admin revokes the award from the admin page.
        page.get_by_role("button", name="Sign out").click()
        sign_in(page, base, admin)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Badges", exact=True).click()
        expect(page.get_by_role("heading", name="Badges", level=1)).to_be_visible()
        axe(page, "admin badges")
        row = page.get_by_role("row").filter(has_text=learner["email"])
        row.get_by_role("link", name="Revoke").click()
        # A page of its own asks first, and says what revoking does; without a reason it asks for one.
        expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke")
        expect(page.get_by_text("This cannot be undone", exact=False)).to_be_visible()
        axe(page, "revoke confirmation")
        page.get_by_role("button", name="Revoke this badge").click()
        expect(page.locator(".field.has-error")).to_contain_text("This field is required")
        page.get_by_label("Reason for revoking").fill("Completed on a shared account")
        page.get_by_label("Publish the reason", exact=False).check()
        page.get_by_role("button", name="Revoke this badge").click()
        expect(page.locator(".flash-success")).to_contain_text("has been revoked.")  # the announcer repeats it
        expect(page.get_by_role("row").filter(has_text=learner["email"])).to_contain_text(
            "Revoked: Completed on a shared account"
        )
        axe(page, "admin badges after revoking")

        public.reload()
        expect(public.get_by_role("status")).to_contain_text("This badge has been revoked")
        expect(public.get_by_role("status")).to_contain_text("Reason: Completed on a shared account")
        expect(public.get_by_text("Valid badge.")).to_have_count(0)
        axe(public, "verify page (revoked)")
        gone = public.request.get(f"{base}/badges/assertions/{award['public_id']}")
        assert gone.status == 410 and gone.json()["revoked"] is True
    finally:
        employer.close()
