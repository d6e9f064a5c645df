"""Filter policies, table-driven from the examples in AWS's SNS developer guide (string, numeric,
key, AND/OR matching, attribute and message-body scope), and the validation errors AWS gives,
both on the standalone matcher and through SetSubscriptionAttributes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from test_topics import error_of

from fogbank.services.sns import filter_policies


def string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def number(value: str) -> dict[str, str]:
    return {"DataType": "Number", "StringValue": value}


def array(values: list[Any]) -> dict[str, str]:
    return {"DataType": "String.Array", "StringValue": json.dumps(values)}


ATTRIBUTE_CASES = [
    # https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": string("rugby")}, True),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": string("tennis")}, True),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": array(["rugby", "tennis"])}, True),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": string("baseball")}, False),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": array(["baseball"])}, False),
    (
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"customer_interests": string("baseball")},
        True,
    ),
    (
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"customer_interests": string("rugby")},
        False,
    ),
    ({"customer_interests": [{"anything-but": "rugby"}]}, {"customer_interests": string("football")}, True),
    (
        {"customer_interests": [{"anything-but": {"prefix": "bas"}}]},
        {"customer_interests": string("rugby")},
        True,
    ),
    (
        {"customer_interests": [{"anything-but": {"prefix": "bas"}}]},
        {"customer_interests": string("baseball")},
        False,
    ),
    (
        {"customer_interests": [{"anything-but": {"suffix": "ball"}}]},
        {"customer_interests": string("tennis")},
        True,
    ),
    (
        {"customer_interests": [{"anything-but": {"suffix": "ball"}}]},
        {"customer_interests": string("baseball")},
        False,
    ),
    (
        {"customer_interests": [{"equals-ignore-case": "tennis"}]},
        {"customer_interests": string("TENNIS")},
        True,
    ),
    (
        {"customer_interests": [{"equals-ignore-case": "tennis"}]},
        {"customer_interests": string("Tennis")},
        True,
    ),
    (
        {"customer_interests": [{"equals-ignore-case": "tennis"}]},
        {"customer_interests": string("rugby")},
        False,
    ),
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": string("10.0.0.0")}, True),
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": string("10.0.0.255")}, True),
    ({"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": string("10.1.1.0")}, False),
    ({"source_ip": [{"cidr": "2001:db8::/32"}]}, {"source_ip": string("2001:db8:1::1")}, True),
    ({"customer_interests": [{"prefix": "bas"}]}, {"customer_interests": string("basketball")}, True),
    ({"customer_interests": [{"prefix": "bas"}]}, {"customer_interests": string("rugby")}, False),
    ({"customer_interests": [{"suffix": "ball"}]}, {"customer_interests": string("baseball")}, True),
    ({"customer_interests": [{"suffix": "ball"}]}, {"customer_interests": string("rugby")}, False),
    # https://docs.aws.amazon.com/sns/latest/dg/numeric-value-matching.html
    ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": number("301.5")}, True),
    ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": number("3.015e2")}, True),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": number("101")}, True),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": number("100.1")}, True),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": number("100")}, False),
    ({"price_usd": [{"numeric": ["<", 0]}]}, {"price_usd": number("-1")}, True),
    ({"price_usd": [{"numeric": ["<", 0]}]}, {"price_usd": number("0")}, False),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": number("150")}, True),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": number("0")}, False),
    ({"price_usd": [{"numeric": [">", 0, "<=", 150]}]}, {"price_usd": number("150.5")}, False),
    ({"price_usd": [210.75]}, {"price_usd": number("210.75")}, True),
    ({"price_usd": [{"numeric": [">", 100]}]}, {"price_usd": string("210")}, False),  # only Number attributes
    # https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html
    ({"store": [{"exists": True}]}, {"store": string("example_corp")}, True),
    ({"store": [{"exists": True}]}, {"event": string("order_placed")}, False),
    ({"store": [{"exists": False}]}, {"event": string("order_placed")}, True),
    ({"store": [{"exists": False}]}, {"store": string("example_corp")}, False),
    ({"store": [{"anything-but": ["x"]}, {"exists": False}]}, {}, True),
    ({"store": [{"anything-but": ["x"]}, {"exists": False}]}, {"store": string("x")}, False),
    ({"store": ["example_corp"]}, {"store": {"DataType": "Binary", "BinaryValue": b"example_corp"}}, False),
    # https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html
    (
        {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
        {"customer_interests": string("rugby"), "price_usd": number("100.5")},
        True,
    ),
    (
        {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
        {"customer_interests": string("rugby"), "price_usd": number("99")},
        False,
    ),
    (
        {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
        {"customer_interests": string("rugby")},
        False,
    ),
    (
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": string("aws.cloudwatch"), "namespace": string("AWS/EC2")},
        True,
    ),
    (
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": string("aws.cloudwatch"), "metricName": string("CPUUtilization")},
        True,
    ),
    (
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": string("aws.cloudwatch"), "namespace": string("AWS/S3")},
        False,
    ),
]

BODY_CASES = [
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": "rugby"}, True),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": ["baseball", "tennis"]}, True),
    ({"customer_interests": ["rugby", "tennis"]}, {"customer_interests": "baseball"}, False),
    ({"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 3.015e2}, True),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": [100, 50]}, True),
    ({"price": [{"anything-but": [100, 500]}]}, {"price": 100}, False),
    ({"store": [{"exists": True}]}, {"store": "example_corp"}, True),
    ({"store": [{"exists": False}]}, {"event": "order_placed"}, True),
    ({"flag": [True]}, {"flag": True}, True),
    ({"flag": [True]}, {"flag": "true"}, False),
    ({"gone": [None]}, {"gone": None}, True),
    ({"a": {"b": {"c": ["deep"]}}}, {"a": {"b": {"c": "deep"}}}, True),
    ({"a": {"b": {"c": ["deep"]}}}, {"a": {"b": {"c": "shallow"}}}, False),
    ({"a": {"b": ["x"]}}, {"a": [{"b": "y"}, {"b": "x"}]}, True),
    (
        {"customer": {"$or": [{"tier": ["gold"]}, {"spend": [{"numeric": [">", 1000]}]}]}},
        {"customer": {"tier": "silver", "spend": 5000}},
        True,
    ),
    (
        {"customer": {"$or": [{"tier": ["gold"]}, {"spend": [{"numeric": [">", 1000]}]}]}},
        {"customer": {"tier": "silver", "spend": 10}},
        False,
    ),
]


@pytest.mark.parametrize(("policy", "attributes", "expected"), ATTRIBUTE_CASES)
def test_filter_policy_attribute_scope_aws_examples(policy, attributes, expected):
    filter_policies.validate(policy, "MessageAttributes")
    compiled = filter_policies.compile_policy(policy, "MessageAttributes")
    assert compiled.matches_attributes(attributes) is expected


@pytest.mark.parametrize(("policy", "body", "expected"), BODY_CASES)
def test_filter_policy_body_scope_aws_examples(policy, body, expected):
    filter_policies.validate(policy, "MessageBody")
    compiled = filter_policies.compile_policy(policy, "MessageBody")
    assert compiled.matches_body(json.dumps(body)) is expected


def test_filter_policy_empty_policy_lets_everything_through():
    filter_policies.validate({}, "MessageBody")
    assert filter_policies.compile_policy({}, "MessageBody").matches_body("plain text") is True
    assert filter_policies.compile_policy({}).matches_attributes({}) is True


def test_filter_policy_body_scope_non_json_body_never_matches():
    compiled = filter_policies.compile_policy({"a": [{"exists": False}]}, "MessageBody")
    assert compiled.matches_body("plain text") is False
    assert compiled.matches_body("[1, 2]") is False


INVALID_POLICIES = [
    ({f"k{i}": ["v"] for i in range(6)}, "FilterPolicy: Filter policy can not have more than 5 keys"),
    (
        {"a": [str(i) for i in range(10)], "b": [str(i) for i in range(16)]},
        "FilterPolicy: Filter policy is too complex",
    ),
    ({"a": []}, "FilterPolicy: Empty arrays are not allowed"),
    ({"a": "x"}, 'FilterPolicy: "a" must be an object or an array'),
    ({"a": [{"prefix": 1}]}, "FilterPolicy: prefix match pattern must be a string"),
    ({"a": [{"suffix": None}]}, "FilterPolicy: suffix match pattern must be a string"),
    ({"a": [{"equals-ignore-case": 5}]}, "FilterPolicy: equals-ignore-case match pattern must be a string"),
    ({"a": [{"foo": 1}]}, "FilterPolicy: Unrecognized match type foo"),
    ({"a": [{"prefix": "x", "suffix": "y"}]}, "FilterPolicy: Only one key allowed in match expression"),
    ({"a": [[1]]}, "FilterPolicy: Match value must be String, number, true, false, or null"),
    ({"a": [{"numeric": ["<", "x"]}]}, "FilterPolicy: Value of < must be numeric"),
    ({"a": [{"numeric": ["=", "x"]}]}, "FilterPolicy: Value of equals must be numeric"),
    ({"a": [{"numeric": ["~", 1]}]}, "FilterPolicy: Unrecognized numeric range operator: ~"),
    ({"a": [{"numeric": ["<", 1, ">", 2]}]}, "FilterPolicy: Too many elements in numeric expression"),
    ({"a": [{"numeric": [">", 5, "<", 1]}]}, "FilterPolicy: Bottom must be less than top"),
    ({"a": [{"numeric": [">", 1, "=", 5]}]}, "FilterPolicy: Bad numeric range operator: ="),
    ({"a": [{"exists": "yes"}]}, "FilterPolicy: exists match pattern must be either true or false."),
    ({"a": [{"cidr": "10.0.0.0"}]}, "FilterPolicy: Malformed CIDR, one '/' required"),
    ({"a": [{"cidr": "10.0.0.0/x"}]}, "FilterPolicy: Malformed CIDR, mask bits must be an integer"),
    ({"a": [{"cidr": "10.0.0.300/24"}]}, "FilterPolicy: Nonstandard IP address: 10.0.0.300"),
    (
        {"a": [{"anything-but": {"wildcard": "x*"}}]},
        "FilterPolicy: Unsupported anything-but pattern: wildcard",
    ),
    ({"a": {"b": ["c"]}}, "Filter policy scope MessageAttributes does not support nested filter policy"),
    # Where SNS differs from EventBridge's patterns: no wildcard, no case-folded prefix.
    ({"a": [{"wildcard": "x*"}]}, "FilterPolicy: Unrecognized match type wildcard"),
    ({"a": [{"prefix": {"equals-ignore-case": "x"}}]}, "FilterPolicy: prefix match pattern must be a string"),
    ({"a": [{"cidr": 10}]}, "FilterPolicy: prefix match pattern must be a string"),
    ({"a": [{"numeric": []}]}, "FilterPolicy: Invalid member in numeric match: ]"),
    ({"$or": [{"a": ["x"]}]}, "FilterPolicy: Or relationship must be an array of at least 2 objects"),
]


@pytest.mark.parametrize(("policy", "message"), INVALID_POLICIES)
def test_filter_policy_validate_invalid_gives_aws_message(policy, message):
    with pytest.raises(filter_policies.FilterPolicyError) as raised:
        filter_policies.validate(policy, "MessageAttributes")
    assert str(raised.value) == message


@pytest.mark.parametrize(("policy", "message"), INVALID_POLICIES[:6])
def test_set_subscription_attributes_invalid_filter_policy_fails(sns, topic_arn, make_queue, policy, message):
    queue = make_queue()
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=json.dumps(policy)
        )
    assert error_of(raised) == ("InvalidParameter", f"Invalid parameter: {message}", 400)


def test_subscribe_invalid_filter_policy_fails_with_attributes_prefix(sns, topic_arn, make_queue):
    queue = make_queue()
    with pytest.raises(ClientError) as raised:
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue.arn,
            Attributes={"FilterPolicy": json.dumps({"a": []})},
        )
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed",
        400,
    )


@pytest.mark.parametrize(
    ("policy", "scope", "valid"),
    [
        ({"a": [str(i) for i in range(10)], "b": [str(i) for i in range(15)]}, "MessageAttributes", True),
        ({"a": [str(i) for i in range(151)]}, "MessageAttributes", False),
        # AWS's nested example: 3 x 4 x 2 x 3 = 72 combinations.
        (
            {
                "key_a": {"key_b": {"key_c": ["one", "two", "three", "four"]}},
                "key_d": {"key_e": ["one", "two", "three"]},
            },
            "MessageBody",
            True,
        ),
        # $or alternatives add up: (1 x 2) + (1 x 2) = 4.
        (
            {
                "source": ["aws.cloudwatch"],
                "$or": [
                    {"metricName": ["CPUUtilization", "ReadLatency"]},
                    {"namespace": ["AWS/EC2", "AWS/ES"]},
                ],
            },
            "MessageAttributes",
            True,
        ),
    ],
)
def test_filter_policy_validate_combination_limit(policy, scope, valid):
    if valid:
        filter_policies.validate(policy, scope)
    else:
        with pytest.raises(filter_policies.FilterPolicyError, match="Filter policy is too complex"):
            filter_policies.validate(policy, scope)
