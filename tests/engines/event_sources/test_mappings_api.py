"""The event source mapping operations: Create/Get/List/Update/Delete, the state transitions
AWS reports, list filters and pagination, and the errors AWS answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_errors import error_of
from event_source_support import Witness

SUCCEED = "def decide(event):\n    return None\n"


def make_queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def test_create_event_source_mapping_sqs_answers_creating_then_enabled(
    sqs: Any, lambda_client: Any, reporting_function: Callable[[str], str], unique_name: Callable[[str], str]
) -> None:
    _, arn = make_queue(sqs, unique_name("q"))
    function = reporting_function(SUCCEED)
    created = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    del created["ResponseMetadata"]
    mapping_id = created["UUID"]
    assert isinstance(created.pop("LastModified"), datetime)
    assert created == {
        "UUID": mapping_id,
        "BatchSize": 10,
        "MaximumBatchingWindowInSeconds": 0,
        "EventSourceArn": arn,
        "FunctionArn": function,
        "State": "Creating",
        "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": [],
        "EventSourceMappingArn": f"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{mapping_id}",
    }
    found = lambda_client.get_event_source_mapping(UUID=mapping_id)
    assert found["State"] == "Enabled"
    assert found["BatchSize"] == 10


def test_update_event_source_mapping_disable_and_enable_pause_delivery(
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
) -> None:
    url, arn = make_queue(sqs, unique_name("q"))
    function = reporting_function(SUCCEED)
    mapping_id = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)["UUID"]
    disabled = lambda_client.update_event_source_mapping(UUID=mapping_id, Enabled=False)
    assert disabled["State"] == "Disabling"
    assert lambda_client.get_event_source_mapping(UUID=mapping_id)["State"] == "Disabled"
    sqs.send_message(QueueUrl=url, MessageBody="waits")
    assert witness.is_quiet()
    enabled = lambda_client.update_event_source_mapping(UUID=mapping_id, Enabled=True, BatchSize=5)
    assert (enabled["State"], enabled["BatchSize"]) == ("Enabling", 5)
    assert [r["body"] for r in witness.next_event()["Records"]] == ["waits"]
    updated = lambda_client.update_event_source_mapping(UUID=mapping_id, BatchSize=7)
    assert updated["State"] == "Updating"
    assert lambda_client.get_event_source_mapping(UUID=mapping_id)["State"] == "Enabled"


def test_delete_event_source_mapping_answers_deleting_then_not_found(
    sqs: Any, lambda_client: Any, reporting_function: Callable[[str], str], unique_name: Callable[[str], str]
) -> None:
    _, arn = make_queue(sqs, unique_name("q"))
    function = reporting_function(SUCCEED)
    mapping_id = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)["UUID"]
    assert lambda_client.delete_event_source_mapping(UUID=mapping_id)["State"] == "Deleting"
    assert error_of(lambda: lambda_client.get_event_source_mapping(UUID=mapping_id)) == (
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
    )


def test_list_event_source_mappings_filters_and_pages(
    sqs: Any, lambda_client: Any, reporting_function: Callable[[str], str], unique_name: Callable[[str], str]
) -> None:
    first_fn, second_fn = reporting_function(SUCCEED), reporting_function(SUCCEED)
    arns = [make_queue(sqs, unique_name("q"))[1] for _ in range(3)]
    ids = [
        lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=first_fn)["UUID"]
        for arn in arns
    ]
    other = lambda_client.create_event_source_mapping(EventSourceArn=arns[0], FunctionName=second_fn)["UUID"]
    name = first_fn.split(":")[6]
    listed = lambda_client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    assert [item["UUID"] for item in listed] == ids
    by_source = lambda_client.list_event_source_mappings(EventSourceArn=arns[0])["EventSourceMappings"]
    assert [item["UUID"] for item in by_source] == [ids[0], other]
    page = lambda_client.list_event_source_mappings(FunctionName=name, MaxItems=2)
    assert [item["UUID"] for item in page["EventSourceMappings"]] == ids[:2]
    rest = lambda_client.list_event_source_mappings(FunctionName=name, Marker=page["NextMarker"])
    assert [item["UUID"] for item in rest["EventSourceMappings"]] == ids[2:]
    assert "NextMarker" not in rest


def test_create_event_source_mapping_invalid_requests_answer_aws_errors(
    sqs: Any, lambda_client: Any, reporting_function: Callable[[str], str], unique_name: Callable[[str], str]
) -> None:
    _, arn = make_queue(sqs, unique_name("q"))
    function = reporting_function(SUCCEED)
    create = lambda_client.create_event_source_mapping
    short_url, short = make_queue(sqs, unique_name("short"))
    sqs.set_queue_attributes(QueueUrl=short_url, Attributes={"VisibilityTimeout": "5"})
    assert error_of(lambda: create(EventSourceArn=short, FunctionName=function)) == (
        "InvalidParameterValueException",
        "Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds",
        400,
    )
    assert error_of(lambda: create(EventSourceArn=arn, FunctionName=function, BatchSize=11)) == (
        "InvalidParameterValueException",
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
        400,
    )
    missing = arn.rsplit(":", 1)[0] + ":" + unique_name("nothere")
    code, message, status = error_of(lambda: create(EventSourceArn=missing, FunctionName=function))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "NonExistentQueue" in message
    assert error_of(lambda: create(EventSourceArn=arn, FunctionName=unique_name("nofn")))[::2] == (
        "ResourceNotFoundException",
        404,
    )
    mapping_id = create(EventSourceArn=arn, FunctionName=function)["UUID"]
    code, message, status = error_of(lambda: create(EventSourceArn=arn, FunctionName=function))
    assert (code, status) == ("ResourceConflictException", 409)
    assert message.endswith(f"Please update or delete the existing mapping with UUID {mapping_id}")
    assert error_of(lambda: create(EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST"))[
        ::2
    ] == (
        "InvalidParameterValueException",
        400,
    )


def test_create_event_source_mapping_stream_without_starting_position_refused(
    client_factory: Callable[..., Any],
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    unique_name: Callable[[str], str],
) -> None:
    kinesis = client_factory("kinesis")
    name = unique_name("s")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    function = reporting_function(SUCCEED)
    create = lambda_client.create_event_source_mapping
    assert error_of(lambda: create(EventSourceArn=arn, FunctionName=function)) == (
        "InvalidParameterValueException",
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
        "Member must not be null.",
        400,
    )
    created = create(EventSourceArn=arn, FunctionName=function, StartingPosition="TRIM_HORIZON")
    assert {
        key: created[key]
        for key in (
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "ParallelizationFactor",
            "DestinationConfig",
            "MaximumRecordAgeInSeconds",
            "BisectBatchOnFunctionError",
            "MaximumRetryAttempts",
            "TumblingWindowInSeconds",
            "LastProcessingResult",
            "StartingPosition",
            "State",
        )
    } == {
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 0,
        "ParallelizationFactor": 1,
        "DestinationConfig": {"OnFailure": {}},
        "MaximumRecordAgeInSeconds": -1,
        "BisectBatchOnFunctionError": False,
        "MaximumRetryAttempts": -1,
        "TumblingWindowInSeconds": 0,
        "LastProcessingResult": "No records processed",
        "StartingPosition": "TRIM_HORIZON",
        "State": "Creating",
    }


def test_create_event_source_mapping_with_aws_cli_lists_and_deletes(
    sqs: Any,
    aws_cli: Callable[..., Any],
    reporting_function: Callable[[str], str],
    unique_name: Callable[[str], str],
) -> None:
    _, arn = make_queue(sqs, unique_name("q"))
    function = reporting_function(SUCCEED)
    created = aws_cli(
        "lambda",
        "create-event-source-mapping",
        "--event-source-arn",
        arn,
        "--function-name",
        function,
        "--batch-size",
        "5",
        "--scaling-config",
        "MaximumConcurrency=3",
    )
    assert (created["State"], created["BatchSize"], created["ScalingConfig"]) == (
        "Creating",
        5,
        {"MaximumConcurrency": 3},
    )
    listed = aws_cli("lambda", "list-event-source-mappings", "--event-source-arn", arn)
    assert [(item["UUID"], item["State"]) for item in listed["EventSourceMappings"]] == [
        (created["UUID"], "Enabled")
    ]
    deleted = aws_cli("lambda", "delete-event-source-mapping", "--uuid", created["UUID"])
    assert deleted["State"] == "Deleting"
    assert (
        aws_cli("lambda", "list-event-source-mappings", "--event-source-arn", arn)["EventSourceMappings"]
        == []
    )
