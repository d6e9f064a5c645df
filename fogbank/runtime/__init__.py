"""Lambda execution: the Runtime API server, execution environments (one OS process each) and
the pool that keeps them warm."""
