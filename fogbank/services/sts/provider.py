"""AWS STS operations: who is calling, and temporary credentials for roles, users and federated
users that map back to the account and principal they were issued for.

Not supported yet (answer NotImplemented): ProvidedContexts,
MinimumSessionTokenSize, AssumeRoot, DecodeAuthorizationMessage, GetDelegatedAccessToken,
GetScopedCredentials, GetWebIdentityToken. Web identity tokens must come from an IAM OpenID Connect
provider of the role's account (issuer and audience are checked) and SAML assertions name an IAM
SAML provider, but neither is cryptographically verified (no key fetching, no XML signatures).
"""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.errors import NotImplementedOperation
from fogbank.iam import identity
from fogbank.services.provider import Provider
from fogbank.services.sts import credentials, federation, role_sessions
from fogbank.services.sts.errors import AccessDenied, StsValidationError

Request = dict[str, Any]
Response = dict[str, Any]

SESSION_TOKEN_DEFAULT = 43200
ROOT_SESSION_MAX = 3600


def refuse(request: Request, *members: str) -> None:
    """Settings fogbank does not implement fail loudly instead of being ignored."""
    for member in members:
        if request.get(member) is not None:
            raise NotImplementedOperation(f"fogbank does not support {member} yet")


def _with_packed_size(response: Response, size: int | None) -> Response:
    if size is not None:
        response["PackedPolicySize"] = size
    return response


def _session_details(request: Request) -> dict[str, Any]:
    return {
        "policy": request.get("Policy"),
        "policy_arns": [item["arn"] for item in request.get("PolicyArns") or [] if item.get("arn")],
    }


