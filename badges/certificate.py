"""The course certificate: a one-page PDF (A4 or US Letter, landscape) naming the learner, the course, the date and
the badges earned, with the verification URL written out and as a QR code."""

import dataclasses
import io
import pathlib
from datetime import date

PAPER_SIZES = {"a4": "A4", "letter": "US Letter"}
# DejaVu Sans (from npm's dejavu-fonts-ttf 2.37.3, with its licence), embedded in each certificate: PDF's own
# Helvetica holds Western European letters only, and printed "Nguyễn" or "Łucja" with black boxes for letters.
# (Chinese, Japanese and Korean names need a font of their own, several megabytes large, which is not shipped.)
FONTS = pathlib.Path(__file__).parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"


@dataclasses.dataclass(frozen=True)
class Certificate:
    """What a certificate says."""

    learner: str
    course: str
    completed_on: date
    badges: list[str]
    verify_url: str
    issuer: str


def certificate_pdf(certificate: Certificate, paper: str = "a4") -> bytes:
    """The certificate as PDF bytes on `paper` ("a4" or "letter")."""
    # reportlab is only needed here: imported when a certificate is made, not with every request.
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, LETTER, landscape
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    width, height = landscape(LETTER if paper == "letter" else A4)
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(width, height), invariant=True)
    pdf.setTitle(f"Certificate: {certificate.course}")
    pdf.setAuthor(certificate.issuer)
    pdf.setSubject(f"{certificate.learner} completed {certificate.course}")

    brand, ink, muted = HexColor("#1d4e89"), HexColor("#1b1b1b"), HexColor("#555555")
    margin = 36
    pdf.setStrokeColor(brand)
    pdf.setLineWidth(4)
    pdf.rect(margin, margin, width - 2 * margin, height - 2 * margin)
    pdf.setLineWidth(1)
    pdf.rect(margin + 8, margin + 8, width - 2 * margin - 16, height - 2 * margin - 16)

    middle = width / 2
    lines = [
        (height - 120, BOLD, 30, brand, "Certificate of completion"),
        (height - 170, REGULAR, 14, muted, "This certifies that"),
        (height - 215, BOLD, 28, ink, certificate.learner),
        (height - 255, REGULAR, 14, muted, "has completed the course"),
        (height - 290, BOLD, 18, ink, certificate.course),
        (height - 320, REGULAR, 13, muted, f"on {certificate.completed_on.strftime('%d %B %Y')}"),
    ]
    for y, font, size, color, text in lines:
        pdf.setFont(font, fit_size(pdf, text, font, size, width - 2 * margin - 60))
        pdf.setFillColor(color)
        pdf.drawCentredString(middle, y, text)

    if certificate.badges:
        pdf.setFont(BOLD, 11)
        pdf.setFillColor(ink)
        pdf.drawString(margin + 40, 200, "Badges earned")
        pdf.setFont(REGULAR, 10)
        for number, name in enumerate(certificate.badges[:12]):
            column, row = divmod(number, 6)
            pdf.drawString(margin + 40 + column * 230, 184 - row * 14, f"• {name}")

    size = 110
    code = QrCodeWidget(certificate.verify_url, barLevel="M")
    left, bottom, right, top = code.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(code)
    renderPDF.draw(drawing, pdf, width - margin - 40 - size, 80)

    pdf.setFont(REGULAR, 9)
    pdf.setFillColor(muted)
    pdf.drawString(margin + 40, 96, f"Issued by {certificate.issuer}. Check that it is genuine at:")
    pdf.setFillColor(brand)
    pdf.drawString(margin + 40, 82, certificate.verify_url)
    pdf.linkURL(certificate.verify_url, (margin + 40, 78, margin + 40 + 360, 92), relative=0)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def fit_size(pdf, text: str, font: str, size: float, room: float) -> float:
    """The font size (at most `size`) at which the text fits in `room` points: long names and titles shrink."""
    wide = pdf.stringWidth(text, font, size)
    return size if wide <= room else max(8.0, size * room / wide)


def register_fonts() -> None:
    """Make the certificate's fonts known to reportlab, once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
