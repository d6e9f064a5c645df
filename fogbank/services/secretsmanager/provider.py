"""AWS Secrets Manager operations.

Not supported yet: replication (AddReplicaRegions, ReplicateSecretToRegions, cross-account replicas),
rotation through a Lambda function (RotateSecret fails clearly: fogbank has no Lambda yet), named resource
policies (`PolicyName`, ListResourcePolicies), managed external secrets (`Type`). KmsKeyId is stored
and reported; values are not encrypted with it (fogbank has no KMS yet).
"""

from __future__ import annotations

from typing import Any

from fogbank import clock
from fogbank.context import RequestContext
from fogbank.services.provider import Provider
from fogbank.services.secretsmanager import listing, passwords, policies, records, rotation, versions
from fogbank.services.secretsmanager.errors import (
    MARKED_FOR_DELETION,
    InvalidParameterException,
    InvalidRequestException,
    LimitExceededException,
    ResourceExistsException,
    ResourceNotFoundException,
)
from fogbank.state import Collection

Request = dict[str, Any]
Response = dict[str, Any]
Record = dict[str, Any]

MAX_TAGS = 50
DEFAULT_RECOVERY_DAYS = 30
_DAY = 86400.0


class SecretsManagerProvider(Provider):
    service = "secretsmanager"

    def _secrets(self, ctx: RequestContext) -> Collection[Record]:
        stored = self.collection(ctx, "secrets")
        records.purge_expired(stored)
        return stored

    def _require(self, ctx: RequestContext, secret_id: str, *, deleted_ok: bool = False) -> Record:
        """A private copy of the stored secret (so a failed change leaves the state untouched)."""
        found = records.require(ctx, self._secrets(ctx), secret_id, deleted_ok=deleted_ok)
        return {
            **found,
            "Versions": {vid: {**v, "Stages": list(v["Stages"])} for vid, v in found["Versions"].items()},
        }

    def _save(self, ctx: RequestContext, record: Record, *, changed: bool = True) -> None:
        if changed:
            record["LastChangedDate"] = clock.now()
        self._secrets(ctx).put(record["Name"], record)

    # -- secrets ---------------------------------------------------------------------------------

    def create_secret(self, ctx: RequestContext, request: Request) -> Response:
        _reject_unsupported(request)
        name = request["Name"]
        records.check_name(name, managed=ctx.protocol == "internal")
        value = versions.value_of(request, required=False)
        existing = self._secrets(ctx).get(name)
        if existing is not None:
            return _repeated_create(existing, request, value)
        now = clock.now()
        record: Record = {"Name": name, "ARN": records.new_arn(ctx, name), "CreatedDate": now, "Versions": {}}
        record["Tags"] = _merge_tags([], request.get("Tags") or [])
        for field in ("Description", "KmsKeyId"):
            if request.get(field):
                record[field] = request[field]
        response: Response = {"ARN": record["ARN"], "Name": name}
        if value is not None:
            response["VersionId"], _ = versions.add(
                record, request.get("ClientRequestToken"), value, [versions.CURRENT]
            )
        self._save(ctx, record)
        return response

    def describe_secret(self, ctx: RequestContext, request: Request) -> Response:
        return records.describe(self._require(ctx, request["SecretId"], deleted_ok=True))

    def update_secret(self, ctx: RequestContext, request: Request) -> Response:
        _reject_unsupported(request)
        record = self._require(ctx, request["SecretId"])
        for field in ("Description", "KmsKeyId"):
            if field in request:
                record[field] = request[field]
        response: Response = {"ARN": record["ARN"], "Name": record["Name"]}
        value = versions.value_of(request, required=False)
        if value is not None:
            response["VersionId"], _ = versions.add(
                record, request.get("ClientRequestToken"), value, [versions.CURRENT]
            )
        self._save(ctx, record)
        return response

    def list_secrets(self, ctx: RequestContext, request: Request) -> Response:
        chosen = [
            record for record in self._secrets(ctx).values()
            if (request.get("IncludePlannedDeletion") or "DeletedDate" not in record)
            and listing.matches(record, request.get("Filters") or [])
        ]  # fmt: skip
        ordered = listing.sort(chosen, request.get("SortBy"), request.get("SortOrder"))
        page, token = listing.page(ordered, request.get("NextToken"), request.get("MaxResults") or 100)
        response: Response = {"SecretList": [records.list_entry(record) for record in page]}
        if token:
            response["NextToken"] = token
        return response

    # -- values and versions ---------------------------------------------------------------------

    def get_secret_value(self, ctx: RequestContext, request: Request) -> Response:
        record = self._require(ctx, request["SecretId"])
        version = versions.choose(record, request.get("VersionId"), request.get("VersionStage"))
        today = records.today()
        if record.get("LastAccessedDate") != today or version.get("LastAccessedDate") != today:
            record["LastAccessedDate"] = version["LastAccessedDate"] = today  # one write a day, not per read
            self._save(ctx, record, changed=False)
        return versions.secret_value(record, version)

    def put_secret_value(self, ctx: RequestContext, request: Request) -> Response:
        if request.get("RotationToken"):
            raise InvalidRequestException(
                "RotationToken is only valid inside a rotation, which fogbank does not run yet."
            )
        record = self._require(ctx, request["SecretId"])
        value = versions.value_of(request, required=True)
        assert value is not None
        stages = request.get("VersionStages") or [versions.CURRENT]
        version_id, is_new = versions.add(record, request.get("ClientRequestToken"), value, stages)
        if is_new:
            self._save(ctx, record)
        shown = record["Versions"][version_id]["Stages"]
        return {"ARN": record["ARN"], "Name": record["Name"], "VersionId": version_id, "VersionStages": shown}

    def update_secret_version_stage(self, ctx: RequestContext, request: Request) -> Response:
        record = self._require(ctx, request["SecretId"])
        versions.update_stage(
            record,
            request["VersionStage"],
            request.get("RemoveFromVersionId"),
            request.get("MoveToVersionId"),
        )
        self._save(ctx, record)
        return {"ARN": record["ARN"], "Name": record["Name"]}

    def list_secret_version_ids(self, ctx: RequestContext, request: Request) -> Response:
        record = self._require(ctx, request["SecretId"], deleted_ok=True)
        chosen = [v for v in record["Versions"].values() if v["Stages"] or request.get("IncludeDeprecated")]
        page, token = listing.page(chosen, request.get("NextToken"), request.get("MaxResults") or 100)
        response: Response = {"Versions": [versions.list_entry(v, record.get("KmsKeyId")) for v in page]}
        if token:
            response["NextToken"] = token
        response.update(ARN=record["ARN"], Name=record["Name"])
        return response

    def batch_get_secret_value(self, ctx: RequestContext, request: Request) -> Response:
        ids, filters = request.get("SecretIdList"), request.get("Filters")
        if bool(ids) == bool(filters):
            raise InvalidParameterException(
                "Either 'SecretIdList' or 'Filters' must be provided, but not both."
            )
        if ids and request.get("MaxResults"):
            raise InvalidParameterException("'MaxResults' is only valid together with 'Filters'.")
        if filters:
            listed = self.list_secrets(
                ctx,
                {
                    "Filters": filters,
                    "MaxResults": request.get("MaxResults") or 20,
                    "NextToken": request.get("NextToken"),
                },
            )
            ids = [entry["ARN"] for entry in listed["SecretList"]]
        values, errors = [], []
        for secret_id in dict.fromkeys(ids or []):
            try:
                values.append(self.get_secret_value(ctx, {"SecretId": secret_id}))
            except (ResourceNotFoundException, InvalidRequestException) as error:
                errors.append({"SecretId": secret_id, "ErrorCode": error.code, "Message": error.message})
        response: Response = {"SecretValues": values, "Errors": errors}
        if filters and listed.get("NextToken"):
            response["NextToken"] = listed["NextToken"]
        return response

    # -- deletion ---------------------------------------------------------------------------------

    def delete_secret(self, ctx: RequestContext, request: Request) -> Response:
        record = self._require(ctx, request["SecretId"], deleted_ok=True)
        force, days = request.get("ForceDeleteWithoutRecovery"), request.get("RecoveryWindowInDays")
        if force and days is not None:
            raise InvalidParameterException(
                "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
            )
        if days is not None and not 7 <= days <= 30:
            raise InvalidParameterException(
                "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
            )
        if "DeletedDate" in record and not force:
            raise InvalidRequestException(MARKED_FOR_DELETION)
        now = clock.now()
        deletion = now if force else now + (days or DEFAULT_RECOVERY_DAYS) * _DAY
        if force:
            self._secrets(ctx).delete(record["Name"])
        else:
            record.update(DeletedDate=now, DeletionDate=deletion)
            self._save(ctx, record)
        return {"ARN": record["ARN"], "Name": record["Name"], "DeletionDate": deletion}

    def restore_secret(self, ctx: RequestContext, request: Request) -> Response:
        record = self._require(ctx, request["SecretId"], deleted_ok=True)
        record.pop("DeletedDate", None)
        record.pop("DeletionDate", None)
        self._save(ctx, record)
        return {"ARN": record["ARN"], "Name": record["Name"]}

    # -- tags ------------------------------------------------------------------------------------

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        record = self._require(ctx, request["SecretId"])
        record["Tags"] = _merge_tags(record["Tags"], request["Tags"])
        self._save(ctx, record)
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        record = self._require(ctx, request["SecretId"])
        record["Tags"] = [tag for tag in record["Tags"] if tag["Key"] not in request["TagKeys"]]
        self._save(ctx, record)
        return {}

    # -- resource policies -----------------------------------------------------------------------

    def put_resource_policy(self, ctx: RequestContext, request: Request) -> Response:
        _reject_policy_name(request)
        record = self._require(ctx, request["SecretId"])
        policies.check(request["ResourcePolicy"], bool(request.get("BlockPublicPolicy")))
        record["ResourcePolicy"] = request["ResourcePolicy"]
        self._save(ctx, record)
        return {"ARN": record["ARN"], "Name": record["Name"]}

    def get_resource_policy(self, ctx: RequestContext, request: Request) -> Response:
        _reject_policy_name(request)
        record = self._require(ctx, request["SecretId"])
        response: Response = {"ARN": record["ARN"], "Name": record["Name"]}
        if record.get("ResourcePolicy"):
            response["ResourcePolicy"] = record["ResourcePolicy"]
        return response

    def delete_resource_policy(self, ctx: RequestContext, request: Request) -> Response:
        _reject_policy_name(request)
        record = self._require(ctx, request["SecretId"])
        record.pop("ResourcePolicy", None)
        self._save(ctx, record)
        return {"ARN": record["ARN"], "Name": record["Name"]}

    def validate_resource_policy(self, ctx: RequestContext, request: Request) -> Response:
        if request.get("SecretId"):
            self._require(ctx, request["SecretId"])
        found = policies.problems(policies.parse(request["ResourcePolicy"]))
        errors = [{"CheckName": "POLICY_GRAMMAR", "ErrorMessage": problem} for problem in found]
        return {"PolicyValidationPassed": not found, "ValidationErrors": errors}

    # -- rotation and passwords ------------------------------------------------------------------

    def rotate_secret(self, ctx: RequestContext, request: Request) -> Response:
        rotation.start(self._require(ctx, request["SecretId"]), request)
        return {}  # not reached: rotation.start raises until fogbank can invoke rotation functions

    def cancel_rotate_secret(self, ctx: RequestContext, request: Request) -> Response:
        record = self._require(ctx, request["SecretId"])
        pending = rotation.cancel(record)
        self._save(ctx, record)
        response: Response = {"ARN": record["ARN"], "Name": record["Name"]}
        if pending:
            response["VersionId"] = pending
        return response

    def get_random_password(self, ctx: RequestContext, request: Request) -> Response:
        return {"RandomPassword": passwords.generate(request)}


