"""Issuer signing key and VC-JWT proofs for Open Badges 3.0 credentials.

Algorithm: RS256 with a 3072-bit RSA key. OB 3.0 (section 8.2, JOSE header)
names RS256 as the algorithm every verifier must support, and the 1EdTech
conformance suite only tests VC-JWT with RSA; EdDSA or ES256 tokens are
allowed but "limit interoperability". 3072 bits gives ~128-bit security,
which badges outliving 2030 need. A configured PEM may also hold a P-256
(ES256) or Ed25519 (EdDSA) key; the algorithm always follows the key type.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pathlib
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

IssuerKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

RSA_KEY_BITS = 3072
# OB 3.0 says that `typ`, when present, MUST be "JWT" (1EdTech's verifier refuses anything else), while
# VC-JOSE-COSE (the securing mechanism VCDM 2.0 points to) says it SHOULD be "vc+jwt". The issuer writes "JWT"
# unless configured otherwise (BADGE_JWT_TYPE); verification accepts both.
JWT_TYPE = "JWT"
_ACCEPTED_TYPES = {"vc+jwt", "JWT"}
CLOCK_SKEW = timedelta(seconds=60)
# JWK members that only a private key has (RFC 7517/7518).
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def algorithm_for(key: IssuerKey) -> str:
    """Return the JWS algorithm name that matches ``key``."""
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    raise ValueError("issuer key must be RSA, EC P-256 or Ed25519")


def _load_pem(data: bytes) -> IssuerKey:
    """Parse an unencrypted PEM private key and check that we can sign with it."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"badge signing key is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError("issuer key must be RSA, EC P-256 or Ed25519")
    algorithm_for(key)
    return key


def new_rsa_key() -> IssuerKey:
    """A new RSA signing key of the default size."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)


def _write_new_key(path: pathlib.Path, generate: Callable[[], IssuerKey]) -> IssuerKey:
    """Generate a key and save it at ``path`` (mode 0600), or load the one another process saved first."""
    key = generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600; linking it into place is atomic and fails
    # if the file exists, so app workers starting together end up sharing the
    # first key written instead of each signing with a key nobody publishes.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".badge-key-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            return _load_pem(path.read_bytes())
    finally:
        os.unlink(tmp_name)
    return key


def load_or_create_key(
    pem: str | None, path: pathlib.Path, generate: Callable[[], IssuerKey] = new_rsa_key
) -> IssuerKey:
    """Return the issuer key from configured PEM text, else from ``path``, else a new one (``generate``) saved
    there."""
    # A configured PEM wins so several app servers can share one key. Env vars
    # often carry it on one line with escaped newlines; PEM never has backslashes.
    if pem and pem.strip():
        return _load_pem(pem.strip().replace("\\n", "\n").encode("ascii"))
    path = pathlib.Path(path)
    if path.exists():
        return _load_pem(path.read_bytes())
    return _write_new_key(path, generate)


def _public_jwk(key: IssuerKey | PublicKey) -> dict:
    """Return the JWK of the public half of ``key`` (a private or public key)."""
    public = key if isinstance(key, PublicKey) else key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(public, as_dict=True)
    else:
        jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
    # Converting the public key already leaves no private members; dropping
    # them again guards the published JWKS against a library change.
    return {name: value for name, value in jwk.items() if name not in PRIVATE_JWK_MEMBERS}


def thumbprint(key: IssuerKey | PublicKey) -> str:
    """The key's RFC 7638 JWK thumbprint (SHA-256, base64url): the same on every server that shares the PEM, and
    a new one when the key is rotated."""
    jwk = _public_jwk(key)
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
    members = {name: jwk[name] for name in required[jwk["kty"]]}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode("ascii")


def key_id(key: IssuerKey | PublicKey, keys_url: str) -> str:
    """A dereferenceable kid: the address under `keys_url` that answers with this one key as a JWK (OB 3.0 has
    verifiers fetch `kid` and read a single key there, not a key set)."""
    return f"{keys_url.rstrip('/')}/{thumbprint(key)}"


def public_jwk(key: IssuerKey | PublicKey, kid: str) -> dict:
    """The public half of ``key`` as one JWK, named ``kid``."""
    jwk = _public_jwk(key)
    jwk.update({"kid": kid, "use": "sig", "alg": JWK_ALGORITHMS[(jwk["kty"], jwk.get("crv"))]})
    return jwk


# The algorithm each kind of key signs with (see algorithm_for), by its JWK key type and curve.
JWK_ALGORITHMS = {("RSA", None): "RS256", ("EC", "P-256"): "ES256", ("OKP", "Ed25519"): "EdDSA"}


def load_previous_keys(pem: str | None) -> list[PublicKey]:
    """The public halves of retired signing keys, from PEM text holding one or more keys (public or private):
    they stay published so that credentials signed with them keep verifying after a rotation."""
    text = (pem or "").strip().replace("\\n", "\n")
    keys = []
    for match in re.finditer(r"-----BEGIN ([A-Z ]+)-----.*?-----END \1-----", text, re.DOTALL):
        data = match.group(0).encode("ascii")
        if "PRIVATE" in match.group(1):
            keys.append(_load_pem(data).public_key())
            continue
        public = serialization.load_pem_public_key(data)
        if not isinstance(public, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
            raise ValueError("a previous badge signing key must be RSA, EC P-256 or Ed25519")
        keys.append(public)
    return keys


def public_jwks(key: IssuerKey, kid: str) -> dict:
    """Return the JWK Set publishing the public half of ``key`` under ``kid``."""
    return {"keys": [public_jwk(key, kid)]}


def _numeric_date(value: str) -> int:
    """Convert a DateTimeZ string to a JWT NumericDate."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without time zone: {value!r}")
    return int(moment.astimezone(UTC).timestamp())


