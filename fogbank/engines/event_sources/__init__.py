"""Lambda event source mappings: durable mapping records, the SQS and stream pollers that read
their sources through the sources' public operations or reader APIs, batching, filters, failure
handling and the AWS event payloads."""
