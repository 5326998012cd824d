"""Generated badge artwork: a round 400x400 medal with the badge title and subtitle, as SVG or PNG.

Both renderings share one layout so the baked PNG and the SVG look alike.
Text colour is black or white, whichever contrasts more with the fill; one
of them always reaches at least 4.58:1, above WCAG AA for normal text.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

SIZE = 400
CENTER = SIZE / 2

# Darker shades that all reach at least 4.5:1 against white text.
PALETTE = (
    "#1e3a8a",  # navy
    "#0f766e",  # teal
    "#15803d",  # green
    "#7e22ce",  # purple
    "#b91c1c",  # red
    "#c2410c",  # burnt orange
    "#be185d",  # raspberry
    "#334155",  # slate
)

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
TITLE_SIZES = (34, 30, 26, 22, 19)
SUBTITLE_SIZES = (20, 18)
TITLE_MAX_LINES = 4
SUBTITLE_MAX_LINES = 2
# Text stays between the star (bottom at y=96) and y=316; at those rows the
# inner ring (r=176) is still 289px wide, so these widths always fit inside.
TEXT_CENTER = 216
MAX_TEXT_HEIGHT = 200
TITLE_WIDTH = 270
SUBTITLE_WIDTH = 250
LINE_HEIGHT = 1.2
SUBTITLE_GAP = 36

_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# Characters XML 1.0 forbids; a title containing one would break the document.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Measure = Callable[[str, int, bool], float]


@dataclass(frozen=True)
class _Line:
    text: str
    baseline: float
    size: int
    bold: bool


def color_for(slug: str) -> str:
    """Return a stable palette colour for a course or module slug."""
    # sha256 rather than hash(): str hashes change between processes.
    index = hashlib.sha256(slug.encode("utf-8")).digest()[0] % len(PALETTE)
    return PALETTE[index]


def _checked_color(color: str) -> str:
    """Accept only #rrggbb so the value is safe to place in markup."""
    if not isinstance(color, str) or not _COLOR_RE.match(color):
        raise ValueError(f"colour must be #rrggbb, got {color!r}")
    return color.lower()


def _rgb(color: str) -> tuple[int, int, int]:
    """Split #rrggbb into its channels."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _luminance(color: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_color_for(fill: str) -> str:
    """Return black or white, whichever contrasts more with ``fill``."""
    fill = _checked_color(fill)
    return max(("#ffffff", "#000000"), key=lambda fg: contrast_ratio(fill, fg))


def _clean(text: str) -> str:
    """Drop characters XML cannot hold and collapse whitespace."""
    return " ".join(_XML_INVALID.sub("", text or "").split())


def _estimate_width(text: str, size: int, bold: bool) -> float:
    """Generous width estimate for a sans-serif line, used where no font metrics exist (SVG)."""
    em = 0.0
    for ch in text:
        if ch in "iljtf.,:;'!|()[] ":
            em += 0.32
        elif ch.isupper() or ch in "mwMW@%&":
            em += 0.74
        else:
            em += 0.58
    return em * size * (1.08 if bold else 1.0)


def _split_long_word(word: str, fits: Callable[[str], bool]) -> list[str]:
    """Break a word wider than a line into pieces that fit."""
    pieces, current = [], ""
    for ch in word:
        if current and not fits(current + ch):
            pieces.append(current)
            current = ch
        else:
            current += ch
    return pieces + [current] if current else pieces


def _wrap(text: str, width: float, size: int, bold: bool, measure: Measure) -> list[str]:
    """Greedy word wrap to ``width`` pixels."""

    def fits(candidate: str) -> bool:
        return measure(candidate, size, bold) <= width

    lines: list[str] = []
    current = ""
    for word in text.split():
        for piece in [word] if fits(word) else _split_long_word(word, fits):
            candidate = f"{current} {piece}" if current else piece
            if fits(candidate):
                current = candidate
            else:
                lines.append(current)
                current = piece
    if current:
        lines.append(current)
    return lines


def _fit(
    text: str, width: float, sizes: tuple[int, ...], max_lines: Callable[[int], int], bold: bool, measure: Measure
):
    """Pick the largest size whose wrapped text fits ``max_lines(size)``; truncate with an ellipsis otherwise."""
    for size in sizes:
        lines = _wrap(text, width, size, bold, measure)
        if len(lines) <= max_lines(size):
            return lines, size
    lines = lines[: max(1, max_lines(size))]
    last = lines[-1]
    while last and measure(last + "…", size, bold) > width:
        last = last[:-1].rstrip()
    lines[-1] = last + "…"
    return lines, size


def _layout(title: str, subtitle: str, measure: Measure) -> tuple[list[_Line], float | None]:
    """Place title and subtitle lines; return them and the divider's y (None without subtitle)."""
    sub_lines, sub_size = [], SUBTITLE_SIZES[0]
    if subtitle:
        sub_lines, sub_size = _fit(
            subtitle, SUBTITLE_WIDTH, SUBTITLE_SIZES, lambda size: SUBTITLE_MAX_LINES, False, measure
        )
    gap = SUBTITLE_GAP if sub_lines else 0
    sub_height = gap + len(sub_lines) * sub_size * LINE_HEIGHT

    def title_lines_allowed(size: int) -> int:
        # Big type gets fewer lines so the whole block stays inside the medal.
        return min(TITLE_MAX_LINES, int((MAX_TEXT_HEIGHT - sub_height) // (size * LINE_HEIGHT)))

    title_lines, title_size = _fit(title, TITLE_WIDTH, TITLE_SIZES, title_lines_allowed, True, measure)

    height = len(title_lines) * title_size * LINE_HEIGHT + sub_height
    lines, y = [], TEXT_CENTER - height / 2
    for text in title_lines:
        y += title_size * LINE_HEIGHT
        lines.append(_Line(text, y - title_size * 0.25, title_size, True))
    divider = None
    if sub_lines:
        divider = y + gap / 2
        y += gap
        for text in sub_lines:
            y += sub_size * LINE_HEIGHT
            lines.append(_Line(text, y - sub_size * 0.25, sub_size, False))
    return lines, divider


def _star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    """Points of a five-pointed star, top point first."""
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def badge_svg(title: str, subtitle: str, color: str) -> str:
    """Return an accessible 400x400 SVG badge showing ``title`` and ``subtitle``."""
    fill = _checked_color(color)
    fg = text_color_for(fill)
    title, subtitle = _clean(title), _clean(subtitle)
    label = f"Round badge reading “{title}”" + (f" and “{subtitle}”" if subtitle else "") + "."
    # Stable per-content ids keep aria-labelledby unique when several badges share a page.
    uid = hashlib.sha256(f"{title}\0{subtitle}\0{fill}".encode()).hexdigest()[:10]
    title_id, desc_id = f"badge-{uid}-title", f"badge-{uid}-desc"

    lines, divider = _layout(title, subtitle, _estimate_width)
    star = " ".join(f"{x:.1f},{y:.1f}" for x, y in _star(CENTER, 78, 22, 9))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(label)}</desc>',
        f'<circle cx="200" cy="200" r="192" fill="{fill}"/>',
        f'<circle cx="200" cy="200" r="176" fill="none" stroke="{fg}" stroke-width="3" stroke-opacity="0.6"/>',
        f'<polygon points="{star}" fill="{fg}"/>',
    ]
    if divider is not None:
        parts.append(f'<line x1="160" y1="{divider:.1f}" x2="240" y2="{divider:.1f}" stroke="{fg}" stroke-width="2"/>')
    parts.append(f'<g fill="{fg}" font-family={quoteattr(FONT_FAMILY)} text-anchor="middle">')
    for line in lines:
        weight = ' font-weight="700"' if line.bold else ""
        parts.append(
            f'<text x="200" y="{line.baseline:.1f}" font-size="{line.size}"{weight}>{escape(line.text)}</text>'
        )
    parts.append("</g></svg>")
    return "\n".join(parts) + "\n"


