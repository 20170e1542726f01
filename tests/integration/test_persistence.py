"""Durability: a server restarted on the same SQLite file answers exactly as before."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from conftest import RunningServer, issue_default

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient

D = date.fromisoformat
DAYS = [
    D(d)
    for d in ("2023-12-31", "2024-06-01", "2025-03-20", "2025-05-01", "2026-01-01", "2027-02-01")
]


def publish(client: RegistryClient) -> list[datetime]:
    """A few certificates with varied lifecycles; returns instants between the writes."""
    instants = []
    for n in range(5):
        number = f"P-{n}"
        issue_default(client, number)
        instants.append(datetime.now(UTC))
        client.record_surveillance("cb-1", number, effective_date=D("2025-01-05"))
        if n % 2:
            client.suspend_certificate("cb-1", number, reason="NC", effective_date=D("2025-03-01"))
            instants.append(datetime.now(UTC))
            time.sleep(0.001)
            client.reinstate_certificate("cb-1", number, effective_date=D("2025-04-15"))
        if n == 4:
            client.change_scope("cb-1", number, scope="less", effective_date=D("2025-06-01"))
            client.retract_event("cb-1", number, event_version=3, reason="error")
            client.withdraw_certificate(
                "cb-1", number, reason="fraud", effective_date=D("2025-09-01")
            )
        instants.append(datetime.now(UTC))
    return instants


def everything(client: RegistryClient, instants: list[datetime]) -> list[bytes]:
    answers = []
    for n in range(5):
        number = f"P-{n}"
        answers.extend(
            e.SerializeToString(deterministic=True)
            for e in client.iter_certificate_history("cb-1", number, page_size=2)
        )
        for day in DAYS:
            for as_of in [None, *instants]:
                answer = client.get_certificate_status("cb-1", number, at=day, as_of=as_of)
                if as_of is None:
                    answer.ClearField("as_of")  # echoes "now", which moves on
                answers.append(answer.SerializeToString(deterministic=True))
    return answers


def test_every_history_and_status_is_identical_after_a_restart(durable_db_url: str):
    env = config.persistence_env(durable_db_url)
    first = RunningServer.start(Registry(env))
    instants = publish(first.client)
    before = everything(first.client, instants)
    first.stop()

    second = RunningServer.start(Registry(env))
    try:
        after = everything(second.client, instants)
    finally:
        second.stop()
    assert len(before) > 300
    assert after == before
