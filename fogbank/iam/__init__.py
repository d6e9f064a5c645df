"""Identity and access: who a request comes from, and (later) whether it is allowed."""
