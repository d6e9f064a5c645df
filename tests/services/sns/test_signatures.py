"""Message signatures verify with OpenSSL against the certificate at SigningCertURL, as AWS's
verification recipe does (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from sns_support import receive

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


def verify(document: dict, fields: tuple[str, ...], folder: Path) -> str:
    """Run AWS's recipe with OpenSSL; returns its verdict."""
    with urllib.request.urlopen(document["SigningCertURL"], timeout=10) as response:
        (folder / "cert.pem").write_bytes(response.read())
    public = subprocess.run(
        ["openssl", "x509", "-in", str(folder / "cert.pem"), "-pubkey", "-noout"],
        capture_output=True,
        check=True,
    ).stdout
    (folder / "public.pem").write_bytes(public)
    canonical = "".join(f"{name}\n{document[name]}\n" for name in fields if name in document)
    (folder / "canonical.txt").write_bytes(canonical.encode())
    (folder / "signature.bin").write_bytes(base64.b64decode(document["Signature"]))
    digest = "-sha256" if document["SignatureVersion"] == "2" else "-sha1"
    result = subprocess.run(
        [
            "openssl",
            "dgst",
            digest,
            "-verify",
            str(folder / "public.pem"),
            "-signature",
            str(folder / "signature.bin"),
            str(folder / "canonical.txt"),
        ],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("version", ["1", "2"])
def test_publish_notification_signature_verifies(sns, sqs, topic_arn, make_queue, tmp_path, version):
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="SignatureVersion", AttributeValue=version)
    queue = make_queue()
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)
    sns.publish(TopicArn=topic_arn, Subject="signed", Message="multi\nline message ✓")

    document = json.loads(receive(sqs, queue.url)[0]["Body"])
    assert document["SignatureVersion"] == version
    assert verify(document, NOTIFICATION_FIELDS, tmp_path) == "Verified OK"
    document["Message"] = "tampered"
    assert verify(document, NOTIFICATION_FIELDS, tmp_path) != "Verified OK"


def test_subscription_confirmation_signature_verifies(sns, topic_arn, http_endpoint, tmp_path):
    sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=http_endpoint.url)
    document = json.loads(http_endpoint.next().body)
    assert verify(document, CONFIRMATION_FIELDS, tmp_path) == "Verified OK"
