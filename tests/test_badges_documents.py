"""Open Badges documents served over HTTP: OB 2.0 issuer, BadgeClass and Assertion, the OB 3.0 VC-JWT, the JWKS,
revocation, and badge images baked with the assertion. Schemas ship with the tests (no network)."""

import base64
import hashlib
import io
import json
import pathlib
import re
import secrets
import struct
import xml.etree.ElementTree as ET
import zlib
from urllib.parse import urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jsonschema import Draft202012Validator
from PIL import Image
from referencing import Registry, Resource

from badges import data_integrity, status_list
from badges.signing import PRIVATE_JWK_MEMBERS, verify_credential
from lms.extensions import db
from tests.test_badges_issuing import FIRST_MODULE, earn_first_badge, sync_course

SCHEMAS = pathlib.Path(__file__).resolve().parent / "schemas"
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
LD_JSON = "application/ld+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# A learner whose name and address are easy to spot if they ever leak into a public document.
LEARNER = {"name": "Philippa Quenby-Marchetti", "email": "philippa.quenby@example.org"}
OTHER = {"name": "Tobias Wren-Okafor", "email": "tobias.wrenokafor@example.net"}


def validator(name: str, definition: str | None = None) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    Draft202012Validator.check_schema(schema)
    if definition is None:
        return Draft202012Validator(schema)
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft202012Validator({"$ref": f"{schema['$id']}#/$defs/{definition}"}, registry=registry)


def schema_errors(schema: str, document: dict, definition: str | None = None) -> list:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema, definition).iter_errors(document)]


def path_of(url: str) -> str:
    """The path (and query) of an absolute URL, to request it from the test client."""
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc, url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def get_json(client, url: str, status: int = 200, accept: str | None = None):
    response = client.get(path_of(url) if url.startswith("http") else url, headers={"Accept": accept} if accept else {})
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:500])
    return response, json.loads(response.get_data(as_text=True))


def assertion_url(public_id: str) -> str:
    return f"http://localhost/badges/assertions/{public_id}"


def revoke(app, admin_id: int, public_id: str, reason: str, public: bool = True) -> None:
    """Revoke an award as the admin, publishing the reason unless told not to."""
    from badges.services import revoke as revoke_award
    from lms.models import User

    with app.app_context():
        revoke_award(db.session.get(User, admin_id), public_id, reason, public=public)


def jwt_parts(token: str) -> list:
    parts = token.split(".")
    assert len(parts) == 3 and all(parts)
    return parts


def b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def png_text_chunks(png: bytes) -> dict:
    """Read every iTXt chunk of a PNG ourselves (keyword -> (compression flag, text)), checking each CRC."""
    assert png.startswith(PNG_SIGNATURE)
    chunks, pos, kinds = {}, len(PNG_SIGNATURE), []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF, f"bad CRC in {kind!r}"
        kinds.append(kind)
        if kind == b"iTXt":
            keyword, rest = data.split(b"\0", 1)
            flag, _method, rest = rest[0], rest[1], rest[2:]
            _language, _translated, text = rest.split(b"\0", 2)
            assert keyword.decode("latin-1") not in chunks, "a keyword appears twice"
            chunks[keyword.decode("latin-1")] = (flag, text.decode("utf-8"))
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    return chunks


@pytest.fixture
def earned(app, make_user):
    """The synced course and a learner who completed its first module and holds its badge."""
    course = sync_course(app)
    learner = earn_first_badge(app, make_user, course, **LEARNER)
    return {
        "course": course,
        "learner": learner,
        "public_id": learner["award"]["public_id"],
        "badge_id": course.modules[FIRST_MODULE].badge_id,
    }


# --- OB 2.0 documents ---------------------------------------------------------------------------------------


