"""Presigned URLs: their expiry, measured on fogbank's clock.

SigV4 query signing carries `X-Amz-Date` and `X-Amz-Expires` (at most 7 days); SigV2 carries an
absolute `Expires` epoch. An expired URL answers 403 `AccessDenied` "Request has expired".
See https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
"""

from __future__ import annotations

from datetime import UTC, datetime

from fogbank import clock
from fogbank.protocol.http import HttpRequest
from fogbank.services.s3.errors import AccessDenied, AuthorizationQueryParametersError

MAX_EXPIRES = 604800  # seven days, SigV4's limit


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_expiry(request: HttpRequest) -> None:
    """Raise AccessDenied when the presigned request has expired (a no-op for other requests)."""
    expires = request.query_value("X-Amz-Expires")
    if expires is not None and request.query_value("X-Amz-Date"):
        _check_sigv4(expires, request.query_value("X-Amz-Date") or "")
        return
    epoch = request.query_value("Expires")
    if epoch is not None and request.query_value("AWSAccessKeyId") is not None:
        _check_sigv2(epoch)


def _check_sigv4(expires_text: str, date_text: str) -> None:
    try:
        expires = int(expires_text)
        signed = datetime.strptime(date_text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise AuthorizationQueryParametersError(
            "X-Amz-Expires should be a number"
            if not expires_text.isdigit()
            else "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        ) from None
    if expires < 0:
        raise AuthorizationQueryParametersError("X-Amz-Expires must be non-negative")
    if expires > MAX_EXPIRES:
        raise AuthorizationQueryParametersError(
            "X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds"
        )
    now = clock.now()
    if now > signed + expires:
        error = AccessDenied("Request has expired")
        # S3's field names are not Python names, so they are set after construction.
        error.fields.update(
            {"X-Amz-Expires": expires, "Expires": _iso(signed + expires), "ServerTime": _iso(now)}
        )
        raise error


def _check_sigv2(epoch_text: str) -> None:
    try:
        deadline = int(epoch_text)
    except ValueError:
        raise AccessDenied("Invalid date (should be seconds since epoch): " + epoch_text) from None
    now = clock.now()
    if now > deadline:
        raise AccessDenied("Request has expired", Expires=_iso(deadline), ServerTime=_iso(now))
