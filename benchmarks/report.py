"""Runs the selected workload groups against every emulator (one emulator at a time, never side by
side) and prints two tables: the measurements, then each issue target with PASS/FAIL."""

from __future__ import annotations

import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import dynamodb_workloads as ddb
import flow_workloads as flows
import lambda_workloads as lam
import workloads
from targets import ROOT, StartReport, Target, interpreter_for_fogbank, measure_start
from workloads import KIB, MIB, Result, Settings

GROUPS = ("sqs", "s3", "dynamodb", "lambda", "stepfunctions", "events")
# Which groups each emulator runs: moto's Lambda needs Docker; dynalite is DynamoDB only; the
# ephemeral fogbank row repeats the throughput groups.
SUPPORTED = {
    "fogbank": set(GROUPS),
    "fogbank-ephemeral": {"sqs", "s3", "dynamodb"},
    "moto": {"sqs", "s3", "dynamodb", "stepfunctions", "events"},
    "ministack": set(GROUPS),
    "dynalite": {"dynamodb"},
}
LABELS = {
    "sqs_send": "SQS SendMessage c16",
    "sqs_receive_delete": "SQS Receive+DeleteMessage c16",
    "s3_put": "S3 PutObject 1 KiB c16",
    "s3_get_1k": "S3 GetObject 1 KiB c16",
    "s3_get_1m": "S3 GetObject 1 MiB c16",
    "ddb_put": "DynamoDB PutItem c16",
    "ddb_get": "DynamoDB GetItem c16",
    "ddb_get_c1": "DynamoDB GetItem c1",
    "ddb_query": "DynamoDB Query 10 items c16",
    "ddb_fill_1m": "DynamoDB fill 1M (BatchWrite 20) c16",
    "ddb_query_1k_c1": "DynamoDB Query 10 items c1, 1k table",
    "ddb_query_1m_c1": "DynamoDB Query 10 items c1, 1M table",
    "lambda_warm": "Lambda warm invoke c1",
    "lambda_warm_boto3": "Lambda warm invoke c1 (boto3)",
    "lambda_cold": "Lambda cold invoke (5 functions)",
    "lambda_burst": "Lambda 100 concurrent 100 ms invokes",
    "sqs_to_lambda": "SQS -> Lambda delivery",
    "sfn_sync": "SFN StartSyncExecution 3 Pass c1",
    "sfn_standard": "SFN Standard start -> SUCCEEDED",
    "sfn_map_1000": "SFN 1,000 Map-over-100 executions",
    "events_put": "EventBridge PutEvents c16",
    "events_to_sqs": "EventBridge PutEvents -> SQS",
    "events_1000_rules": "EventBridge -> SQS, 1,000 rules",
}


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


def attempt(measured: Measurements, key: str, action: Callable[[], object]) -> object | None:
    """Run one workload; a failure is recorded (shown as n/a with its reason), never fatal."""
    print(f"  {LABELS.get(key, key)} …", flush=True)
    try:
        result = action()
    except Exception as problem:  # noqa: BLE001 - one failing workload must not end the run
        measured.failures[key] = f"{type(problem).__name__}: {problem}".splitlines()[0][:200]
        if "--trace" in sys.argv:
            traceback.print_exc()
        return None
    if isinstance(result, Result):
        measured.results[key] = result
    return result


def run_sqs(target: Target, settings: Settings, measured: Measurements) -> None:
    attempt(measured, "sqs_send", lambda: workloads.sqs_send(target, settings))
    attempt(measured, "sqs_receive_delete", lambda: workloads.sqs_receive_delete(target, settings))


def run_s3(target: Target, settings: Settings, measured: Measurements) -> None:
    bucket = attempt(measured, "s3_bucket", lambda: workloads.s3_bucket(target))
    if not isinstance(bucket, str):
        return
    attempt(measured, "s3_put", lambda: workloads.s3_put(target, settings, bucket))
    attempt(measured, "s3_get_1k", lambda: workloads.s3_get(target, settings, bucket, KIB))
    attempt(measured, "s3_get_1m", lambda: workloads.s3_get(target, settings, bucket, MIB))


