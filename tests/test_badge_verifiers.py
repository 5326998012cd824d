"""The issued OB 3.0 credentials, in both proof formats, checked by software the LMS does not use: the OB 3.0
verifier of openbadgeslib (PyPI), the Digital Credentials Consortium's verifier-core (npm, run by Node), the JOSE
library jwcrypto and 1EdTech's official JSON schema. Each document the verifiers fetch (keys, status lists) comes
from the app over HTTP, as it would from the issuer's site."""

import base64
import copy
import fcntl
import hashlib
import json
import pathlib
import subprocess
import sys
import tarfile

import pytest
from jsonschema import Draft201909Validator
from jwcrypto import jwk, jws
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier
from openbadgeslib.ob3.ldp import OB3LdpVerifier

from tests.test_badges_documents import OTHER, earned, get_json, path_of, revoke  # noqa: F401
from tests.test_badges_issuing import earn_first_badge


def download_from(client):
    """What the verifiers fetch with: a GET through the app, failing on anything but 200."""

    def download(url: str, **_options) -> bytes:
        response = client.get(path_of(url))
        if response.status_code != 200:
            raise OSError(f"{url} answered {response.status_code}")
        return response.get_data()

    return download


def published_key(client, kty: str):
    """The issuer's public key of this type, as its key set publishes it (what a verifier trusts)."""
    _, jwks = get_json(client, "/.well-known/jwks.json")
    (key,) = [key for key in jwks["keys"] if key["kty"] == kty]
    return jwk.JWK(**key)


def tampered_token(token: str) -> str:
    """The VC-JWT with the badge's name changed in its payload and the signature left as it was."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Senior Team Leader"
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{changed}.{signature}"


@pytest.fixture
def issued(app, client, make_user, earned):  # noqa: F811
    """Two awards of the same badge, the second revoked by an admin."""
    other = earn_first_badge(app, make_user, earned["course"], **OTHER)
    admin = make_user("admin")
    revoke(app, admin["id"], other["award"]["public_id"], "Issued by mistake")
    return {"valid": earned["public_id"], "revoked": other["award"]["public_id"]}


def kept_copy(app, public_id: str, form: str):
    """The credential of an award as it was issued (`documents.signed_credential` or `credential_with_proof`): a
    revoked award's credential answers 410 now, so a verifier is shown the copy its holder kept."""
    from badges import documents
    from badges.models import Award
    from lms.extensions import db

    with app.test_request_context():
        award = db.session.query(Award).filter_by(public_id=public_id).one()
        return getattr(documents, form)(award)


def openbadgeslib_verdict(check) -> str:
    """What openbadgeslib says of a credential: valid, revoked or invalid (with its reason)."""
    try:
        check()
    except OB3VerificationError as error:
        return "revoked" if "status 'revocation' is set" in str(error) else f"invalid: {error}"
    return "valid"


def verdicts(check, valid, tampered, revoked) -> list[str]:
    """What openbadgeslib says of the valid, the tampered and the revoked credential (with the reason of any
    refusal, so that a failing assertion shows it)."""
    return [openbadgeslib_verdict(lambda document=document: check(document)) for document in (valid, tampered, revoked)]


def test_openbadgeslib_finds_a_vc_jwt_valid_tampered_invalid_and_revoked_revoked(app, client, issued):
    verifier = OB3Verifier(published_key(client, "RSA").export_to_pem())
    valid = client.get(f"/badges/assertions/{issued['valid']}/credential").get_data(as_text=True)
    revoked = kept_copy(app, issued["revoked"], "signed_credential")

    def check(token: str):
        return verifier.verify(token, check_status=True, verify_status_list=True, download=download_from(client))

    found = verdicts(check, valid, tampered_token(valid), revoked)
    assert [verdict.split(":")[0] for verdict in found] == ["valid", "invalid", "revoked"], found


def test_a_second_jose_library_checks_the_vc_jwt_signature_with_the_key_its_kid_names(client, issued):
    token = client.get(f"/badges/assertions/{issued['valid']}/credential").get_data(as_text=True)
    envelope = jws.JWS()
    envelope.deserialize(token)
    header = envelope.jose_header
    assert header["typ"] == "JWT" and header["alg"] == "RS256"
    key = jwk.JWK(**get_json(client, header["kid"])[1])  # the kid dereferences to this one key
    envelope.verify(key, alg="RS256")
    assert json.loads(envelope.payload)["id"].endswith(f"/assertions/{issued['valid']}/credential")

    forged = jws.JWS()
    forged.deserialize(tampered_token(token))
    with pytest.raises(jws.InvalidJWSSignature):
        forged.verify(key, alg="RS256")
    other_key = jwk.JWK.generate(kty="RSA", size=2048)
    with pytest.raises(jws.InvalidJWSSignature):
        envelope.verify(other_key, alg="RS256")