def test_issuer_badge_class_and_assertion_validate_against_the_ob2_schemas(client, earned):
    public_id, badge_id = earned["public_id"], earned["badge_id"]
    documents = {}
    for name, url, schema in (
        ("issuer", "/badges/issuer", "ob2_issuer.json"),
        ("badge", f"/badges/classes/{badge_id}", "ob2_badgeclass.json"),
        ("assertion", f"/badges/assertions/{public_id}", "ob2_assertion.json"),
    ):
        response, document = get_json(client, url)
        assert response.mimetype == LD_JSON, url
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert schema_errors(schema, document) == [], name
        assert document["@context"] == OB2_CONTEXT
        # Each document's id is the stable URL it is served at.
        assert path_of(document["id"]) == url
        # Plain JSON when the client asks for it, with the very same content.
        plain, same = get_json(client, url, accept="application/json")
        assert plain.mimetype == "application/json" and same == document
        # And JSON-LD when asked for explicitly.
        assert get_json(client, url, accept=LD_JSON)[0].mimetype == LD_JSON
        documents[name] = document

    issuer, badge, assertion = documents["issuer"], documents["badge"], documents["assertion"]
    assert issuer["type"] == "Issuer" and issuer["name"] == "BPO Academy" and "@" in issuer["email"]
    assert badge["type"] == "BadgeClass" and badge["name"] == "BPO Foundations"
    assert badge["issuer"] == issuer["id"]
    assert badge["criteria"]["narrative"].startswith("Completed every lesson of the module on what BPO is")
    assert assertion["type"] == "Assertion" and assertion["badge"] == badge["id"]
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["recipient"]["type"] == "email" and assertion["recipient"]["hashed"] is True
    # Hosted verification: the assertion lives on the issuer's origin.
    assert urlsplit(assertion["id"]).netloc == urlsplit(issuer["id"]).netloc
    # Evidence says what was completed, the best score and the date.
    (evidence,) = assertion["evidence"]
    date = assertion["issuedOn"][:10]
    assert "What BPO is and why companies use it" in evidence["narrative"]
    assert "best quiz score 100%" in evidence["narrative"] and date in evidence["narrative"]
    # Linked documents and images resolve.
    for url in (badge["image"], assertion["image"], issuer["revocationList"], issuer["url"]):
        assert client.get(path_of(url)).status_code == 200, url
    assert client.get(path_of(badge["image"])).mimetype == "image/png"


def test_hashed_recipient_recomputes_from_the_email_and_salt(client, earned, app, make_user):
    _, assertion = get_json(client, f"/badges/assertions/{earned['public_id']}")
    recipient = assertion["recipient"]
    salt = recipient["salt"]
    assert len(salt) >= 16 and salt not in LEARNER["email"]
    expected = "sha256$" + hashlib.sha256((LEARNER["email"] + salt).encode("utf-8")).hexdigest()
    assert recipient["identity"] == expected
    # Someone else's address does not match, nor does the address without the salt.
    assert recipient["identity"] != "sha256$" + hashlib.sha256((OTHER["email"] + salt).encode()).hexdigest()
    assert recipient["identity"] != "sha256$" + hashlib.sha256(LEARNER["email"].encode()).hexdigest()

    # Each award has its own salt, so two awards to the same address do not share a hash.
    take_second = earn_first_badge(app, make_user, earned["course"], **OTHER)
    _, other = get_json(client, f"/badges/assertions/{take_second['award']['public_id']}")
    assert other["recipient"]["salt"] != salt
    assert (
        other["recipient"]["identity"]
        == "sha256$" + hashlib.sha256((OTHER["email"] + other["recipient"]["salt"]).encode()).hexdigest()
    )


def test_assertion_ids_are_random_with_at_least_128_bits(client, app, make_user, earned):
    from tests.test_badges_issuing import awards_of, complete_module

    course = earned["course"]
    second_module = list(course.modules)[1]
    complete_module(app, earned["learner"]["id"], course, second_module)
    other = earn_first_badge(app, make_user, course, **OTHER)
    ids = [a["public_id"] for a in awards_of(app, earned["learner"]["id"])] + [other["award"]["public_id"]]
    assert len(ids) == 3 and len(set(ids)) == 3
    for public_id in ids:
        # URL-safe base64: 6 bits per character, so 22 characters or more carry at least 128 bits.
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,64}", public_id), public_id
        assert len(public_id) * 6 >= 128
        assert not public_id.isdigit()
        _, document = get_json(client, f"/badges/assertions/{public_id}")
        assert document["id"] == assertion_url(public_id)
    # Nothing sequential or shared between them.
    assert len({public_id[:8] for public_id in ids}) == 3


