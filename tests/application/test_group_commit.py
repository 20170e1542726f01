"""Group commit: writes that arrive together are checked alone and saved together."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from authority import prepare_in_process

from registry import config
from registry.application.registry import Registry
from registry.application.views import CertificateRef, Organization, WriteMeta
from registry.errors import AlreadyExistsError, RuleViolationError

D = date.fromisoformat


def issue(app: Registry, number: str) -> None:
    app.issue_certificate(
        CertificateRef("cb-1", number),
        WriteMeta(f"issue-{number}", D("2024-01-10")),
        organization=Organization("Acme", "DE", "Berlin"),
        sites=[],
        standard="ISO 9001:2015",
        scope="widgets",
        sector_codes=[],
        expiry_date=D("2027-01-09"),
    )


def transfer(app: Registry, number: str, to: str, request_id: str, day: str = "2025-05-01"):
    """cb-1's ``number`` taken over by cb-2's certificate ``to`` from ``day``."""
    return app.transfer_certificate(
        CertificateRef("cb-2", to),
        WriteMeta(request_id, D(day)),
        from_certificate=CertificateRef("cb-1", number),
        organization=Organization("Acme", "DE", "Berlin"),
        sites=[],
        standard="ISO 9001:2015",
        scope="widgets",
        sector_codes=[],
        expiry_date=D("2027-01-09"),
    )


def kinds(app: Registry, cb: str, number: str) -> list[str]:
    return [e.type for e in app.get_history(CertificateRef(cb, number)).events]


class HeldSaves:
    """Wraps ``app.save``: records each call's size; can hold the committer in a save."""

    def __init__(self, app: Registry) -> None:
        self.app = app
        self.original = app.save
        self.sizes: list[int] = []
        self.release = threading.Event()
        self.held = threading.Event()
        app.save = self.save  # type: ignore[method-assign]

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        if not self.release.is_set():
            self.held.set()
            self.release.wait(10)
        self.sizes.append(sum(len(o.pending_events) for o in objs))
        return self.original(*objs, **kwargs)

    def wait_queued(self, count: int) -> None:
        deadline = time.monotonic() + 10
        while self.app._committer._queue.qsize() < count:
            assert time.monotonic() < deadline, "writes did not queue up"
            time.sleep(0.005)

    def batch(self, calls: list, meanwhile: Callable[[], object] = lambda: None) -> list:
        """Hold the committer in a lone write to Q-0 while ``calls`` queue up, run
        ``meanwhile``, then let them all through; returns each call's result or error."""
        app = self.app
        blocker, _ = run_all(
            [
                lambda: app.record_surveillance(
                    CertificateRef("cb-1", "Q-0"), WriteMeta("first", D("2025-01-05"))
                )
            ]
        )
        assert self.held.wait(10)
        # One at a time, so they queue (and are checked) in the order given.
        threads, results = run_all(calls, after_start=lambda i: self.wait_queued(i + 1))
        meanwhile()
        self.release.set()
        for thread in [*blocker, *threads]:
            thread.join(10)
        return results


def run_all(
    calls: list, after_start: Callable[[int], object] = lambda i: None
) -> tuple[list[threading.Thread], list]:
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for i, thread in enumerate(threads):
        thread.start()
        after_start(i)
    return threads, results


def test_writes_that_arrive_together_share_one_commit_and_a_violation_fails_only_itself(app):
    for n in range(6):
        issue(app, f"Q-{n}")
    saves = HeldSaves(app)
    calls = [
        lambda n=n: app.record_surveillance(
            CertificateRef("cb-1", f"Q-{n}"), WriteMeta(f"s-{n}", D("2025-01-05"))
        )
        for n in range(1, 6)
    ]
    calls.append(
        lambda: app.reinstate_certificate(
            CertificateRef("cb-1", "Q-3"), WriteMeta("bad", D("2025-02-01"))
        )
    )
    results = saves.batch(calls)

    assert [r.version for r in results[:5]] == [2, 2, 2, 2, 2]
    assert isinstance(results[5], RuleViolationError)
    assert saves.sizes == [1, 5]  # the held lone write, then the five writes together
    assert app.get_history(CertificateRef("cb-1", "Q-3")).events[-1].type == ("SurveillancePassed")


def test_a_lone_write_is_saved_alone_without_waiting_for_company(app):
    issue(app, "Q-1")
    saves = HeldSaves(app)
    saves.release.set()
    writer, results = run_all(
        [
            lambda: app.record_surveillance(
                CertificateRef("cb-1", "Q-1"), WriteMeta("lone", D("2025-01-05"))
            )
        ]
    )
    writer[0].join(10)
    assert results[0].version == 2
    assert saves.sizes == [1]