def test_openbadgeslib_finds_a_data_integrity_credential_valid_tampered_invalid_and_revoked_revoked(
    app, client, issued
):
    verifier = OB3LdpVerifier(published_key(client, "OKP").export_to_pem())
    valid = get_json(client, f"/badges/assertions/{issued['valid']}/credential.json")[1]
    revoked = kept_copy(app, issued["revoked"], "credential_with_proof")
    assert valid["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    tampered = copy.deepcopy(valid)
    tampered["credentialSubject"]["achievement"]["name"] = "Senior Team Leader"

    def check(document: dict):
        # openbadgeslib checks a status list's own signature only when the list is a VC-JWT; the list of the
        # credentials with a proof carries a proof too, which tests/test_badges_documents.py checks.
        return verifier.verify(document, check_status=True, verify_status_list=False, download=download_from(client))

    found = verdicts(check, valid, tampered, revoked)
    assert [verdict.split(":")[0] for verdict in found] == ["valid", "invalid", "revoked"], found


VERIFIERS = pathlib.Path(__file__).resolve().parent / "verifiers"


def installed_verifiers() -> pathlib.Path:
    """The npm verifiers of `tests/verifiers/`, installed from its lock file once per checkout (a file lock keeps
    two test workers from installing at once)."""
    with open(VERIFIERS / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (VERIFIERS / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=VERIFIERS,
                check=True,
                capture_output=True,
                timeout=300,
            )
    return VERIFIERS


def test_the_dcc_verifier_finds_a_data_integrity_credential_valid_tampered_invalid_and_revoked_revoked(
    app, live_server, issued, tmp_path
):
    # Over real HTTP: it fetches the status list itself and checks that list's own proof too.
    served = app.test_client()
    valid = get_json(served, f"/badges/assertions/{issued['valid']}/credential.json")[1]
    assert valid["credentialStatus"]["statusListCredential"].startswith(live_server.url)
    tampered = copy.deepcopy(valid)
    tampered["credentialSubject"]["achievement"]["name"] = "Senior Team Leader"
    revoked = kept_copy(app, issued["revoked"], "credential_with_proof")
    (tmp_path / "in.json").write_text(json.dumps([valid, tampered, revoked]))
    subprocess.run(
        ["node", "verify.mjs", str(tmp_path / "in.json"), str(tmp_path / "out.json")],
        cwd=installed_verifiers(),
        check=True,
        capture_output=True,
        timeout=120,
    )
    found = json.loads((tmp_path / "out.json").read_text())
    assert [verdict.split(":")[0] for verdict in found] == ["valid", "invalid", "revoked"], found


# 1EdTech's OB 3.0 JSON schema, as published at its $id, reaches us inside openbadgeslib's source release (a test
# fixture there, taken verbatim from that address); the digest pins exactly that file.
OFFICIAL_SCHEMA = "openbadgeslib-4.6.3/tests/fixtures/ob_schemas/ob_v3p0_achievementcredential_schema.json"
OFFICIAL_SCHEMA_SHA256 = "b7358e895f492e74055dc6bfc7ffc420d0e497f90c4579fb83d9519b86d393ea"
OFFICIAL_SCHEMA_ID = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


@pytest.fixture(scope="session")
def official_ob3_schema(tmp_path_factory) -> dict:
    """1EdTech's OB 3.0 AchievementCredential JSON schema (draft 2019-09), fetched from PyPI and checked by digest."""
    folder = tmp_path_factory.mktemp("ob3-schema")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", "-d", str(folder)]
        + ["openbadgeslib==4.6.3"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with tarfile.open(folder / "openbadgeslib-4.6.3.tar.gz") as release:
        data = release.extractfile(OFFICIAL_SCHEMA).read()  # type: ignore[union-attr]
    assert hashlib.sha256(data).hexdigest() == OFFICIAL_SCHEMA_SHA256
    schema = json.loads(data)
    assert schema["$id"] == OFFICIAL_SCHEMA_ID
    return schema


def test_both_forms_of_an_issued_credential_validate_against_1edtechs_official_schema(
    client,
    earned,  # noqa: F811 - the fixture imported above
    official_ob3_schema,
):
    validator = Draft201909Validator(official_ob3_schema, format_checker=Draft201909Validator.FORMAT_CHECKER)
    token = client.get(f"/badges/assertions/{earned['public_id']}/credential").get_data(as_text=True)
    header, payload, _signature = token.split(".")
    as_jwt = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    with_proof = get_json(client, f"/badges/assertions/{earned['public_id']}/credential.json")[1]
    for name, document in (("VC-JWT payload", as_jwt), ("credential with a proof", with_proof)):
        errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]
        assert errors == [], name
    # The schema is no rubber stamp: a credential without its subject's achievement fails it.
    broken = copy.deepcopy(with_proof)
    del broken["credentialSubject"]["achievement"]
    assert not validator.is_valid(broken)
