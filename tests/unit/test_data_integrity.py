"""eddsa-rdfc-2022 Data Integrity proofs: 1EdTech's published OB 3.0 test vector, reproduced byte for byte, and
what verification refuses (no Flask, no database, no network)."""

import copy
import hashlib
import json
import pathlib

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld

from badges import data_integrity

VECTOR = json.loads(
    (pathlib.Path(__file__).resolve().parent.parent / "data" / "ob3_eddsa_rdfc_2022_vector.json").read_text()
)


def vector_key() -> ed25519.Ed25519PrivateKey:
    """The vector's private key, read from its secretKeyMultibase (multicodec 0x1300: seed, then public key)."""
    raw = base58.b58decode(VECTOR["keyPair"]["secretKeyMultibase"][1:])
    assert raw[:2] == b"\x80\x26"
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:34])


def test_the_canonical_forms_and_hashes_match_the_published_vector():
    options = VECTOR["proofOptions"]
    proof_config = {**options, "@context": VECTOR["credential"]["@context"]}
    assert data_integrity.canonical_nquads(proof_config) == VECTOR["proofCanonical"]
    assert data_integrity.canonical_nquads(VECTOR["credential"]) == VECTOR["documentCanonical"]
    expected = VECTOR["expected"]
    assert hashlib.sha256(VECTOR["proofCanonical"].encode()).hexdigest() == expected["proofConfigHashHex"]
    assert hashlib.sha256(VECTOR["documentCanonical"].encode()).hexdigest() == expected["documentHashHex"]
    assert data_integrity.hash_data(VECTOR["credential"], options).hex() == expected["dataToSignHex"]


def test_signing_the_vector_credential_gives_exactly_the_published_signed_credential():
    options = VECTOR["proofOptions"]
    signed = data_integrity.sign(VECTOR["credential"], vector_key(), options["verificationMethod"], options["created"])
    assert signed["proof"]["proofValue"] == VECTOR["expected"]["proofValue"]
    assert signed == VECTOR["signedCredential"]
    assert "proof" not in VECTOR["credential"]  # the input is left as it was


def test_the_published_key_and_signed_credential_verify():
    public = data_integrity.public_key_from_multibase(VECTOR["keyPair"]["publicKeyMultibase"])
    assert data_integrity.public_key_multibase(public) == VECTOR["keyPair"]["publicKeyMultibase"]
    assert public == vector_key().public_key()
    proof = data_integrity.verify(VECTOR["signedCredential"], public)
    assert proof["proofValue"] == VECTOR["expected"]["proofValue"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda doc: doc["credentialSubject"]["achievement"].update(name="Leadership"),
        lambda doc: doc.update(validFrom="2011-01-01T00:00:00Z"),
        lambda doc: doc["proof"].update(created="2010-01-02T19:23:24Z"),
        lambda doc: doc["issuer"].update(id="https://attacker.example/issuers/1"),
    ],
    ids=["achievement name", "validFrom", "proof created", "issuer"],
)
def test_a_changed_credential_or_proof_no_longer_verifies(tamper):
    public = vector_key().public_key()
    document = copy.deepcopy(VECTOR["signedCredential"])
    tamper(document)
    with pytest.raises(data_integrity.InvalidProof, match="signature does not match"):
        data_integrity.verify(document, public)


def test_a_term_no_context_defines_is_refused_rather_than_left_outside_the_signature():
    unsigned = {**VECTOR["credential"], "discount": "100%"}
    with pytest.raises(ValueError, match="'discount' is not defined"):
        data_integrity.sign(unsigned, vector_key(), "did:key:z6Mk#z6Mk", "2010-01-01T19:23:24Z")
    # Added after signing, it would not change the canonical form, so verification refuses it by name.
    added = {**VECTOR["signedCredential"], "discount": "100%"}
    with pytest.raises(data_integrity.InvalidProof, match="'discount' is not defined"):
        data_integrity.verify(added, vector_key().public_key())


def test_another_key_a_wrong_purpose_or_a_malformed_value_is_refused():
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    with pytest.raises(data_integrity.InvalidProof, match="signature does not match"):
        data_integrity.verify(VECTOR["signedCredential"], other)
    public = vector_key().public_key()
    for change, message in (
        ({"proofPurpose": "authentication"}, "not made to assert"),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "not a eddsa-rdfc-2022"),
        ({"proofValue": "z1111"}, "not a base58btc Ed25519 signature"),
        ({"proofValue": "u" + "A" * 86}, "not a base58btc Ed25519 signature"),
    ):
        document = copy.deepcopy(VECTOR["signedCredential"])
        document["proof"].update(change)
        with pytest.raises(data_integrity.InvalidProof, match=message):
            data_integrity.verify(document, public)
    with pytest.raises(data_integrity.InvalidProof, match="no single proof"):
        data_integrity.verify(VECTOR["credential"], public)


def test_a_key_is_read_from_its_multibase_its_did_key_or_its_address_and_nothing_outside_the_bundle_is_loaded():
    public = vector_key().public_key()
    multibase = VECTOR["keyPair"]["publicKeyMultibase"]
    for named in (multibase, f"did:key:{multibase}#{multibase}", f"https://lms.example/badges/keys/{multibase}"):
        assert data_integrity.public_key_from_multibase(named) == public
    with pytest.raises(data_integrity.InvalidProof):  # a secp256k1 did:key: not an Ed25519 key
        data_integrity.public_key_from_multibase("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")
    remote = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://attacker.example/context.json"]}
    with pytest.raises(jsonld.JsonLdError):
        data_integrity.canonical_nquads(remote)
