"""The errors AWS answers when authentication fails, in each service family's own words:
S3 (`InvalidAccessKeyId`, `SignatureDoesNotMatch` with the string to sign), query-protocol
services and those compatible with them (`InvalidClientTokenId`, `SignatureDoesNotMatch`), and
JSON services (`UnrecognizedClientException`, `InvalidSignatureException`)."""

from __future__ import annotations

from dataclasses import dataclass

from fogbank.errors import AwsError
from fogbank.gateway.exchange import Exchange
from fogbank.protocol.models import service_index, service_model

_INVALID_TOKEN = "The security token included in the request is invalid."
_EXPIRED_TOKEN = "The security token included in the request is expired"
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
_S3_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and signing method."


@dataclass(frozen=True, slots=True)
class ErrorStyle:
    family: str  # "s3" | "query" | "json"
    status: int  # the status JSON services answer authentication failures with

    def unknown_key(self, access_key: str) -> AwsError:
        if self.family == "s3":
            return AwsError(
                "The AWS Access Key Id you provided does not exist in our records.",
                code="InvalidAccessKeyId",
                status=403,
                AWSAccessKeyId=access_key,
            )
        if self.family == "json":
            return AwsError(_INVALID_TOKEN, code="UnrecognizedClientException", status=self.status)
        return AwsError(_INVALID_TOKEN, code="InvalidClientTokenId", status=403)

    def signature_mismatch(
        self, access_key: str, string_to_sign: str, provided: str, canonical: str
    ) -> AwsError:
        if self.family == "s3":
            return AwsError(
                _S3_MISMATCH,
                code="SignatureDoesNotMatch",
                status=403,
                AWSAccessKeyId=access_key,
                StringToSign=string_to_sign,
                SignatureProvided=provided,
                StringToSignBytes=" ".join(f"{byte:02x}" for byte in string_to_sign.encode()),
                CanonicalRequest=canonical,
                CanonicalRequestBytes=" ".join(f"{byte:02x}" for byte in canonical.encode()),
            )
        if self.family == "json":
            return AwsError(_MISMATCH, code="InvalidSignatureException", status=self.status)
        return AwsError(_MISMATCH, code="SignatureDoesNotMatch", status=403)

    def expired_token(self) -> AwsError:
        if self.family == "s3":
            return AwsError("The provided token has expired.", code="ExpiredToken", status=400)
        if self.family == "json":
            return AwsError(_EXPIRED_TOKEN, code="ExpiredTokenException", status=self.status)
        return AwsError(_EXPIRED_TOKEN, code="ExpiredToken", status=403)

    def invalid_token(self) -> AwsError:
        if self.family == "s3":
            return AwsError(
                "The provided token is malformed or otherwise invalid.", code="InvalidToken", status=400
            )
        return self.unknown_key("")

    def incomplete(self, message: str) -> AwsError:
        if self.family == "s3":
            query_error = message.startswith("Query-string authentication")
            return AwsError(
                message.removeprefix("Query-string authentication: "),
                code="AuthorizationQueryParametersError" if query_error else "AuthorizationHeaderMalformed",
                status=400,
            )
        return AwsError(message, code="IncompleteSignature", status=400)

    def missing_token(self) -> AwsError:
        if self.family == "json":
            return AwsError(
                "Request is missing Authentication Token",
                code="MissingAuthenticationTokenException",
                status=self.status,
            )
        return AwsError(
            "Request is missing Authentication Token", code="MissingAuthenticationToken", status=403
        )


def style_for(exchange: Exchange) -> ErrorStyle:
    """The error family of the service a request is for."""
    service = exchange.service or ""
    if service == "s3" or (exchange.credentials is not None and exchange.credentials.scope_service == "s3"):
        return ErrorStyle("s3", 403)
    info = service_index().services.get(service)
    if info is None:
        return ErrorStyle("query", 403)
    protocol = info.protocols[0]
    # Services that moved from the query protocol to JSON keep their query error codes.
    query_compatible = "awsQueryCompatible" in service_model(service).metadata
    if protocol in ("json", "smithy-rpc-v2-cbor") and not query_compatible:
        return ErrorStyle("json", 400)
    if protocol == "rest-json":
        return ErrorStyle("json", 403)
    return ErrorStyle("query", 403)
