"""Open Badges documents of this LMS, built per request from the stored awards (no personal data)."""

import json

from flask import current_app, request

from badges import openbadges, status_list
from badges.models import Award, BadgeClass
from lms.links import public_url as external

KEY_FILE_NAME = "badge-signing-key.pem"


def issuer_key():
    """The issuer's signing key: configured PEM, else a key file in the instance folder (created once)."""
    state = current_app.extensions.setdefault("lms_badge_key", {})
    if "key" not in state:
        import pathlib

        path = current_app.config.get("BADGE_SIGNING_KEY_FILE") or str(
            pathlib.Path(current_app.instance_path) / KEY_FILE_NAME
        )
        from badges import signing  # cryptography and PyJWT: loaded by the first badge document, not by every worker

        state["key"] = signing.load_or_create_key(current_app.config.get("BADGE_SIGNING_KEY_PEM"), pathlib.Path(path))
    return state["key"]


def key_id() -> str:
    """The key id: the address that answers with the issuer's public key as one JWK (it is in the JWKS too)."""
    from badges import signing

    return signing.key_id(issuer_key(), external("badges.signing_keys"))


def published_keys() -> list[dict]:
    """Every key a credential of this issuer may be signed with, as JWKs: the current signing key first, then the
    retired ones (`BADGE_PREVIOUS_KEYS_PEM`), so that credentials signed before a rotation keep verifying."""
    from badges import signing

    keys = [issuer_key(), *signing.load_previous_keys(current_app.config.get("BADGE_PREVIOUS_KEYS_PEM"))]
    keys_url = external("badges.signing_keys")
    found: dict[str, dict] = {}
    for key in keys:
        found.setdefault(signing.thumbprint(key), signing.public_jwk(key, signing.key_id(key, keys_url)))
    return list(found.values())


def signing_jwk(thumbprint: str) -> dict | None:
    """The published key `thumbprint` names, as one JWK; None for any other."""
    return next((jwk for jwk in published_keys() if jwk["kid"].endswith(f"/{thumbprint}")), None)


def jwks() -> dict:
    """The public halves of the issuer's keys, current and retired, as a JWK Set."""
    return {"keys": published_keys()}


def issuer() -> dict:
    """The OB 2.0 issuer profile."""
    return openbadges.issuer_profile(
        external("badges.issuer"),
        current_app.config["BADGE_ISSUER_NAME"],
        external("main.index"),
        email=current_app.config.get("BADGE_ISSUER_EMAIL"),
        description="Issues badges for completed modules and courses of this learning platform.",
        revocation_list_url=external("badges.revocations"),
    )


def badge_class(badge: BadgeClass) -> dict:
    """The OB 2.0 BadgeClass of a badge."""
    return openbadges.badge_class(
        external("badges.badge_class", badge_id=badge.id),
        badge.name,
        badge.description,
        external("badges.badge_image", badge_id=badge.id, ext="png"),
        external("badges.badge_class", badge_id=badge.id) + "#criteria",
        badge.criteria,
        external("badges.issuer"),
    )


def evidence_text(award: Award) -> str:
    """One sentence of evidence: what was completed and when, the modules and the final assessment's score (for a
    course), and the best quiz score."""
    evidence = award.evidence or {}
    score, final, modules = evidence.get("best_score"), evidence.get("final_score"), evidence.get("modules")
    parts = [f"{evidence.get('completed', 'Completion')} completed on {evidence.get('date', '')}"]
    if modules:
        parts.append(f"{modules} module{'' if modules == 1 else 's'} completed")
    if final is not None:
        parts.append(f"final assessment passed with {final:g}%")
    elif score is not None:
        parts.append(f"best quiz score {score:g}%")
    return "; ".join(parts) + "."


def assertion(award: Award) -> dict:
    """The hosted OB 2.0 Assertion of an award."""
    return openbadges.assertion(
        external("badges.assertion", public_id=award.public_id),
        external("badges.badge_class", badge_id=award.badge_class_id),
        award.recipient_hash,
        award.salt,
        award.issued_at,
        [{"name": "Completion", "narrative": evidence_text(award)}],
        image_url=external("badges.baked_image", public_id=award.public_id, ext="png"),
    )


def credential(award: Award) -> dict:
    """The OB 3.0 OpenBadgeCredential of an award (unsigned)."""
    badge = award.badge_class
    return openbadges.open_badge_credential(
        external("badges.credential", public_id=award.public_id),
        {
            "id": external("badges.issuer"),
            "name": current_app.config["BADGE_ISSUER_NAME"],
            "url": external("main.index"),
        },
        {
            "id": external("badges.badge_class", badge_id=badge.id),
            "name": badge.name,
            "description": badge.description,
            "criteria_narrative": badge.criteria,
            "image_url": external("badges.badge_image", badge_id=badge.id, ext="png"),
        },
        award.recipient_hash,
        award.salt,
        award.issued_at,
        evidence_text(award),
        status=status_list.entry(external("badges.status_list"), award.id),
    )


def signed_status_list(revoked_ids: list[int], last_revoked_at) -> str:
    """The revocation status list as a signed BitstringStatusListCredential: a bit set for each revoked award.
    Its validFrom is the last revocation's time, so the same list is the same document until the next one."""
    from badges import signing

    url = external("badges.status_list")
    size = status_list.list_size(max(revoked_ids, default=0))
    moment = openbadges.iso_time(last_revoked_at) if last_revoked_at else "2000-01-01T00:00:00Z"
    document = status_list.list_credential(
        url, external("badges.issuer"), moment, status_list.encode(revoked_ids, size)
    )
    typ = current_app.config.get("BADGE_JWT_TYPE", signing.JWT_TYPE)
    return signing.sign_credential(document, issuer_key(), key_id(), external("badges.issuer"), typ)


def signed_credential(award: Award) -> str:
    """The OB 3.0 credential signed as a VC-JWT with the issuer key."""
    from badges import signing

    typ = current_app.config.get("BADGE_JWT_TYPE", signing.JWT_TYPE)
    return signing.sign_credential(credential(award), issuer_key(), key_id(), external("badges.issuer"), typ)


def as_json(document: dict) -> str:
    """Compact, stable JSON for baking into images."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def wants_plain_json() -> bool:
    """True when the client asked for application/json rather than JSON-LD."""
    return request.accept_mimetypes.best_match(["application/ld+json", "application/json"]) == "application/json"
