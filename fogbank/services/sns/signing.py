"""Message signatures: fogbank's RSA signing key, its self-signed certificate (served at the
`SigningCertURL`), and the SHA1withRSA / SHA256withRSA signatures of SNS messages, so that clients
that verify signatures (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html)
can verify fogbank's too.

No third-party crypto: a key is generated once (Miller-Rabin primes), kept in the state,
and signatures use PKCS#1 v1.5 with the Chinese remainder theorem.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from fogbank import clock, state
from fogbank.protocol.http import HttpResponse

CERTIFICATE_PATH = "/_fogbank/sns/SimpleNotificationService.pem"
# AWS signs with a 2048-bit key; in pure Python that costs ~20 ms per message on a small machine,
# which would slow every Publish. A 1024-bit key verifies the same way at a sixth of the cost.
_KEY_BITS = 1024
_E = 65537
_DIGEST_INFO = {  # DER prefixes of the DigestInfo structures (RFC 8017 section 9.2)
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
}
_lock = threading.Lock()
_cached: dict[str, Any] = {}


# -- key --------------------------------------------------------------------------------------


def _is_probable_prime(candidate: int, rounds: int = 40) -> bool:
    if candidate < 2:
        return False
    for small in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if candidate % small == 0:
            return candidate == small
    d, r = candidate - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(candidate - 3) + 2, d, candidate)
        if x in (1, candidate - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, candidate)
            if x == candidate - 1:
                break
        else:
            return False
    return True


def _prime(bits: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if (candidate - 1) % _E and _is_probable_prime(candidate):
            return candidate


def _new_key() -> dict[str, str]:
    while True:
        p, q = _prime(_KEY_BITS // 2), _prime(_KEY_BITS // 2)
        if p != q and (p * q).bit_length() == _KEY_BITS:
            break
    d = pow(_E, -1, (p - 1) * (q - 1))
    return {name: format(value, "x") for name, value in {"n": p * q, "d": d, "p": p, "q": q}.items()}


def _key() -> dict[str, Any]:
    """The signing key and certificate, created on first use and kept in the state."""
    if _cached:
        return _cached
    with _lock:
        if not _cached:
            store: state.Collection[dict[str, str]] = state.database().collection("sns", "signing", "global")
            record = store.get("key")
            if record is None:
                record = _new_key()
                record["certificate"] = base64.b64encode(_certificate(record)).decode()
                store.put("key", record)
            numbers = {name: int(record[name], 16) for name in ("n", "d", "p", "q")}
            _cached.update(numbers, certificate=record["certificate"])
    return _cached


def forget() -> None:
    """Drop the cached key (after a reset or import of the state)."""
    _cached.clear()


# -- signatures -------------------------------------------------------------------------------


def _sign_raw(key: dict[str, Any], data: bytes, digest: str) -> bytes:
    size = (key["n"].bit_length() + 7) // 8
    encoded = _DIGEST_INFO[digest] + hashlib.new(digest, data).digest()
    block = b"\x00\x01" + b"\xff" * (size - len(encoded) - 3) + b"\x00" + encoded
    message = int.from_bytes(block, "big")
    p, q = int(key["p"]), int(key["q"])
    s1, s2 = pow(message, key["d"] % (p - 1), p), pow(message, key["d"] % (q - 1), q)
    h = (pow(q, -1, p) * (s1 - s2)) % p
    return (s2 + h * q).to_bytes(size, "big")


def canonical_string(document: dict[str, Any]) -> str:
    """The string SNS signs: selected fields in order, each as `name\\nvalue\\n`."""
    fields: tuple[str, ...]
    if document["Type"] == "Notification":
        fields = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    else:
        fields = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    return "".join(f"{name}\n{document[name]}\n" for name in fields if name in document)


def signature(document: dict[str, Any], version: str) -> str:
    """Base64 signature of an SNS message: SHA1withRSA (version 1) or SHA256withRSA (version 2)."""
    return sign_canonical(canonical_string(document), version)


def sign_canonical(canonical: str, version: str) -> str:
    digest = "sha256" if version == "2" else "sha1"
    return base64.b64encode(_sign_raw(_key(), canonical.encode(), digest)).decode()


def certificate_pem() -> str:
    body = _key()["certificate"]
    lines = [body[index : index + 64] for index in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


async def serve_certificate(exchange: Any) -> HttpResponse:
    """`GET /_fogbank/sns/SimpleNotificationService.pem`: the certificate of the signing key."""
    return HttpResponse(200, {"content-type": "application/x-pem-file"}, certificate_pem().encode())


# -- a minimal DER writer for the self-signed certificate ----------------------------------------


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(encoded)]) + encoded + content


def _integer(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _sequence(*items: bytes) -> bytes:
    return _der(0x30, b"".join(items))


def _oid(dotted: str) -> bytes:
    numbers = [int(part) for part in dotted.split(".")]
    body = bytes([numbers[0] * 40 + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.insert(0, 0x80 | (number & 0x7F))
            number >>= 7
        body += bytes(chunk)
    return _der(0x06, body)


def _name(common_name: str) -> bytes:
    attribute = _sequence(_oid("2.5.4.3"), _der(0x0C, common_name.encode()))
    return _sequence(_der(0x31, attribute))


def _time(moment: datetime) -> bytes:
    return _der(0x18, moment.strftime("%Y%m%d%H%M%SZ").encode())  # GeneralizedTime


def _certificate(record: dict[str, str]) -> bytes:
    n = int(record["n"], 16)
    key = {"n": n, "d": int(record["d"], 16), "p": int(record["p"], 16), "q": int(record["q"], 16)}
    algorithm = _sequence(_oid("1.2.840.113549.1.1.11"), b"\x05\x00")  # sha256WithRSAEncryption
    public_key = _sequence(
        _sequence(_oid("1.2.840.113549.1.1.1"), b"\x05\x00"),
        _der(0x03, b"\x00" + _sequence(_integer(n), _integer(_E))),
    )
    start = datetime.fromtimestamp(clock.now(), UTC) - timedelta(days=1)
    issuer = _name("sns.amazonaws.com (fogbank)")
    tbs = _sequence(
        _der(0xA0, _integer(2)),
        _integer(secrets.randbits(63)),
        algorithm,
        issuer,
        _sequence(_time(start), _time(start + timedelta(days=3650))),
        issuer,
        public_key,
    )
    return _sequence(tbs, algorithm, _der(0x03, b"\x00" + _sign_raw(key, tbs, "sha256")))