def normalise(text: str, awards: list) -> str:
    """Remove what legitimately differs between two awards of one badge: ids (the credential subject's opaque id
    too), salts, hashes and times."""
    for award in awards:
        text = text.replace(award["public_id"], "<id>").replace(award["salt"], "<salt>")
        text = text.replace(award["recipient_hash"], "<hash>")
    text = re.sub(r"urn:uuid:[0-9a-f-]{36}", "<subject>", text)
    # Each credential's bit of the revocation status list is its award's own.
    text = re.sub(r'revocation(\.json)?#\d+|"statusListIndex": ?"\d+"', "<status>", text)
    # A proof signs what differs above, so its value differs too.
    text = re.sub(r'"proofValue": ?"z[1-9A-HJ-NP-Za-km-z]+"', '"proofValue": <signature>', text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?", "<date>", text)
    text = re.sub(r"\d{1,2} [A-Z][a-z]+ \d{4}", "<date>", text)
    return re.sub(r'"nbf": ?\d+', '"nbf": <time>', text)


def public_texts(client, public_id: str, badge_id: int) -> dict:
    """Every public document about an award, as text, fetched logged out."""
    texts = {}
    for name, url in (
        ("issuer", "/badges/issuer"),
        ("badge class", f"/badges/classes/{badge_id}"),
        ("assertion", f"/badges/assertions/{public_id}"),
        ("credential document", f"/badges/assertions/{public_id}/credential.json"),
        ("revocation list", "/badges/revocations"),
        ("jwks", "/badges/jwks.json"),
        ("credential issuer", "/badges/credential-issuer"),
        ("verify page", f"/badges/verify/{public_id}"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        texts[name] = response.get_data(as_text=True)
    token = client.get(f"/badges/assertions/{public_id}/credential").get_data(as_text=True)
    payload = jwt.decode(token, options={"verify_signature": False})
    texts["credential JWT payload"] = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    texts["credential JWT header"] = json.dumps(jwt.get_unverified_header(token))
    return texts


def test_no_name_email_or_user_id_appears_in_any_public_document_of_learners_who_hid_their_name(app, make_user, earned):
    """The documents never name anyone; the verification page names only a learner who lets it (see
    test_badge_earner), and these three hid their names."""
    from badges.services import choose_public_name
    from tests.test_badges_issuing import awards_of

    course = earned["course"]
    other = earn_first_badge(app, make_user, course, **OTHER)
    admin = make_user("admin", name="Gwendolyn Admin-Person")
    # A revoked award of a third learner, so the revocation list has an entry.
    third = earn_first_badge(app, make_user, course, name="Ottoline Vasquez-Pemberton", email="ottoline.vp@example.com")
    revoke(app, admin["id"], third["award"]["public_id"], "Issued by mistake")
    with app.app_context():
        for learner in (earned["learner"], other, third):
            choose_public_name(learner["id"], "", hidden=True)

    anonymous = app.test_client()
    mine = public_texts(anonymous, earned["public_id"], earned["badge_id"])
    theirs = public_texts(anonymous, other["award"]["public_id"], earned["badge_id"])
    assert third["award"]["public_id"] in mine["revocation list"]
    assert earned["public_id"] in mine["assertion"]

    forbidden = []
    for person in (
        LEARNER,
        OTHER,
        {"name": "Ottoline Vasquez-Pemberton", "email": "ottoline.vp@example.com"},
        {"name": "Gwendolyn Admin-Person", "email": admin["email"]},
    ):
        local_part = person["email"].split("@")[0]
        forbidden += [person["name"], *person["name"].split(), person["email"], local_part]
    for name, text in {**mine, **theirs}.items():
        lowered = text.lower()
        leaked = [word for word in forbidden if word.lower() in lowered]
        assert leaked == [], f"{name} shows {leaked}"
        assert not re.search(r'"(user|user_id|userId|learner|learner_id)"\s*:', text), name

    # The two learners' documents differ only in the award's random id, salt, hash and time: nothing about
    # who they are (name, address, account id) is in there.
    mine_awards = awards_of(app, earned["learner"]["id"])
    their_awards = awards_of(app, other["id"])
    assert earned["learner"]["id"] != other["id"]
    for name in mine:
        assert normalise(mine[name], mine_awards + their_awards) == normalise(
            theirs[name], mine_awards + their_awards
        ), name


# --- OB 3.0 credential (VC-JWT) and the published key -------------------------------------------------------


def test_credential_jwt_verifies_with_the_published_key(client, earned, badge_key_pem):
    public_id = earned["public_id"]
    response = client.get(f"/badges/assertions/{public_id}/credential")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    # Saved from a browser, the file is named for what it is.
    assert response.headers["Content-Disposition"] == f'attachment; filename="badge-{public_id}.jwt"'
    token = response.get_data(as_text=True)
    jwks_response, jwks = get_json(client, "/badges/jwks.json")
    assert jwks_response.mimetype == "application/jwk-set+json"

    payload = verify_credential(token, jwks)
    assert schema_errors("ob3_credential.json", payload) == []
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert any("purl.imsglobal.org/spec/ob/v3p0" in context for context in payload["@context"])
    assert payload["id"] == f"http://localhost/badges/assertions/{public_id}/credential"
    # The OB 3.0 issuer is the controller of the proof keys; the OB 2.0 profile stays at /badges/issuer.
    assert payload["iss"] == payload["issuer"]["id"] == "http://localhost/badges/credential-issuer"
    assert payload["jti"] == payload["id"]
    header = jwt.get_unverified_header(token)
    assert header["kid"] == jwks["keys"][0]["kid"] and header["alg"] == jwks["keys"][0]["alg"]

    # The same award as the OB 2.0 assertion: same badge, same hashed recipient, same issue time.
    _, assertion = get_json(client, f"/badges/assertions/{public_id}")
    subject = payload["credentialSubject"]
    (identity,) = subject["identifier"]
    assert identity["identityHash"] == assertion["recipient"]["identity"]
    assert identity["salt"] == assertion["recipient"]["salt"] and identity["hashed"] is True
    assert subject["achievement"]["id"] == assertion["badge"]
    assert payload["validFrom"] == assertion["issuedOn"]
    status = payload["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == "http://localhost/badges/status/revocation"
    assert "What BPO is" in payload["evidence"][0]["narrative"]

    # The JSON-LD form with a Data Integrity proof says the same, its status pointing at the list secured its way.
    _, document = get_json(client, f"/badges/assertions/{public_id}/credential.json")
    assert schema_errors("ob3_credential.json", document) == []
    proof = verified_proof(client, document)
    assert proof["created"] == payload["validFrom"]
    assert document.pop("credentialStatus")["statusListCredential"] == "http://localhost/badges/status/revocation.json"
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "sub", "exp", "credentialStatus")} == {
        k: v for k, v in document.items() if k != "proof"
    }

    # The published key is the configured issuer key.
    key = serialization.load_pem_private_key(badge_key_pem.encode(), password=None)
    published = jwt.PyJWK(jwks["keys"][0]).key
    assert published.public_numbers() == key.public_key().public_numbers()


def test_credential_jwt_fails_verification_when_any_part_is_altered(client, earned):
    token = client.get(f"/badges/assertions/{earned['public_id']}/credential").get_data(as_text=True)
    _, jwks = get_json(client, "/badges/jwks.json")
    header, payload, signature = jwt_parts(token)
    assert verify_credential(token, jwks)  # the original verifies

    def altered_json(part: str, change) -> str:
        document = json.loads(b64decode(part))
        change(document)
        return b64encode(json.dumps(document, separators=(",", ":")).encode())

    flipped = bytearray(b64decode(signature))
    flipped[len(flipped) // 2] ^= 0x01
    forgeries = {
        "header: typ": f"{altered_json(header, lambda h: h.update(typ='vc+jwt'))}.{payload}.{signature}",
        "header: alg none": f"{altered_json(header, lambda h: h.update(alg='none'))}.{payload}.",
        "payload: badge": ".".join(
            [
                header,
                altered_json(
                    payload, lambda p: p["credentialSubject"]["achievement"].update(name="Senior Operations Director")
                ),
                signature,
            ]
        ),
        "payload: recipient": ".".join(
            [
                header,
                altered_json(
                    payload, lambda p: p["credentialSubject"]["identifier"][0].update(identityHash="sha256$" + "0" * 64)
                ),
                signature,
            ]
        ),
        "payload: issued": ".".join(
            [header, altered_json(payload, lambda p: p.update(nbf=p["nbf"] - 86400)), signature]
        ),
        "signature": f"{header}.{payload}.{b64encode(bytes(flipped))}",
        "no signature": f"{header}.{payload}.",
    }
    for what, forged in forgeries.items():
        with pytest.raises(jwt.InvalidTokenError):
            verify_credential(forged, jwks)
            pytest.fail(f"altered {what} still verifies")

    # A token signed with another key under the published kid is refused too.
    other_key = ec.generate_private_key(ec.SECP256R1())
    claims = json.loads(b64decode(payload))
    forged = jwt.encode(claims, other_key, algorithm="ES256", headers=json.loads(b64decode(header)) | {"alg": "ES256"})
    with pytest.raises(jwt.InvalidTokenError):
        verify_credential(forged, jwks)


def test_the_kid_names_an_address_that_answers_with_that_one_key(client, earned):
    """OB 3.0 verifiers fetch `kid` and read a single JWK there; the key set is also at /.well-known/jwks.json."""
    token = client.get(f"/badges/assertions/{earned['public_id']}/credential").get_data(as_text=True)
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "JWT"
    response = client.get(header["kid"].removeprefix("http://localhost"))
    assert response.status_code == 200 and response.mimetype == "application/jwk+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    jwk = json.loads(response.get_data(as_text=True))
    _, jwks = get_json(client, "/badges/jwks.json")
    assert jwk == jwks["keys"][0] and jwk["kty"] == "RSA" and jwk["kid"] == header["kid"]
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=[jwk["alg"]], options={"verify_aud": False})
    well_known = client.get("/.well-known/jwks.json")
    assert well_known.mimetype == "application/jwk-set+json" and json.loads(well_known.get_data(as_text=True)) == jwks
    assert client.get("/badges/keys/not-our-key").status_code == 404


def test_after_a_key_rotation_old_credentials_verify_and_new_ones_are_signed_with_the_new_key(
    app, client, earned, badge_key_pem
):
    old_token = client.get(f"/badges/assertions/{earned['public_id']}/credential").get_data(as_text=True)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_key = ec.generate_private_key(ec.SECP256R1())
    new_pem = new_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    retired = serialization.load_pem_private_key(badge_key_pem.encode(), password=None).public_key()
    app.config["BADGE_SIGNING_KEY_PEM"] = new_pem
    app.config["BADGE_PREVIOUS_KEYS_PEM"] = retired.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    app.extensions.pop("lms_badge_key", None)  # as a restarted server would, with the new settings

    _, jwks = get_json(client, "/badges/jwks.json")
    # The current key first, then the Data Integrity proof key, then the retired one.
    assert [key["alg"] for key in jwks["keys"]] == ["ES256", "EdDSA", "RS256"]
    assert verify_credential(old_token, jwks)["id"].endswith("/credential")
    assert get_json(client, old_kid.removeprefix("http://localhost"))[1]["alg"] == "RS256"
    new_token = client.get(f"/badges/assertions/{earned['public_id']}/credential").get_data(as_text=True)
    assert jwt.get_unverified_header(new_token)["alg"] == "ES256"
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    assert verify_credential(new_token, jwks)["id"] == verify_credential(old_token, jwks)["id"]


def test_the_jwt_type_can_be_set_to_vc_jwt(app, client, earned):
    app.config["BADGE_JWT_TYPE"] = "vc+jwt"
    token = client.get(f"/badges/assertions/{earned['public_id']}/credential").get_data(as_text=True)
    assert jwt.get_unverified_header(token)["typ"] == "vc+jwt"
    _, jwks = get_json(client, "/badges/jwks.json")
    assert verify_credential(token, jwks)["id"].endswith("/credential")


def test_jwks_publishes_only_the_public_key(client, earned, badge_key_pem):
    response, jwks = get_json(client, "/badges/jwks.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert set(jwks) == {"keys"} and len(jwks["keys"]) == 2
    key, proof_key = jwks["keys"]
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["alg"] == "RS256"
    assert key["kid"].startswith("http://localhost/badges/keys/")
    assert set(key) & PRIVATE_JWK_MEMBERS == set()
    assert set(key) <= {"kty", "n", "e", "kid", "use", "alg", "key_ops"}
    # The Data Integrity proofs' Ed25519 key, public half only.
    assert proof_key["kty"] == "OKP" and proof_key["crv"] == "Ed25519" and proof_key["alg"] == "EdDSA"
    assert set(proof_key) <= {"kty", "crv", "x", "kid", "use", "alg"}
    # No private key material anywhere in the body.
    body = response.get_data(as_text=True)
    assert "PRIVATE" not in body
    private_numbers = serialization.load_pem_private_key(badge_key_pem.encode(), password=None).private_numbers()
    d = b64encode(private_numbers.d.to_bytes((private_numbers.d.bit_length() + 7) // 8, "big"))
    assert d[:40] not in body


# --- revocation -------------------------------------------------------------------------------------------


def verified_proof(client, document: dict) -> dict:
    """The document's eddsa-rdfc-2022 proof, checked with the Ed25519 key of its did:key, which the issuer's key
    set publishes (so the key is the issuer's, not any key a forger chose)."""
    method = document["proof"]["verificationMethod"]
    assert method.startswith("http://localhost/badges/keys/z6Mk")
    _, key = get_json(client, method)  # the Multikey document, controlled by the credential's issuer
    assert key["type"] == "Multikey" and key["id"] == method
    issuer = document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"]
    assert key["controller"] == issuer == "http://localhost/badges/credential-issuer"
    _, controller = get_json(client, issuer)
    assert controller["id"] == issuer and method in controller["assertionMethod"]
    public_key = data_integrity.public_key_from_multibase(key["publicKeyMultibase"])
    _, jwks = get_json(client, "/badges/jwks.json")
    assert public_key in [jwt.PyJWK(jwk).key for jwk in jwks["keys"] if jwk["kty"] == "OKP"]
    return data_integrity.verify(document, public_key)


def status_bit(client, credential: dict) -> bool:
    """Whether the revocation status list (fetched and its signature or proof checked as a verifier would) has
    this credential's bit set."""
    status = credential["credentialStatus"]
    response = client.get(path_of(status["statusListCredential"]))
    assert response.status_code == 200
    if "proof" in credential:  # a list with a proof, as the credential has
        assert response.mimetype == LD_JSON
        published = response.get_json(force=True)
        verified_proof(client, published)
    else:
        assert response.mimetype == "application/vc+jwt"
        _, jwks = get_json(client, "/badges/jwks.json")
        published = verify_credential(response.get_data(as_text=True), jwks)
    assert published["id"] == status["statusListCredential"]
    assert published["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = published["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == status["statusPurpose"]
    bits = status_list.decode(subject["encodedList"])
    assert len(bits) * 8 >= status_list.MIN_BITS
    return status_list.is_set(bits, int(status["statusListIndex"]))


def test_a_revoked_credential_is_revoked_on_its_bitstring_status_list(app, client, make_user, earned):
    admin = make_user("admin")
    kept = earn_first_badge(app, make_user, earned["course"], **OTHER)
    _, jwks = get_json(client, "/badges/jwks.json")
    pairs = []  # (revoked, kept) as each proof format gives them
    for fetch in (
        lambda public_id: get_json(client, f"/badges/assertions/{public_id}/credential.json")[1],
        lambda public_id: verify_credential(
            client.get(f"/badges/assertions/{public_id}/credential").get_data(as_text=True), jwks
        ),
    ):
        pairs.append((fetch(earned["public_id"]), fetch(kept["award"]["public_id"])))
    for revoked_credential, kept_credential in pairs:
        assert (
            revoked_credential["credentialStatus"]["statusListIndex"]
            != kept_credential["credentialStatus"]["statusListIndex"]
        )
        assert not status_bit(client, revoked_credential) and not status_bit(client, kept_credential)
    lists = ("/badges/status/revocation", "/badges/status/revocation.json")
    etags = {url: client.get(url).headers["ETag"] for url in lists}
    for url in lists:
        assert client.get(url, headers={"If-None-Match": etags[url]}).status_code == 304

    revoke(app, admin["id"], earned["public_id"], "Quiz answers were shared")

    for revoked_credential, kept_credential in pairs:
        assert status_bit(client, revoked_credential) and not status_bit(client, kept_credential)
    for url in lists:
        assert client.get(url, headers={"If-None-Match": etags[url]}).status_code == 200


def test_revoked_assertion_answers_410_with_the_reason_and_is_listed(app, client, make_user, earned):
    admin = make_user("admin")
    kept = earn_first_badge(app, make_user, earned["course"], **OTHER)
    public_id = earned["public_id"]
    _, before = get_json(client, "/badges/revocations")
    assert schema_errors("ob2_assertion.json", before, "RevocationList") == []
    assert before["revokedAssertions"] == []

    revoke(app, admin["id"], public_id, "Quiz answers were shared")

    response, document = get_json(client, f"/badges/assertions/{public_id}", status=410)
    assert response.mimetype == LD_JSON
    assert document["revoked"] is True and document["revocationReason"] == "Quiz answers were shared"
    assert document["id"] == assertion_url(public_id)
    assert schema_errors("ob2_assertion.json", document) == []
    assert "recipient" not in document  # the hashed recipient is no longer published
    assert get_json(client, f"/badges/assertions/{public_id}", status=410, accept="application/json")[1] == document

    _, credential = get_json(client, f"/badges/assertions/{public_id}/credential", status=410)
    assert credential["revoked"] is True and credential["revocationReason"] == "Quiz answers were shared"
    for url in (
        f"/badges/assertions/{public_id}/image.png",
        f"/badges/assertions/{public_id}/image.svg",
        f"/badges/assertions/{public_id}/credential.json",
    ):
        # Verifiers fetch these too: they read JSON that says the credential is revoked, not an HTML page.
        _, gone = get_json(client, url, status=410)
        assert gone["revoked"] is True and gone["revocationReason"] == "Quiz answers were shared", url

    response, revocations = get_json(client, "/badges/revocations")
    assert response.mimetype == LD_JSON
    assert schema_errors("ob2_assertion.json", revocations, "RevocationList") == []
    assert revocations["issuer"] == "http://localhost/badges/issuer"
    assert revocations["revokedAssertions"] == [
        {"id": assertion_url(public_id), "revocationReason": "Quiz answers were shared"}
    ]
    # The other learner's award is untouched and not listed.
    assert get_json(client, f"/badges/assertions/{kept['award']['public_id']}")[1]["recipient"]
    # The issuer profile names this list.
    assert get_json(client, "/badges/issuer")[1]["revocationList"] == "http://localhost/badges/revocations"


def without_csrf_tokens(response) -> str:
    """A response's body with every CSRF token value blanked out."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', response.get_data(as_text=True))


def test_an_unknown_assertion_is_a_404_like_any_other_unknown_url(client, earned):
    public_id = earned["public_id"]
    guesses = [
        f"/badges/assertions/{secrets.token_urlsafe(18)}",
        f"/badges/assertions/{public_id[:-1]}{'A' if public_id[-1] != 'A' else 'B'}",  # one character off
        f"/badges/assertions/{public_id.upper() if public_id.upper() != public_id else public_id.lower()}",
        f"/badges/assertions/{secrets.token_urlsafe(18)}/credential",
        f"/badges/assertions/{secrets.token_urlsafe(18)}/image.png",
        "/badges/assertions/1",
    ]
    others = [
        f"/badges/assertions/{public_id}/no-such-thing",
        f"/badges/assertions/{secrets.token_urlsafe(18)}/nothing/here",
        "/badges/assertions/",
        "/badges/assertions/%00",
    ]
    for accept in (None, LD_JSON, "application/json"):
        headers = {"Accept": accept} if accept else {}
        responses = {url: client.get(url, headers=headers) for url in guesses + others}
        reference = responses[others[0]]
        assert reference.status_code == 404
        for url, response in responses.items():
            assert response.status_code == 404, url
            # The same page, but for the CSRF token of the sign-out form, which is signed with the current time.
            assert without_csrf_tokens(response) == without_csrf_tokens(reference), url
            assert response.mimetype == reference.mimetype, url
            assert "Access-Control-Allow-Origin" not in response.headers
    # The real one is there.
    assert client.get(f"/badges/assertions/{public_id}").status_code == 200


# --- baked images -----------------------------------------------------------------------------------------


def test_png_download_carries_the_assertion_and_the_signed_credential(client, earned):
    public_id = earned["public_id"]
    response = client.get(f"/badges/assertions/{public_id}/image.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bpo-foundations-badge.png"'
    png = response.get_data()

    image = Image.open(io.BytesIO(png))
    image.verify()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 100 and image.size[1] >= 100
    image.load()

    chunks = png_text_chunks(png)
    assert set(chunks) >= {"openbadges", "openbadgecredential"}
    flag, assertion_text = chunks["openbadges"]
    assert flag == 0  # uncompressed, as the baking rules ask
    _, hosted = get_json(client, f"/badges/assertions/{public_id}")
    assert json.loads(assertion_text) == hosted
    # Pillow reads the same text back.
    assert json.loads(image.text["openbadges"]) == hosted

    _, jwks = get_json(client, "/badges/jwks.json")
    flag, token = chunks["openbadgecredential"]
    assert flag == 0
    payload = verify_credential(token, jwks)
    assert payload["id"] == f"http://localhost/badges/assertions/{public_id}/credential"
    assert payload["credentialSubject"]["identifier"][0]["identityHash"] == hosted["recipient"]["identity"]


def test_svg_download_carries_the_assertion_and_the_signed_credential(client, earned):
    public_id = earned["public_id"]
    response = client.get(f"/badges/assertions/{public_id}/image.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="bpo-foundations-badge.svg"'
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    baked = root[0]
    assert baked.tag == "{http://openbadges.org}assertion"  # the first child of <svg>
    assert baked.get("verify") == assertion_url(public_id)
    assert len(root.findall(".//{http://openbadges.org}assertion")) == 1
    _, hosted = get_json(client, f"/badges/assertions/{public_id}")
    assert json.loads(baked.text) == hosted
    # OB 3.0 baking: the signed credential in its own element, which verifies with the published key.
    (credential,) = root.findall("{http://openbadges.org}credential")
    _, jwks = get_json(client, "/badges/jwks.json")
    payload = verify_credential(credential.text.strip(), jwks)
    assert payload["id"] == f"http://localhost/badges/assertions/{public_id}/credential"
    # The artwork is still there and named for assistive technology.
    assert root.find("{http://www.w3.org/2000/svg}title") is not None or root.get("aria-label")
    assert "BPO Foundations" in ET.tostring(root, encoding="unicode")


def test_class_artwork_is_served_as_png_and_svg(client, earned):
    png = client.get(f"/badges/classes/{earned['badge_id']}/image.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    Image.open(io.BytesIO(png.get_data())).verify()
    assert "openbadges" not in png_text_chunks(png.get_data())  # the class image carries no award
    svg = client.get(f"/badges/classes/{earned['badge_id']}/image.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert ET.fromstring(svg.get_data(as_text=True)).tag == "{http://www.w3.org/2000/svg}svg"
    for unknown in ("999999", "99999999999999999999", "0"):
        for url in (f"/badges/classes/{unknown}", f"/badges/classes/{unknown}/image.png"):
            assert client.get(url).status_code == 404, url


def test_a_forged_host_header_never_reaches_a_badge_document_or_credential(client, earned):
    public_id, badge_id = earned["public_id"], earned["badge_id"]
    forged = {"Host": "evil.example"}
    for url in (
        "/badges/issuer",
        f"/badges/classes/{badge_id}",
        f"/badges/assertions/{public_id}",
        f"/badges/assertions/{public_id}/credential.json",
        "/badges/revocations",
    ):
        body = client.get(url, headers=forged).get_data(as_text=True)
        assert "evil.example" not in body and "http://localhost/badges/" in body, url
    token = client.get(f"/badges/assertions/{public_id}/credential", headers=forged).get_data(as_text=True)
    header, claims = jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})
    assert header["kid"].startswith("http://localhost/badges/keys/")
    assert "evil.example" not in json.dumps(claims) and "evil.example" not in json.dumps(header)


def test_a_reason_the_admin_keeps_private_appears_in_no_public_document(app, client, make_user, earned):
    admin = make_user("admin")
    public_id = earned["public_id"]
    revoke(app, admin["id"], public_id, "A private matter", public=False)
    bodies = [
        client.get(f"/badges/assertions/{public_id}").get_data(as_text=True),
        client.get(f"/badges/assertions/{public_id}/credential").get_data(as_text=True),
        client.get("/badges/revocations").get_data(as_text=True),
        client.get(f"/badges/verify/{public_id}").get_data(as_text=True),
    ]
    assert all("A private matter" not in body for body in bodies)
    assert public_id in bodies[2]  # still listed as revoked
    assert "This badge has been revoked" in bodies[3]