def _issuer_id(credential: dict) -> str | None:
    """Return the issuer id whether ``issuer`` is an IRI or a Profile object."""
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _registered_claims(credential: dict) -> dict:
    """Map credential members to JWT claims as OB 3.0 section 8.2 describes."""
    claims = {
        "iss": _issuer_id(credential),
        "jti": credential["id"],
        "nbf": _numeric_date(credential["validFrom"]),
    }
    # `sub` mirrors credentialSubject.id (OB 3.0 requires it; the issuer's credentials always have one), and
    # VC-JOSE-COSE only asks that claims never contradict the credential.
    subject_id = credential.get("credentialSubject", {}).get("id")
    if subject_id:
        claims["sub"] = subject_id
    if credential.get("validUntil"):
        claims["exp"] = _numeric_date(credential["validUntil"])
    return claims


def sign_credential(credential: dict, key: IssuerKey, kid: str, issuer_id: str, typ: str = JWT_TYPE) -> str:
    """Sign ``credential`` as a compact VC-JWT whose payload is the credential itself."""
    if _issuer_id(credential) != issuer_id:
        raise ValueError("credential issuer does not match the signing issuer")
    # VCDM 2.0 / VC-JOSE-COSE: the payload IS the credential (no `vc` claim),
    # with registered claims alongside. No `iat`: OB 3.0 gives it no meaning
    # and `nbf` already carries validFrom.
    payload = {**credential, **_registered_claims(credential)}
    # OB 3.0 allows only alg, kid, jwk and typ in the JOSE header.
    if typ not in _ACCEPTED_TYPES:
        raise ValueError(f"typ must be one of {sorted(_ACCEPTED_TYPES)}")
    headers = {"kid": kid, "typ": typ}
    return jwt.encode(payload, key, algorithm=algorithm_for(key), headers=headers)


def verify_credential(token: str, jwks: dict) -> dict:
    """Verify a VC-JWT against ``jwks`` and return its payload; raise jwt.InvalidTokenError if not valid."""
    header = jwt.get_unverified_header(token)
    if header.get("typ", "JWT") not in _ACCEPTED_TYPES:
        raise jwt.InvalidTokenError("not a verifiable credential JWT")
    matches = [k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")]
    if not matches:
        raise jwt.InvalidTokenError("signing key is not in the issuer's key set")
    signing_key = jwt.PyJWK(matches[0])
    # Only the algorithm bound to the published key is accepted, which rules
    # out algorithm-substitution tricks such as "none" or HMAC with the public key.
    payload = jwt.decode(
        token,
        signing_key.key,
        algorithms=[signing_key.algorithm_name],
        options={"require": ["iss", "jti", "nbf"], "verify_aud": False},
        # nbf is the issue time: tolerate app servers whose clocks differ slightly.
        leeway=CLOCK_SKEW,
    )
    # OB 3.0 section 8.2.4.1: each claim must match the credential it wraps.
    try:
        expected = _registered_claims(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise jwt.InvalidTokenError(f"payload is not a credential: {exc}") from None
    for claim, value in expected.items():
        if payload.get(claim) != value:
            raise jwt.InvalidTokenError(f"JWT claim {claim!r} does not match the credential")
    if "sub" in payload and "sub" not in expected:
        raise jwt.InvalidTokenError("JWT claim 'sub' does not match the credential")
    return payload