def test_a_write_racing_another_process_in_a_batch_fails_none_of_the_others(
    durable_db_url: str,
):
    env = config.persistence_env(durable_db_url)
    app, other = prepare_in_process(Registry(env)), Registry(env)
    try:
        for n in range(4):
            issue(app, f"Q-{n}")
        saves = HeldSaves(app)
        calls = [
            lambda n=n: app.change_scope(
                CertificateRef("cb-1", f"Q-{n}"),
                WriteMeta(f"scope-{n}", D("2025-02-01")),
                scope=f"scope {n}",
                sites=[],
                sector_codes=[],
            )
            for n in range(1, 4)
        ]
        # Meanwhile another process writes Q-2, which this process has loaded already.
        results = saves.batch(
            calls,
            meanwhile=lambda: other.suspend_certificate(
                CertificateRef("cb-1", "Q-2"), WriteMeta("other", D("2025-03-01")), reason="NC"
            ),
        )

        assert [r.version for r in results] == [2, 3, 2]
        q2 = app.get_history(CertificateRef("cb-1", "Q-2")).events
        assert [e.type for e in q2] == ["Issued", "Suspended", "ScopeChanged"]
    finally:
        app.close()
        other.close()


@pytest.mark.parametrize("threads", [16])
def test_many_concurrent_writers_all_get_their_own_answer(app, threads):
    for n in range(threads):
        issue(app, f"Q-{n}")
    calls = [
        lambda n=n, i=i: (
            app.change_holder_details(
                CertificateRef("cb-1", f"Q-{n}"),
                WriteMeta(f"h-{n}-{i}", D("2025-01-01")),
                organization=Organization(f"Acme {i}", "", ""),
            ).version
        )
        for n in range(threads)
        for i in range(5)
    ]
    workers, results = run_all(calls)
    for worker in workers:
        worker.join(30)
    for n in range(threads):
        mine = sorted(results[n * 5 : n * 5 + 5])
        assert mine == [2, 3, 4, 5, 6]
        history = app.get_history(CertificateRef("cb-1", f"Q-{n}")).events
        assert len(history) == 6


def test_a_transfer_in_a_batch_continues_from_what_the_batch_did_to_either_certificate(app):
    for n in range(3):
        issue(app, f"Q-{n}")
    saves = HeldSaves(app)
    surveil = lambda: app.record_surveillance(  # noqa: E731
        CertificateRef("cb-1", "Q-1"), WriteMeta("s-1", D("2025-01-05"))
    )
    calls = [
        surveil,
        lambda: transfer(app, "Q-1", "B-1", "t-1"),
        lambda: transfer(app, "Q-1", "B-2", "t-2"),  # Q-1 is transferred by then
        lambda: transfer(app, "Q-2", "B-1", "t-3"),  # B-1 exists by then
        lambda: transfer(app, "Q-2", "B-3", "t-4"),
    ]
    results = saves.batch(calls)

    assert results[0].version == 2
    assert (results[1].version, results[1].from_version) == (1, 3)
    assert isinstance(results[2], RuleViolationError) and "transfer-only-valid" in str(results[2])
    assert isinstance(results[3], AlreadyExistsError)
    assert (results[4].version, results[4].from_version) == (1, 2)
    assert saves.sizes == [1, 5]  # 2 events, B-1: 1, Q-2: 1, B-3: 1 in one commit
    assert kinds(app, "cb-1", "Q-1") == ["Issued", "SurveillancePassed", "TransferredOut"]
    assert kinds(app, "cb-2", "B-1") == ["Issued"]
    assert app.get_status(CertificateRef("cb-2", "B-1"), at=D("2025-06-01")).details.replaces == (
        CertificateRef("cb-1", "Q-1")
    )


def test_a_transfer_racing_another_process_is_redone_on_both_certificates_re_read(
    durable_db_url: str,
):
    env = config.persistence_env(durable_db_url)
    app, other = prepare_in_process(Registry(env)), Registry(env)
    try:
        for n in range(2):
            issue(app, f"Q-{n}")
        saves = HeldSaves(app)
        # Meanwhile another process changes Q-1, which this process has loaded already:
        # the joint save conflicts, and the transfer is redone on what is stored then.
        results = saves.batch(
            [lambda: transfer(app, "Q-1", "B-1", "t-1")],
            meanwhile=lambda: other.record_surveillance(
                CertificateRef("cb-1", "Q-1"), WriteMeta("other", D("2025-01-05"))
            ),
        )

        assert (results[0].version, results[0].from_version) == (1, 3)
        assert kinds(app, "cb-1", "Q-1") == ["Issued", "SurveillancePassed", "TransferredOut"]
        assert kinds(app, "cb-2", "B-1") == ["Issued"]
    finally:
        app.close()
        other.close()
