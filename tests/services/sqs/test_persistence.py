"""Messages, their visibility and FIFO deduplication survive a restart of fogbank."""

from __future__ import annotations

from pathlib import Path

from fogbank.testing.server import FogbankServer


def test_restart_keeps_queues_messages_and_in_flight_state(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
        fifo = sqs.create_queue(QueueName="durable.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="in flight")
        taken = sqs.receive_message(QueueUrl=url)["Messages"][0]
        sqs.send_message(QueueUrl=url, MessageBody="waiting")
        first = sqs.send_message(
            QueueUrl=fifo, MessageBody="f", MessageGroupId="g", MessageDeduplicationId="d"
        )
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        sqs = server.client("sqs")
        url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
        fifo = sqs.get_queue_url(QueueName="durable.fifo")["QueueUrl"]
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in received] == ["waiting"]
        sqs.delete_message(QueueUrl=url, ReceiptHandle=taken["ReceiptHandle"])  # the old handle still works
        sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
        again = sqs.send_message(
            QueueUrl=fifo, MessageBody="f", MessageGroupId="g", MessageDeduplicationId="d"
        )
        assert again["MessageId"] == first["MessageId"]
        assert len(sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]) == 1
        server.advance_clock("PT10M")
        assert "Messages" not in sqs.receive_message(QueueUrl=url)
    finally:
        server.stop()


def test_restart_resumes_running_message_move_task(tmp_path: Path) -> None:
    import json

    server = FogbankServer(data_dir=tmp_path).start()
    try:
        sqs = server.client("sqs")
        dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
        source = sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": policy})["QueueUrl"]
        for index in range(3):
            sqs.send_message(QueueUrl=dlq, MessageBody=f"m{index}")
        destination = sqs.create_queue(QueueName="dest")["QueueUrl"]
        destination_arn = sqs.get_queue_attributes(QueueUrl=destination, AttributeNames=["QueueArn"])
        sqs.start_message_move_task(
            SourceArn=dlq_arn,
            DestinationArn=destination_arn["Attributes"]["QueueArn"],
            MaxNumberOfMessagesPerSecond=1,
        )
        assert source
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        sqs = server.client("sqs")
        assert sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]["Status"] == "RUNNING"
        server.advance_clock("PT5S")
        task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 3)
    finally:
        server.stop()
