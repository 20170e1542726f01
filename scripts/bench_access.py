"""What the access rules cost a call: status reads anonymous, with a token, refused.

``python scripts/bench_access.py [--quick]`` issues certificates to a fresh SQLite
store, starts ``registry serve`` (anonymous rate limit lifted, so the limiter's
bookkeeping is measured and not its refusals) and times ``GetCertificateStatus``
through one channel, sequentially and from 8 threads, as:

- an anonymous caller (decided on the event loop: no token to check);
- the admin and the certificate's CB with a bearer token (checked against the token
  store once, then its 0.5 s cache; the call decided in one worker hop);
- a garbage token (refused UNAUTHENTICATED and logged once per refusal).

Each case runs ``repeats`` times, interleaved; the table gives median calls/s (min-max),
p50/p99 latency of the sequential runs, and each rate's ratio to the anonymous one of the
same run. Nothing is asserted: it is a measurement.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import grpc
from bench import (
    Pool,
    Run,
    concurrent,
    issue_fresh,
    latency,
    median,
    persistence_env,
    rate_text,
    sequential,
    serving,
    split,
)
from bench_auth import register

from registry.application.registry import Registry
from registry.client import RegistryClient, RegistryClientError

CLIENTS = 8
CASES = ("anonymous", "admin token", "CB token", "garbage token (refused)")


def refused(call: Callable[[], object]) -> Callable[[], object]:
    """``call``, which must be refused UNAUTHENTICATED."""

    def run() -> object:
        try:
            call()
        except RegistryClientError as error:
            if error.code is not grpc.StatusCode.UNAUTHENTICATED:
                raise
            return None
        raise AssertionError("a garbage token was answered")

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls, one repeat")
    args = parser.parse_args(argv)
    calls, repeats = (400, 1) if args.quick else (2000, 3)
    folder = Path(tempfile.mkdtemp(prefix="bench-access-"))
    try:
        db = folder / "access.db"
        pool = Pool("A", 400)
        registry = Registry(persistence_env(f"sqlite:///{db}"))
        issue_fresh(registry, pool.refs)
        tokens = register(registry, (cb for cb, _ in pool.refs))
        registry.close()
        seq: dict[str, list[Run]] = {case: [] for case in CASES}
        par: dict[str, list[Run]] = {case: [] for case in CASES}
        with serving(db, folder / "serve.log", ("--anonymous-rate", "1000000000")) as server:
            clients = {
                "anonymous": RegistryClient(server.target, retries=0),
                "admin token": RegistryClient(server.target, retries=0, token=tokens.admin),
                "CB token": RegistryClient(server.target, retries=0, token_source=tokens),
                "garbage token (refused)": RegistryClient(
                    server.target, retries=0, token="rgt_0123456789abcdef_" + "x" * 43
                ),
            }
            try:
                refs = pool.refs

                def ops(case: str, count: int) -> list[Callable[[], object]]:
                    client = clients[case]
                    chosen = [refs[i % len(refs)] for i in range(count)]
                    made = [partial(client.get_certificate_status, cb, n) for cb, n in chosen]
                    return [refused(op) for op in made] if "garbage" in case else list(made)

                for case in CASES:  # warm up every channel and cache
                    for op in ops(case, 50):
                        op()
                for r in range(repeats):
                    print(f"  ... repeat {r + 1}/{repeats}", file=sys.stderr, flush=True)
                    for case in CASES:
                        seq[case].append(sequential(ops(case, calls), server.pid))
                        per = split(ops(case, calls * 2), CLIENTS)
                        par[case].append(concurrent(per, server.pid))
            finally:
                for client in clients.values():
                    client.close()
        print(table(seq, par, calls, repeats))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def table(seq: dict[str, list[Run]], par: dict[str, list[Run]], calls: int, repeats: int) -> str:
    def ratio(runs: dict[str, list[Run]], case: str) -> str:
        ratios = [
            run.rate / base.rate for run, base in zip(runs[case], runs["anonymous"], strict=True)
        ]
        return f"{median(ratios):.2f}"

    header = (
        f"GetCertificateStatus over gRPC, SQLite, {calls:,} sequential / {2 * calls:,} from "
        f"{CLIENTS} threads, {repeats} repeat(s): median calls/s (min-max)\n"
    )
    lines = [
        f"| caller | sequential | ratio | p50 ms | p99 ms | {CLIENTS} threads | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        lines.append(
            f"| {case} | {rate_text(seq[case])} | {ratio(seq, case)} | "
            f"{latency(seq[case], 0.5):.2f} | {latency(seq[case], 0.99):.2f} | "
            f"{rate_text(par[case])} | {ratio(par, case)} |"
        )
    return header + "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
