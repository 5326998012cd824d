"""Open Badges documents, VC-JWT signing, image baking and badge artwork (no Flask, no database)."""

import base64
import hashlib
import hmac
import io
import json
import pathlib
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jsonschema import Draft202012Validator
from PIL import Image
from referencing import Registry, Resource

from badges import artwork, baking, openbadges, signing, status_list

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "schemas"

BASE = "https://lms.example.edu"
ISSUER_URL = f"{BASE}/badges/issuer"
BADGE_URL = f"{BASE}/badges/classes/python-basics"
ASSERTION_URL = f"{BASE}/badges/assertions/Zx3kq9"
LIST_URL = f"{BASE}/badges/revocations"
STATUS_URL = f"{BASE}/badges/status/revocation"
KEYS_URL = f"{BASE}/badges/keys"
ISSUED = datetime(2025, 3, 14, 15, 9, 26, 535000, tzinfo=UTC)

# The learner: none of this may appear in a published document.
LEARNER_EMAIL = "Ada.Lovelace@Example.org"
LEARNER_NAME = "Ada Lovelace"
LEARNER_USER_ID = "user-48213"

# OB 3.0 IdentityHash data type: sha256 of 'a@example.comKosher'.
SPEC_HASH = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
# 1EdTech validator fixture: the basic 2.0 assertion "awarded to nobody@example.org".
VALIDATOR_HASH = "sha256$ecf5409f3f4b91ab60cc5ef4c02aef7032354375e70cf4d8e43f6a1d29891942"

OPENBADGES_NS = "{http://openbadges.org}"
SVG_NS = "{http://www.w3.org/2000/svg}"