def _reject_unsupported(request: Request) -> None:
    if request.get("AddReplicaRegions") or request.get("ForceOverwriteReplicaSecret"):
        raise InvalidRequestException(
            "Secret replication (AddReplicaRegions) is not supported by fogbank yet."
        )
    if request.get("CrossAccountPrimaryARN"):
        raise InvalidRequestException("Cross-account replica secrets are not supported by fogbank yet.")
    if request.get("Type"):
        raise InvalidRequestException("Managed external secrets (Type) are not supported by fogbank yet.")


def _reject_policy_name(request: Request) -> None:
    if request.get("PolicyName"):
        raise InvalidRequestException(
            "Named resource policies (PolicyName) are not supported by fogbank yet."
        )


def _repeated_create(existing: Record, request: Request, value: Record | None) -> Response:
    """CreateSecret again with the same ClientRequestToken and value is a retry: same answer."""
    if "DeletedDate" in existing:
        raise InvalidRequestException(
            "You can't create this secret because a secret with this name is already scheduled for deletion."
        )
    token = request.get("ClientRequestToken")
    version = existing["Versions"].get(token) if token else None
    if version is None or value is None or not versions.same_value(version, value):
        raise ResourceExistsException(
            f"The operation failed because the secret {existing['Name']} already exists."
        )
    return {"ARN": existing["ARN"], "Name": existing["Name"], "VersionId": token}


def _merge_tags(current: list[Record], added: list[Record]) -> list[Record]:
    """Tags given again take the new value; a secret has at most 50 tags."""
    merged = {tag["Key"]: tag["Value"] for tag in current}
    for tag in added:
        merged[tag["Key"]] = tag["Value"]
    if len(merged) > MAX_TAGS:
        raise LimitExceededException("The number of tags on a secret can't exceed 50.")
    return [{"Key": key, "Value": value} for key, value in merged.items()]
