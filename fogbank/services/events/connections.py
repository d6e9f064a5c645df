"""EventBridge connections: the authorization an API destination uses
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection.html).

As in AWS, the credentials (API key value, password, OAuth client secret, secret invocation
parameters) live in a Secrets Manager secret named `events!connection/<name>/<uuid>`, created
through Secrets Manager's public CreateSecret; the connection record keeps only what Describe
shows. API_KEY and BASIC connections are AUTHORIZED at once; an OAUTH_CLIENT_CREDENTIALS
connection stays AUTHORIZING until its first token is fetched, when first needed
(`fogbank.events.api_calls`). Private-API connectivity (VPC Lattice) and customer managed KMS keys
are refused.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from fogbank import clock, state
from fogbank.services import calls
from fogbank.services.events.errors import ResourceNotFoundException, ValidationException

MEMBERS = {
    "API_KEY": "ApiKeyAuthParameters",
    "BASIC": "BasicAuthParameters",
    "OAUTH_CLIENT_CREDENTIALS": "OAuthParameters",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_TIMES = ("CreationTime", "LastModifiedTime", "LastAuthorizedTime")


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("events", "connections", account, region)


def name_of(arn: str) -> str:
    """The connection name inside `arn:aws:events:<region>:<account>:connection/<name>/<uuid>`."""
    resource = arn.split(":", 5)[-1]
    if not resource.startswith("connection/") or resource.count("/") != 2:
        raise ValidationException(f"Parameter ConnectionArn is not valid. Reason: Invalid ARN {arn}.")
    return resource.split("/")[1]


def require(account: str, region: str, name: str) -> dict[str, Any]:
    record = collection(account, region).get(name)
    if record is None:
        raise ResourceNotFoundException(
            f"Failed to describe the connection(s). Connection '{name}' does not exist."
        )
    return record


def refuse_unsupported(request: dict[str, Any]) -> None:
    if request.get("InvocationConnectivityParameters") or (request.get("AuthParameters") or {}).get(
        "ConnectivityParameters"
    ):
        raise ValidationException(
            "Connections to private APIs (ConnectivityParameters) are not supported by fogbank yet."
        )
    if request.get("KmsKeyIdentifier"):
        raise ValidationException(
            "Customer managed KMS keys for connections are not supported by fogbank yet."
        )


def check_url(url: str, member: str) -> None:
    """AWS calls HTTPS endpoints only; fogbank also calls plain HTTP on loopback addresses, so that
    local test servers can stand in."""
    split = urlsplit(url)
    secure = split.scheme == "https" and bool(split.hostname)
    local = split.scheme == "http" and split.hostname in LOOPBACK
    if not (secure or local):
        raise ValidationException(
            f"Parameter {member} is not valid. Reason: only HTTPS endpoints are supported "
            "(fogbank also accepts http://127.0.0.1 and http://localhost)."
        )


def check_auth(kind: str, auth: dict[str, Any]) -> None:
    """The AuthParameters must hold exactly the parameters of the AuthorizationType."""
    wanted = MEMBERS[kind]
    others = [member for member in MEMBERS.values() if member != wanted and auth.get(member)]
    if others or not auth.get(wanted):
        raise ValidationException(
            f"Parameter AuthParameters is not valid. Reason: {wanted} must be specified, "
            f"and only {wanted}, for AuthorizationType {kind}."
        )
    endpoint = (auth.get("OAuthParameters") or {}).get("AuthorizationEndpoint")
    if endpoint:
        check_url(endpoint, "AuthParameters.OAuthParameters.AuthorizationEndpoint")


def create(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    name, kind = request["Name"], request["AuthorizationType"]
    check_auth(kind, request["AuthParameters"])
    ident = str(uuid.uuid4())
    now = clock.now()
    secret = calls.call(
        "secretsmanager",
        "CreateSecret",
        {
            "Name": f"events!connection/{name}/{ident}",
            "SecretString": _secret_text(kind, request["AuthParameters"]),
        },
        account=account,
        region=region,
    )
    record: dict[str, Any] = {
        "Name": name,
        "ConnectionArn": f"arn:aws:events:{region}:{account}:connection/{name}/{ident}",
        "AuthorizationType": kind,
        "AuthParameters": shown(request["AuthParameters"]),
        "SecretArn": secret["ARN"],
        "ConnectionState": "AUTHORIZING" if kind == "OAUTH_CLIENT_CREDENTIALS" else "AUTHORIZED",
        "CreationTime": now,
        "LastModifiedTime": now,
    }
    if kind != "OAUTH_CLIENT_CREDENTIALS":
        record["LastAuthorizedTime"] = now
    if request.get("Description"):
        record["Description"] = request["Description"]
    return record


def update(account: str, region: str, record: dict[str, Any], request: dict[str, Any]) -> None:
    """Merge the given parameters into the stored ones (secrets included) and re-authorize."""
    kind = request.get("AuthorizationType") or record["AuthorizationType"]
    stored = credentials(account, region, record)
    auth = stored["AuthParameters"] if kind == record["AuthorizationType"] else {}
    for member, value in (request.get("AuthParameters") or {}).items():
        auth[member] = _merged(auth.get(member), value)
    check_auth(kind, auth)
    calls.call(
        "secretsmanager",
        "PutSecretValue",
        {"SecretId": record["SecretArn"], "SecretString": _secret_text(kind, auth)},
        account=account,
        region=region,
    )
    now = clock.now()
    record.update(AuthorizationType=kind, AuthParameters=shown(auth), LastModifiedTime=now)
    record.pop("StateReason", None)
    if kind == "OAUTH_CLIENT_CREDENTIALS":
        record["ConnectionState"] = "AUTHORIZING"
    else:
        record.update(ConnectionState="AUTHORIZED", LastAuthorizedTime=now)
    if "Description" in request:
        record["Description"] = request["Description"]


def _merged(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{key: _merged(old.get(key), value) for key, value in new.items()}}
    return new


def credentials(account: str, region: str, record: dict[str, Any]) -> dict[str, Any]:
    """{"AuthorizationType", "AuthParameters"} as stored in the connection's secret."""
    answer = calls.call(
        "secretsmanager", "GetSecretValue", {"SecretId": record["SecretArn"]}, account=account, region=region
    )
    loaded: dict[str, Any] = json.loads(answer["SecretString"])
    return loaded


