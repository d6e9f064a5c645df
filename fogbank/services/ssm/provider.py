"""AWS Systems Manager Parameter Store operations.

Not supported yet: the notification parameter policies (rejected clearly), sharing (`Shared` lists nothing: fogbank has
no RAM), checking that an `aws:ec2:image` AMI exists (no EC2 yet), AWS's public parameters
(`/aws/service/...` are never found), tags on SSM resources other than parameters.
"""

from __future__ import annotations

from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.services.provider import Provider
from fogbank.services.ssm import filters, labels, names, pagination, parameters, tags
from fogbank.services.ssm.errors import (
    InvalidResourceId,
    ParameterNotFound,
    ParameterVersionNotFound,
    ValidationException,
)
from fogbank.state import Collection

Request = dict[str, Any]
Response = dict[str, Any]


class SsmProvider(Provider):
    service = "ssm"

    def _parameters(self, ctx: RequestContext) -> Collection[dict[str, Any]]:
        stored = self.collection(ctx, "parameters")
        parameters.purge_expired(stored)
        return stored

    def _find(self, ctx: RequestContext, selector: names.Selector) -> dict[str, Any] | None:
        if names.is_public(selector.name):
            return None
        stored = self._parameters(ctx)
        found = stored.get(selector.name)
        if found is None and selector.from_arn:
            found = stored.get(selector.name.lstrip("/"))
        return found

    # -- writing ---------------------------------------------------------------------------------

    def put_parameter(self, ctx: RequestContext, request: Request) -> Response:
        stored = self._parameters(ctx)
        with state.atomic():
            record = parameters.put(ctx, stored.get(request["Name"]), request)
            stored.put(request["Name"], record)
        version = parameters.latest(record)
        return {"Version": version["Version"], "Tier": version["Tier"]}

    def delete_parameter(self, ctx: RequestContext, request: Request) -> Response:
        stored = self._parameters(ctx)
        if request["Name"] not in stored or names.is_public(request["Name"]):
            raise ParameterNotFound(f"Parameter {request['Name']} not found.")
        stored.delete(request["Name"])
        return {}

    def delete_parameters(self, ctx: RequestContext, request: Request) -> Response:
        stored = self._parameters(ctx)
        deleted, invalid = [], []
        with state.atomic():
            for name in dict.fromkeys(request["Names"]):
                if name in stored and not names.is_public(name):
                    stored.delete(name)
                    deleted.append(name)
                else:
                    invalid.append(name)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}

    # -- reading ---------------------------------------------------------------------------------

    def get_parameter(self, ctx: RequestContext, request: Request) -> Response:
        selector = names.parse_selector(ctx, request["Name"])
        record = self._find(ctx, selector)
        version = parameters.select(record, selector, missing="")
        assert record is not None
        shown = parameters.view(
            ctx, record["Name"], version, bool(request.get("WithDecryption")), selector.suffix
        )
        return {"Parameter": shown}

    def get_parameters(self, ctx: RequestContext, request: Request) -> Response:
        found, invalid = [], []
        decrypt = bool(request.get("WithDecryption"))
        for requested in dict.fromkeys(request["Names"]):
            try:
                selector = names.parse_selector(ctx, requested)
                record = self._find(ctx, selector)
                version = parameters.select(record, selector)
            except (ParameterNotFound, ValidationException, ParameterVersionNotFound):
                invalid.append(requested)
                continue
            assert record is not None
            found.append(parameters.view(ctx, record["Name"], version, decrypt, selector.suffix))
        return {"Parameters": found, "InvalidParameters": invalid}

    def get_parameters_by_path(self, ctx: RequestContext, request: Request) -> Response:
        path = names.check_path(request["Path"])
        chosen = request.get("ParameterFilters") or []
        filters.check(chosen, by_path=True)
        recursive = bool(request.get("Recursive"))
        matching = []
        stored = self._parameters(ctx)
        for name in sorted(stored):
            record = stored[name]
            if not names.in_path(name, path, recursive):
                continue
            version = _version_for_filters(record, chosen)
            if version is not None and filters.matches(record, version, chosen):
                matching.append((name, version))
        page, token = pagination.page(matching, request, default_size=10)
        decrypt = bool(request.get("WithDecryption"))
        response: Response = {"Parameters": [parameters.view(ctx, n, v, decrypt) for n, v in page]}
        if token:
            response["NextToken"] = token
        return response

    def describe_parameters(self, ctx: RequestContext, request: Request) -> Response:
        legacy, chosen = request.get("Filters") or [], request.get("ParameterFilters") or []
        if legacy and chosen:
            raise ValidationException("You can use either Filters or ParameterFilters in a single request.")
        filters.check_legacy(legacy)
        filters.check(chosen, by_path=False)
        matching = []
        if not request.get("Shared"):
            stored = self._parameters(ctx)
            for name in sorted(stored):
                record = stored[name]
                version = parameters.latest(record)
                if filters.matches_legacy(version, name, legacy) and filters.matches(record, version, chosen):
                    matching.append(record)
        page, token = pagination.page(matching, request, default_size=10)
        response: Response = {"Parameters": [parameters.describe(ctx, record) for record in page]}
        if token:
            response["NextToken"] = token
        return response

    def get_parameter_history(self, ctx: RequestContext, request: Request) -> Response:
        selector = names.parse_selector(ctx, request["Name"])
        record = self._find(ctx, selector)
        if record is None:
            raise ParameterNotFound(f"Parameter {request['Name']} not found.")
        decrypt = bool(request.get("WithDecryption"))
        page, token = pagination.page(record["Versions"], request, default_size=50)
        response: Response = {
            "Parameters": [parameters.history_entry(record["Name"], v, decrypt) for v in page]
        }
        if token:
            response["NextToken"] = token
        return response

    # -- labels ----------------------------------------------------------------------------------

    def label_parameter_version(self, ctx: RequestContext, request: Request) -> Response:
        record = self._record_for_labels(ctx, request["Name"])
        target = labels.find_version(record["Name"], record["Versions"], request.get("ParameterVersion"))
        invalid = labels.attach(record["Versions"], target, request["Labels"])
        self._parameters(ctx).put(record["Name"], record)
        return {"InvalidLabels": invalid, "ParameterVersion": target["Version"]}

    def unlabel_parameter_version(self, ctx: RequestContext, request: Request) -> Response:
        record = self._record_for_labels(ctx, request["Name"])
        target = labels.find_version(record["Name"], record["Versions"], request["ParameterVersion"])
        removed, invalid = labels.detach(target, request["Labels"])
        self._parameters(ctx).put(record["Name"], record)
        return {"RemovedLabels": removed, "InvalidLabels": invalid}

    def _record_for_labels(self, ctx: RequestContext, requested: str) -> dict[str, Any]:
        """A private copy of the stored record (so a failed label change leaves the state untouched)."""
        record = self._find(ctx, names.parse_selector(ctx, requested))
        if record is None:
            raise ParameterNotFound(f"Parameter {requested} not found.")
        return {**record, "Versions": [{**version} for version in record["Versions"]]}

    # -- tags ------------------------------------------------------------------------------------

    def add_tags_to_resource(self, ctx: RequestContext, request: Request) -> Response:
        record = self._tagged(ctx, request)
        record = {**record, "Tags": tags.check_tags(request["Tags"], record["Tags"])}
        self._parameters(ctx).put(record["Name"], record)
        return {}

    def remove_tags_from_resource(self, ctx: RequestContext, request: Request) -> Response:
        record = self._tagged(ctx, request)
        kept = {key: value for key, value in record["Tags"].items() if key not in request["TagKeys"]}
        self._parameters(ctx).put(record["Name"], {**record, "Tags": kept})
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: Request) -> Response:
        return {"TagList": tags.tag_list(self._tagged(ctx, request)["Tags"])}

    def _tagged(self, ctx: RequestContext, request: Request) -> dict[str, Any]:
        tags.check_resource_type(request["ResourceType"])
        record = self._find(ctx, names.Selector(request["ResourceId"]))
        if record is None:
            raise InvalidResourceId("")
        return record


def _version_for_filters(record: dict[str, Any], chosen: list[dict[str, Any]]) -> dict[str, Any] | None:
    """With a Label filter, GetParametersByPath answers the labelled version; otherwise the latest."""
    wanted = next((item.get("Values") or [] for item in chosen if item["Key"] == "Label"), None)
    if wanted is None:
        return parameters.latest(record)
    for version in reversed(record["Versions"]):
        if any(label in version["Labels"] for label in wanted):
            return version  # type: ignore[no-any-return]
    return None
