"""Builders for Open Badges 2.0 hosted documents and Open Badges 3.0 credentials.

Every builder returns a plain dict ready for ``json.dumps``. Learners appear
only as a salted SHA-256 hash of their email address: no name, email or user
id ever goes into a document, because hosted assertions and baked images are
public.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# The versioned context named by the current OB 3.0 errata; the unversioned
# context.json is frozen at 3.0.0 and breaks JSON-LD processing of `image`.
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

_HASH_RE = re.compile(r"^sha256\$[0-9a-f]{64}$")


def hash_recipient(email: str, salt: str) -> str:
    """Return the Open Badges IdentityHash ``sha256$hex(sha256(email + salt))``."""
    # The spec hashes the UTF-8 identifier with the salt appended (its example:
    # 'a@example.comKosher'). It does not fold case, but learners and
    # verifiers type addresses in any case, so we normalise the address
    # (never the salt) to make the hash reproducible from what they type.
    identifier = email.strip().lower()
    digest = hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()
    return "sha256$" + digest


def new_salt() -> str:
    """Return a fresh random salt (128 bits, hex)."""
    return secrets.token_hex(16)


def new_assertion_id() -> str:
    """Return a fresh URL-safe random identifier (144 bits)."""
    # 18 bytes encode to 24 base64url characters with no padding.
    return secrets.token_urlsafe(18)


def iso_time(moment: datetime) -> str:
    """A datetime as the documents write it (ISO 8601 UTC, whole seconds, Z)."""
    return _iso(moment)


def _iso(moment: datetime) -> str:
    """Format a datetime as an ISO 8601 UTC timestamp with a Z designator."""
    # Naive datetimes are taken as UTC, which is how the LMS stores them.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Whole seconds, so the JWT `nbf` NumericDate equals validFrom exactly.
    moment = moment.astimezone(UTC).replace(microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _checked_hash(recipient_hash: str) -> str:
    """Reject anything that is not a SHA-256 IdentityHash, such as a raw email."""
    if not _HASH_RE.match(recipient_hash or ""):
        raise ValueError("recipient_hash must be a value returned by hash_recipient()")
    return recipient_hash


def issuer_profile(
    issuer_url: str,
    name: str,
    url: str,
    email: str | None = None,
    description: str = "",
    image: str | None = None,
    revocation_list_url: str | None = None,
) -> dict:
    """Build the OB 2.0 issuer Profile hosted at ``issuer_url``."""
    # OB 2.0 requires `email` for issuer profiles; it stays optional here so a
    # misconfigured site still serves a profile, but deployments should set it.
    profile = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": issuer_url,
        "name": name,
        "url": url,
    }
    if email:
        profile["email"] = email
    if description:
        profile["description"] = description
    if image:
        profile["image"] = image
    if revocation_list_url:
        profile["revocationList"] = revocation_list_url
    return profile


def badge_class(
    badge_url: str,
    name: str,
    description: str,
    image_url: str,
    criteria_url: str,
    criteria_narrative: str,
    issuer_url: str,
    tags: Iterable[str] = (),
) -> dict:
    """Build the OB 2.0 BadgeClass hosted at ``badge_url``."""
    document = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": badge_url,
        "name": name,
        "description": description,
        "image": image_url,
        "criteria": {"id": criteria_url, "narrative": criteria_narrative},
        "issuer": issuer_url,
    }
    tag_list = [tag for tag in tags if tag]
    if tag_list:
        document["tags"] = tag_list
    return document


def assertion(
    assertion_url: str,
    badge_url: str,
    recipient_hash: str,
    salt: str,
    issued_on: datetime,
    evidence: list[dict],
    image_url: str | None = None,
    revoked: bool = False,
    revocation_reason: str | None = None,
) -> dict:
    """Build the hosted OB 2.0 Assertion served at ``assertion_url``."""
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": assertion_url,
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": salt,
            "identity": _checked_hash(recipient_hash),
        },
        "badge": badge_url,
        "issuedOn": _iso(issued_on),
        # Hosted verification: verifiers re-fetch `id`, which must share the
        # issuer profile's origin.
        "verification": {"type": "hosted"},
    }
    items = [{"type": "Evidence", **{k: item[k] for k in ("name", "narrative") if item.get(k)}} for item in evidence]
    if items:
        document["evidence"] = items
    if image_url:
        document["image"] = image_url
    if revoked:
        document["revoked"] = True
        if revocation_reason:
            document["revocationReason"] = revocation_reason
    return document


def revoked_assertion(assertion_url: str, reason: str) -> dict:
    """Build the stripped-down body served with HTTP 410 for a revoked assertion."""
    # OB 2.0: once revoked, only `id` and `revoked` are required, and issuers
    # drop everything else so the recipient hash stops being published.
    document = {
        "@context": OB2_CONTEXT,
        "id": assertion_url,
        "type": "Assertion",
        "revoked": True,
    }
    if reason:
        document["revocationReason"] = reason
    return document


def revocation_list(list_url: str, issuer_url: str, revoked: list[tuple[str, str]]) -> dict:
    """Build the OB 2.0 RevocationList naming every revoked assertion url and its reason."""
    entries = []
    for url, reason in revoked:
        entry = {"id": url}
        if reason:
            entry["revocationReason"] = reason
        entries.append(entry)
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": list_url,
        "issuer": issuer_url,
        "revokedAssertions": entries,
    }


def subject_id(credential_id: str) -> str:
    """The opaque id of a credential's subject: a name-based UUID of the credential's id."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, credential_id + '#subject')}"


def open_badge_credential(
    credential_id: str,
    issuer: dict,
    achievement: dict,
    recipient_hash: str,
    salt: str,
    valid_from: datetime,
    evidence_narrative: str,
    status: dict | None = None,
) -> dict:
    """Build an unsigned OB 3.0 OpenBadgeCredential (VC Data Model 2.0)."""
    profile = {"id": issuer["id"], "type": ["Profile"], "name": issuer["name"]}
    if issuer.get("url"):
        profile["url"] = issuer["url"]

    badge = {
        "id": achievement["id"],
        "type": ["Achievement"],
        "name": achievement["name"],
        "description": achievement["description"],
        "criteria": {"narrative": achievement["criteria_narrative"]},
    }
    if achievement.get("image_url"):
        badge["image"] = {"id": achievement["image_url"], "type": "Image"}

    credential = {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": profile,
        "validFrom": _iso(valid_from),
        # Wallets list credentials by this name.
        "name": achievement["name"],
        "credentialSubject": {
            # Learners have no DID: the subject is named by an opaque id of its own, derived from the
            # credential (so the JWT's required `sub` has a value and no two awards share it, which would link a
            # learner's badges), and the `identifier` list carries the hashed email to match the holder by.
            "id": subject_id(credential_id),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": _checked_hash(recipient_hash),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": badge,
        },
    }
    # OB 3.0 JSON serialisation omits empty arrays, so evidence only when given.
    if evidence_narrative:
        credential["evidence"] = [{"type": ["Evidence"], "narrative": evidence_narrative}]
    # Revocation: a W3C Bitstring Status List entry (badges.status_list), which the VC 2.0 context defines.
    if status:
        credential["credentialStatus"] = status
    return credential
