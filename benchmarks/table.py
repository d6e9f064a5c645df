"""Prints the benchmark tables: every measurement, then each issue's target with PASS/FAIL."""

from __future__ import annotations

from dataclasses import dataclass

from report import LABELS, Measurements
from workloads import Result

FOGBANKS = ("fogbank", "fogbank-ephemeral")


@dataclass(frozen=True)
class Goal:
    key: str
    # "ratio": fogbank/peer throughput ≥ value; "p50": ≤ value ms; "wall": ≤ value s;
    # "extra": fogbank's p50 exceeds its own p50 of the workload named by `peer` by ≤ value ms;
    # "within": fogbank's p50 is ≤ value × its own p50 of the workload named by `peer`.
    kind: str
    value: float
    peer: str = ""
    issue: int = 2
    text: str = ""  # the target column, when the default wording does not fit


GOALS = [
    *(
        Goal(key, "ratio", 3, "ministack")
        for key in ("sqs_send", "sqs_receive_delete", "s3_put", "s3_get_1k")
    ),
    Goal("s3_get_1m", "ratio", 2, "ministack"),
    Goal("ddb_put", "ratio", 4, "ministack", 3),
    Goal("ddb_put", "ratio", 1, "dynalite", 3),
    Goal("ddb_get", "ratio", 4, "ministack", 3),
    Goal("ddb_get", "ratio", 1, "dynalite", 3),
    Goal("ddb_query", "ratio", 3, "ministack", 3),
    Goal("ddb_get_c1", "p50", 0.4, issue=3),
    Goal("ddb_fill_1m", "wall", 0, issue=3),
    Goal("ddb_query_1m_c1", "within", 2, "ddb_query_1k_c1", 3, "p50 <= 2x 1k table"),
    Goal("lambda_warm", "p50", 3, issue=4),
    Goal("lambda_warm_boto3", "p50", 3, issue=4),
    Goal("lambda_cold", "p50", 150, issue=4),
    Goal("lambda_burst", "wall", 1.0, issue=4),
    Goal("sqs_to_lambda", "p50", 5, issue=4),
    Goal("sfn_sync", "p50", 3, issue=5),
    Goal("sfn_standard", "p50", 5, issue=5),
    Goal("sfn_map_1000", "wall", 0, issue=5),
    Goal("events_put", "ratio", 0, "ministack", 6),
    Goal("events_to_sqs", "p50", 5, issue=6),
    Goal("events_1000_rules", "extra", 1, "events_to_sqs", 6),
]


def print_measurements(all_results: dict[str, Measurements], names: list[str]) -> None:
    print(
        "\nthroughput = answered-200 requests per second (a Receive+Delete step counts once); latency in ms;"
    )
    print("server/client CPU = µs of CPU per request of the server (from /proc) and of the load generator")
    print(f"{'workload':38}{'emulator':19}{'req/s':>9}{'p50':>9}{'p99':>9}{'server µs':>10}{'client µs':>10}")
    for key, label in LABELS.items():
        for name in names:
            result = all_results[name].results.get(key)
            if result is not None:
                print(f"{label:38}{name:19}{_row(result)}")
            elif key in all_results[name].failures:
                print(f"{label:38}{name:19}{'n/a':>9}  {all_results[name].failures[key][:110]}")
    for name in names:
        start, failure = all_results[name].start, all_results[name].failures.get("start")
        if start:
            print(
                f"{'start to first answer / idle RSS':38}{name:19}{start.start_seconds:8.3f}s {start.idle_mib:7.1f} MiB"
            )
        if failure:
            print(f"{'(did not run)':38}{name:19}{failure[:140]}")


def _row(result: Result) -> str:
    throughput = f"{result.throughput:9.0f}" if result.seconds else f"{'-':>9}"
    server = f"{result.server_cpu_us:10.0f}" if result.server_cpu_us else f"{'-':>10}"
    client = f"{result.client_cpu_us:10.0f}" if result.client_cpu_us else f"{'-':>10}"
    latency = f"{result.p50_ms:9.2f}{result.p99_ms:9.2f}" if result.p50_ms else f"{'-':>9}{'-':>9}"
    return f"{throughput}{latency}{server}{client}"


def verdict(goal: Goal, ours: Result | None, peer: Result | None) -> tuple[str, str]:
    if ours is None:
        return "n/a", "n/a"
    if goal.kind == "p50":
        return f"{ours.p50_ms:.2f} ms", "PASS" if ours.p50_ms <= goal.value else "FAIL"
    if goal.kind == "extra":
        if peer is None:
            return "n/a", "n/a"
        extra = ours.p50_ms - peer.p50_ms
        return f"+{extra:.2f} ms", "PASS" if extra <= goal.value else "FAIL"
    if goal.kind == "within":
        if peer is None:
            return "n/a", "n/a"
        ratio = ours.p50_ms / peer.p50_ms
        return (
            f"{ratio:.2f}x",
            f"{'PASS' if ratio <= goal.value else 'FAIL'} {ours.p50_ms:.2f}/{peer.p50_ms:.2f} ms",
        )
    if goal.kind == "wall":
        if goal.value == 0:  # asked to complete without error and report the time
            return f"{ours.seconds:.2f} s", "done"
        return f"{ours.seconds:.2f} s", "PASS" if ours.seconds <= goal.value else "FAIL"
    if peer is None:
        return "n/a", "n/a"
    ratio = ours.throughput / peer.throughput
    # The peer's server CPU per request over ours: the capacity ratio, steadier under noise.
    cpu = f"cpu {peer.server_cpu_us / ours.server_cpu_us:.1f}x" if ours.server_cpu_us else ""
    if goal.value == 0:
        return f"{ratio:.2f}x", f"report {cpu}"
    return f"{ratio:.2f}x", f"{'PASS' if ratio >= goal.value else 'FAIL'} {cpu}"


def target_text(goal: Goal) -> str:
    if goal.text:
        return goal.text
    if goal.kind == "ratio":
        return f"report vs {goal.peer}" if goal.value == 0 else f">= {goal.value:g}x {goal.peer}"
    if goal.kind == "p50":
        return f"p50 <= {goal.value:g} ms"
    if goal.kind == "extra":
        return f"p50 <= +{goal.value:g} ms"
    return "all succeed; time" if goal.value == 0 else f"all done <= {goal.value:g} s"


def print_goals(all_results: dict[str, Measurements], names: list[str]) -> None:
    ours_names = [name for name in FOGBANKS if name in names]
    print(f"\n{'issue target':52}{'target':22}" + "".join(f"{name:31}" for name in ours_names))
    for goal in GOALS:
        cells = []
        for name in ours_names:
            if goal.kind in ("extra", "within"):  # compared with fogbank's own base workload
                peer = all_results[name].results.get(goal.peer)
            else:
                peer = all_results.get(goal.peer, Measurements()).results.get(goal.key)
            value, mark = verdict(goal, all_results[name].results.get(goal.key), peer)
            cells.append(f"{value:>10} {mark:20}")
        if any(not cell.strip().startswith("n/a") for cell in cells):
            print(f"#{goal.issue} {LABELS[goal.key]:49}{target_text(goal):22}" + "".join(cells))
    for name in ours_names:
        start = all_results[name].start
        if start:
            print(
                f"#2 {'start to first answer / idle memory':49}{'<=0.3 s / <=40 MiB':22}"
                f"{name}: {start.start_seconds:.3f} s {'PASS' if start.start_seconds <= 0.3 else 'FAIL'}"
                f" / {start.idle_mib:.1f} MiB {'PASS' if start.idle_mib <= 40 else 'FAIL'}"
            )
