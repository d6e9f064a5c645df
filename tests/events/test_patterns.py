"""Event patterns: AWS's documented examples (every operator, matching and not matching),
validation errors with AWS's texts, and the rule index."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from fogbank.events import patterns
from fogbank.events.rule_index import RuleIndex

# The event of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html,
# with fields added for the operators that need them.
EVENT: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {
        "instance-id": "i-1234567890abcdef0",
        "state": "terminated",
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.123",
        "ipv6": "2001:db8::1",
        "location": "us-east-1a",
        "filename": "image.png",
        "empty": "",
        "nothing": None,
        "flag": True,
        "tags": ["red", "blue"],
        "nested": {"c1": 100},
        "items": [{"kind": "a", "size": 1}, {"kind": "b", "size": 2}],
    },
}

CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("exact string", {"source": ["aws.ec2"]}, True),
    ("exact string mismatch", {"source": ["aws.s3"]}, False),
    ("array is OR", {"source": ["aws.s3", "aws.ec2"]}, True),
    ("AND over fields", {"source": ["aws.ec2"], "detail": {"state": ["running"]}}, False),
    ("exact number", {"detail": {"c-count": [5]}}, True),
    ("number equals its float", {"detail": {"c-count": [5.0]}}, True),
    ("string is not number", {"detail": {"c-count": ["5"]}}, False),
    ("boolean", {"detail": {"flag": [True]}}, True),
    ("boolean is not 1", {"detail": {"flag": [1]}}, False),
    ("null", {"detail": {"nothing": [None]}}, True),
    ("null does not match missing", {"detail": {"missing": [None]}}, False),
    ("empty string", {"detail": {"empty": [""]}}, True),
    ("event array element", {"detail": {"tags": ["blue"]}}, True),
    ("event array none", {"detail": {"tags": ["green"]}}, False),
    (
        "resources array",
        {"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]},
        True,
    ),
    ("prefix", {"detail": {"location": [{"prefix": "us-"}]}}, True),
    ("prefix mismatch", {"detail": {"location": [{"prefix": "eu-"}]}}, False),
    ("prefix ignore case", {"detail": {"location": [{"prefix": {"equals-ignore-case": "US-EAST"}}]}}, True),
    ("suffix", {"detail": {"filename": [{"suffix": ".png"}]}}, True),
    ("suffix ignore case", {"detail": {"filename": [{"suffix": {"equals-ignore-case": ".PNG"}}]}}, True),
    ("suffix mismatch", {"detail": {"filename": [{"suffix": ".jpg"}]}}, False),
    ("equals-ignore-case", {"detail": {"state": [{"equals-ignore-case": "TERMINATED"}]}}, True),
    ("anything-but value", {"detail": {"state": [{"anything-but": "initializing"}]}}, True),
    ("anything-but value excluded", {"detail": {"state": [{"anything-but": "terminated"}]}}, False),
    ("anything-but list", {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}, True),
    ("anything-but number list", {"detail": {"c-count": [{"anything-but": [5, 6]}]}}, False),
    ("anything-but prefix", {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}, True),
    ("anything-but prefix excluded", {"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}, False),
    ("anything-but suffix", {"detail": {"filename": [{"anything-but": {"suffix": ".txt"}}]}}, True),
    ("anything-but wildcard", {"detail": {"filename": [{"anything-but": {"wildcard": "*.png"}}]}}, False),
    (
        "anything-but wildcard list",
        {"detail": {"filename": [{"anything-but": {"wildcard": ["*.txt", "a*"]}}]}},
        True,
    ),
    (
        "anything-but ignore case",
        {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["TERMINATED", "x"]}}]}},
        False,
    ),
    ("anything-but needs the field", {"detail": {"missing": [{"anything-but": "x"}]}}, False),
    ("numeric range", {"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}, True),
    ("numeric range out", {"detail": {"c-count": [{"numeric": [">", 5]}]}}, False),
    ("numeric equals", {"detail": {"x-limit": [{"numeric": ["=", 301.8]}]}}, True),
    ("numeric on a string", {"detail": {"state": [{"numeric": [">", 0]}]}}, False),
    ("exists true", {"detail": {"c-count": [{"exists": True}]}}, True),
    ("exists false on missing", {"detail": {"missing": [{"exists": False}]}}, True),
    ("exists false on present", {"detail": {"c-count": [{"exists": False}]}}, False),
    ("exists works on leaves only", {"detail": {"nested": [{"exists": False}]}}, True),
    ("exists true on an object", {"detail": {"nested": [{"exists": True}]}}, False),
    ("exists true on null", {"detail": {"nothing": [{"exists": True}]}}, True),
    ("cidr v4", {"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}, True),
    ("cidr v4 out", {"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}, False),
    ("cidr v6", {"detail": {"ipv6": [{"cidr": "2001:db8::/32"}]}}, True),
    ("wildcard", {"detail": {"location": [{"wildcard": "us-*-1a"}]}}, True),
    ("wildcard mismatch", {"detail": {"location": [{"wildcard": "eu-*"}]}}, False),
    ("wildcard whole string", {"detail": {"location": [{"wildcard": "us-east"}]}}, False),
    ("nested field", {"detail": {"nested": {"c1": [100]}}}, True),
    ("$or", {"$or": [{"detail": {"c-count": [{"numeric": [">", 10]}]}}, {"detail": {"d-count": [3]}}]}, True),
    ("$or none", {"$or": [{"detail": {"c-count": [1]}}, {"detail": {"d-count": [1]}}]}, False),
    ("nested $or", {"detail": {"$or": [{"state": ["x"]}, {"location": [{"prefix": "us"}]}]}}, True),
    ("array of objects, one element", {"detail": {"items": {"kind": ["b"], "size": [2]}}}, True),
    ("array of objects, across elements", {"detail": {"items": {"kind": ["a"], "size": [2]}}}, False),
    ("several operators OR", {"detail": {"state": [{"prefix": "x"}, "terminated"]}}, True),
]


@pytest.mark.parametrize(("pattern", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_matches_documented_example_gives_expected_result(pattern: dict[str, Any], expected: bool) -> None:
    assert patterns.compile_text(json.dumps(pattern)).matches(EVENT) is expected


INVALID: list[tuple[str, str]] = [
    ('{"source": "aws.ec2"}', '"source" must be an object or an array'),
    ('{"source": []}', "Empty arrays are not allowed"),
    ('{"detail": {}}', "Empty objects are not allowed"),
    ('{"source": [{"foo": "x"}]}', "Unrecognized match type foo"),
    ('{"source": [{"prefix": 5}]}', "prefix match pattern must be a string"),
    ('{"source": [{"suffix": ["x"]}]}', "suffix match pattern must be a string"),
    ('{"source": [{"exists": "yes"}]}', "exists match pattern must be either true or false."),
    ('{"a": [{"numeric": [">", "x"]}]}', "Value of > must be numeric"),
    ('{"a": [{"numeric": ["<", 5, ">", 1]}]}', "Too many elements in numeric expression"),
    ('{"a": [{"numeric": [">", 5, "<", 1]}]}', "Bottom must be less than top"),
    ('{"a": [{"numeric": ["!", 5]}]}', "Unrecognized numeric range operator: !"),
    ('{"a": [{"wildcard": "a**b"}]}', "Consecutive wildcard characters at pos 2"),
    ('{"a": [{"anything-but": [true]}]}', "Inside anything but list, start|null|boolean is not supported."),
    ('{"a": [{"anything-but": {"numeric": [">", 1]}}]}', "Unsupported anything-but pattern: numeric"),
    ('{"a": [{"cidr": "10.0.0.300/24"}]}', "Nonstandard IP address: 10.0.0.300"),
    ('{"a": [{"cidr": "10.0.0.0"}]}', "Malformed CIDR, one '/' required"),
    ('{"a": [{"cidr": "10.0.0.0/x"}]}', "Malformed CIDR, mask bits must be an integer"),
    ('{"a": [{"cidr": 10}]}', "prefix match pattern must be a string"),
    ('{"a": [{"numeric": []}]}', "Invalid member in numeric match: ]"),
    ('{"a": [{"numeric": ">"}]}', "Value of numeric must be an array."),
    ('{"a": [{"prefix": "x", "suffix": "y"}]}', "Only one key allowed in match expression"),
    ('{"a": [[1]]}', "Match value must be String, number, true, false, or null"),
    ('{"$or": [{"a": [1]}]}', "Or relationship must be an array of at least 2 objects"),
    ("[1]", "Filter is not an object"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID, ids=[reason for _, reason in INVALID])
def test_parse_invalid_pattern_raises_aws_reason(text: str, reason: str) -> None:
    with pytest.raises(patterns.InvalidPattern) as raised:
        patterns.parse(text)
    assert str(raised.value) == "Event pattern is not valid. Reason: " + reason


def test_parse_too_many_or_combinations_is_too_complex() -> None:
    branch = {"$or": [{f"k{i}": [i]} for i in range(11)]}
    pattern = {"a": branch, "b": branch, "c": branch}
    with pytest.raises(patterns.InvalidPattern, match="Filter is too complex"):
        patterns.validate(pattern)


def test_rule_index_returns_only_matching_rules() -> None:
    index = RuleIndex()
    index.add("by-source", patterns.compile_pattern({"source": ["a"]}))
    index.add("by-type", patterns.compile_pattern({"detail-type": ["T"], "detail": {"n": [1]}}))
    index.add("unfiled", patterns.compile_pattern({"detail": {"n": [{"numeric": [">", 0]}]}}))
    index.add("other", patterns.compile_pattern({"source": ["b"]}))
    event = {"source": "a", "detail-type": "T", "detail": {"n": 1}}
    assert sorted(index.matching(event)) == ["by-source", "by-type", "unfiled"]
    index.remove("by-source")
    assert sorted(index.matching(event)) == ["by-type", "unfiled"]
    assert len(index) == 3


def test_rule_index_with_1000_rules_matches_in_under_a_millisecond() -> None:
    """Benchmark note, not a timed assertion of the suite: the p50 is printed for the report."""
    index = RuleIndex()
    for number in range(1000):
        index.add(
            f"r{number}",
            patterns.compile_pattern(
                {
                    "source": [f"app.{number % 50}"],
                    "detail-type": [f"Type {number}"],
                    "detail": {"n": [{"numeric": [">", 1]}]},
                }
            ),
        )
    event = {"source": "app.7", "detail-type": "Type 507", "detail": {"n": 5}}
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        found = index.matching(event)
        timings.append(time.perf_counter() - start)
    assert found == ["r507"]
    timings.sort()
    print(f"1,000-rule bus: p50 {timings[100] * 1e6:.1f} µs per event")
