"""Tables: create, describe, update, delete, list; limits and endpoints; tags; continuous backups; TTL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamodb_support import error_of, validation

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
DEFS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]


def test_create_table_with_indexes_streams_sse_and_tags_describes_everything(
    ddb: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("full")
    created = ddb.create_table(
        TableName=name,
        KeySchema=KEYS,
        AttributeDefinitions=[
            *DEFS,
            {"AttributeName": "lk", "AttributeType": "S"},
            {"AttributeName": "gk", "AttributeType": "B"},
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-lk",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "lk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
            }
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-gk",
                "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        SSESpecification={"Enabled": True, "KMSMasterKeyId": "my-key"},
        DeletionProtectionEnabled=True,
        Tags=[{"Key": "team", "Value": "data"}],
    )["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    table = ddb.describe_table(TableName=name)["Table"]
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == arn
    assert table["ItemCount"] == 0 and table["TableSizeBytes"] == 0
    assert table["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 5,
        "WriteCapacityUnits": 3,
    }
    assert "BillingModeSummary" not in table
    assert table["LocalSecondaryIndexes"] == [
        {
            "IndexName": "by-lk",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "lk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
            "IndexSizeBytes": 0,
            "ItemCount": 0,
            "IndexArn": f"{arn}/index/by-lk",
        }
    ]
    gsi = table["GlobalSecondaryIndexes"][0]
    assert gsi["IndexStatus"] == "ACTIVE" and gsi["IndexArn"] == f"{arn}/index/by-gk"
    assert gsi["ProvisionedThroughput"]["WriteCapacityUnits"] == 2
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["LatestStreamArn"] == f"{arn}/stream/{table['LatestStreamLabel']}"
    assert table["SSEDescription"] == {
        "Status": "ENABLED",
        "SSEType": "KMS",
        "KMSMasterKeyArn": "arn:aws:kms:us-east-1:000000000000:key/my-key",
    }
    assert table["DeletionProtectionEnabled"] is True
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "data"}]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            },
            "One or more parameter values were invalid: Some index key attributes are not defined in "
            "AttributeDefinitions. Keys: [pk], AttributeDefinitions: [id]",
        ),
        (
            {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]},
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
            "number of attributes defined in AttributeDefinitions",
        ),
        (
            {
                "KeySchema": [
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                    {"AttributeName": "pk", "KeyType": "HASH"},
                ]
            },
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            {"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
            "specified when BillingMode is PAY_PER_REQUEST",
        ),
        ({"BillingMode": "PROVISIONED"}, "No provisioned throughput specified for the table"),
        (
            {
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "lk", "AttributeType": "S"},
                ],
                "LocalSecondaryIndexes": [
                    {
                        "IndexName": "lsi",
                        "KeySchema": [
                            {"AttributeName": "pk", "KeyType": "HASH"},
                            {"AttributeName": "lk", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            },
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is "
            "required when specifying a LocalSecondaryIndex",
        ),
        (
            {
                "AttributeDefinitions": [*DEFS, {"AttributeName": "g", "AttributeType": "S"}],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "gsi",
                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["a"]},
                    }
                ],
            },
            "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified",
        ),
        (
            {"TableName": "bad name!"},
            "1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ),
    ],
)
def test_create_table_invalid_definition_fails_with_aws_message(
    ddb: Any, unique_name: Callable[[str], str], changes: dict[str, Any], message: str
) -> None:
    request = {
        "TableName": unique_name("bad"),
        "KeySchema": KEYS,
        "AttributeDefinitions": DEFS,
        "BillingMode": "PAY_PER_REQUEST",
        **changes,
    }
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(**request)
    assert error_of(excinfo) == validation(message)


def test_create_table_existing_name_fails_resource_in_use(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(
            TableName=name, KeySchema=KEYS[:1], AttributeDefinitions=DEFS[:1], BillingMode="PAY_PER_REQUEST"
        )
    assert error_of(excinfo) == ("ResourceInUseException", f"Table already exists: {name}", 400)


def test_describe_table_counts_items_and_sizes_exactly(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "12345"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "c"}})
    table = ddb.describe_table(TableName=name)["Table"]
    # pk(2+1) + sk(2+1) + n(1 + 3 bytes for 5 digits + 1) = 11; second item 6
    assert (table["ItemCount"], table["TableSizeBytes"]) == (2, 17)
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_describe_table_unknown_fails_resource_not_found(ddb: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName="no-such-table")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: no-such-table not found",
        400,
    )


def test_update_table_adds_gsi_backfilled_and_deletes_it(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"S": "1"}})
    updated = ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )["TableDescription"]
    assert updated["TableStatus"] == "UPDATING"
    found = ddb.query(
        TableName=name,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )
    assert found["Items"] == [{"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}}]
    assert ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}])
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]
    with pytest.raises(ClientError) as excinfo:
        ddb.query(
            TableName=name,
            IndexName="by-g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "x"}},
        )
    assert error_of(excinfo) == validation("The table does not have the specified index: by-g")


def test_update_table_billing_mode_and_nothing_to_update(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    ddb.update_table(
        TableName=name,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 4},
    )
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName=name)
    assert error_of(excinfo) == validation(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
        "SSESpecification or ReplicaUpdates is required"
    )


def test_delete_table_protected_fails_until_protection_is_off(
    ddb: Any, make_table: Callable[..., str]
) -> None:
    name = make_table(DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_table(TableName=name)
    assert error_of(excinfo) == validation(
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
    )
    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"S": "b"}})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found", 400)


def test_list_tables_paginates_in_name_order(client_factory: Callable[..., Any]) -> None:
    ddb = client_factory("dynamodb", region="ap-south-2")
    names = [f"page-{i:02d}" for i in range(5)]
    for name in names:
        ddb.create_table(
            TableName=name, KeySchema=KEYS[:1], AttributeDefinitions=DEFS[:1], BillingMode="PAY_PER_REQUEST"
        )
    first = ddb.list_tables(Limit=3)
    assert first["TableNames"] == names[:3] and first["LastEvaluatedTableName"] == names[2]
    second = ddb.list_tables(ExclusiveStartTableName=names[2], Limit=3)
    assert second == {**second, "TableNames": names[3:]} and "LastEvaluatedTableName" not in second
    paged = [
        n
        for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2})
        for n in page["TableNames"]
    ]
    assert paged == names


def test_describe_limits_and_endpoints_answer_defaults(ddb: Any) -> None:
    limits = ddb.describe_limits()
    assert limits["AccountMaxReadCapacityUnits"] == 80000 and limits["TableMaxWriteCapacityUnits"] == 40000
    assert ddb.describe_endpoints()["Endpoints"] == [
        {"Address": "dynamodb.us-east-1.amazonaws.com", "CachePeriodInMinutes": 1440}
    ]


def test_tag_resource_untag_and_unknown_arn(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = arn + "-gone"
    with pytest.raises(ClientError) as excinfo:
        ddb.list_tags_of_resource(ResourceArn=missing)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found",
        400,
    )


def test_update_continuous_backups_enables_point_in_time_recovery(
    ddb: Any, make_table: Callable[..., str]
) -> None:
    name = make_table()
    before = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert before == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }
    after = ddb.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7},
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert after["PointInTimeRecoveryStatus"] == "ENABLED" and after["RecoveryPeriodInDays"] == 7
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_continuous_backups(TableName="absent-table")
    assert error_of(excinfo) == ("TableNotFoundException", "Table not found: absent-table", 400)


def test_update_time_to_live_expires_items_when_the_clock_passes(
    ddb: Any, make_table: Callable[..., str], fogbank: Any
) -> None:
    name = make_table(None)
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    spec = {"Enabled": True, "AttributeName": "expires"}
    assert (
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)["TimeToLiveSpecification"]
        == spec
    )
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires",
    }
    with pytest.raises(ClientError) as excinfo:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)
    assert error_of(excinfo) == validation("TimeToLive is already enabled")
    now = int(ddb.describe_table(TableName=name)["Table"]["CreationDateTime"].timestamp())
    ddb.put_item(TableName=name, Item={"pk": {"S": "soon"}, "expires": {"N": str(now + 3600)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "expires": {"N": str(now + 86400 * 3)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "never"}, "expires": {"S": "not a number"}})
    fogbank.advance_clock("PT2H")
    keys = sorted(item["pk"]["S"] for item in ddb.scan(TableName=name)["Items"])
    assert keys == ["later", "never"]


def test_create_table_warm_and_on_demand_throughput_are_described(
    ddb: Any, make_table: Callable[..., str]
) -> None:
    name = make_table(
        WarmThroughput={"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000},
        OnDemandThroughput={"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50},
    )
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["WarmThroughput"] == {
        "ReadUnitsPerSecond": 15000,
        "WriteUnitsPerSecond": 5000,
        "Status": "ACTIVE",
    }
    assert table["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 50}
