"""The W3C Bitstring Status List the OB 3.0 credentials point to for revocation.

Each credential names one bit of the issuer's revocation list (its award's id is its index); the bit is set once
the award is revoked. The list is published as a signed BitstringStatusListCredential whose `encodedList` is the
bitstring, GZIP-compressed, base64url-encoded without padding and prefixed "u" (multibase), the left-most bit being
index 0. The list is at least 131,072 bits long (16 KB before compression), as the specification asks, so that a
verifier fetching it learns nothing about which credential it checks. Everything here is pure.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable

MIN_BITS = 131_072
PURPOSE = "revocation"
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_TYPE = "BitstringStatusList"
CREDENTIAL_TYPE = "BitstringStatusListCredential"


def list_size(largest_index: int) -> int:
    """How many bits a list holding this index needs: a whole number of minimum-size blocks."""
    blocks = largest_index // MIN_BITS + 1
    return blocks * MIN_BITS


def encode(set_indexes: Iterable[int], size: int) -> str:
    """The `encodedList` of a bitstring of `size` bits with these bits set."""
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise ValueError(f"index {index} is outside a list of {size} bits")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always compresses to the same bytes, so its ETag holds while nothing is revoked.
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The bitstring of an `encodedList` (for verifying, and for the tests)."""
    if not encoded.startswith("u"):
        raise ValueError("an encodedList is multibase base64url: it starts with 'u'")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(bitstring: bytes, index: int) -> bool:
    """Whether the bit at this index is set (index 0 is the left-most bit of the first byte)."""
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def entry(list_url: str, index: int) -> dict:
    """A credential's `credentialStatus`: the bit of the revocation list that says whether it is revoked."""
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(list_url: str, issuer_id: str, valid_from: str, encoded: str) -> dict:
    """The unsigned BitstringStatusListCredential publishing the list."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer_id,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": PURPOSE,
            "encodedList": encoded,
        },
    }
