"""Runs every workload against every emulator (one emulator at a time) and prints the table."""

from __future__ import annotations

import subprocess
import sys
import traceback
from dataclasses import dataclass, field

import workloads
from targets import ROOT, StartReport, Target, interpreter_for_fogbank, measure_start
from workloads import KIB, MIB, Result, Settings

ROWS = [
    ("SQS SendMessage", "sqs_send"),
    ("SQS ReceiveMessage+DeleteMessage", "sqs_receive_delete"),
    ("S3 PutObject 1 KiB", "s3_put"),
    ("S3 GetObject 1 KiB", "s3_get_1k"),
    ("S3 GetObject 1 MiB", "s3_get_1m"),
]
TARGETS = {"sqs_send": 3, "sqs_receive_delete": 3, "s3_put": 3, "s3_get_1k": 3, "s3_get_1m": 2}


@dataclass
class Measurements:
    start: StartReport | None = None
    results: dict[str, Result] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def fogbank_python() -> str:
    python = interpreter_for_fogbank(sys.executable)
    probe = [python, "-c", "import fogbank.gateway.app"]  # from "/": the checkout must not count
    if python == sys.executable and subprocess.run(probe, capture_output=True, cwd="/").returncode:
        print("installing fogbank into the benchmark environment …", flush=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "-e", str(ROOT)], check=True)
    return python


def attempt(measured: Measurements, key: str, action: object) -> Result | None:
    try:
        result = action()  # type: ignore[operator]
    except Exception as problem:  # noqa: BLE001 - one failing workload must not end the run
        measured.failures[key] = f"{type(problem).__name__}: {problem}".splitlines()[0][:160]
        if "--trace" in sys.argv:
            traceback.print_exc()
        return None
    measured.results[key] = result
    return result  # type: ignore[no-any-return]


def measure_one(name: str, settings: Settings) -> Measurements:
    python = fogbank_python() if name.startswith("fogbank") else sys.executable
    target = Target(name, python)
    measured = Measurements()
    print(f"measuring {name} …", flush=True)
    try:
        measured.start = measure_start(target)
        send = attempt(measured, "sqs_send", lambda: workloads.sqs_send(target, settings))
        rate = send.throughput if send else 500.0
        attempt(measured, "sqs_receive_delete", lambda: workloads.sqs_receive_delete(target, settings, rate))
        try:
            bucket = workloads.s3_bucket(target)
        except Exception as problem:  # noqa: BLE001
            for key in ("s3_put", "s3_get_1k", "s3_get_1m"):
                measured.failures[key] = f"CreateBucket failed: {problem}".splitlines()[0][:160]
        else:
            attempt(measured, "s3_put", lambda: workloads.s3_put(target, settings, bucket))
            attempt(measured, "s3_get_1k", lambda: workloads.s3_get(target, settings, bucket, KIB))
            attempt(measured, "s3_get_1m", lambda: workloads.s3_get(target, settings, bucket, MIB))
    except Exception as problem:  # noqa: BLE001 - e.g. the emulator did not start
        measured.failures["start"] = str(problem)
    finally:
        target.cleanup()
    return measured


def measure_all(names: list[str], *, seconds: float, limit: int, concurrency: int) -> dict[str, Measurements]:
    settings = Settings(concurrency=concurrency, seconds=seconds, limit=limit)
    return {name: measure_one(name, settings) for name in names}


def _ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return "n/a"
    return f"{ours / theirs:.2f}x"


def _cell(result: Result | None) -> str:
    if result is None:
        return f"{'n/a':>36}"
    return (
        f"{result.throughput:7.0f} req/s {result.p50_ms:6.1f}/{result.p99_ms:6.1f} ms "
        f"{result.server_cpu_us:6.0f} µs"
    )


def print_table(all_results: dict[str, Measurements], names: list[str]) -> None:
    peers = [name for name in names if name != "fogbank"]
    print()
    print("cells: throughput, p50/p99 latency, server CPU per request")
    print(
        "vs peer: fogbank/peer throughput, then peer/fogbank server CPU per request (both: higher is better)"
    )
    header = f"{'workload':34}" + "".join(f"| {name:37}" for name in names)
    header += "".join(f"| vs {peer:10}" for peer in peers if "fogbank" in all_results)
    print(header)
    print("-" * len(header))
    for label, key in ROWS:
        cells = [all_results[name].results.get(key) for name in names]
        line = f"{label:34}" + "".join(f"| {_cell(cell):37}" for cell in cells)
        ours = all_results.get("fogbank", Measurements()).results.get(key)
        for peer in peers:
            if "fogbank" in all_results:
                theirs = all_results[peer].results.get(key)
                throughput = _ratio(ours and ours.throughput, theirs and theirs.throughput)
                cpu = _ratio(theirs and theirs.server_cpu_us, ours and ours.server_cpu_us)
                line += f"| {throughput:>6} {cpu:>6}"
        print(line + f"   (target ≥{TARGETS[key]}x ministack)")
    _print_start_rows(all_results, names, peers)
    _print_failures(all_results, names)


def _print_start_rows(all_results: dict[str, Measurements], names: list[str], peers: list[str]) -> None:
    for label, attribute, unit, target in (
        ("start to first answer", "start_seconds", "s", "≤0.3 s"),
        ("idle memory (RSS)", "idle_mib", "MiB", "≤40 MiB"),
    ):
        values = []
        for name in names:
            start = all_results[name].start
            values.append(getattr(start, attribute) if start else None)
        line = f"{label:34}" + "".join(
            f"| {(f'{value:.3f} {unit}' if unit == 's' else f'{value:.1f} {unit}') if value else 'n/a':37}"
            for value in values
        )
        if "fogbank" in all_results:
            ours = values[names.index("fogbank")]
            for peer in peers:
                line += f"| {_ratio(ours, values[names.index(peer)]):>13}"
        print(line + f"   (target {target}; ratio: lower is better)")


def _print_failures(all_results: dict[str, Measurements], names: list[str]) -> None:
    notes = [(name, key, reason) for name in names for key, reason in all_results[name].failures.items()]
    if notes:
        print()
        for name, key, reason in notes:
            print(f"n/a {name} {key}: {reason}")
