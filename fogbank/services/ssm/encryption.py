"""SecureString values at rest: a reversible, KMS-shaped envelope (there is no KMS in fogbank yet).

AWS stores a SecureString as a KMS ciphertext blob and answers it base64-encoded when the caller does
not ask for decryption. We do the same shape: base64 of (format byte, key id, nonce, masked bytes).
This hides the plaintext from casual reads of the state; it is NOT cryptographic protection.
"""

from __future__ import annotations

import base64
import hashlib
import os

DEFAULT_KEY_ID = "alias/aws/ssm"
_FORMAT = 1
_NONCE_SIZE = 12


def _keystream(key_id: str, nonce: bytes, size: int) -> bytes:
    blocks = bytearray()
    counter = 0
    while len(blocks) < size:
        blocks += hashlib.sha256(key_id.encode() + nonce + counter.to_bytes(4, "big")).digest()
        counter += 1
    return bytes(blocks[:size])


def encrypt(plaintext: str, key_id: str) -> str:
    data = plaintext.encode()
    nonce = os.urandom(_NONCE_SIZE)
    masked = bytes(a ^ b for a, b in zip(data, _keystream(key_id, nonce, len(data)), strict=True))
    key = key_id.encode()
    blob = bytes([_FORMAT, len(key) >> 8, len(key) & 0xFF]) + key + nonce + masked
    return base64.b64encode(blob).decode()


def decrypt(ciphertext: str) -> str:
    blob = base64.b64decode(ciphertext)
    key_size = (blob[1] << 8) | blob[2]
    key_id = blob[3 : 3 + key_size].decode()
    nonce = blob[3 + key_size : 3 + key_size + _NONCE_SIZE]
    masked = blob[3 + key_size + _NONCE_SIZE :]
    return bytes(a ^ b for a, b in zip(masked, _keystream(key_id, nonce, len(masked)), strict=True)).decode()
