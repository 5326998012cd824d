"""Open Badges documents of this LMS, built per request from the stored awards (no personal data)."""

import json

from flask import current_app, request

from badges import openbadges, status_list
from badges.models import Award, BadgeClass
from lms.links import public_url as external

KEY_FILE_NAME = "badge-signing-key.pem"
PROOF_KEY_FILE_NAME = "badge-proof-key.pem"


def configured_key(name: str, file_name: str, generate=None):
    """The key `BADGE_<name>_PEM` gives, else the one in the file `BADGE_<name>_FILE` names (by default
    `file_name` in the instance folder), created there once by ``generate`` (RSA when not given); kept per app."""
    state = current_app.extensions.setdefault("lms_badge_key", {})
    if name not in state:
        import pathlib

        from badges import signing  # cryptography and PyJWT: loaded by the first badge document, not by every worker

        path = current_app.config.get(f"BADGE_{name}_FILE") or str(pathlib.Path(current_app.instance_path) / file_name)
        pem = current_app.config.get(f"BADGE_{name}_PEM")
        state[name] = signing.load_or_create_key(pem, pathlib.Path(path), generate or signing.new_rsa_key)
    return state[name]


def issuer_key():
    """The issuer's VC-JWT signing key: configured PEM, else a key file in the instance folder (created once)."""
    return configured_key("SIGNING_KEY", KEY_FILE_NAME)


def proof_key():
    """The Ed25519 key of the credentials' Data Integrity proofs: configured PEM, else a key file in the instance
    folder (created once)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = configured_key("PROOF_KEY", PROOF_KEY_FILE_NAME, ed25519.Ed25519PrivateKey.generate)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError("the badge proof key (eddsa-rdfc-2022) must be an Ed25519 key")
    return key


def credential_issuer() -> str:
    """The id of the issuer of the OB 3.0 credentials (and of their status lists): an address that answers with the
    issuer's controller document, which names the keys its proofs are made with. Verifiers of Data Integrity proofs
    hold a proof valid only when its key's controller is the credential's issuer. (OB 2.0 documents name the OB 2.0
    issuer profile at `/badges/issuer`.)"""
    return external("badges.credential_issuer")


def proof_keys() -> list:
    """The Ed25519 keys Data Integrity proofs may be made with: the current one first, then retired ones."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from badges import signing

    previous = signing.load_previous_keys(current_app.config.get("BADGE_PREVIOUS_KEYS_PEM"))
    return [proof_key().public_key(), *(key for key in previous if isinstance(key, ed25519.Ed25519PublicKey))]


def verification_method(public_key) -> str:
    """The address of a proof key's Multikey document (`/badges/keys/<publicKeyMultibase>`): a proof's
    verificationMethod."""
    from badges import data_integrity

    return external("badges.signing_keys", thumbprint=data_integrity.public_key_multibase(public_key))


def multikey(public_key) -> dict:
    """A proof key as a Multikey document, controlled by the credentials' issuer."""
    from badges import data_integrity

    return {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": verification_method(public_key),
        "type": "Multikey",
        "controller": credential_issuer(),
        "publicKeyMultibase": data_integrity.public_key_multibase(public_key),
    }


def controller_document() -> dict:
    """The credentials' issuer as a controller document: its proof keys, each one it asserts credentials with."""
    keys = [multikey(key) for key in proof_keys()]
    for key in keys:
        del key["@context"]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": credential_issuer(),
        "verificationMethod": keys,
        "assertionMethod": [key["id"] for key in keys],
    }


def key_id() -> str:
    """The key id: the address that answers with the issuer's public key as one JWK (it is in the JWKS too)."""
    from badges import signing

    return signing.key_id(issuer_key(), external("badges.signing_keys"))


def published_keys() -> list[dict]:
    """Every key a credential of this issuer may be signed with, as JWKs: the current signing key first, then the
    Data Integrity proof key (published here too, for verifiers that read keys from a key set), then the retired
    ones (`BADGE_PREVIOUS_KEYS_PEM`), so that credentials signed before a rotation keep verifying."""
    from badges import signing

    previous = signing.load_previous_keys(current_app.config.get("BADGE_PREVIOUS_KEYS_PEM"))
    keys = [issuer_key(), proof_key(), *previous]
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


def credential(award: Award, status_list_endpoint: str = "badges.status_list") -> dict:
    """The OB 3.0 OpenBadgeCredential of an award (unsigned), whose status entry points at the revocation list
    secured the way the credential will be (a VC-JWT list for a VC-JWT, a list with a proof for a proof)."""
    badge = award.badge_class
    return openbadges.open_badge_credential(
        external("badges.credential", public_id=award.public_id),
        {
            "id": credential_issuer(),
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
        status=status_list.entry(external(status_list_endpoint), award.id),
    )


def revocation_list(endpoint: str, revoked_ids: list[int], last_revoked_at) -> dict:
    """The unsigned BitstringStatusListCredential at ``endpoint``: a bit set for each revoked award. Its validFrom
    is the last revocation's time, so the same list is the same document until the next one."""
    size = status_list.list_size(max(revoked_ids, default=0))
    moment = openbadges.iso_time(last_revoked_at) if last_revoked_at else "2000-01-01T00:00:00Z"
    return status_list.list_credential(
        external(endpoint), credential_issuer(), moment, status_list.encode(revoked_ids, size)
    )


def signed_status_list(revoked_ids: list[int], last_revoked_at) -> str:
    """The revocation list signed as a VC-JWT, for the credentials signed that way."""
    from badges import signing

    document = revocation_list("badges.status_list", revoked_ids, last_revoked_at)
    typ = current_app.config.get("BADGE_JWT_TYPE", signing.JWT_TYPE)
    return signing.sign_credential(document, issuer_key(), key_id(), credential_issuer(), typ)


def status_list_with_proof(revoked_ids: list[int], last_revoked_at) -> dict:
    """The same revocation list as a BitstringStatusListCredential with an eddsa-rdfc-2022 proof, for the
    credentials secured that way (verifiers of JSON-LD credentials read a list in their own format)."""
    from badges import data_integrity

    document = revocation_list("badges.status_list_with_proof", revoked_ids, last_revoked_at)
    key = proof_key()
    return data_integrity.sign(document, key, verification_method(key.public_key()), document["validFrom"])


def credential_with_proof(award: Award) -> dict:
    """The OB 3.0 credential with an embedded Data Integrity proof (eddsa-rdfc-2022) made at its issue time, so
    the same award always gives the same document. The proof's verification method is the key's Multikey document,
    controlled by the credential's issuer."""
    from badges import data_integrity

    key = proof_key()
    return data_integrity.sign(
        credential(award, "badges.status_list_with_proof"),
        key,
        verification_method(key.public_key()),
        openbadges.iso_time(award.issued_at),
    )


def signed_credential(award: Award) -> str:
    """The OB 3.0 credential signed as a VC-JWT with the issuer key."""
    from badges import signing

    typ = current_app.config.get("BADGE_JWT_TYPE", signing.JWT_TYPE)
    return signing.sign_credential(credential(award), issuer_key(), key_id(), credential_issuer(), typ)


def as_json(document: dict) -> str:
    """Compact, stable JSON for baking into images."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def wants_plain_json() -> bool:
    """True when the client asked for application/json rather than JSON-LD."""
    return request.accept_mimetypes.best_match(["application/ld+json", "application/json"]) == "application/json"