class StsProvider(Provider):
    service = "sts"

    def get_caller_identity(self, ctx: RequestContext, request: Request) -> Response:
        principal = identity.resolve(ctx.access_key)
        return {"UserId": principal.user_id, "Account": principal.account, "Arn": principal.arn}

    def get_access_key_info(self, ctx: RequestContext, request: Request) -> Response:
        return {"Account": identity.resolve(request["AccessKeyId"]).account}

    def assume_role(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "ProvidedContexts", "MinimumSessionTokenSize")
        caller = identity.resolve(ctx.access_key)
        credentials.check_name(request["RoleSessionName"], "roleSessionName")
        credentials.check_session_policy(request.get("Policy"))
        packed_size = credentials.packed_policy_size(request)
        tags, transitive = credentials.session_tags(caller, request)
        role = role_sessions.find_role(request["RoleArn"], caller.arn, "AssumeRole", ctx.region)
        role_sessions.check_external_id(role, request.get("ExternalId"), caller.arn)
        with_mfa = credentials.mfa_authenticated(
            caller, request.get("SerialNumber"), request.get("TokenCode")
        )
        duration = role_sessions.session_duration(
            request.get("DurationSeconds"), role, chained=credentials.is_role_session(caller)
        )
        response = role_sessions.start_session(
            role,
            request["RoleSessionName"],
            duration,
            ctx.region,
            **_session_details(request),
            tags=tags,
            transitive_tag_keys=transitive,
            external_id=request.get("ExternalId"),
            source_identity=request.get("SourceIdentity"),
            source_arn=caller.arn,
            mfa_authenticated=with_mfa,
        )
        if request.get("SourceIdentity"):
            response["SourceIdentity"] = request["SourceIdentity"]
        return _with_packed_size(response, packed_size)

    def assume_role_with_web_identity(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "MinimumSessionTokenSize")
        credentials.check_name(request["RoleSessionName"], "roleSessionName")
        credentials.check_session_policy(request.get("Policy"))
        packed_size = credentials.packed_policy_size(request)
        claims = role_sessions.token_claims(request["WebIdentityToken"])
        role = role_sessions.find_role(request["RoleArn"], None, "AssumeRoleWithWebIdentity", ctx.region)
        issuer = str(claims.get("iss") or request.get("ProviderId") or "")
        audience = claims.get("aud")
        federation.check_oidc(issuer, audience, role.account, ctx.region)
        duration = role_sessions.session_duration(request.get("DurationSeconds"), role, chained=False)
        response = role_sessions.start_session(
            role,
            request["RoleSessionName"],
            duration,
            ctx.region,
            **_session_details(request),
            web_identity={"sub": claims.get("sub"), "iss": issuer, "aud": audience},
        )
        response["SubjectFromWebIdentityToken"] = str(claims.get("sub") or "")
        response["Provider"] = issuer.removeprefix("https://")
        if audience:
            response["Audience"] = audience[0] if isinstance(audience, list) else str(audience)
        return _with_packed_size(response, packed_size)

    def assume_role_with_saml(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "MinimumSessionTokenSize")
        credentials.check_session_policy(request.get("Policy"))
        packed_size = credentials.packed_policy_size(request)
        assertion = role_sessions.read_saml(request["SAMLAssertion"])
        credentials.check_name(assertion.session_name, "roleSessionName")
        role = role_sessions.find_role(request["RoleArn"], None, "AssumeRoleWithSAML", ctx.region)
        federation.check_saml(request["PrincipalArn"], role.account, ctx.region)
        duration = role_sessions.session_duration(
            request.get("DurationSeconds") or assertion.duration, role, chained=False
        )
        response = role_sessions.start_session(
            role,
            assertion.session_name,
            duration,
            ctx.region,
            **_session_details(request),
            saml={
                "issuer": assertion.issuer,
                "subject": assertion.subject,
                "provider": request["PrincipalArn"],
            },
        )
        response.update(
            {
                "Subject": assertion.subject,
                "SubjectType": assertion.subject_type,
                "Issuer": assertion.issuer,
                "Audience": assertion.audience,
                "NameQualifier": role_sessions.name_qualifier(
                    assertion.issuer, role.account, request["PrincipalArn"]
                ),
            }
        )
        return _with_packed_size(response, packed_size)

    def get_session_token(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "MinimumSessionTokenSize")
        caller = identity.resolve(ctx.access_key)
        if credentials.caller_is_session(caller):
            raise AccessDenied("Cannot call GetSessionToken with session credentials")
        with_mfa = credentials.mfa_authenticated(
            caller, request.get("SerialNumber"), request.get("TokenCode")
        )
        duration = self._user_session_duration(caller, request.get("DurationSeconds"))
        issued = credentials.issue(
            caller.account,
            caller.arn,
            caller.user_id,
            duration,
            source_arn=caller.arn,
            mfa_authenticated=with_mfa,
        )
        return {"Credentials": issued}

    def get_federation_token(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "MinimumSessionTokenSize")
        caller = identity.resolve(ctx.access_key)
        if credentials.caller_is_session(caller):
            raise AccessDenied("Cannot call GetFederationToken with session credentials")
        name = request["Name"]
        credentials.check_name(name, "name")
        credentials.check_session_policy(request.get("Policy"))
        packed_size = credentials.packed_policy_size(request)
        duration = self._user_session_duration(caller, request.get("DurationSeconds"))
        arn = f"arn:aws:sts::{caller.account}:federated-user/{name}"
        user_id = f"{caller.account}:{name}"
        issued = credentials.issue(
            caller.account,
            arn,
            user_id,
            duration,
            **_session_details(request),
            tags=request.get("Tags") or [],
            source_arn=caller.arn,
        )
        response = {"Credentials": issued, "FederatedUser": {"FederatedUserId": user_id, "Arn": arn}}
        return _with_packed_size(response, packed_size)

    @staticmethod
    def _user_session_duration(caller: identity.Principal, requested: int | None) -> int:
        """12 hours by default; sessions of the account root last at most one hour
        (STS API reference, GetSessionToken and GetFederationToken)."""
        is_root = caller.arn.endswith(":root")
        duration = requested or (ROOT_SESSION_MAX if is_root else SESSION_TOKEN_DEFAULT)
        if is_root and duration > ROOT_SESSION_MAX:
            raise StsValidationError(
                "The requested DurationSeconds exceeds the 1 hour session limit for the account root user."
            )
        return duration