def badge_png(title: str, subtitle: str, color: str) -> bytes:
    """Return a 400x400 PNG badge matching badge_svg, drawn with Pillow's default font."""
    from PIL import Image, ImageDraw, ImageFont  # loaded by the first PNG drawn, not by every worker

    fill = _checked_color(color)
    fg = text_color_for(fill)
    title, subtitle = _clean(title), _clean(subtitle)
    scale = 2  # draw at twice the size, then downsample for smooth edges

    fonts: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}

    def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if size not in fonts:
            fonts[size] = ImageFont.load_default(size=size * scale)
        return fonts[size]

    def stroke(size: int, bold: bool) -> int:
        # The default font has no bold face; a thin outline thickens titles.
        return max(1, size * scale // 28) if bold else 0

    def measure(text: str, size: int, bold: bool) -> float:
        return (font(size).getlength(text) + 2 * stroke(size, bold)) / scale

    image = Image.new("RGBA", (SIZE * scale, SIZE * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(radius: float) -> list[float]:
        return [
            (CENTER - radius) * scale,
            (CENTER - radius) * scale,
            (CENTER + radius) * scale,
            (CENTER + radius) * scale,
        ]

    fg_rgb, fill_rgb = _rgb(fg), _rgb(fill)
    ring = tuple(round(0.6 * f + 0.4 * b) for f, b in zip(fg_rgb, fill_rgb, strict=True))
    draw.ellipse(box(192), fill=fill_rgb)
    draw.ellipse(box(176), outline=ring, width=3 * scale)
    draw.polygon([(x * scale, y * scale) for x, y in _star(CENTER, 78, 22, 9)], fill=fg_rgb)

    lines, divider = _layout(title, subtitle, measure)
    if divider is not None:
        draw.line([(160 * scale, divider * scale), (240 * scale, divider * scale)], fill=fg_rgb, width=2 * scale)
    for line in lines:
        width = stroke(line.size, line.bold)
        draw.text(
            (CENTER * scale, line.baseline * scale),
            line.text,
            font=font(line.size),
            fill=fg_rgb,
            anchor="ms",
            stroke_width=width,
            stroke_fill=fg_rgb,
        )

    image = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
