"""Wire protocols: one request parser and one response serializer per AWS protocol, driven by
botocore's service models."""