def delete_secret(account: str, region: str, record: dict[str, Any]) -> None:
    calls.call(
        "secretsmanager",
        "DeleteSecret",
        {"SecretId": record["SecretArn"], "ForceDeleteWithoutRecovery": True},
        account=account,
        region=region,
    )


def _secret_text(kind: str, auth: dict[str, Any]) -> str:
    return json.dumps({"AuthorizationType": kind, "AuthParameters": auth})


def shown(auth: dict[str, Any]) -> dict[str, Any]:
    """AuthParameters as Describe returns them: without passwords, keys, client secrets or
    parameter values marked IsValueSecret."""
    out: dict[str, Any] = {}
    if auth.get("ApiKeyAuthParameters"):
        out["ApiKeyAuthParameters"] = {"ApiKeyName": auth["ApiKeyAuthParameters"].get("ApiKeyName")}
    if auth.get("BasicAuthParameters"):
        out["BasicAuthParameters"] = {"Username": auth["BasicAuthParameters"].get("Username")}
    if auth.get("OAuthParameters"):
        oauth = auth["OAuthParameters"]
        shown_oauth = {
            "ClientParameters": {"ClientID": (oauth.get("ClientParameters") or {}).get("ClientID")},
            "AuthorizationEndpoint": oauth.get("AuthorizationEndpoint"),
            "HttpMethod": oauth.get("HttpMethod"),
        }
        if oauth.get("OAuthHttpParameters"):
            shown_oauth["OAuthHttpParameters"] = _shown_http(oauth["OAuthHttpParameters"])
        out["OAuthParameters"] = shown_oauth
    if auth.get("InvocationHttpParameters"):
        out["InvocationHttpParameters"] = _shown_http(auth["InvocationHttpParameters"])
    return out


def _shown_http(parameters: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for member in ("HeaderParameters", "QueryStringParameters", "BodyParameters"):
        if parameters.get(member) is not None:
            out[member] = [
                {k: v for k, v in item.items() if not (k == "Value" and item.get("IsValueSecret"))}
                for item in parameters[member]
            ]
    return out


def summary(record: dict[str, Any], *members: str) -> dict[str, Any]:
    """The members of a connection that an operation's output declares."""
    return {member: record[member] for member in ("ConnectionArn", *members, *_TIMES) if member in record}


def set_authorized(account: str, region: str, name: str, reason: str | None) -> None:
    """Record the outcome of an OAuth token request (None: success)."""
    store = collection(account, region)
    record = store.get(name)
    if record is None or record["ConnectionState"] == "DEAUTHORIZED":
        return
    if reason is None:
        record.update(ConnectionState="AUTHORIZED", LastAuthorizedTime=clock.now())
        record.pop("StateReason", None)
    else:
        record.update(ConnectionState="DEAUTHORIZED", StateReason=reason)
    store.put(name, record)
