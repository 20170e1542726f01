"""``registry projections status|rebuild``: the read models kept from the log."""

from __future__ import annotations

import argparse
import json
import sys
import time

from registry import config


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("projections", help="inspect or rebuild the read models")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status",
        help="each projection's position and lag behind the log",
        description="Open the store and print each projection's tracked position and how far "
        "it is behind the log (positions, and seconds of recorded time).",
    )
    status.add_argument(
        "--db", default=config.default_db(), help=f"the store (default ${config.DB_ENV})"
    )
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(run=run_status)
    rebuild = actions.add_parser(
        "rebuild",
        help="empty the read models and build them again from the log",
        description="Take the projection's lock (so no server runs it meanwhile), empty its "
        "tables and apply the whole log again. Servers running meanwhile wait, then resume.",
    )
    rebuild.add_argument(
        "--db", default=config.default_db(), help=f"the store (default ${config.DB_ENV})"
    )
    rebuild.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="how long to wait for a server running the projection to let go (default 0)",
    )
    rebuild.set_defaults(run=run_rebuild)


def run_status(args: argparse.Namespace) -> int:
    from registry.application.registry import Registry
    from registry.projections.setup import index_lag, open_index

    app = Registry(config.persistence_env(args.db, pool_size=2), seed=False)
    index = open_index(app)
    try:
        lag = index_lag(index)
    finally:
        index.close()
        app.close()
    row = {
        "projection": index.projection.name,
        "position": lag.position,
        "log_position": lag.head,
        "behind_positions": lag.positions,
        "behind_seconds": lag.seconds,
    }
    if args.json:
        print(json.dumps([row]))
        return 0
    print("projection  position  log position  behind")
    seconds = f"{lag.seconds:.3f} s" if lag.seconds is not None else "-"
    print(
        f"{row['projection']:<10}  {lag.position:>8}  {lag.head:>12}  "
        f"{lag.positions} events, {seconds}"
    )
    return 0


def run_rebuild(args: argparse.Namespace) -> int:
    from registry.application.registry import Registry
    from registry.projections.runner import renew_if_older
    from registry.projections.setup import open_index

    app = Registry(config.persistence_env(args.db, pool_size=2), seed=False)
    index = open_index(app)
    try:
        deadline = time.monotonic() + args.wait
        while not index.election.acquire():
            if time.monotonic() >= deadline:
                print(
                    "registry: a server is running the index projection on this store: stop "
                    "it, or give --wait SECONDS",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.5)
        started = time.monotonic()
        renew_if_older(app, index.projection)
        index.view.clear()
        index.projection.reset()
        position, applied = 0, 0
        while True:
            batch = app.recorder.select_notifications(
                start=position, limit=500, inclusive_of_start=False
            )
            if not batch:
                break
            index.projection.process(batch)
            position = batch[-1].id
            applied += len(batch)
        seconds = time.monotonic() - started
        print(f"index rebuilt: {applied} events to log position {position} in {seconds:.1f} s")
        return 0
    finally:
        index.close()
        app.close()
