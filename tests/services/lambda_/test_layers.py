"""Layers: PublishLayerVersion / Get / List / Delete, and layer contents reachable from functions
where the runtimes look for them (python/, python/lib/python3.x/site-packages, nodejs/node_modules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from lambda_support import build_zip, payload_of, requires_node


def test_publish_layer_version_get_list_delete(lambda_client: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("layer")
    content = build_zip({"python/helper.py": "X = 1\n"})
    first = lambda_client.publish_layer_version(
        LayerName=name, Content={"ZipFile": content}, CompatibleRuntimes=["python3.12"], Description="one"
    )
    arn = f"arn:aws:lambda:us-east-1:000000000000:layer:{name}"
    assert (first["LayerArn"], first["LayerVersionArn"], first["Version"]) == (arn, f"{arn}:1", 1)
    assert first["Content"]["CodeSize"] == len(content) and first["Content"]["CodeSha256"]
    second = lambda_client.publish_layer_version(LayerName=name, Content={"ZipFile": content})
    assert second["Version"] == 2
    got = lambda_client.get_layer_version(LayerName=name, VersionNumber=1)
    assert (got["Description"], got["CompatibleRuntimes"]) == ("one", ["python3.12"])
    assert lambda_client.get_layer_version_by_arn(Arn=f"{arn}:2")["Version"] == 2
    versions = lambda_client.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [item["Version"] for item in versions] == [2, 1]
    filtered = lambda_client.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")[
        "LayerVersions"
    ]
    assert [item["Version"] for item in filtered] == [1]
    layers = {item["LayerName"]: item for item in lambda_client.list_layers()["Layers"]}
    assert layers[name]["LatestMatchingVersion"]["Version"] == 2
    lambda_client.delete_layer_version(LayerName=name, VersionNumber=1)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_layer_version(LayerName=name, VersionNumber=1)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_create_function_with_python_layers_imports_from_opt(
    create_function: Any, lambda_client: Any, unique_name: Callable[[str], str]
) -> None:
    plain = lambda_client.publish_layer_version(
        LayerName=unique_name("layer"),
        Content={"ZipFile": build_zip({"python/greeting.py": "WORD = 'hello'\n"})},
    )
    site = lambda_client.publish_layer_version(
        LayerName=unique_name("layer"),
        Content={
            "ZipFile": build_zip({"python/lib/python3.12/site-packages/punct/__init__.py": "MARK = '!'\n"})
        },
    )
    code = "import greeting, punct\ndef handler(event, context):\n    return greeting.WORD + punct.MARK\n"
    function = create_function({"app.py": code}, Layers=[plain["LayerVersionArn"], site["LayerVersionArn"]])
    assert [layer["Arn"] for layer in function["Layers"]] == [
        plain["LayerVersionArn"],
        site["LayerVersionArn"],
    ]
    assert payload_of(lambda_client.invoke(FunctionName=function["FunctionName"])) == "hello!"


@requires_node
def test_create_function_with_node_layer_requires_from_node_modules(
    create_function: Any, lambda_client: Any, unique_name: Callable[[str], str]
) -> None:
    module = "module.exports = (who) => `hi ${who}`;\n"
    layer = lambda_client.publish_layer_version(
        LayerName=unique_name("layer"),
        Content={"ZipFile": build_zip({"nodejs/node_modules/greet/index.js": module})},
    )
    code = "const greet = require('greet');\nexports.handler = async (event) => greet(event.who);\n"
    name = create_function(
        {"index.js": code}, Runtime="nodejs20.x", Handler="index.handler", Layers=[layer["LayerVersionArn"]]
    )["FunctionName"]
    assert payload_of(lambda_client.invoke(FunctionName=name, Payload=b'{"who": "bob"}')) == "hi bob"


def test_create_function_with_unknown_layer_is_refused(create_function: Any) -> None:
    missing = "arn:aws:lambda:us-east-1:000000000000:layer:nope:3"
    with pytest.raises(ClientError) as caught:
        create_function({"app.py": "def handler(e, c):\n    return 1\n"}, Layers=[missing])
    error = caught.value.response
    assert error["Error"] == {
        "Code": "InvalidParameterValueException",
        "Message": f"Layer version {missing} does not exist.",
    }
