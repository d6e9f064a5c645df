"""One package per AWS service; `registry` knows which exist and loads them on first use."""
