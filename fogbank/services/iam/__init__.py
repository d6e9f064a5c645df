"""AWS Identity and Access Management (IAM)."""
