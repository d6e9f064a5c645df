"""Error messages the Secrets Manager tests expect (checked with `aws_errors.assert_error`)."""

from __future__ import annotations

NOT_FOUND = "Secrets Manager can't find the specified secret."
MARKED = "You can't perform this operation on the secret because it was marked for deletion."
