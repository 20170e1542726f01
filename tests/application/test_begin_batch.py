"""Writes begun together (``Registry.begin_batch``, what PublishBatch runs): one transaction,
each answered on its own, none held back by another's refusal or fault."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.application.inputs import MAX_BATCH_COMMANDS
from registry.application.registry import BegunWrite, Registry
from registry.application.views import CertificateRef, Organization, WriteMeta
from registry.domain.certificate import Certificate
from registry.errors import InvalidInputError, NotFoundError, RuleViolationError

D = date.fromisoformat
NEW = {
    "organization": Organization("Acme", "DE", "Berlin"),
    "sites": [],
    "standard": "ISO 9001:2015",
    "scope": "widgets",
    "sector_codes": [],
    "expiry_date": D("2027-01-09"),
}


def issue(number: str) -> BegunWrite:
    ref = CertificateRef("cb-1", number)
    return BegunWrite("issue_certificate", ref, WriteMeta(f"issue-{number}", D("2024-01-10")), NEW)


def surveil(number: str, request_id: str) -> BegunWrite:
    ref = CertificateRef("cb-1", number)
    return BegunWrite("record_surveillance", ref, WriteMeta(request_id, D("2025-01-05")))


def counted_saves(app: Registry) -> list[int]:
    sizes: list[int] = []
    original = app.save_changes

    def save_changes(certificates: Any, requests: Any) -> None:
        sizes.append(len(requests))
        original(certificates, requests)

    app.save_changes = save_changes  # type: ignore[method-assign]
    return sizes


def test_a_full_batch_is_saved_in_one_transaction(app):
    saves = counted_saves(app)
    writes = [issue(f"Q-{n}") for n in range(MAX_BATCH_COMMANDS)]
    results = [future.result(30) for future in app.begin_batch(writes)]
    assert [r.version for r in results] == [1] * MAX_BATCH_COMMANDS
    assert saves == [MAX_BATCH_COMMANDS]


def test_a_malformed_write_and_a_refused_one_fail_alone(app):
    saves = counted_saves(app)
    writes = [
        issue("Q-1"),
        surveil("Q-1", ""),  # malformed: no request id
        surveil("Q-404", "unknown"),
        BegunWrite("reinstate_certificate", CertificateRef("cb-1", "Q-1"), WriteMeta("r")),
        surveil("Q-1", "good"),
    ]
    futures = app.begin_batch(writes)
    assert isinstance(futures[1].exception(10), InvalidInputError)
    assert isinstance(futures[2].exception(10), NotFoundError)
    assert isinstance(futures[3].exception(10), RuleViolationError)
    assert (futures[0].result(10).version, futures[4].result(10).version) == (1, 2)
    assert saves == [2]


def test_an_unexpected_fault_of_one_write_fails_only_that_write(app, monkeypatch):
    original = Certificate.record_surveillance

    def faulty(self: Certificate, **context: Any) -> None:
        if context["request_id"] == "faulty":
            raise RuntimeError("a bug in one command")
        original(self, **context)

    monkeypatch.setattr(Certificate, "record_surveillance", faulty)
    futures = app.begin_batch([issue("Q-1"), surveil("Q-1", "faulty"), surveil("Q-1", "good")])
    assert isinstance(futures[1].exception(10), RuntimeError)
    assert [futures[0].result(10).version, futures[2].result(10).version] == [1, 2]
