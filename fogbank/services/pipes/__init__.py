"""Amazon EventBridge Pipes: pipe records and states, the batch handler that runs filter →
enrichment → target for each batch the shared event-source pollers gather, input templates and
target senders."""
