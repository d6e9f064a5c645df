"""The entry point other fogbank services use to write their own logs into CloudWatch Logs (Lambda
writes each invocation's START/output/END/REPORT lines to `/aws/lambda/<name>`). The log group and
stream are created when missing, as the writing service does in AWS, and PutLogEvents' client-side
limits (batch size, 14-day age) do not apply to a service's own writes."""

from __future__ import annotations

from fogbank.services import registry


def write_events(account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None:
    """Append (epoch milliseconds, message) events, in order, to a log stream of a log group."""
    from fogbank.services.logs.provider import LogsProvider

    provider = registry.provider("logs")
    assert isinstance(provider, LogsProvider)
    provider.write_events(account, region, group, stream, events)
