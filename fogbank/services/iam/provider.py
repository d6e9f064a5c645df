"""AWS IAM operations: users, groups, roles, managed and inline policies, attachments, access keys,
instance profiles, login profiles and tags. IAM is global: every store is per account.

Not supported yet (answer NotImplemented): hardware MFA devices, SSH keys, signing and server
certificates, service-specific credentials, ChangePassword, the access advisor and credential
reports, policy simulation, console sign-in session settings (MaxSigninSessionDuration),
encrypted SAML assertions. Policies are stored, not enforced.
"""

from __future__ import annotations

from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.errors import NotImplementedOperation
from fogbank.services.iam import (
    access_keys,
    account,
    attachments,
    authorization_details,
    entities,
    groups,
    identity_providers,
    inline_policies,
    instance_profiles,
    mfa_devices,
    password_policy,
    policies,
    roles,
    service_linked_roles,
    tags,
    users,
)
from fogbank.services.iam.entities import GROUP, ROLE, USER
from fogbank.services.iam.pagination import paginate
from fogbank.services.provider import Provider

Request = dict[str, Any]
Response = dict[str, Any]


def refuse(request: Request, *members: str) -> None:
    """Settings fogbank does not implement fail loudly instead of being ignored."""
    for member in members:
        if request.get(member) is not None:
            raise NotImplementedOperation(f"fogbank does not support {member} yet")


