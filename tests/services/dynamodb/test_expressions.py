"""Condition, update and projection expressions: every function and comparator, placeholders,
and AWS's error messages for bad expressions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamodb_support import error_of, validation

ITEM = {
    "pk": {"S": "k"},
    "name": {"S": "widget"},
    "count": {"N": "5"},
    "price": {"N": "10.50"},
    "tags": {"SS": ["red", "blue"]},
    "nums": {"NS": ["1", "2"]},
    "bin": {"B": b"\x01\x02\x03"},
    "lst": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"deep": {"S": "x"}}}]},
    "mp": {"M": {"inr": {"M": {"leaf": {"N": "7"}}}, "s": {"S": "hello"}}},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
}


@pytest.fixture
def item_table(ddb: Any, make_table: Callable[..., str]) -> str:
    name = make_table(None)
    ddb.put_item(TableName=name, Item=ITEM)
    return name


def holds(
    ddb: Any,
    table: str,
    expression: str,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
) -> bool:
    """Whether a ConditionExpression holds for ITEM (checked with a no-op conditional update)."""
    extra: dict[str, Any] = {}
    if values:
        extra["ExpressionAttributeValues"] = values
    if names:
        extra["ExpressionAttributeNames"] = names
    try:
        ddb.update_item(TableName=table, Key={"pk": {"S": "k"}}, ConditionExpression=expression, **extra)
    except ClientError as problem:
        if problem.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


@pytest.mark.parametrize(
    ("expression", "values", "expected"),
    [
        ("attribute_exists(#n)", None, True),
        ("attribute_not_exists(absent)", None, True),
        ("attribute_exists(mp.inr.leaf)", None, True),
        ("attribute_exists(lst[2].deep)", None, True),
        ("attribute_exists(lst[3])", None, False),
        ("attribute_type(tags, :t)", {":t": {"S": "SS"}}, True),
        ("attribute_type(#n, :t)", {":t": {"S": "N"}}, False),
        ("attribute_type(nothing, :t)", {":t": {"S": "NULL"}}, True),
        ("begins_with(#n, :p)", {":p": {"S": "wid"}}, True),
        ("begins_with(bin, :p)", {":p": {"B": b"\x01\x02"}}, True),
        ("begins_with(mp.s, :p)", {":p": {"S": "x"}}, False),
        ("contains(#n, :p)", {":p": {"S": "dge"}}, True),
        ("contains(tags, :p)", {":p": {"S": "red"}}, True),
        ("contains(nums, :p)", {":p": {"N": "2.0"}}, True),
        ("contains(tags, :p)", {":p": {"S": "green"}}, False),
        ("contains(lst, :p)", {":p": {"S": "a"}}, True),
        ("size(#n) = :n", {":n": {"N": "6"}}, True),
        ("size(tags) = :n", {":n": {"N": "2"}}, True),
        ("size(lst) > :n", {":n": {"N": "2"}}, True),
        ("size(bin) = :n", {":n": {"N": "3"}}, True),
        ("price = :p", {":p": {"N": "10.5"}}, True),
        ("price <> :p", {":p": {"S": "10.5"}}, True),
        ("price < :p", {":p": {"S": "11"}}, False),
        ("#c BETWEEN :a AND :b", {":a": {"N": "5"}, ":b": {"N": "6"}}, True),
        ("#c BETWEEN :a AND :b", {":a": {"N": "6"}, ":b": {"N": "9"}}, False),
        ("#n BETWEEN :a AND :b", {":a": {"S": "a"}, ":b": {"S": "x"}}, True),
        ("#c IN (:a, :b)", {":a": {"N": "1"}, ":b": {"N": "5"}}, True),
        ("#c IN (:a)", {":a": {"S": "5"}}, False),
        ("tags = :s", {":s": {"SS": ["blue", "red"]}}, True),
        ("mp.inr = :m", {":m": {"M": {"leaf": {"N": "7.0"}}}}, True),
        ("flag = :t", {":t": {"BOOL": True}}, True),
        ("NOT #c = :a", {":a": {"N": "5"}}, False),
        ("#c = :a OR #c = :b AND #c = :c", {":a": {"N": "5"}, ":b": {"N": "1"}, ":c": {"N": "2"}}, True),
        ("(#c = :a OR #c = :b) AND #c = :c", {":a": {"N": "5"}, ":b": {"N": "1"}, ":c": {"N": "2"}}, False),
        ("NOT (#c = :a AND #c = :b)", {":a": {"N": "5"}, ":b": {"N": "1"}}, True),
        ("absent < :a", {":a": {"N": "1"}}, False),
        ("absent <> :a", {":a": {"N": "1"}}, True),
    ],
)
def test_condition_expression_functions_and_comparators_evaluate_as_aws(
    ddb: Any, item_table: str, expression: str, values: dict[str, Any] | None, expected: bool
) -> None:
    names = {name: value for name, value in (("#n", "name"), ("#c", "count")) if name in expression}
    assert holds(ddb, item_table, expression, values, names or None) is expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"ConditionExpression": "a = "},
            'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "= "',
        ),
        (
            {"ConditionExpression": "a = :v AND", "ExpressionAttributeValues": {":v": {"S": "x"}}},
            'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"',
        ),
        (
            {"ConditionExpression": "name = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name",
        ),
        (
            {"ConditionExpression": "#a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
            "attribute name: #a",
        ),
        (
            {"ConditionExpression": "a = :v"},
            "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
            "attribute value: :v",
        ),
        (
            {
                "ConditionExpression": "a = :v",
                "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"S": "y"}},
            },
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
        ),
        (
            {
                "ConditionExpression": "a = :v",
                "ExpressionAttributeValues": {":v": {"S": "x"}},
                "ExpressionAttributeNames": {"#x": "x"},
            },
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
        ),
        (
            {"ConditionExpression": "foo(a)"},
            "Invalid ConditionExpression: Invalid function name; function: foo",
        ),
        (
            {"ConditionExpression": "attribute_exists(a, b)"},
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: attribute_exists, number of operands: 2",
        ),
        (
            {"ConditionExpression": "size(a)"},
            "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
            "function: size",
        ),
        (
            {"ConditionExpression": "((a = :v))", "ExpressionAttributeValues": {":v": {"S": "x"}}},
            "Invalid ConditionExpression: The expression has redundant parentheses;",
        ),
        (
            {
                "ConditionExpression": "a BETWEEN :h AND :l",
                "ExpressionAttributeValues": {":h": {"N": "10"}, ":l": {"N": "1"}},
            },
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal "
            "to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:1}",
        ),
        (
            {"ConditionExpression": "attribute_type(a, :t)", "ExpressionAttributeValues": {":t": {"S": "X"}}},
            "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: "
            "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
        ),
        ({"ConditionExpression": ""}, "Invalid ConditionExpression: The expression can not be empty;"),
        (
            {"ExpressionAttributeValues": {":v": {"S": "x"}}},
            "ExpressionAttributeValues can only be specified when using expressions",
        ),
        (
            {"ConditionExpression": "a = :v", "ExpressionAttributeValues": {}},
            "ExpressionAttributeValues must not be empty",
        ),
        (
            {"ConditionExpression": "a = :v", "Expected": {"a": {"Exists": False}}},
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}",
        ),
        (
            {"ConditionExpression": "a = :v", "ExpressionAttributeValues": {":v": {"SS": []}}},
            "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
            "An string set  may not be empty for key :v",
        ),
    ],
)
def test_put_item_bad_condition_expression_fails_with_aws_message(
    ddb: Any, item_table: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=item_table, Item={"pk": {"S": "new"}}, **kwargs)
    assert error_of(excinfo) == validation(message)


def update(
    ddb: Any, table: str, expression: str, values: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    if values:
        extra["ExpressionAttributeValues"] = values
    result = ddb.update_item(
        TableName=table, Key={"pk": {"S": "k"}}, UpdateExpression=expression, ReturnValues="ALL_NEW", **extra
    )
    return dict(result["Attributes"])


def test_update_item_set_arithmetic_and_functions_compute_from_old_item(ddb: Any, item_table: str) -> None:
    new = update(
        ddb,
        item_table,
        "SET #c = #c + :one, price = price - :half, fresh = if_not_exists(fresh, :zero), "
        "#n = if_not_exists(#n, :x), lst = list_append(:front, lst), mp.inr.added = :one",
        {
            ":one": {"N": "1"},
            ":half": {"N": "0.5"},
            ":zero": {"N": "0"},
            ":x": {"S": "x"},
            ":front": {"L": [{"S": "z"}]},
        },
        ExpressionAttributeNames={"#c": "count", "#n": "name"},
    )
    assert new["count"] == {"N": "6"}
    assert new["price"] == {"N": "10"}
    assert new["fresh"] == {"N": "0"}
    assert new["name"] == {"S": "widget"}
    assert new["lst"]["L"][:2] == [{"S": "z"}, {"S": "a"}]
    assert new["mp"]["M"]["inr"] == {"M": {"leaf": {"N": "7"}, "added": {"N": "1"}}}


def test_update_item_set_swaps_values_using_the_old_item(ddb: Any, make_table: Callable[..., str]) -> None:
    table = make_table(None)
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "a": {"S": "1"}, "b": {"S": "2"}})
    new = update(ddb, table, "SET a = b, b = a")
    assert new == {"pk": {"S": "k"}, "a": {"S": "2"}, "b": {"S": "1"}}


def test_update_item_list_index_beyond_end_appends_and_remove_shifts(ddb: Any, item_table: str) -> None:
    new = update(ddb, item_table, "SET lst[10] = :v", {":v": {"S": "end"}})
    assert new["lst"]["L"][-1] == {"S": "end"}
    new = update(ddb, item_table, "REMOVE lst[0], lst[2]")
    assert new["lst"]["L"] == [{"N": "2"}, {"S": "end"}]


def test_update_item_add_and_delete_numbers_and_sets(ddb: Any, item_table: str) -> None:
    new = update(
        ddb,
        item_table,
        "ADD #c :two, tags :more, newcount :two DELETE nums :one",
        {":two": {"N": "2"}, ":more": {"SS": ["green", "red"]}, ":one": {"NS": ["1"]}},
        ExpressionAttributeNames={"#c": "count"},
    )
    assert new["count"] == {"N": "7"}
    assert sorted(new["tags"]["SS"]) == ["blue", "green", "red"]
    assert new["newcount"] == {"N": "2"}
    assert new["nums"] == {"NS": ["2"]}
    new = update(ddb, item_table, "DELETE nums :last", {":last": {"NS": ["2"]}})
    assert "nums" not in new


def test_update_item_updated_old_and_new_return_the_touched_paths(ddb: Any, item_table: str) -> None:
    old = ddb.update_item(
        TableName=item_table,
        Key={"pk": {"S": "k"}},
        UpdateExpression="SET mp.inr.leaf = :v, flag = :f",
        ExpressionAttributeValues={":v": {"N": "8"}, ":f": {"BOOL": False}},
        ReturnValues="UPDATED_OLD",
    )["Attributes"]
    assert old == {"mp": {"M": {"inr": {"M": {"leaf": {"N": "7"}}}}}, "flag": {"BOOL": True}}
    new = ddb.update_item(
        TableName=item_table,
        Key={"pk": {"S": "k"}},
        UpdateExpression="SET flag = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]
    assert new == {"flag": {"BOOL": True}}


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        (
            "ADD hits : incr",
            None,
            'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"',
        ),
        (
            "SET pk = :v",
            {":v": {"S": "x"}},
            "One or more parameter values were invalid: Cannot update attribute pk. "
            "This attribute is part of the key",
        ),
        (
            "SET a = :v, a.b = :v",
            {":v": {"S": "x"}},
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of "
            "these paths; path one: [a], path two: [a, b]",
        ),
        (
            "SET a = :v SET b = :v",
            {":v": {"S": "x"}},
            'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;',
        ),
        (
            "SET a = attribute_exists(b)",
            None,
            "Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists",
        ),
        (
            "ADD a :v",
            {":v": {"S": "x"}},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: "
            "STRING, typeSet: ALLOWED_FOR_ADD_OPERAND",
        ),
        (
            "DELETE a :v",
            {":v": {"N": "1"}},
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand "
            "type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND",
        ),
        (
            "SET #n = :v + :w",
            {":v": {"N": "1"}, ":w": {"S": "x"}},
            "An operand in the update expression has an incorrect data type",
        ),
        (
            "SET absent.deeper = :v",
            {":v": {"N": "1"}},
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "SET a = nope + :v",
            {":v": {"N": "1"}},
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        ("ADD #n :v", {":v": {"N": "1"}}, "An operand in the update expression has an incorrect data type"),
        ("", None, "Invalid UpdateExpression: The expression can not be empty;"),
    ],
)
def test_update_item_bad_update_expression_fails_with_aws_message(
    ddb: Any, item_table: str, expression: str, values: dict[str, Any] | None, message: str
) -> None:
    extra: dict[str, Any] = {"ExpressionAttributeValues": values} if values else {}
    if "#n" in expression:
        extra["ExpressionAttributeNames"] = {"#n": "name"}
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(TableName=item_table, Key={"pk": {"S": "k"}}, UpdateExpression=expression, **extra)
    assert error_of(excinfo) == validation(message)


def test_get_item_projection_expression_picks_nested_paths_and_list_indexes(
    ddb: Any, item_table: str
) -> None:
    item = ddb.get_item(
        TableName=item_table,
        Key={"pk": {"S": "k"}},
        ProjectionExpression="#n, mp.inr.leaf, lst[2].deep, lst[0], absent, tags",
        ExpressionAttributeNames={"#n": "name"},
    )["Item"]
    assert item == {
        "name": {"S": "widget"},
        "mp": {"M": {"inr": {"M": {"leaf": {"N": "7"}}}}},
        "lst": {"L": [{"S": "a"}, {"M": {"deep": {"S": "x"}}}]},
        "tags": {"SS": ["red", "blue"]},
    }


def test_get_item_overlapping_projection_paths_fail(ddb: Any, item_table: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName=item_table, Key={"pk": {"S": "k"}}, ProjectionExpression="mp, mp.inr")
    assert error_of(excinfo) == validation(
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of "
        "these paths; path one: [mp], path two: [mp, inr]"
    )
