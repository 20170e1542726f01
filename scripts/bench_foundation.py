"""The foundation's figures, measured in one run on SQLite files (``scripts/bench --foundation``).

(1) unary write and read throughput with 8 clients: the asynchronous server
    (``registry serve``) against the previous synchronous one (scripts/sync_server.py:
    the same application behind ``grpc.server`` with a thread per call), alternated;
(2) GetCertificateStatus p50/p99 on certificates of 10, 1,000 and 5,000 events, and a
    history page of 100 events at the start and at the end of those histories;
(3) unary p50/p99 on the asynchronous server while 200 calls are stalled (100 history
    calls and 100 health Watch streams whose clients never read) and 500 connections sit
    idle, against the same server unloaded.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import grpc
from bench import Op, Run, concurrent, median, percentile, sequential, split
from bench_auth import Tokens, register
from grpc_health.v1 import health_pb2

from registry.application.registry import Registry
from registry.application.views import CertificateRef, Organization, Site, WriteMeta
from registry.client import RegistryClient
from registry.config import persistence_env
from registry.v1 import certificate_service_pb2 as pb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from stalled import misbehaving  # noqa: E402  (the tests' misbehaving HTTP/2 clients)

CLIENTS = 8
HISTORIES = (10, 1_000, 5_000)
ISSUED = date(2024, 1, 10)
EXPIRY = date(2027, 1, 9)


@contextlib.contextmanager
def serving(command: Sequence[str], log: Path) -> Iterator[tuple[str, int]]:
    """A server process until the block ends; yields its target and pid."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-O", *command], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
    try:
        deadline = time.monotonic() + 60
        while (match := re.search(r"listening on (\S+)", log.read_text())) is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.05)
        with grpc.insecure_channel(match.group(1)) as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
        yield match.group(1), process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def issue(app: Registry, number: str) -> None:
    app.issue_certificate(
        CertificateRef("cb-bench", number),
        WriteMeta(f"issue-{number}", ISSUED),
        organization=Organization("Bench GmbH", "DE", "1 Hauptstr, Berlin"),
        sites=[Site("1 Hauptstr, Berlin")],
        standard="ISO 9001:2015",
        scope="Design and manufacture of valves",
        sector_codes=["18"],
        expiry_date=EXPIRY,
    )


def build(db: Path, certificates: int) -> Tokens:
    """``certificates`` plain certificates, and one of each history length; the tokens
    to send them with."""
    app = Registry(persistence_env(f"sqlite:///{db}"))
    try:
        tokens = register(app, ["cb-bench"])
        for n in range(certificates):
            issue(app, f"C-{n}")
        for events in HISTORIES:
            number = f"H-{events}"
            issue(app, number)
            for n in range(events - 1):
                day = ISSUED + timedelta(days=1 + n % 900)
                if n % 10 == 9:
                    app.change_scope(
                        CertificateRef("cb-bench", number),
                        WriteMeta(f"{number}-{n}", day),
                        scope=f"Design and manufacture of valves, revision {n}",
                        sites=[Site("1 Hauptstr, Berlin")],
                        sector_codes=["18"],
                    )
                else:
                    app.record_surveillance(
                        CertificateRef("cb-bench", number), WriteMeta(f"{number}-{n}", day)
                    )
        return tokens
    finally:
        app.close()


def throughput(
    target: str, pid: int, refs: Sequence[str], tag: str, tokens: Tokens
) -> tuple[Run, Run]:
    """8 clients, each with its own channel: writes (surveillance), then status reads."""
    clients = [
        RegistryClient(target, timeout=30, retries=0, token_source=tokens) for _ in range(CLIENTS)
    ]
    try:
        day = ISSUED + timedelta(days=400)
        writes = [
            [
                partial(
                    client.record_surveillance,
                    "cb-bench",
                    number,
                    effective_date=day,
                    request_id=f"{tag}-{number}",
                )
                for number in part
            ]
            for client, part in zip(clients, split(refs, CLIENTS), strict=True)
        ]
        reads = [
            [partial(client.get_certificate_status, "cb-bench", number) for number in part]
            for client, part in zip(clients, split(refs, CLIENTS), strict=True)
        ]
        return concurrent(writes, pid), concurrent(reads, pid)
    finally:
        for client in clients:
            client.close()


def latencies(ops: Sequence[Op]) -> Run:
    for op in ops[:50]:
        op()  # warm the server's caches and this client's channel
    return sequential(ops)


