"""fogbank against moto's server and ministack, measured in the same run on the same machine.

    python3 benchmarks/run.py [--seconds 5] [--concurrency 16] [--only fogbank,ministack]

(`--only fogbank-ephemeral,…` also measures fogbank in memory, as the peers keep their state.)

The first run creates `.benchmarks-env/` (gitignored) with boto3, `moto[server]` and `ministack`
from PyPI, then re-runs itself in it. Each emulator runs in its own process on a free 127.0.0.1
port, one after the other (never side by side). Measured, with boto3 at concurrency 16 (threads,
one client per thread, each workload bounded by a request count and a time limit):

- SQS SendMessage; SQS ReceiveMessage + DeleteMessage (one step = both calls);
- S3 PutObject 1 KiB; S3 GetObject 1 KiB; S3 GetObject 1 MiB;
- start to first answered request (an SQS ListQueues; median of 3 after an untimed warm start);
- idle memory (RSS of the server process and its children, 2 s after start).

Throughput includes the client's own cost (boto3 needs more CPU per request than a fast server
and shares the 2 cores), so the table also shows the server's CPU time per request, read from
/proc: the server-side cost that throughput alone hides. A workload that fails on an emulator
(e.g. an operation not implemented) is shown as "n/a" with the reason below the table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENV = ROOT / ".benchmarks-env"
PACKAGES = ["boto3", "moto[server]", "ministack"]
PEERS = ("moto", "ministack")


def bench_python() -> Path:
    return ENV / "bin" / "python"


def ensure_environment() -> None:
    """Create the benchmark venv once, with the peers from PyPI (never into the project's .venv)."""
    marker = ENV / ".installed"
    if marker.exists():
        return
    print(f"creating {ENV} with {', '.join(PACKAGES)} (once) …", flush=True)
    venv.EnvBuilder(with_pip=True, clear=ENV.exists()).create(ENV)
    subprocess.run([str(bench_python()), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    marker.write_text("\n".join(PACKAGES))


def in_environment() -> bool:
    return Path(sys.prefix).resolve() == ENV.resolve()


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="time limit of each workload")
    parser.add_argument("--limit", type=int, default=20_000, help="request limit of each workload")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--only", default="fogbank,moto,ministack", help="comma-separated emulators")
    parser.add_argument("--trace", action="store_true", help="print the traceback of a failing workload")
    return parser.parse_args()


def main() -> int:
    if not in_environment():
        ensure_environment()
        os.execv(str(bench_python()), [str(bench_python()), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.path.insert(0, str(HERE))
    from report import measure_all, print_table

    args = parse_arguments()
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    results = measure_all(names, seconds=args.seconds, limit=args.limit, concurrency=args.concurrency)
    print_table(results, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
