"""`fogbank logs --function NAME`: print a Lambda function's log events (log group
`/aws/lambda/NAME`) from a running fogbank, oldest first, and with `--follow` keep printing new ones.

It is a client of the CloudWatch Logs API (FilterLogEvents over HTTP), like the AWS CLI's
`aws logs tail`, so it shows exactly what the service stores.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any, TextIO

FOLLOW_INTERVAL = 1.0  # real seconds between polls of a CLI that follows (not server code)


def _filter(port: int, region: str, group: str, start: int, token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"logGroupName": group, "startTime": start}
    if token:
        body["nextToken"] = token
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Logs_20140328.FilterLogEvents",
            "Authorization": f"AWS4-HMAC-SHA256 Credential=test/20240101/{region}/logs/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def _line(event: dict[str, Any]) -> str:
    moment = datetime.fromtimestamp(event["timestamp"] / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return f"{moment}Z {event['logStreamName']} {event['message'].rstrip()}"


def print_function_logs(
    port: int, function: str, out: TextIO, *, region: str = "us-east-1", follow: bool = False
) -> int:
    """Print the function's events; answers the command's exit status."""
    group = f"/aws/lambda/{function}"
    start, printed = 0, set[str]()
    while True:
        token: str | None = None
        try:
            while True:
                page = _filter(port, region, group, start, token)
                for event in page["events"]:
                    if event["eventId"] not in printed:
                        printed.add(event["eventId"])
                        out.write(_line(event) + "\n")
                        start = max(start, event["timestamp"])
                token = page.get("nextToken")
                if not token:
                    break
        except urllib.error.HTTPError as failure:
            if failure.code == 400 and b"ResourceNotFoundException" in failure.read():
                out.write(f"no logs for function {function} yet (log group {group} does not exist)\n")
                return 1
            raise
        out.flush()
        if not follow:
            return 0
        time.sleep(FOLLOW_INTERVAL)
