"""How fast the live feed (StreamEvents) delivers new events while writers run.

    scripts/bench --feed [--writers 8] [--events 2000] [--subscribers 1] [--postgres DSN]

For each store (an SQLite file; PostgreSQL: the DSN given, else a server of
our own started like the tests start theirs), ``registry serve`` runs in its
own process; ``--subscribers`` streams follow the feed from its head (one
measured, the others read everything too) while ``--writers`` threads issue
certificates, one event per RPC. An event's delivery latency is the time from
its recorded time (assigned inside the committing transaction, so the commit
itself is counted) to its arrival at the measured subscriber, on this
machine's one clock. Prints p50/p99/max per store, and the write rate reached.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bench_auth import over_the_wire  # noqa: E402
from pg_instance import PostgresInstance, schema_dsn  # noqa: E402
from server_process import ServerProcess  # noqa: E402

from registry.client import RegistryClient  # noqa: E402
from registry.v1 import certificate_service_pb2 as pb  # noqa: E402

ORGANIZATION = pb.Organization(name="Acme GmbH", country="DE", address="1 Hauptstr, Berlin")


def issue(client: RegistryClient, number: str) -> None:
    client.issue_certificate(
        "cb-bench",
        number,
        organization=ORGANIZATION,
        standard="ISO 9001:2015",
        scope="Design and manufacture of widgets",
        sector_codes=["17"],
        sites=[pb.Site(address="1 Hauptstr, Berlin")],
        expiry_date=date(2027, 1, 9),
        effective_date=date(2024, 1, 10),
    )


class Subscriber:
    """A stream from ``after`` recording each event's arrival and recorded time."""

    def __init__(self, target: str, after: int, admin_token: str) -> None:
        self.client = RegistryClient(target, token=admin_token)
        self.call = self.client.stream_events(after)
        self.arrivals: list[tuple[int, float, float]] = []  # position, recorded, arrived
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with contextlib.suppress(Exception):
            for response in self.call:
                arrived = time.time()
                if response.HasField("event"):
                    event = response.event
                    recorded = event.recorded_at.seconds + event.recorded_at.nanos / 1e9
                    self.arrivals.append((event.global_position, recorded, arrived))

    def close(self) -> None:
        self.call.cancel()
        self.thread.join()
        self.client.close()


def run_store(
    db: str, folder: Path, writers: int, events: int, subscribers: int
) -> dict[str, float]:
    server = ServerProcess(db, folder / "server.log").start()
    try:
        assert server.token_file is not None
        tokens = over_the_wire(server.target, server.token_file, ["cb-bench"])
        with RegistryClient(server.target, timeout=30, token_source=tokens) as client:
            for n in range(20):  # warm up: connections, caches, the store's files
                issue(client, f"warm-{n}")
            head = client.get_certificate_status("cb-bench", "warm-19").log_position
            followers = [Subscriber(server.target, head, tokens.admin) for _ in range(subscribers)]
            time.sleep(1.0)  # every stream open and at the head
            each = events // writers

            def write(w: int) -> None:
                for k in range(each):
                    issue(client, f"w{w}-{k}")

            threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            deadline = time.monotonic() + 60
            while any(len(f.arrivals) < each * writers for f in followers):
                if time.monotonic() > deadline:
                    raise RuntimeError("the feed did not deliver every event")
                time.sleep(0.05)
            for follower in followers:
                follower.close()
        latencies = sorted(
            (arrived - recorded) * 1000 for _, recorded, arrived in followers[0].arrivals
        )
        positions = [p for p, _, _ in followers[0].arrivals]
        assert positions == sorted(set(positions)), "out of order or twice"
        return {
            "events": len(latencies),
            "writes/s": each * writers / elapsed,
            "p50": statistics.median(latencies),
            "p99": latencies[int(0.99 * (len(latencies) - 1))],
            "max": latencies[-1],
        }
    finally:
        server.stop()


@contextlib.contextmanager
def postgres(dsn: str | None) -> Iterator[str]:
    if dsn:
        yield schema_dsn(dsn)
        return
    instance = PostgresInstance.start()
    try:
        yield schema_dsn(instance.dsn)
    finally:
        instance.stop()


def table(rows: Sequence[tuple[str, dict[str, float]]]) -> str:
    header = ("store", "events", "writes/s", "p50 ms", "p99 ms", "max ms")
    lines = [header] + [
        (
            name,
            f"{r['events']:.0f}",
            f"{r['writes/s']:.0f}",
            f"{r['p50']:.1f}",
            f"{r['p99']:.1f}",
            f"{r['max']:.1f}",
        )
        for name, r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in lines
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=8, help="writer threads (8)")
    parser.add_argument("--events", type=int, default=2000, help="events written per store")
    parser.add_argument("--subscribers", type=int, default=1, help="streams following (1)")
    parser.add_argument("--postgres", metavar="DSN", help="a PostgreSQL database to use")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="registry-bench-feed-") as tmp:
        folder = Path(tmp)
        print(
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.writers} writers, "
            f"{args.subscribers} subscriber(s)",
            flush=True,
        )
        rows.append(
            (
                "sqlite",
                run_store(
                    f"sqlite:///{folder / 'feed.db'}",
                    folder,
                    args.writers,
                    args.events,
                    args.subscribers,
                ),
            )
        )
        print("sqlite done", flush=True)
        with postgres(args.postgres) as dsn:
            rows.append(
                ("postgres", run_store(dsn, folder, args.writers, args.events, args.subscribers))
            )
    print()
    print(table(rows))
    print()
    print(
        "latency: from an event's recorded time (inside its commit) to its arrival at a "
        "subscriber over gRPC; server = `registry serve` in its own process"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