def load_validator(name):
    schema = json.loads((SCHEMAS / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def revocation_list_validator():
    schema = json.loads((SCHEMAS / "ob2_assertion.json").read_text())
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft202012Validator({"$ref": schema["$id"] + "#/$defs/RevocationList"}, registry=registry)


def errors(validator, document):
    return [e.message for e in validator.iter_errors(document)]


# --- sample documents ----------------------------------------------------------


SALT = "4f1c2a9be07d43d5a1c8e6f0b2d9a7c3"


def learner_hash():
    return openbadges.hash_recipient(LEARNER_EMAIL, SALT)


def sample_issuer(**overrides):
    args = dict(
        issuer_url=ISSUER_URL,
        name="Example University LMS",
        url=BASE,
        email="badges@example.edu",
        description="Online courses of Example University.",
        image=f"{BASE}/static/logo.png",
        revocation_list_url=LIST_URL,
    )
    return openbadges.issuer_profile(**{**args, **overrides})


def sample_badge_class():
    return openbadges.badge_class(
        badge_url=BADGE_URL,
        name="Python Basics",
        description="Completed every module of Python Basics.",
        image_url=f"{BADGE_URL}/image.png",
        criteria_url=f"{BASE}/courses/python-basics",
        criteria_narrative="Complete all 7 modules and pass each quiz with 80% or more.",
        issuer_url=ISSUER_URL,
        tags=("python", "programming"),
    )


def sample_assertion(**overrides):
    args = dict(
        assertion_url=ASSERTION_URL,
        badge_url=BADGE_URL,
        recipient_hash=learner_hash(),
        salt=SALT,
        issued_on=ISSUED,
        evidence=[{"name": "Final quiz", "narrative": "Scored 92% on the final quiz."}],
        image_url=f"{ASSERTION_URL}/image.png",
    )
    return openbadges.assertion(**{**args, **overrides})


ISSUER_INFO = {"id": ISSUER_URL, "name": "Example University LMS", "url": BASE}
ACHIEVEMENT_INFO = {
    "id": BADGE_URL,
    "name": "Python Basics",
    "description": "Completed every module of Python Basics.",
    "criteria_narrative": "Complete all 7 modules and pass each quiz with 80% or more.",
    "image_url": f"{BADGE_URL}/image.png",
}


def sample_credential(**overrides):
    args = dict(
        credential_id=f"{BASE}/badges/credentials/Zx3kq9",
        issuer=ISSUER_INFO,
        achievement=ACHIEVEMENT_INFO,
        recipient_hash=learner_hash(),
        salt=SALT,
        valid_from=ISSUED,
        evidence_narrative="Completed 7 of 7 modules.",
        status=status_list.entry(STATUS_URL, 17),
    )
    return openbadges.open_badge_credential(**{**args, **overrides})


# --- schema validation -----------------------------------------------------------


@pytest.mark.parametrize(
    "schema, build",
    [
        ("ob2_issuer.json", sample_issuer),
        ("ob2_badgeclass.json", sample_badge_class),
        ("ob2_assertion.json", sample_assertion),
        ("ob2_assertion.json", lambda: sample_assertion(evidence=[], image_url=None)),
        ("ob2_assertion.json", lambda: sample_assertion(revoked=True, revocation_reason="Awarded in error")),
        ("ob2_assertion.json", lambda: openbadges.revoked_assertion(ASSERTION_URL, "Awarded in error")),
        ("ob3_credential.json", sample_credential),
        ("ob3_credential.json", lambda: sample_credential(status=None, evidence_narrative="")),
    ],
)
def test_builders_produce_documents_valid_against_their_schema(schema, build):
    document = build()
    assert errors(load_validator(schema), document) == []
    # Documents are served as JSON, so they must survive a JSON round trip unchanged.
    assert json.loads(json.dumps(document)) == document


def test_revocation_list_is_valid():
    document = openbadges.revocation_list(
        LIST_URL, ISSUER_URL, [(ASSERTION_URL, "Awarded in error"), (f"{BASE}/badges/assertions/other", "")]
    )
    assert errors(revocation_list_validator(), document) == []
    assert document["revokedAssertions"] == [
        {"id": ASSERTION_URL, "revocationReason": "Awarded in error"},
        {"id": f"{BASE}/badges/assertions/other"},
    ]


@pytest.mark.parametrize(
    "schema, build, required",
    [
        ("ob2_issuer.json", sample_issuer, ["@context", "type", "id", "name", "url", "email"]),
        (
            "ob2_badgeclass.json",
            sample_badge_class,
            ["@context", "type", "id", "name", "description", "image", "criteria", "issuer"],
        ),
        (
            "ob2_assertion.json",
            sample_assertion,
            ["@context", "type", "id", "recipient", "badge", "verification", "issuedOn"],
        ),
        ("ob2_assertion.json", lambda: openbadges.revoked_assertion(ASSERTION_URL, "x"), ["id"]),
        (
            "ob3_credential.json",
            sample_credential,
            ["@context", "id", "type", "issuer", "validFrom", "name", "credentialSubject"],
        ),
    ],
)
def test_schemas_reject_documents_missing_a_required_member(schema, build, required):
    validator = load_validator(schema)
    for member in required:
        document = build()
        del document[member]
        assert errors(validator, document), f"{schema} accepted a document without {member}"


def test_issuer_profile_without_contact_email_is_not_a_valid_issuer():
    # OB 2.0 requires `email` on issuer profiles; the builder omits it when unset.
    profile = sample_issuer(email=None)
    assert "email" not in profile
    assert errors(load_validator("ob2_issuer.json"), profile)


def test_ob3_schema_checks_the_nested_achievement_and_identity():
    validator = load_validator("ob3_credential.json")
    for path in (("criteria",), ("description",), ("name",), ("id",)):
        document = sample_credential()
        del document["credentialSubject"]["achievement"][path[0]]
        assert errors(validator, document), f"accepted an achievement without {path[0]}"
    document = sample_credential()
    document["credentialSubject"]["identifier"][0]["identityHash"] = LEARNER_EMAIL
    assert errors(validator, document), "accepted a plaintext email as a hashed identity"
    document = sample_credential()
    document["@context"].reverse()
    assert errors(validator, document), "accepted @context in the wrong order"


def test_ob3_credential_shape():
    credential = sample_credential()
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2025-03-14T15:09:26Z"
    subject = credential["credentialSubject"]
    # An opaque id of the subject's own, from the credential's id: present (the JWT's `sub`), linking nothing.
    assert subject["id"] == openbadges.subject_id(credential["id"])
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", subject["id"])
    assert openbadges.subject_id(credential["id"] + "x") != subject["id"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": learner_hash(),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": SALT,
        }
    ]
    assert subject["achievement"]["image"] == {"id": f"{BADGE_URL}/image.png", "type": "Image"}
    assert credential["credentialStatus"] == {
        "id": f"{STATUS_URL}#17",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "17",
        "statusListCredential": STATUS_URL,
    }
    assert "credentialStatus" not in sample_credential(status=None)


def test_assertion_shape():
    document = sample_assertion()
    assert document["verification"] == {"type": "hosted"}
    assert document["recipient"] == {"type": "email", "hashed": True, "salt": SALT, "identity": learner_hash()}
    assert document["evidence"] == [
        {"type": "Evidence", "name": "Final quiz", "narrative": "Scored 92% on the final quiz."}
    ]
    assert "revoked" not in document
    revoked = openbadges.revoked_assertion(ASSERTION_URL, "Awarded in error")
    assert revoked == {
        "@context": "https://w3id.org/openbadges/v2",
        "id": ASSERTION_URL,
        "type": "Assertion",
        "revoked": True,
        "revocationReason": "Awarded in error",
    }


def test_timestamps_are_utc_with_designator():
    plus_one = timezone(timedelta(hours=1))
    aware = sample_assertion(issued_on=datetime(2025, 3, 14, 16, 9, 26, tzinfo=plus_one))
    naive = sample_assertion(issued_on=datetime(2025, 3, 14, 15, 9, 26))
    assert aware["issuedOn"] == naive["issuedOn"] == "2025-03-14T15:09:26Z"


# --- recipient hashing and identifiers -------------------------------------------


def test_hash_matches_the_spec_examples():
    assert openbadges.hash_recipient("a@example.com", "Kosher") == SPEC_HASH
    assert openbadges.hash_recipient("nobody@example.org", "deadsea") == VALIDATOR_HASH


def test_hash_normalises_the_address_but_not_the_salt():
    assert openbadges.hash_recipient("  A@Example.COM\n", "Kosher") == SPEC_HASH
    assert openbadges.hash_recipient("a@example.com", "kosher") != SPEC_HASH
    assert openbadges.hash_recipient("b@example.com", "Kosher") != SPEC_HASH


def test_recipient_hash_recomputes_from_email_and_published_salt():
    # What a verifier does: hash the address it was given with the salt in the document.
    ob2 = sample_assertion()["recipient"]
    ob3 = sample_credential()["credentialSubject"]["identifier"][0]
    for identity, salt in ((ob2["identity"], ob2["salt"]), (ob3["identityHash"], ob3["salt"])):
        algorithm, digest = identity.split("$")
        assert algorithm == "sha256"
        assert hashlib.sha256(("ada.lovelace@example.org" + salt).encode()).hexdigest() == digest


def test_ids_and_salts_are_random_url_safe_and_long_enough():
    ids = [openbadges.new_assertion_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", value)
        assert len(value) * 6 >= 128  # base64url carries 6 bits per character
    salts = [openbadges.new_salt() for _ in range(2000)]
    assert len(set(salts)) == len(salts)
    for value in salts:
        assert re.fullmatch(r"[0-9a-f]{32,}", value)  # hex: 4 bits per character


def test_builders_refuse_anything_but_a_recipient_hash():
    for bad in (LEARNER_EMAIL, LEARNER_NAME, LEARNER_USER_ID, "sha256$" + "0" * 10):
        with pytest.raises(ValueError):
            sample_assertion(recipient_hash=bad)
        with pytest.raises(ValueError):
            sample_credential(recipient_hash=bad)


def test_no_personal_data_appears_in_any_published_document(issuer_key):
    kid = signing.key_id(issuer_key, KEYS_URL)
    token = signing.sign_credential(sample_credential(), issuer_key, kid, ISSUER_URL)
    documents = [
        sample_issuer(),
        sample_badge_class(),
        sample_assertion(),
        openbadges.revoked_assertion(ASSERTION_URL, "Awarded in error"),
        openbadges.revocation_list(LIST_URL, ISSUER_URL, [(ASSERTION_URL, "Awarded in error")]),
        sample_credential(),
        jwt.decode(token, options={"verify_signature": False}),
    ]
    text = json.dumps(documents).lower()
    for secret in (LEARNER_EMAIL, "ada.lovelace", "lovelace", LEARNER_NAME, LEARNER_USER_ID, "48213"):
        assert secret.lower() not in text


# --- issuer key -----------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer_key(tmp_path_factory):
    return signing.load_or_create_key(None, tmp_path_factory.mktemp("instance") / "badge_key.pem")


def public_numbers(key):
    return key.public_key().public_numbers()


def pem_of(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_key_is_created_once_with_private_permissions_then_reused(tmp_path):
    path = tmp_path / "instance" / "keys" / "badge_key.pem"
    first = signing.load_or_create_key(None, path)
    assert isinstance(first, rsa.RSAPrivateKey) and first.key_size >= 3072
    assert path.stat().st_mode & 0o777 == 0o600
    written = path.read_bytes()
    assert written.startswith(b"-----BEGIN PRIVATE KEY-----")

    second = signing.load_or_create_key(None, path)
    assert public_numbers(second) == public_numbers(first)
    assert path.read_bytes() == written
    # No temporary files are left beside the key.
    assert sorted(p.name for p in path.parent.iterdir()) == ["badge_key.pem"]


def test_key_creation_race_keeps_the_key_already_written(tmp_path):
    path = tmp_path / "badge_key.pem"
    winner = signing.load_or_create_key(None, path)
    # A second worker that saw no file a moment ago now generates and tries to save its own.
    loser = signing._write_new_key(path, signing.new_rsa_key)
    assert public_numbers(loser) == public_numbers(winner)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["badge_key.pem"]


def test_configured_pem_wins_over_the_key_file(tmp_path):
    path = tmp_path / "badge_key.pem"
    from_file = signing.load_or_create_key(None, path)
    configured = ec.generate_private_key(ec.SECP256R1())

    loaded = signing.load_or_create_key(pem_of(configured), path)
    assert public_numbers(loaded) == public_numbers(configured)
    assert public_numbers(loaded) != public_numbers(from_file)

    # Env vars often hold the PEM on one line with escaped newlines.
    one_line = pem_of(configured).replace("\n", "\\n")
    assert public_numbers(signing.load_or_create_key(one_line, path)) == public_numbers(configured)


def test_configured_pem_does_not_create_a_key_file(tmp_path):
    path = tmp_path / "badge_key.pem"
    signing.load_or_create_key(pem_of(ed25519.Ed25519PrivateKey.generate()), path)
    assert not path.exists()


@pytest.mark.parametrize(
    "pem",
    [
        "not a key",
        pem_of(ec.generate_private_key(ec.SECP384R1())),  # no JWS algorithm we sign with
    ],
)
def test_unusable_pem_is_rejected(tmp_path, pem):
    with pytest.raises(ValueError):
        signing.load_or_create_key(pem, tmp_path / "badge_key.pem")


# --- JWKS -----------------------------------------------------------------------------


@pytest.fixture(
    params=["rsa", "ec", "ed25519"],
)
def any_key(request, issuer_key):
    if request.param == "rsa":
        return issuer_key
    if request.param == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.generate()


def test_jwks_publishes_only_public_members(any_key):
    kid = signing.key_id(any_key, KEYS_URL)
    jwks = signing.public_jwks(any_key, kid)
    assert len(jwks["keys"]) == 1
    jwk = jwks["keys"][0]
    assert not set(jwk) & {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
    assert jwk["kid"] == kid and jwk["use"] == "sig" and jwk["alg"] == signing.algorithm_for(any_key)
    published = jwt.PyJWK(jwk).key
    assert not hasattr(published, "private_bytes")
    assert published.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == any_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_key_id_is_the_address_of_the_key_named_by_its_rfc7638_thumbprint():
    # RFC 7638 section 3.1 example key and its thumbprint.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZC"
        "iFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZ"
        "gnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBni"
        "Iqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    modulus = int.from_bytes(base64.urlsafe_b64decode(n + "=" * (-len(n) % 4)), "big")
    public = rsa.RSAPublicNumbers(65537, modulus).public_key()
    assert signing.thumbprint(public) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert signing.key_id(public, KEYS_URL) == KEYS_URL + "/NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


# --- VC-JWT ---------------------------------------------------------------------------


def jwks_for(key):
    return signing.public_jwks(key, signing.key_id(key, KEYS_URL))


def sign(credential, key):
    return signing.sign_credential(credential, key, signing.key_id(key, KEYS_URL), ISSUER_URL)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_jwt_type_is_ob3s_jwt_unless_vc_jwt_is_asked_for(any_key):
    credential = sample_credential()
    kid = signing.key_id(any_key, KEYS_URL)
    as_vc = signing.sign_credential(credential, any_key, kid, ISSUER_URL, typ="vc+jwt")
    assert jwt.get_unverified_header(as_vc)["typ"] == "vc+jwt"
    assert signing.verify_credential(as_vc, jwks_for(any_key))["id"] == credential["id"]
    with pytest.raises(ValueError, match="typ must be one of"):
        signing.sign_credential(credential, any_key, kid, ISSUER_URL, typ="json")


def test_vc_jwt_verifies_and_carries_the_credential_with_ob3_claims(any_key):
    credential = sample_credential()
    token = sign(credential, any_key)

    header = jwt.get_unverified_header(token)
    assert header == {"alg": signing.algorithm_for(any_key), "kid": signing.key_id(any_key, KEYS_URL), "typ": "JWT"}

    payload = signing.verify_credential(token, jwks_for(any_key))
    assert {name: payload[name] for name in credential} == credential
    assert payload["iss"] == ISSUER_URL
    assert payload["jti"] == credential["id"]
    assert payload["nbf"] == int(ISSUED.replace(microsecond=0).timestamp())
    # VCDM 2.0: no `vc` wrapper; `sub` names the subject, as OB 3.0 requires.
    assert "vc" not in payload
    assert payload["sub"] == credential["credentialSubject"]["id"]


def test_default_issuer_key_signs_rs256(issuer_key):
    assert jwt.get_unverified_header(sign(sample_credential(), issuer_key))["alg"] == "RS256"


def test_vc_jwt_with_altered_payload_fails(issuer_key):
    header, payload, signature = sign(sample_credential(), issuer_key).split(".")
    claims = json.loads(unb64(payload))
    claims["credentialSubject"]["achievement"]["name"] = "Python Mastery"
    forged = ".".join([header, b64(json.dumps(claims).encode()), signature])
    with pytest.raises(jwt.InvalidSignatureError):
        signing.verify_credential(forged, jwks_for(issuer_key))


def test_vc_jwt_with_altered_signature_fails(issuer_key):
    header, payload, signature = sign(sample_credential(), issuer_key).split(".")
    raw = bytearray(unb64(signature))
    raw[len(raw) // 2] ^= 0x01
    with pytest.raises(jwt.InvalidSignatureError):
        signing.verify_credential(".".join([header, payload, b64(bytes(raw))]), jwks_for(issuer_key))


def test_vc_jwt_fails_against_another_key(issuer_key):
    token = sign(sample_credential(), issuer_key)
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # Same kid, different key material.
    same_kid = signing.public_jwks(impostor, signing.key_id(issuer_key, KEYS_URL))
    with pytest.raises(jwt.InvalidSignatureError):
        signing.verify_credential(token, same_kid)
    with pytest.raises(jwt.InvalidTokenError):
        signing.verify_credential(token, jwks_for(impostor))


def test_vc_jwt_with_alg_none_is_rejected(issuer_key):
    _header, payload, _signature = sign(sample_credential(), issuer_key).split(".")
    header = {"alg": "none", "kid": signing.key_id(issuer_key, KEYS_URL), "typ": "vc+jwt"}
    unsigned = f"{b64(json.dumps(header).encode())}.{payload}."
    with pytest.raises(jwt.InvalidTokenError):
        signing.verify_credential(unsigned, jwks_for(issuer_key))


def test_vc_jwt_signed_with_another_algorithm_is_rejected(issuer_key):
    # Classic confusion attack: HMAC "signed" with the published public key as the secret.
    _header, payload, _signature = sign(sample_credential(), issuer_key).split(".")
    header = {"alg": "HS256", "kid": signing.key_id(issuer_key, KEYS_URL), "typ": "vc+jwt"}
    signing_input = f"{b64(json.dumps(header).encode())}.{payload}"
    secret = issuer_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(jwt.InvalidAlgorithmError):
        signing.verify_credential(f"{signing_input}.{b64(mac)}", jwks_for(issuer_key))


@pytest.mark.parametrize(
    "claim, value",
    [("iss", "https://elsewhere.example/issuer"), ("jti", "urn:uuid:other"), ("nbf", 1000), ("sub", "did:example:x")],
)
def test_vc_jwt_claims_must_match_the_credential(issuer_key, claim, value):
    # Correctly signed, but a claim contradicts the credential it wraps.
    credential = sample_credential()
    payload = {**credential, "iss": ISSUER_URL, "jti": credential["id"], "nbf": int(ISSUED.timestamp()), claim: value}
    kid = signing.key_id(issuer_key, KEYS_URL)
    token = jwt.encode(payload, issuer_key, algorithm="RS256", headers={"kid": kid, "typ": "vc+jwt"})
    with pytest.raises(jwt.InvalidTokenError):
        signing.verify_credential(token, jwks_for(issuer_key))


def test_vc_jwt_is_not_valid_before_valid_from(issuer_key):
    token = sign(sample_credential(valid_from=datetime.now(UTC) + timedelta(days=2)), issuer_key)
    with pytest.raises(jwt.ImmatureSignatureError):
        signing.verify_credential(token, jwks_for(issuer_key))


def test_signing_refuses_a_credential_from_another_issuer(issuer_key):
    with pytest.raises(ValueError):
        signing.sign_credential(sample_credential(), issuer_key, "kid", "https://elsewhere.example/issuer")


# --- PNG baking -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def badge_png():
    return artwork.badge_png("Python Basics", "Course completed", artwork.color_for("python-basics"))


def test_png_baking_round_trips_and_stays_a_valid_png(badge_png):
    text = json.dumps(sample_assertion())
    baked = baking.bake_png(badge_png, baking.OB2_KEYWORD, text)
    assert baking.extract_png(baked, baking.OB2_KEYWORD) == text

    image = Image.open(io.BytesIO(baked))
    image.load()  # decodes every chunk and checks CRCs
    assert image.format == "PNG" and image.size == (400, 400)
    # Pillow reads the same text from the chunk: the encoding matches the PNG spec.
    assert image.text[baking.OB2_KEYWORD] == text
    assert baked.endswith(b"IEND\xaeB`\x82")


def test_png_chunk_is_uncompressed_itxt(badge_png):
    text = json.dumps(sample_assertion())
    baked = baking.bake_png(badge_png, baking.OB2_KEYWORD, text)
    start = baked.index(b"iTXtopenbadges\x00") + len(b"iTXtopenbadges\x00")
    assert baked[start : start + 4] == b"\x00\x00\x00\x00"  # flag, method, empty language, empty translation
    assert baked[start + 4 : start + 4 + len(text)] == text.encode()


def test_png_rebaking_replaces_the_existing_chunk(badge_png):
    once = baking.bake_png(badge_png, baking.OB2_KEYWORD, "https://lms.example.edu/first")
    twice = baking.bake_png(once, baking.OB2_KEYWORD, "https://lms.example.edu/second")
    assert twice.count(b"iTXtopenbadges\x00") == 1
    assert baking.extract_png(twice, baking.OB2_KEYWORD) == "https://lms.example.edu/second"
    Image.open(io.BytesIO(twice)).load()


def test_png_holds_ob2_and_ob3_data_side_by_side(badge_png, issuer_key):
    token = sign(sample_credential(), issuer_key)
    baked = baking.bake_png(badge_png, baking.OB2_KEYWORD, ASSERTION_URL)
    baked = baking.bake_png(baked, baking.OB3_KEYWORD, token)
    assert baking.extract_png(baked, baking.OB2_KEYWORD) == ASSERTION_URL
    assert baking.extract_png(baked, baking.OB3_KEYWORD) == token
    assert signing.verify_credential(baking.extract_png(baked, baking.OB3_KEYWORD), jwks_for(issuer_key))


def test_png_text_keeps_non_ascii(badge_png):
    text = json.dumps({"narrative": "Réussi · 満点 ✓"}, ensure_ascii=False)
    assert baking.extract_png(baking.bake_png(badge_png, baking.OB2_KEYWORD, text), baking.OB2_KEYWORD) == text


def test_png_extraction_of_unbaked_or_foreign_data(badge_png):
    assert baking.extract_png(badge_png, baking.OB2_KEYWORD) is None
    with pytest.raises(ValueError):
        baking.extract_png(b"GIF89a not a png", baking.OB2_KEYWORD)
    with pytest.raises(ValueError):
        baking.bake_png(badge_png[:-12], baking.OB2_KEYWORD, "x")  # IEND cut off


# --- SVG baking -----------------------------------------------------------------------


def baked_elements(svg_text):
    return list(ET.fromstring(svg_text).iter(OPENBADGES_NS + "assertion"))


def test_svg_baking_round_trips_as_first_child():
    svg = artwork.badge_svg("Python Basics", "Course completed", "#1e3a8a")
    text = json.dumps(sample_assertion())
    baked = baking.bake_svg(svg, text, ASSERTION_URL)

    root = ET.fromstring(baked)  # still well-formed
    assert root.tag == SVG_NS + "svg"
    assert root[0].tag == OPENBADGES_NS + "assertion"
    assert root[0].get("verify") == ASSERTION_URL
    assert 'xmlns:openbadges="http://openbadges.org"' in baked
    assert baking.extract_svg(baked) == text
    # The artwork itself is untouched.
    assert root.find(SVG_NS + "title").text == "Python Basics"


def test_svg_rebaking_replaces_the_existing_element():
    svg = artwork.badge_svg("Python Basics", "Course completed", "#1e3a8a")
    once = baking.bake_svg(svg, '{"n": 1}', ASSERTION_URL)
    twice = baking.bake_svg(once, '{"n": 2}', ASSERTION_URL + "?v=2")
    assert len(baked_elements(twice)) == 1
    assert baking.extract_svg(twice) == '{"n": 2}'
    with_credential = baking.bake_svg(twice, '{"n": 3}', ASSERTION_URL, credential="header.payload.signature")
    assert baking.extract_svg(with_credential) == '{"n": 3}'
    assert baking.extract_svg_credential(with_credential) == "header.payload.signature"
    assert baking.extract_svg_credential(baking.bake_svg(with_credential, "{}", ASSERTION_URL)) is None
    assert twice.count("xmlns:openbadges=") == 1


def test_svg_baking_survives_cdata_terminators_in_the_json():
    svg = artwork.badge_svg("Python Basics", "Course completed", "#1e3a8a")
    text = json.dumps({"narrative": "x]]>y </openbadges:assertion> <b>&amp;"})
    baked = baking.bake_svg(svg, text, ASSERTION_URL)
    assert baking.extract_svg(baked) == text
    rebaked = baking.bake_svg(baked, text, ASSERTION_URL)
    assert len(baked_elements(rebaked)) == 1
    assert baking.extract_svg(rebaked) == text


def test_svg_verify_attribute_is_escaped():
    url = 'https://lms.example.edu/a?x=1&y="2"<'
    baked = baking.bake_svg(artwork.badge_svg("T", "S", "#1e3a8a"), "{}", url)
    assert baked_elements(baked)[0].get("verify") == url


def test_svg_baking_handles_prolog_comments_and_self_closing_root():
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn as <svg> by hand -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg" data-note="a>b" viewBox="0 0 10 10"/>'
    )
    baked = baking.bake_svg(svg, '{"ok": true}', ASSERTION_URL)
    root = ET.fromstring(baked.encode())
    assert root.get("data-note") == "a>b"
    assert root[0].tag == OPENBADGES_NS + "assertion"
    assert baking.extract_svg(baked) == '{"ok": true}'


def test_svg_extraction_reads_signed_badges_from_verify():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        '<openbadges:assertion verify="aaa.bbb.ccc"/></svg>'
    )
    assert baking.extract_svg(svg) == "aaa.bbb.ccc"


def test_svg_extraction_of_unbaked_or_unsafe_input():
    assert baking.extract_svg(artwork.badge_svg("T", "S", "#1e3a8a")) is None
    with pytest.raises(ValueError):
        baking.extract_svg("<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>")
    with pytest.raises(ValueError):
        baking.extract_svg('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')
    with pytest.raises(ValueError):
        baking.bake_svg("<html><body/></html>", "{}", ASSERTION_URL)


# --- artwork ---------------------------------------------------------------------------


def svg_lines(svg_text):
    return [t.text for t in ET.fromstring(svg_text).iter(SVG_NS + "text")]


def test_svg_artwork_escapes_markup_in_text():
    title, subtitle = "R&D <Basics> > all", 'Module "1" & <2>'
    svg = artwork.badge_svg(title, subtitle, "#0f766e")
    assert "<Basics>" not in svg and "<2>" not in svg
    root = ET.fromstring(svg)
    assert root.find(SVG_NS + "title").text == title
    assert subtitle in root.find(SVG_NS + "desc").text
    assert " ".join(svg_lines(svg)) == f"{title} {subtitle}"


def test_svg_artwork_is_labelled_for_assistive_technology():
    root = ET.fromstring(artwork.badge_svg("Python Basics", "Course completed", "#0f766e"))
    assert root.get("role") == "img"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("400", "400", "0 0 400 400")
    assert root[0].tag == SVG_NS + "title"
    labelled_by = root.get("aria-labelledby").split()
    by_id = {el.get("id"): el.tag for el in root.iter() if el.get("id")}
    assert [by_id[i] for i in labelled_by] == [SVG_NS + "title", SVG_NS + "desc"]
    assert root.find(SVG_NS + "desc").text.strip()


def test_svg_artwork_ids_differ_between_badges():
    first = ET.fromstring(artwork.badge_svg("Python Basics", "Course completed", "#0f766e"))
    second = ET.fromstring(artwork.badge_svg("SQL Basics", "Course completed", "#0f766e"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_svg_artwork_wraps_long_titles_to_fit():
    title = "An Unusually Long Course Title About Distributed Systems Engineering In Practice"
    lines = svg_lines(artwork.badge_svg(title, "Course completed", "#7e22ce"))
    title_lines = lines[:-1]
    assert 2 <= len(title_lines) <= artwork.TITLE_MAX_LINES
    root = ET.fromstring(artwork.badge_svg(title, "Course completed", "#7e22ce"))
    for element in list(root.iter(SVG_NS + "text"))[:-1]:
        size = int(element.get("font-size"))
        assert artwork._estimate_width(element.text, size, True) <= artwork.TITLE_WIDTH
    assert " ".join(title_lines) == title


@pytest.mark.parametrize(
    "title, subtitle",
    [
        ("SQL", "Module completed"),
        ("Data Science Foundations For Working Analysts", "Module 4 of 9 · Statistics and probability refresher"),
        (" ".join(["Extraordinarily"] * 20), "x " * 80),
        ("An Unusually Long Course Title About Distributed Systems Engineering In Practice", ""),
    ],
)
def test_svg_text_block_stays_between_the_star_and_the_rim(title, subtitle):
    root = ET.fromstring(artwork.badge_svg(title, subtitle, "#1e3a8a"))
    for element in root.iter(SVG_NS + "text"):
        size, baseline = int(element.get("font-size")), float(element.get("y"))
        assert baseline - size >= 100, element.text  # clear of the star, which ends at y=96
        assert baseline + size * 0.3 <= 320, element.text  # where the ring is still 289px wide


def test_svg_artwork_truncates_what_cannot_fit():
    title = " ".join(["Extraordinarily"] * 20)
    lines = svg_lines(artwork.badge_svg(title, "", "#7e22ce"))
    assert len(lines) == artwork.TITLE_MAX_LINES
    assert lines[-1].endswith("…")


def test_svg_artwork_drops_characters_xml_cannot_hold():
    svg = artwork.badge_svg("Bad\x00 title\x0b", "sub\x1f", "#334155")
    assert ET.fromstring(svg).find(SVG_NS + "title").text == "Bad title"


@pytest.mark.parametrize("fill", list(artwork.PALETTE) + ["#ffff00", "#777777", "#000000", "#ffffff", "#6699cc"])
def test_text_colour_meets_wcag_aa_contrast(fill):
    assert artwork.contrast_ratio(fill, artwork.text_color_for(fill)) >= 4.5
    group = ET.fromstring(artwork.badge_svg("T", "S", fill)).find(SVG_NS + "g")
    assert group.get("fill") == artwork.text_color_for(fill)


def test_palette_colours_carry_white_text():
    for fill in artwork.PALETTE:
        assert artwork.contrast_ratio(fill, "#ffffff") >= 4.5


def test_color_for_is_stable_and_from_the_palette():
    assert artwork.color_for("python-basics") == artwork.color_for("python-basics")
    # Fixed value: must not change between processes or releases.
    assert (
        artwork.color_for("python-basics")
        == artwork.PALETTE[hashlib.sha256(b"python-basics").digest()[0] % len(artwork.PALETTE)]
    )
    colours = {artwork.color_for(f"course-{i}") for i in range(100)}
    assert colours <= set(artwork.PALETTE) and len(colours) >= 5


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", '#123456" onload="x', None])
def test_artwork_rejects_colours_that_are_not_hex(color):
    with pytest.raises(ValueError):
        artwork.badge_svg("T", "S", color)
    with pytest.raises(ValueError):
        artwork.badge_png("T", "S", color)


def test_png_artwork_is_a_400px_badge_in_the_given_colour(badge_png):
    image = Image.open(io.BytesIO(badge_png))
    assert image.format == "PNG" and image.size == (400, 400)
    rgba = image.convert("RGBA")
    assert rgba.getpixel((2, 2))[3] == 0  # transparent outside the medal
    fill = tuple(int(artwork.color_for("python-basics")[i : i + 2], 16) for i in (1, 3, 5))
    assert rgba.getpixel((200, 16))[:3] == fill  # band between the edge and the inner ring
    text_rgb = (255, 255, 255)
    band = rgba.crop((60, 140, 340, 300))
    assert sum(1 for px in band.get_flattened_data() if px[:3] == text_rgb) > 300  # the title was drawn


def test_png_artwork_fits_long_text_inside_the_medal():
    image = Image.open(io.BytesIO(artwork.badge_png(" ".join(["Extraordinarily"] * 20), "x " * 80, "#1e3a8a")))
    rgba = image.convert("RGBA")
    # Text is white; no white pixel may fall outside the inner ring (radius 176).
    for x in range(0, 400, 2):
        for y in range(0, 400, 2):
            if (x - 200) ** 2 + (y - 200) ** 2 > 170**2:
                r, g, b, a = rgba.getpixel((x, y))
                assert not (a == 255 and r > 250 and g > 250 and b > 250), (x, y)


# --- the Bitstring Status List ----------------------------------------------------------------------------


def test_a_status_list_sets_exactly_the_revoked_bits_left_most_first():
    encoded = status_list.encode([0, 9, 131_071], status_list.MIN_BITS)
    assert encoded.startswith("u") and "=" not in encoded
    bits = status_list.decode(encoded)
    assert len(bits) == 16_384  # 131,072 bits: the specification's minimum, whatever few are set
    assert bits[0] == 0b1000_0000 and bits[1] == 0b0100_0000 and bits[-1] == 0b0000_0001
    assert [i for i in range(status_list.MIN_BITS) if status_list.is_set(bits, i)] == [0, 9, 131_071]
    # The same list always encodes the same way (so an unchanged list keeps its ETag).
    assert status_list.encode([9, 0, 131_071], status_list.MIN_BITS) == encoded


def test_a_status_list_grows_by_whole_blocks_and_refuses_an_index_outside_it():
    assert status_list.list_size(0) == status_list.list_size(131_071) == 131_072
    assert status_list.list_size(131_072) == 262_144
    with pytest.raises(ValueError, match="outside a list"):
        status_list.encode([131_072], status_list.MIN_BITS)
    with pytest.raises(ValueError, match="starts with 'u'"):
        status_list.decode("H4sI")