def history_page_at_end(client: RegistryClient, number: str) -> Op:
    """Fetching the last page of 100 of a history, with the token that leads to it."""
    token = ""
    previous = ""
    while True:
        page = client.get_certificate_history("cb-bench", number, page_size=100, page_token=token)
        if not page.next_page_token:
            break
        previous, token = token, page.next_page_token
    return partial(
        client.get_certificate_history, "cb-bench", number, page_size=100, page_token=previous
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer operations")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    writes = 800 if args.quick else 2_000
    samples = 300 if args.quick else 1_000
    folder = Path(tempfile.mkdtemp(prefix="registry-bench-"))
    lines: list[str] = []
    try:
        print("building the stores…", file=sys.stderr, flush=True)
        tokens = {name: build(folder / f"{name}.db", writes) for name in ("async", "sync")}
        refs = [f"C-{n}" for n in range(writes)]
        runs: dict[str, list[tuple[Run, Run]]] = {"async": [], "sync": []}
        admin_file = str(folder / "admin.token")  # the first admin token (unused)
        commands = {
            "async": ["-m", "registry", "serve", "--token-file", admin_file, "--port", "0", "--db"],
            "sync": [str(ROOT / "scripts" / "sync_server.py"), "--port", "0", "--db"],
        }
        for repeat in range(args.repeats):
            for name in ("async", "sync"):
                print(f"throughput {name} {repeat + 1}/{args.repeats}…", file=sys.stderr)
                db = f"sqlite:///{folder / f'{name}.db'}"
                with serving([*commands[name], db], folder / f"{name}.log") as (target, pid):
                    runs[name].append(throughput(target, pid, refs, f"r{repeat}", tokens[name]))
        lines.append(f"(1) unary throughput, {CLIENTS} clients, median of {args.repeats} runs")
        lines.append(
            f"{'server':<8} {'writes/s':>10} {'reads/s':>10} "
            f"{'server cpu ms/write':>20} {'ms/read':>8}"
        )
        rates = {}
        for name in ("async", "sync"):
            w = median([r[0].rate for r in runs[name]])
            r = median([r[1].rate for r in runs[name]])
            rates[name] = (w, r)
            cpu_w = median([(r[0].server_cpu or 0) / r[0].ops * 1000 for r in runs[name]])
            cpu_r = median([(r[1].server_cpu or 0) / r[1].ops * 1000 for r in runs[name]])
            lines.append(f"{name:<8} {w:>10,.0f} {r:>10,.0f} {cpu_w:>20.2f} {cpu_r:>8.2f}")
        lines.append(
            f"async/sync: writes {rates['async'][0] / rates['sync'][0]:.2f}, "
            f"reads {rates['async'][1] / rates['sync'][1]:.2f}"
        )

        db = f"sqlite:///{folder / 'async.db'}"
        with (
            serving([*commands["async"], db], folder / "reads.log") as (target, _),
            RegistryClient(target, timeout=30, retries=0, token_source=tokens["async"]) as client,
        ):
            print("status and history by history length…", file=sys.stderr)
            lines.append("")
            lines.append("(2) by events per certificate (ms)")
            lines.append(
                f"{'events':>7} {'status p50':>11} {'status p99':>11} "
                f"{'page 1 p50':>11} {'last page p50':>14}"
            )
            status_p50 = {}
            for events in HISTORIES:
                number = f"H-{events}"
                status = latencies(
                    [partial(client.get_certificate_status, "cb-bench", number)] * samples
                )
                first = latencies(
                    [partial(client.get_certificate_history, "cb-bench", number, page_size=100)]
                    * (samples // 3)
                )
                last = latencies([history_page_at_end(client, number)] * (samples // 3))
                status_p50[events] = median(status.latencies)
                lines.append(
                    f"{events:>7} {ms(status_p50[events]):>11} "
                    f"{ms(percentile(status.latencies, 0.99)):>11} "
                    f"{ms(median(first.latencies)):>11} {ms(median(last.latencies)):>14}"
                )
            for events in HISTORIES[1:]:
                ratio = status_p50[events] / status_p50[HISTORIES[0]]
                verdict = "PASS" if ratio <= 2 else "FAIL"
                lines.append(
                    f"{verdict}: status p50 at {events:,} events is {ratio:.2f}x "
                    f"its p50 at {HISTORIES[0]} (target <= 2x)"
                )

            print("latency with stalled and idle connections…", file=sys.stderr)
            port = int(target.rsplit(":", 1)[1])
            ops = [partial(client.get_certificate_status, "cb-bench", "C-1")] * samples
            unloaded = latencies(ops)
            history = pb.GetCertificateHistoryRequest(
                certificate=pb.CertificateRef(
                    certification_body_id="cb-bench", certificate_number="H-1000"
                )
            )
            stalled = [
                ("/registry.v1.CertificateService/GetCertificateHistory", history),
                ("/grpc.health.v1.Health/Watch", health_pb2.HealthCheckRequest()),
            ] * 100
            with misbehaving(port, stalled, idle=500, token=tokens["async"].admin):
                loaded = latencies(ops)
            lines.append("")
            lines.append("(3) GetCertificateStatus latency on the asynchronous server (ms)")
            lines.append(f"{'':<34} {'p50':>7} {'p99':>7}")
            for label, run in (
                ("unloaded", unloaded),
                ("200 stalled + 500 idle connections", loaded),
            ):
                lines.append(
                    f"{label:<34} {ms(median(run.latencies)):>7} "
                    f"{ms(percentile(run.latencies, 0.99)):>7}"
                )
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