class IamProvider(Provider):
    service = "iam"

    # -- users ----------------------------------------------------------------------------------

    def create_user(self, ctx: RequestContext, request: Request) -> Response:
        return {"User": entities.view(USER, users.create(ctx, request))}

    def get_user(self, ctx: RequestContext, request: Request) -> Response:
        if request.get("UserName") is None:
            return {"User": users.caller(ctx)}
        return {"User": entities.view(USER, entities.require(ctx, USER, request["UserName"]))}

    def list_users(self, ctx: RequestContext, request: Request) -> Response:
        return entities.listing(ctx, USER, request, "Users", members=users.LIST_MEMBERS)

    def update_user(self, ctx: RequestContext, request: Request) -> Response:
        users.update(ctx, request)
        return {}

    def delete_user(self, ctx: RequestContext, request: Request) -> Response:
        users.delete(ctx, request["UserName"])
        return {}

    def tag_user(self, ctx: RequestContext, request: Request) -> Response:
        return self._tag(ctx, USER, request["UserName"], request["Tags"])

    def untag_user(self, ctx: RequestContext, request: Request) -> Response:
        return self._untag(ctx, USER, request["UserName"], request["TagKeys"])

    def list_user_tags(self, ctx: RequestContext, request: Request) -> Response:
        return tags.page(entities.require(ctx, USER, request["UserName"]), request)

    def put_user_permissions_boundary(self, ctx: RequestContext, request: Request) -> Response:
        attachments.put_boundary(ctx, USER, request["UserName"], request["PermissionsBoundary"])
        return {}

    def delete_user_permissions_boundary(self, ctx: RequestContext, request: Request) -> Response:
        attachments.delete_boundary(ctx, USER, request["UserName"])
        return {}

    # -- login profiles -------------------------------------------------------------------------

    def create_login_profile(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "MaxSigninSessionDuration")
        named = {**request, "UserName": self._user_name(ctx, request)}
        return {"LoginProfile": users.create_login_profile(ctx, named)}

    def get_login_profile(self, ctx: RequestContext, request: Request) -> Response:
        return {"LoginProfile": users.login_profile(ctx, self._user_name(ctx, request))}

    def update_login_profile(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "MaxSigninSessionDuration")
        users.update_login_profile(ctx, request)
        return {}

    def delete_login_profile(self, ctx: RequestContext, request: Request) -> Response:
        users.delete_login_profile(ctx, self._user_name(ctx, request))
        return {}

    # -- groups ---------------------------------------------------------------------------------

    def create_group(self, ctx: RequestContext, request: Request) -> Response:
        record = entities.create(ctx, GROUP, request["GroupName"], request.get("Path"))
        return {"Group": entities.view(GROUP, record)}

    def get_group(self, ctx: RequestContext, request: Request) -> Response:
        return groups.get(ctx, request)

    def list_groups(self, ctx: RequestContext, request: Request) -> Response:
        return entities.listing(ctx, GROUP, request, "Groups")

    def update_group(self, ctx: RequestContext, request: Request) -> Response:
        groups.update(ctx, request)
        return {}

    def delete_group(self, ctx: RequestContext, request: Request) -> Response:
        groups.delete(ctx, request["GroupName"])
        return {}

    def add_user_to_group(self, ctx: RequestContext, request: Request) -> Response:
        users.add_to_group(ctx, request["GroupName"], request["UserName"])
        return {}

    def remove_user_from_group(self, ctx: RequestContext, request: Request) -> Response:
        users.remove_from_group(ctx, request["GroupName"], request["UserName"])
        return {}

    def list_groups_for_user(self, ctx: RequestContext, request: Request) -> Response:
        return groups.for_user(ctx, request)

    # -- roles ----------------------------------------------------------------------------------

    def create_role(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "MaxSigninSessionDuration")
        return {"Role": roles.view(roles.create(ctx, request), roles.CREATE_MEMBERS)}

    def get_role(self, ctx: RequestContext, request: Request) -> Response:
        return {"Role": roles.view(entities.require(ctx, ROLE, request["RoleName"]))}

    def list_roles(self, ctx: RequestContext, request: Request) -> Response:
        return entities.listing(
            ctx, ROLE, request, "Roles", render=lambda record: roles.view(record, roles.LIST_MEMBERS)
        )

    def update_role(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "MaxSigninSessionDuration", "ResetMaxSigninSessionDuration")
        roles.update(ctx, request)
        return {}

    def update_role_description(self, ctx: RequestContext, request: Request) -> Response:
        return {"Role": roles.view(roles.update(ctx, request))}

    def update_assume_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        roles.update_trust_policy(ctx, request["RoleName"], request["PolicyDocument"])
        return {}

    def delete_role(self, ctx: RequestContext, request: Request) -> Response:
        roles.delete(ctx, request["RoleName"])
        return {}

    def tag_role(self, ctx: RequestContext, request: Request) -> Response:
        return self._tag(ctx, ROLE, request["RoleName"], request["Tags"])

    def untag_role(self, ctx: RequestContext, request: Request) -> Response:
        return self._untag(ctx, ROLE, request["RoleName"], request["TagKeys"])

    def list_role_tags(self, ctx: RequestContext, request: Request) -> Response:
        return tags.page(entities.require(ctx, ROLE, request["RoleName"]), request)

    def put_role_permissions_boundary(self, ctx: RequestContext, request: Request) -> Response:
        attachments.put_boundary(ctx, ROLE, request["RoleName"], request["PermissionsBoundary"])
        return {}

    def delete_role_permissions_boundary(self, ctx: RequestContext, request: Request) -> Response:
        attachments.delete_boundary(ctx, ROLE, request["RoleName"])
        return {}

    # -- managed policies -----------------------------------------------------------------------

    def create_policy(self, ctx: RequestContext, request: Request) -> Response:
        record = policies.create(ctx, request)
        return {"Policy": policies.view(record, policies.usage(ctx), policies.GET_MEMBERS)}

    def get_policy(self, ctx: RequestContext, request: Request) -> Response:
        record = policies.require(ctx, request["PolicyArn"])
        return {"Policy": policies.view(record, policies.usage(ctx), policies.GET_MEMBERS)}

    def list_policies(self, ctx: RequestContext, request: Request) -> Response:
        return policies.listing(ctx, request)

    def delete_policy(self, ctx: RequestContext, request: Request) -> Response:
        policies.delete(ctx, request["PolicyArn"])
        return {}

    def create_policy_version(self, ctx: RequestContext, request: Request) -> Response:
        arn = request["PolicyArn"]
        version_id = policies.create_version(
            ctx, arn, request["PolicyDocument"], bool(request.get("SetAsDefault"))
        )
        record = policies.require(ctx, arn)
        return {"PolicyVersion": policies.version_view(record, version_id, with_document=False)}

    def get_policy_version(self, ctx: RequestContext, request: Request) -> Response:
        record = policies.require(ctx, request["PolicyArn"])
        policies.require_version(record, request["VersionId"])
        return {"PolicyVersion": policies.version_view(record, request["VersionId"], with_document=True)}

    def list_policy_versions(self, ctx: RequestContext, request: Request) -> Response:
        record = policies.require(ctx, request["PolicyArn"])
        versions = [
            policies.version_view(record, version, with_document=False) for version in record["Versions"]
        ]
        # Newest first, as IAM lists them.
        return paginate(
            versions, request, lambda item: f"{10**9 - int(item['VersionId'][1:]):010d}", "Versions"
        )

    def delete_policy_version(self, ctx: RequestContext, request: Request) -> Response:
        policies.delete_version(ctx, request["PolicyArn"], request["VersionId"])
        return {}

    def set_default_policy_version(self, ctx: RequestContext, request: Request) -> Response:
        policies.set_default_version(ctx, request["PolicyArn"], request["VersionId"])
        return {}

    def tag_policy(self, ctx: RequestContext, request: Request) -> Response:
        record = policies.require_customer(ctx, request["PolicyArn"])
        tags.tag(record, request["Tags"])
        policies.store(ctx).put(record["PolicyName"].lower(), record)
        return {}

    def untag_policy(self, ctx: RequestContext, request: Request) -> Response:
        record = policies.require_customer(ctx, request["PolicyArn"])
        tags.untag(record, request["TagKeys"])
        policies.store(ctx).put(record["PolicyName"].lower(), record)
        return {}

    def list_policy_tags(self, ctx: RequestContext, request: Request) -> Response:
        return tags.page(policies.require(ctx, request["PolicyArn"]), request)

    def list_entities_for_policy(self, ctx: RequestContext, request: Request) -> Response:
        return attachments.entities_for_policy(ctx, request)

    # -- attachments ----------------------------------------------------------------------------

    def attach_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        attachments.attach(ctx, USER, request["UserName"], request["PolicyArn"])
        return {}

    def attach_group_policy(self, ctx: RequestContext, request: Request) -> Response:
        attachments.attach(ctx, GROUP, request["GroupName"], request["PolicyArn"])
        return {}

    def attach_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        attachments.attach(ctx, ROLE, request["RoleName"], request["PolicyArn"])
        return {}

    def detach_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        attachments.detach(ctx, USER, request["UserName"], request["PolicyArn"])
        return {}

    def detach_group_policy(self, ctx: RequestContext, request: Request) -> Response:
        attachments.detach(ctx, GROUP, request["GroupName"], request["PolicyArn"])
        return {}

    def detach_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        attachments.detach(ctx, ROLE, request["RoleName"], request["PolicyArn"])
        return {}

    def list_attached_user_policies(self, ctx: RequestContext, request: Request) -> Response:
        return attachments.list_attached(ctx, USER, request)

    def list_attached_group_policies(self, ctx: RequestContext, request: Request) -> Response:
        return attachments.list_attached(ctx, GROUP, request)

    def list_attached_role_policies(self, ctx: RequestContext, request: Request) -> Response:
        return attachments.list_attached(ctx, ROLE, request)

    # -- inline policies ------------------------------------------------------------------------

    def put_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        inline_policies.put(ctx, USER, request["UserName"], request["PolicyName"], request["PolicyDocument"])
        return {}

    def put_group_policy(self, ctx: RequestContext, request: Request) -> Response:
        inline_policies.put(
            ctx, GROUP, request["GroupName"], request["PolicyName"], request["PolicyDocument"]
        )
        return {}

    def put_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        inline_policies.put(ctx, ROLE, request["RoleName"], request["PolicyName"], request["PolicyDocument"])
        return {}

    def get_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        return inline_policies.get(ctx, USER, request["UserName"], request["PolicyName"])

    def get_group_policy(self, ctx: RequestContext, request: Request) -> Response:
        return inline_policies.get(ctx, GROUP, request["GroupName"], request["PolicyName"])

    def get_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        return inline_policies.get(ctx, ROLE, request["RoleName"], request["PolicyName"])

    def delete_user_policy(self, ctx: RequestContext, request: Request) -> Response:
        inline_policies.delete(ctx, USER, request["UserName"], request["PolicyName"])
        return {}

    def delete_group_policy(self, ctx: RequestContext, request: Request) -> Response:
        inline_policies.delete(ctx, GROUP, request["GroupName"], request["PolicyName"])
        return {}

    def delete_role_policy(self, ctx: RequestContext, request: Request) -> Response:
        inline_policies.delete(ctx, ROLE, request["RoleName"], request["PolicyName"])
        return {}

    def list_user_policies(self, ctx: RequestContext, request: Request) -> Response:
        return inline_policies.names(ctx, USER, request)

    def list_group_policies(self, ctx: RequestContext, request: Request) -> Response:
        return inline_policies.names(ctx, GROUP, request)

    def list_role_policies(self, ctx: RequestContext, request: Request) -> Response:
        return inline_policies.names(ctx, ROLE, request)

    # -- access keys ----------------------------------------------------------------------------

    def create_access_key(self, ctx: RequestContext, request: Request) -> Response:
        return {"AccessKey": access_keys.create(ctx, request.get("UserName"))}

    def list_access_keys(self, ctx: RequestContext, request: Request) -> Response:
        return access_keys.listing(ctx, request)

    def update_access_key(self, ctx: RequestContext, request: Request) -> Response:
        access_keys.update_status(ctx, request.get("UserName"), request["AccessKeyId"], request["Status"])
        return {}

    def delete_access_key(self, ctx: RequestContext, request: Request) -> Response:
        access_keys.delete(ctx, request.get("UserName"), request["AccessKeyId"])
        return {}

    def get_access_key_last_used(self, ctx: RequestContext, request: Request) -> Response:
        return access_keys.last_used(ctx, request["AccessKeyId"])

    # -- instance profiles ----------------------------------------------------------------------

    def create_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        return {"InstanceProfile": instance_profiles.create(ctx, request)}

    def get_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        record = instance_profiles.require(ctx, request["InstanceProfileName"])
        return {"InstanceProfile": instance_profiles.view(ctx, record)}

    def delete_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        instance_profiles.delete(ctx, request["InstanceProfileName"])
        return {}

    def add_role_to_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        instance_profiles.add_role(ctx, request["InstanceProfileName"], request["RoleName"])
        return {}

    def remove_role_from_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        instance_profiles.remove_role(ctx, request["InstanceProfileName"], request["RoleName"])
        return {}

    def list_instance_profiles(self, ctx: RequestContext, request: Request) -> Response:
        return instance_profiles.listing(ctx, request)

    def list_instance_profiles_for_role(self, ctx: RequestContext, request: Request) -> Response:
        role = entities.require(ctx, ROLE, request["RoleName"])
        return instance_profiles.listing(ctx, request, instance_profiles.profiles_of(ctx, role))

    def tag_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        record = instance_profiles.require(ctx, request["InstanceProfileName"])
        tags.tag(record, request["Tags"])
        instance_profiles.save(ctx, record)
        return {}

    def untag_instance_profile(self, ctx: RequestContext, request: Request) -> Response:
        record = instance_profiles.require(ctx, request["InstanceProfileName"])
        tags.untag(record, request["TagKeys"])
        instance_profiles.save(ctx, record)
        return {}

    def list_instance_profile_tags(self, ctx: RequestContext, request: Request) -> Response:
        return tags.page(instance_profiles.require(ctx, request["InstanceProfileName"]), request)

    # -- MFA devices ----------------------------------------------------------------------------

    def create_virtual_mfa_device(self, ctx: RequestContext, request: Request) -> Response:
        return {"VirtualMFADevice": mfa_devices.create_virtual(ctx, request)}

    def enable_mfa_device(self, ctx: RequestContext, request: Request) -> Response:
        mfa_devices.enable(ctx, request)
        return {}

    def resync_mfa_device(self, ctx: RequestContext, request: Request) -> Response:
        mfa_devices.resync(ctx, request)
        return {}

    def deactivate_mfa_device(self, ctx: RequestContext, request: Request) -> Response:
        user = access_keys.owner(ctx, request.get("UserName"))
        if user is None:
            raise NotImplementedOperation("fogbank does not support MFA devices of the root user yet")
        mfa_devices.deactivate(ctx, user["UserName"], request["SerialNumber"])
        return {}

    def delete_virtual_mfa_device(self, ctx: RequestContext, request: Request) -> Response:
        mfa_devices.delete_virtual(ctx, request["SerialNumber"])
        return {}

    def list_mfa_devices(self, ctx: RequestContext, request: Request) -> Response:
        user = access_keys.owner(ctx, request.get("UserName"))
        if user is None:
            return {"MFADevices": [], "IsTruncated": False}
        return mfa_devices.listing(ctx, user, request)

    def list_virtual_mfa_devices(self, ctx: RequestContext, request: Request) -> Response:
        return mfa_devices.virtual_listing(ctx, request)

    # -- service-linked roles -------------------------------------------------------------------

    def create_service_linked_role(self, ctx: RequestContext, request: Request) -> Response:
        return {"Role": roles.view(service_linked_roles.create(ctx, request), roles.CREATE_MEMBERS)}

    def delete_service_linked_role(self, ctx: RequestContext, request: Request) -> Response:
        return {"DeletionTaskId": service_linked_roles.delete(ctx, request["RoleName"])}

    def get_service_linked_role_deletion_status(self, ctx: RequestContext, request: Request) -> Response:
        return service_linked_roles.deletion_status(ctx, request["DeletionTaskId"])

    # -- identity providers ---------------------------------------------------------------------

    def create_open_id_connect_provider(self, ctx: RequestContext, request: Request) -> Response:
        refuse(request, "ContextProvider", "IdentityCenterInstanceArn")
        record = identity_providers.create_oidc(ctx, request)
        return {"OpenIDConnectProviderArn": record["Arn"], "Tags": record["Tags"]}

    def get_open_id_connect_provider(self, ctx: RequestContext, request: Request) -> Response:
        arn = request["OpenIDConnectProviderArn"]
        return identity_providers.oidc_view(identity_providers.require_oidc(ctx, arn))

    def list_open_id_connect_providers(self, ctx: RequestContext, request: Request) -> Response:
        arns = sorted(identity_providers.oidc_store(ctx))
        return {"OpenIDConnectProviderList": [{"Arn": arn} for arn in arns]}

    def delete_open_id_connect_provider(self, ctx: RequestContext, request: Request) -> Response:
        arn = request["OpenIDConnectProviderArn"]
        identity_providers.require_oidc(ctx, arn)
        identity_providers.oidc_store(ctx).delete(arn)
        return {}

    def add_client_id_to_open_id_connect_provider(self, ctx: RequestContext, request: Request) -> Response:
        identity_providers.change_oidc(
            ctx, request["OpenIDConnectProviderArn"], add_client=request["ClientID"]
        )
        return {}

    def remove_client_id_from_open_id_connect_provider(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        identity_providers.change_oidc(
            ctx, request["OpenIDConnectProviderArn"], remove_client=request["ClientID"]
        )
        return {}

    def update_open_id_connect_provider_thumbprint(self, ctx: RequestContext, request: Request) -> Response:
        arn = request["OpenIDConnectProviderArn"]
        identity_providers.change_oidc(ctx, arn, thumbprints=request["ThumbprintList"])
        return {}

    def tag_open_id_connect_provider(self, ctx: RequestContext, request: Request) -> Response:
        record = identity_providers.require_oidc(ctx, request["OpenIDConnectProviderArn"])
        tags.tag(record, request["Tags"])
        identity_providers.oidc_store(ctx).put(record["Arn"], record)
        return {}

    def untag_open_id_connect_provider(self, ctx: RequestContext, request: Request) -> Response:
        record = identity_providers.require_oidc(ctx, request["OpenIDConnectProviderArn"])
        tags.untag(record, request["TagKeys"])
        identity_providers.oidc_store(ctx).put(record["Arn"], record)
        return {}

    def list_open_id_connect_provider_tags(self, ctx: RequestContext, request: Request) -> Response:
        return tags.page(identity_providers.require_oidc(ctx, request["OpenIDConnectProviderArn"]), request)

    def create_saml_provider(self, ctx: RequestContext, request: Request) -> Response:
        refuse(
            request,
            "AssertionEncryptionMode",
            "AddPrivateKey",
            "ContextProvider",
            "IdentityCenterInstanceArn",
        )
        record = identity_providers.create_saml(ctx, request)
        return {"SAMLProviderArn": record["Arn"], "Tags": record["Tags"]}

    def get_saml_provider(self, ctx: RequestContext, request: Request) -> Response:
        return identity_providers.saml_view(identity_providers.require_saml(ctx, request["SAMLProviderArn"]))

    def update_saml_provider(self, ctx: RequestContext, request: Request) -> Response:
        refuse(
            request,
            "AssertionEncryptionMode",
            "AddPrivateKey",
            "RemovePrivateKey",
            "ContextProvider",
            "IdentityCenterInstanceArn",
            "RemoveContextProvider",
            "RemoveIdentityCenterInstance",
        )
        identity_providers.update_saml(ctx, request["SAMLProviderArn"], request.get("SAMLMetadataDocument"))
        return {"SAMLProviderArn": request["SAMLProviderArn"]}

    def list_saml_providers(self, ctx: RequestContext, request: Request) -> Response:
        records = sorted(identity_providers.saml_store(ctx).values(), key=lambda record: record["Arn"])
        return {
            "SAMLProviderList": [
                {"Arn": record["Arn"], "ValidUntil": record["ValidUntil"], "CreateDate": record["CreateDate"]}
                for record in records
            ]
        }

    def delete_saml_provider(self, ctx: RequestContext, request: Request) -> Response:
        identity_providers.require_saml(ctx, request["SAMLProviderArn"])
        identity_providers.saml_store(ctx).delete(request["SAMLProviderArn"])
        return {}

    # -- account --------------------------------------------------------------------------------

    def create_account_alias(self, ctx: RequestContext, request: Request) -> Response:
        account.create_alias(ctx, request["AccountAlias"])
        return {}

    def delete_account_alias(self, ctx: RequestContext, request: Request) -> Response:
        account.delete_alias(ctx, request["AccountAlias"])
        return {}

    def list_account_aliases(self, ctx: RequestContext, request: Request) -> Response:
        return account.aliases(ctx, request)

    def get_account_summary(self, ctx: RequestContext, request: Request) -> Response:
        return {"SummaryMap": account.summary(ctx)}

    def update_account_password_policy(self, ctx: RequestContext, request: Request) -> Response:
        password_policy.update(ctx, request)
        return {}

    def get_account_password_policy(self, ctx: RequestContext, request: Request) -> Response:
        return {"PasswordPolicy": password_policy.get(ctx)}

    def delete_account_password_policy(self, ctx: RequestContext, request: Request) -> Response:
        password_policy.delete(ctx)
        return {}

    def get_account_authorization_details(self, ctx: RequestContext, request: Request) -> Response:
        return authorization_details.details(ctx, request)

    # -- shared ---------------------------------------------------------------------------------

    @staticmethod
    def _user_name(ctx: RequestContext, request: Request) -> str:
        """UserName, or the calling user's when omitted (login profiles of the root user are not
        supported)."""
        user = access_keys.owner(ctx, request.get("UserName"))
        if user is None:
            raise NotImplementedOperation("fogbank does not support login profiles of the root user")
        return str(user["UserName"])

    def _tag(
        self, ctx: RequestContext, kind: entities.EntityKind, name: str, new: list[dict[str, str]]
    ) -> Response:
        with state.atomic():
            record = entities.require(ctx, kind, name)
            tags.tag(record, new)
            entities.save(ctx, kind, record)
        return {}

    def _untag(self, ctx: RequestContext, kind: entities.EntityKind, name: str, keys: list[str]) -> Response:
        record = entities.require(ctx, kind, name)
        tags.untag(record, keys)
        entities.save(ctx, kind, record)
        return {}
