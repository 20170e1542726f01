"""``registry db check``: the store's schema version and event count."""

from __future__ import annotations

import argparse
import json

from registry import config


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="inspect the event store")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="report the schema version and event count",
        description="Open the store, check its schema version and count its events.",
    )
    check.add_argument(
        "--db", default=config.default_db(), help=f"the store (default ${config.DB_ENV})"
    )
    check.add_argument("--json", action="store_true", help="print JSON")
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from registry.application.registry import Registry

    app = Registry(config.persistence_env(args.db, pool_size=2), seed=False)
    try:
        summary = app.summary()
    finally:
        app.close()
    if args.json:
        print(json.dumps(summary.__dict__))
        return 0
    rows = [
        ("backend", summary.backend),
        (
            "schema version",
            f"{summary.schema_version} (this registry: {summary.supported_schema_version})",
        ),
        ("events", f"{summary.events:,}"),
        ("last position", f"{summary.last_position:,}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0
