"""Amazon DynamoDB Streams."""