def run_dynamodb(target: Target, settings: Settings, measured: Measurements) -> None:
    table = attempt(measured, "ddb_table", lambda: ddb.create_table(target, sort_key=False))
    if not isinstance(table, str):
        return
    if attempt(measured, "ddb_put", lambda: ddb.put_item(target, settings, table)) is not None:
        attempt(measured, "ddb_get", lambda: ddb.get_item(target, settings, table, 16))
        attempt(measured, "ddb_get_c1", lambda: ddb.get_item(target, settings, table, 1))
    attempt(measured, "ddb_query", lambda: ddb.query(target, settings))
    run_query_scaling(target, settings, measured)


def run_query_scaling(target: Target, settings: Settings, measured: Measurements) -> None:
    """Query p50 at concurrency 1 on a 1,000-item table, then (fogbank only: the fill takes
    minutes on a peer) on a 1,000,000-item table filled in the same server."""
    small = attempt(measured, "ddb_fill_1k", lambda: ddb.fill_table(target, settings, 1_000))
    if isinstance(small, ddb.Filled):
        attempt(measured, "ddb_query_1k_c1", lambda: ddb.query_latency(target, settings, small))
    if target.name != "fogbank":
        measured.failures["ddb_query_1m_c1"] = "skipped: the 1,000,000-item fill runs on fogbank only"
        return
    big = attempt(measured, "ddb_fill_1m", lambda: ddb.fill_table(target, settings, 1_000_000))
    if isinstance(big, ddb.Filled):
        measured.results["ddb_fill_1m"] = big.result
        attempt(measured, "ddb_query_1m_c1", lambda: ddb.query_latency(target, settings, big))


def run_lambda(target: Target, settings: Settings, measured: Measurements) -> None:
    for key, workload in (
        ("lambda_warm", lam.warm_invoke),
        ("lambda_warm_boto3", lam.warm_invoke_boto3),
        ("lambda_cold", lam.cold_invoke),
        ("lambda_burst", lam.burst),
        ("sqs_to_lambda", lam.sqs_to_lambda),
    ):
        attempt(measured, key, lambda workload=workload: workload(target, settings))


def run_flows(groups: set[str], target: Target, settings: Settings, measured: Measurements) -> None:
    if "stepfunctions" in groups:
        attempt(measured, "sfn_sync", lambda: flows.start_sync(target, settings))
        attempt(measured, "sfn_standard", lambda: flows.standard_to_succeeded(target, settings))
        if target.name == "fogbank":  # issue 5 asks it of fogbank only; minutes on a peer
            attempt(measured, "sfn_map_1000", lambda: flows.map_burst(target, settings))
    if "events" in groups:
        attempt(measured, "events_put", lambda: flows.put_events(target, settings))
        attempt(measured, "events_to_sqs", lambda: flows.events_to_sqs(target, settings))
        attempt(measured, "events_1000_rules", lambda: flows.events_to_sqs(target, settings, 999))


def measure_one(name: str, groups: set[str], settings: Settings) -> Measurements:
    python = fogbank_python() if name.startswith("fogbank") else sys.executable
    target = Target(name, python)
    measured = Measurements()
    chosen = groups & SUPPORTED.get(name, set(GROUPS))
    print(f"measuring {name} ({', '.join(sorted(chosen))}) …", flush=True)
    try:
        measured.start = measure_start(target)
        for group, runner in (
            ("sqs", run_sqs),
            ("s3", run_s3),
            ("dynamodb", run_dynamodb),
            ("lambda", run_lambda),
        ):
            if group in chosen:
                runner(target, settings, measured)
        run_flows(chosen, target, settings, measured)
    except Exception as problem:  # noqa: BLE001 - e.g. the emulator did not start
        measured.failures["start"] = f"{type(problem).__name__}: {problem}"[:300]
    finally:
        target.cleanup()
    return measured


def measure_all(names: list[str], groups: set[str], settings: Settings) -> dict[str, Measurements]:
    return {name: measure_one(name, groups, settings) for name in names}
