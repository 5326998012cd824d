"""Badge baking: embedding badge data in PNG and SVG images so the image itself carries the award.

PNG follows the Open Badges baking rules: one uncompressed ``iTXt`` chunk with
the keyword ``openbadges`` (OB 2.0 assertion JSON or URL) or
``openbadgecredential`` (OB 3.0 VC-JWT or JSON), placed before ``IEND``.
SVG follows the OB 2.0 rule: an ``<openbadges:assertion>`` first child of
the root ``<svg>``.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

OB2_KEYWORD = "openbadges"
OB3_KEYWORD = "openbadgecredential"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OPENBADGES_NAMESPACE = "http://openbadges.org"
_ASSERTION_TAG = f"{{{OPENBADGES_NAMESPACE}}}assertion"
_CREDENTIAL_TAG = f"{{{OPENBADGES_NAMESPACE}}}credential"

# A start tag, skipping over quoted attribute values that may contain '>'.
_TAG_BODY = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_SVG_START = re.compile(r"<svg\b" + _TAG_BODY + ">")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A previously baked element: its body is text and/or CDATA sections, and a
# CDATA section ends at the first "]]>", so JSON holding the closing tag as
# text cannot end the match early.
_BAKED_ELEMENT = re.compile(
    r"<openbadges:(assertion|credential)\b" + _TAG_BODY + r"?(?:/>|>(?:[^<]|<!\[CDATA\[.*?\]\]>)*</openbadges:\1>)",
    re.DOTALL,
)


# --- PNG ---------------------------------------------------------------------


def _png_chunks(png_bytes: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """Split a PNG into (type, data, raw chunk bytes) up to and including IEND."""
    if not png_bytes.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    chunks, pos = [], len(PNG_SIGNATURE)
    while pos + 12 <= len(png_bytes):
        (length,) = struct.unpack(">I", png_bytes[pos : pos + 4])
        end = pos + 12 + length
        if end > len(png_bytes):
            break
        kind = png_bytes[pos + 4 : pos + 8]
        chunks.append((kind, png_bytes[pos + 8 : pos + 8 + length], png_bytes[pos:end]))
        pos = end
        if kind == b"IEND":
            return chunks
    raise ValueError("truncated PNG image: no IEND chunk")


def _chunk(kind: bytes, data: bytes) -> bytes:
    """Encode one PNG chunk with its length and CRC."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _keyword_bytes(keyword: str) -> bytes:
    """Validate a PNG text keyword: 1-79 printable Latin-1 characters."""
    raw = keyword.encode("latin-1")
    if not 1 <= len(raw) <= 79 or any(b < 32 or 126 < b < 161 for b in raw):
        raise ValueError(f"invalid PNG keyword: {keyword!r}")
    return raw


def _itxt_keyword(data: bytes) -> bytes:
    """Return the keyword field of iTXt chunk data."""
    return data.split(b"\0", 1)[0]


def bake_png(png_bytes: bytes, keyword: str, text: str) -> bytes:
    """Return ``png_bytes`` with ``text`` stored in an uncompressed iTXt chunk under ``keyword``."""
    name = _keyword_bytes(keyword)
    # keyword NUL, compression flag 0, method 0, empty language tag NUL,
    # empty translated keyword NUL, then the UTF-8 text.
    itxt = _chunk(b"iTXt", name + b"\0\0\0\0\0" + text.encode("utf-8"))
    out = [PNG_SIGNATURE]
    for kind, data, raw in _png_chunks(png_bytes):
        # The keyword may appear only once, so re-baking replaces the old chunk.
        if kind == b"iTXt" and _itxt_keyword(data) == name:
            continue
        if kind == b"IEND":
            out.append(itxt)
        out.append(raw)
    return b"".join(out)


