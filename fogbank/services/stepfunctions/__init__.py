"""AWS Step Functions: the Amazon States Language interpreter and its API (see provider.py)."""
