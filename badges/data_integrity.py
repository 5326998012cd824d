"""Data Integrity proofs with the cryptosuite eddsa-rdfc-2022 (W3C vc-di-eddsa), the second proof format of
Open Badges 3.0 credentials beside VC-JWT.

The proof signs the credential's meaning, not its bytes: the document and the proof options are each turned
into canonical N-Quads (RDF Dataset Canonicalization, RDFC-1.0, which PyLD implements under its earlier name
URDNA2015), each hashed with SHA-256, and the two hashes (proof options first) are signed with Ed25519. The
JSON-LD contexts the documents name are bundled in `badges/contexts/`, and the loader refuses any other, so
signing and verifying never fetch anything.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pathlib
import re
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld

from badges.openbadges import OB3_CONTEXT, VC2_CONTEXT

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
# Multicodec prefix of an Ed25519 public key (0xed as a varint), as Multikey and did:key write it.
ED25519_PUBLIC_PREFIX = b"\xed\x01"
CONTEXTS_DIR = pathlib.Path(__file__).with_name("contexts")
# Each context URL the issuer's documents may name, and its bundled copy (see contexts/README.md).
BUNDLED_CONTEXTS = {
    VC2_CONTEXT: "credentials-v2.jsonld",
    OB3_CONTEXT: "ob-context-3.0.3.json",
}


class InvalidProof(ValueError):
    """The document carries no valid eddsa-rdfc-2022 proof by the expected key."""


@functools.cache
def _context(url: str) -> dict:
    """The parsed bundled copy of the context at ``url``."""
    return json.loads((CONTEXTS_DIR / BUNDLED_CONTEXTS[url]).read_text(encoding="utf-8"))


def load_document(url: str, options: Any = None) -> dict:
    """PyLD document loader that serves the bundled contexts and refuses every other address."""
    if url not in BUNDLED_CONTEXTS:
        raise jsonld.JsonLdError(
            f"context {url} is not bundled with the LMS", "jsonld.LoadDocumentError", code="loading document failed"
        )
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def _undefined_terms(document: dict) -> list[str]:
    """What JSON-LD processing of ``document`` would silently drop or resolve against a made-up base: a term no
    context defines, or a relative IRI. Such data is outside the signature, so it is refused instead."""
    problems: list[str] = []
    expanded = jsonld.expand(
        document,
        {"documentLoader": load_document},
        on_property_dropped=lambda term: problems.append(f"term {term!r} is not defined by the document's contexts"),
    )

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for name, value in node.items():
                if name in ("@id", "@type"):
                    for iri in value if isinstance(value, list) else [value]:
                        if isinstance(iri, str) and iri.startswith(jsonld.DEFAULT_BASE_IRI):
                            problems.append(f"{name} {iri.removeprefix(jsonld.DEFAULT_BASE_IRI)!r} is not an IRI")
                walk(value)

    walk(expanded)
    return problems


def canonical_nquads(document: dict) -> str:
    """The document as canonical N-Quads (RDFC-1.0)."""
    return jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": load_document}
    )


def hash_data(document: dict, proof_options: dict) -> bytes:
    """What is signed: SHA-256 of the canonical proof options (with the document's contexts), then of the
    canonical document without its proof."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {name: value for name, value in proof_options.items() if name != "proofValue"}
    options["@context"] = document["@context"]
    return (
        hashlib.sha256(canonical_nquads(options).encode("utf-8")).digest()
        + hashlib.sha256(canonical_nquads(unsecured).encode("utf-8")).digest()
    )


def public_key_multibase(public_key: ed25519.Ed25519PublicKey) -> str:
    """The key as a Multikey `publicKeyMultibase`: base58btc ('z') of the multicodec prefix and the raw key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUBLIC_PREFIX + raw).decode("ascii")


def public_key_from_multibase(value: str) -> ed25519.Ed25519PublicKey:
    """The Ed25519 key a `publicKeyMultibase` names, alone or at the end of a did:key or a key's address;
    InvalidProof if it names none."""
    multibase = re.split(r"[#/:]", value)[-1]
    try:
        raw = base58.b58decode(multibase[1:]) if multibase.startswith("z") else b""
    except ValueError:
        raw = b""
    if len(raw) != 34 or not raw.startswith(ED25519_PUBLIC_PREFIX):
        raise InvalidProof(f"{value!r} names no Ed25519 public key")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])


def sign(document: dict, key: ed25519.Ed25519PrivateKey, verification_method: str, created: str) -> dict:
    """A copy of ``document`` with an eddsa-rdfc-2022 proof made with ``key`` at ``created`` (an XML Schema
    dateTime); ValueError if the document holds data its contexts do not define."""
    problems = _undefined_terms(document)
    if problems:
        raise ValueError("; ".join(problems))
    options = {
        "type": PROOF_TYPE,
        "created": created,
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(hash_data(document, options))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return {**{name: value for name, value in document.items() if name != "proof"}, "proof": proof}


def verify(document: dict, public_key: ed25519.Ed25519PublicKey) -> dict:
    """Check ``document``'s eddsa-rdfc-2022 proof against ``public_key`` and return the proof; InvalidProof if it
    is missing, malformed, made for another purpose, covers data its contexts drop, or does not verify."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise InvalidProof("the document has no single proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise InvalidProof(f"the proof is not a {CRYPTOSUITE} {PROOF_TYPE}")
    if proof.get("proofPurpose") != "assertionMethod":
        raise InvalidProof("the proof was not made to assert the credential")
    value = proof.get("proofValue")
    try:
        signature = base58.b58decode(value[1:]) if isinstance(value, str) and value.startswith("z") else b""
    except ValueError:
        signature = b""
    if len(signature) != 64:
        raise InvalidProof("the proof value is not a base58btc Ed25519 signature")
    try:
        problems = _undefined_terms({name: item for name, item in document.items() if name != "proof"})
        data = hash_data(document, proof)
    except jsonld.JsonLdError as exc:
        raise InvalidProof(f"the document is not valid JSON-LD for its contexts: {exc}") from None
    if problems:
        raise InvalidProof("; ".join(problems))
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        raise InvalidProof("the signature does not match the document") from None
    return proof
