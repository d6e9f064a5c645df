"""SQS → Lambda delivery latency through an event source mapping on fogbank, measured with boto3.

    .venv/bin/python benchmarks/sqs_to_lambda.py [--messages 300]

Each message carries the wall time it was sent; the function (BatchSize 1) computes how long after
that it started handling the record and reports the figure to a results queue. Messages are sent
one at a time, after the previous report arrived (steady state, warm function). Prints p50/p90/p99.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lambda_invoke import TRUST, client, package, percentile  # noqa: E402

from fogbank.testing.server import FogbankServer  # noqa: E402

HANDLER = """
import json, os, time, urllib.request

def handler(event, context):
    started = time.time()
    delays = [started - float(record["body"]) for record in event["Records"]]
    key = os.environ["AWS_ACCESS_KEY_ID"]
    body = {"QueueUrl": os.environ["RESULTS"], "MessageBody": json.dumps(delays)}
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"] + "/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.SendMessage",
            "Authorization": "AWS4-HMAC-SHA256 Credential=" + key + "/20240101/us-east-1/sqs/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    urllib.request.urlopen(request).read()
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    arguments = parser.parse_args()
    server = FogbankServer().start()
    try:
        lam, sqs = client(server.url, "lambda"), client(server.url, "sqs")
        role = client(server.url, "iam").create_role(  # type: ignore[attr-defined]
            RoleName="bench", AssumeRolePolicyDocument=json.dumps(TRUST)
        )["Role"]["Arn"]
        jobs = sqs.create_queue(QueueName="jobs")["QueueUrl"]  # type: ignore[attr-defined]
        results = sqs.create_queue(QueueName="results")["QueueUrl"]  # type: ignore[attr-defined]
        arn = sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]  # type: ignore[attr-defined]
        lam.create_function(  # type: ignore[attr-defined]
            FunctionName="worker",
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": package(HANDLER)},
            Environment={"Variables": {"RESULTS": results}},
        )
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", BatchSize=1)  # type: ignore[attr-defined]
        delays: list[float] = []
        for number in range(arguments.messages + 20):
            sqs.send_message(QueueUrl=jobs, MessageBody=repr(time.time()))  # type: ignore[attr-defined]
            answer = sqs.receive_message(QueueUrl=results, WaitTimeSeconds=20)["Messages"][0]  # type: ignore[attr-defined]
            sqs.delete_message(QueueUrl=results, ReceiptHandle=answer["ReceiptHandle"])  # type: ignore[attr-defined]
            if number >= 20:  # the first ones warm the function up
                delays.extend(json.loads(answer["Body"]))
        print(
            f"SQS -> Lambda delivery ({len(delays)} messages): p50 {percentile(delays, 0.5):.2f} ms, "
            f"p90 {percentile(delays, 0.9):.2f} ms, p99 {percentile(delays, 0.99):.2f} ms"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