def extract_png(png_bytes: bytes, keyword: str) -> str | None:
    """Return the text of the first iTXt chunk named ``keyword``, or None if there is none."""
    name = _keyword_bytes(keyword)
    for kind, data, _raw in _png_chunks(png_bytes):
        if kind != b"iTXt" or _itxt_keyword(data) != name:
            continue
        rest = data[len(name) + 1 :]
        if len(rest) < 2:
            raise ValueError("malformed iTXt chunk")
        compressed, rest = rest[0], rest[2:]
        _language, _translated, text = rest.split(b"\0", 2)
        # We never compress, but other bakers' images are read leniently.
        if compressed:
            text = zlib.decompress(text)
        return text.decode("utf-8")
    return None


# --- SVG ---------------------------------------------------------------------


def _parse_svg(svg_text: str) -> ET.Element:
    """Parse SVG text, refusing entity declarations (never needed, classic XML bomb vector)."""
    import xml.etree.ElementTree as ET  # only baking reads SVG: a worker loads the XML parser when it bakes

    if "<!ENTITY" in svg_text:
        raise ValueError("SVG with entity declarations is not accepted")
    try:
        # Our own artwork, and entity declarations are refused above.
        root = ET.fromstring(svg_text)  # nosec B314
    except ET.ParseError as exc:
        raise ValueError(f"SVG is not well-formed XML: {exc}") from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise ValueError("root element is not an SVG <svg>")
    return root


def _cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any ']]>' so the section cannot end early."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _root_start_tag(svg_text: str) -> re.Match:
    """Find the root <svg> start tag, ignoring any '<svg' inside prolog comments."""
    comments = [m.span() for m in _COMMENT.finditer(svg_text)]
    for match in _SVG_START.finditer(svg_text):
        if not any(start <= match.start() < end for start, end in comments):
            return match
    raise ValueError("no <svg> start tag found")


def bake_svg(svg_text: str, assertion_json: str, verify_url: str, credential: str | None = None) -> str:
    """Return ``svg_text`` with the OB 2.0 assertion baked in as the root's first child and, when given, the
    OB 3.0 credential (a VC-JWT or its JSON) as an `openbadges:credential` element after it."""
    _parse_svg(svg_text)
    # Only one assertion element is allowed, so re-baking replaces it.
    svg_text = _BAKED_ELEMENT.sub("", svg_text)
    parsed = _parse_svg(svg_text)
    if any(next(parsed.iter(tag), None) is not None for tag in (_ASSERTION_TAG, _CREDENTIAL_TAG)):
        raise ValueError("SVG already carries badge data in a form that cannot be replaced")

    match = _root_start_tag(svg_text)
    tag = match.group()
    self_closing = tag.endswith("/>")
    opening = tag[:-2] if self_closing else tag[:-1]
    if "xmlns:openbadges=" not in opening:
        opening = opening.rstrip() + f' xmlns:openbadges="{OPENBADGES_NAMESPACE}"'
    element = f"<openbadges:assertion verify={quoteattr(verify_url)}>{_cdata(assertion_json)}</openbadges:assertion>"
    if credential is not None:
        element += f"<openbadges:credential>{_cdata(credential)}</openbadges:credential>"
    replacement = opening + ">" + element + ("</svg>" if self_closing else "")
    baked = svg_text[: match.start()] + replacement + svg_text[match.end() :]

    root = _parse_svg(baked)
    if len(root) == 0 or root[0].tag != _ASSERTION_TAG:
        raise ValueError("could not place the assertion as the first child of <svg>")
    return baked


def extract_svg_credential(svg_text: str) -> str | None:
    """Return the baked OB 3.0 credential (a VC-JWT or its JSON), or None."""
    element = next(_parse_svg(svg_text).iter(_CREDENTIAL_TAG), None)
    return (element.text or "").strip() or None if element is not None else None


def extract_svg(svg_text: str) -> str | None:
    """Return the baked assertion JSON (or, for a signed badge, the JWS), or None."""
    element = next(_parse_svg(svg_text).iter(_ASSERTION_TAG), None)
    if element is None:
        return None
    body = (element.text or "").strip()
    # Signed badges are baked as an empty element whose `verify` holds the JWS.
    return body or element.get("verify")
