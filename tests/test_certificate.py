"""The course certificate: a PDF on A4 or US Letter naming the learner, the course, the date and the badges, whose
QR code leads to the public verification page; only the learner who holds the course badge downloads it."""

import io

import pypdf
import pypdfium2
import pytest
import zxingcpp

from lms.extensions import db
from tests import test_badge_earner as earner
from tests import test_badges_issuing as issuing
from tests.helpers import page_text

SIZES = {"a4": (842, 595), "letter": (792, 612)}  # landscape, in points


@pytest.fixture
def graduate(app, make_user):
    """A learner who completed the BPO course (every module, then the final assessment), with the course."""
    course = issuing.sync_course(app)
    learner = make_user(name="Josefina Dela Cruz")
    issuing.enrol_learner(app, learner["id"], course)
    issuing.complete_course(app, learner["id"], course)
    (award,) = [a for a in issuing.awards_of(app, learner["id"]) if a["badge_id"] == course.badge_id]
    return {**learner, "course": course, "award": award}


def qr_codes(pdf: bytes) -> list[str]:
    """The text of every QR code on the PDF's first page, rendered as a person's screen or printer would."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image) if found.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_graduate_downloads_a_certificate_that_names_them_and_verifies(app, client, login, graduate, paper):
    login(graduate)
    course = graduate["course"]
    page = client.get(f"/courses/{course.slug}")
    links = page_text(page)
    assert "Certificate (A4, PDF)" in links and "Certificate (US Letter, PDF)" in links
    url = f"/badges/assertions/{graduate['award']['public_id']}/certificate.pdf?paper={paper}"
    assert url.replace("&", "&amp;") in page.text or url in page.text
    assert url in client.get("/badges/mine").text

    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == SIZES[paper]
    text = " ".join(reader.pages[0].extract_text().split())
    verify_url = f"http://localhost/badges/verify/{graduate['award']['public_id']}"
    for expected in ("Josefina Dela Cruz", course.title, verify_url, "BPO Foundations", "BPO Operations Career Course"):
        assert expected in text, expected
    assert qr_codes(response.data) == [verify_url]
    # The QR code leads to a page that says the badge is valid.
    assert "Valid badge" in page_text(client.get(verify_url.removeprefix("http://localhost")))


def test_the_certificate_carries_the_name_the_learner_chose(app, client, login, graduate):
    login(graduate)
    assert earner.choose_name(client, "Josefina M. Dela Cruz").status_code == 302
    response = client.get(f"/badges/assertions/{graduate['award']['public_id']}/certificate.pdf")
    assert "Josefina M. Dela Cruz" in pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()


def test_a_name_in_vietnamese_or_polish_letters_is_printed_with_its_letters(app, client, login, graduate):
    """PDF's own Helvetica has no "ễ" or "Ł": the certificate embeds a font that has them."""
    login(graduate)
    assert earner.choose_name(client, "Nguyễn Thị Łucja Ødegård").status_code == 302
    response = client.get(f"/badges/assertions/{graduate['award']['public_id']}/certificate.pdf")
    page = pypdf.PdfReader(io.BytesIO(response.data)).pages[0]
    assert "Nguyễn Thị Łucja Ødegård" in page.extract_text()
    fonts = {font["/BaseFont"].split("+")[-1] for font in page["/Resources"]["/Font"].values()}
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts  # embedded (the QR code's drawing names Helvetica, unused)


def test_only_the_graduate_gets_the_certificate(app, client, login, make_user, graduate):
    from badges.services import revoke
    from lms.models import User

    url = f"/badges/assertions/{graduate['award']['public_id']}/certificate.pdf"
    assert client.get(url).status_code == 302  # anonymous: sign in first
    login(make_user())
    assert client.get(url).status_code == 404  # another learner
    login(make_user("admin"))
    assert client.get(url).status_code == 404  # not even an admin: it is the learner's document

    login(graduate)
    assert client.get(url + "?paper=a3").status_code == 400
    assert "Choose the paper size a4 or letter." in page_text(client.get(url + "?paper=a3"))
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.role == "admin"))
        revoke(admin, graduate["award"]["public_id"], "Shared account", public=False)
    assert client.get(url).status_code == 404
    assert "Certificate (A4, PDF)" not in page_text(client.get(f"/courses/{graduate['course'].slug}"))
