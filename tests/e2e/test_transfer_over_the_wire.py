"""A transfer (IAF MD 2) over the wire: one command from the receiving CB, both certificates
changed in one transaction or neither.

The old certificate is cb-1's Q-1 (issued 2024-01-10, expiring 2027-01-09) unless a test
says otherwise; the new one is cb-2's B-9.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import grpc
import pytest
from conftest import RunningServer, certificate_events
from eventsourcing.persistence import OperationalError
from google.type import date_pb2

from registry.client import RegistryClient, RegistryClientError
from registry.domain.certificate import certificate_id
from registry.store.log import Batch, Stamp
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
OLD = ("cb-1", "Q-1")
NEW = ("cb-2", "B-9")
History = list[pb.CertificateEvent] | None


def transfer(
    client: RegistryClient,
    day: str = "2025-05-01",
    *,
    new: tuple[str, str] = NEW,
    old: tuple[str, str] = OLD,
    expiry: str = "2027-01-09",
    **overrides: Any,
) -> pb.TransferCertificateResponse:
    """``old`` taken over by ``new`` from ``day``."""
    fields: dict[str, Any] = {
        "organization": pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
        "standard": "ISO 9001:2015",
        "scope": "Design and manufacture of widgets",
        "sector_codes": ["17"],
        "sites": [pb.Site(address="1 Hauptstr, Berlin")],
        "expiry_date": D(expiry),
        "effective_date": D(day),
        **overrides,
    }
    return client.transfer_certificate(
        *new, from_certification_body_id=old[0], from_certificate_number=old[1], **fields
    )


def history(client: RegistryClient, certificate: tuple[str, str]) -> History:
    """Every event of ``certificate``; None if the registry has never heard of it."""
    try:
        return list(client.iter_certificate_history(*certificate))
    except RegistryClientError as error:
        assert error.code is grpc.StatusCode.NOT_FOUND, error.message
        return None


def status_on(client: RegistryClient, certificate: tuple[str, str], day: str) -> str:
    status = client.get_certificate_status(*certificate, at=D(day)).status
    return pb.CertificateStatus.Name(status).removeprefix("CERTIFICATE_STATUS_")


def ref(certificate: tuple[str, str]) -> pb.CertificateRef:
    return pb.CertificateRef(
        certification_body_id=certificate[0], certificate_number=certificate[1]
    )


def pb_date(day: str) -> date_pb2.Date:
    value = D(day)
    return date_pb2.Date(year=value.year, month=value.month, day=value.day)


@pytest.fixture(autouse=True)
def accredited_receivers(running: RunningServer) -> None:
    """The receiving CBs of these transfers hold an accreditation (set up before each test
    counts the log's events)."""
    for cb in ("cb-2", "cb-3"):
        running.authority.cb_token(cb, accredited=True)


def stored_events(running: RunningServer) -> int:
    return certificate_events(running)


# Accepted


def test_a_transfer_ends_the_old_certificate_and_issues_the_new_one_naming_each_other(
    client, issue
):
    issue()
    client.record_surveillance(*OLD, effective_date=D("2025-01-05"))
    answer = transfer(client, "2025-05-01")
    assert (answer.version, answer.from_version) == (1, 3)

    old_events, new_events = history(client, OLD), history(client, NEW)
    assert old_events is not None and new_events is not None
    assert [e.type for e in old_events] == [
        pb.CERTIFICATE_EVENT_TYPE_ISSUED,
        pb.CERTIFICATE_EVENT_TYPE_SURVEILLANCE_PASSED,
        pb.CERTIFICATE_EVENT_TYPE_TRANSFERRED_OUT,
    ]
    transferred_out, (issued,) = old_events[-1], new_events
    assert transferred_out.transferred_out.to_certificate == ref(NEW)
    assert issued.type == pb.CERTIFICATE_EVENT_TYPE_ISSUED
    assert issued.issued.replaces == ref(OLD)
    assert issued.issued.standard == "ISO 9001:2015"
    assert transferred_out.effective_date == issued.effective_date
    assert transferred_out.request_id == issued.request_id
    assert issued.recorded_at == answer.recorded_at


def test_the_old_certificate_is_transferred_and_the_new_valid_from_the_transfer_date(client, issue):
    issue()
    transfer(client, "2025-05-01")
    assert [status_on(client, OLD, day) for day in ("2025-04-30", "2025-05-01")] == [
        "VALID",
        "TRANSFERRED",
    ]
    assert [status_on(client, NEW, day) for day in ("2025-04-30", "2025-05-01")] == [
        "NOT_YET_VALID",
        "VALID",
    ]
    new = client.get_certificate_status(*NEW, at=D("2025-06-01")).certificate
    assert (new.replaces, new.expiry_date) == (ref(OLD), pb_date("2027-01-09"))
    old = client.get_certificate_status(*OLD, at=D("2025-06-01")).certificate
    assert old.transferred_to == ref(NEW)


def test_a_transfer_may_expect_the_new_certificate_at_version_0_only(client, issue):
    issue()
    with pytest.raises(RegistryClientError) as caught:
        transfer(client, expected_version=1)
    assert caught.value.code is grpc.StatusCode.ABORTED
    assert history(client, NEW) is None
    assert transfer(client, expected_version=0).version == 1


def test_the_new_certificate_is_renewed_later_like_any_other(client, issue):
    issue()
    transfer(client, "2025-05-01")
    renewed = client.renew_certificate(
        *NEW, expiry_date=D("2028-05-31"), effective_date=D("2025-06-01")
    )
    assert renewed.version == 2
    assert status_on(client, NEW, "2028-05-31") == "VALID"
    assert status_on(client, OLD, "2025-06-01") == "TRANSFERRED"


# Refused: each writes nothing on either certificate


def suspended(client: RegistryClient, issue: Callable[..., int]) -> None:
    issue()
    client.suspend_certificate(*OLD, reason="NC", effective_date=D("2025-03-01"))


def expired(client: RegistryClient, issue: Callable[..., int]) -> None:
    issue(effective="2021-01-10", expiry="2024-01-09")


def withdrawn(client: RegistryClient, issue: Callable[..., int]) -> None:
    issue()
    client.withdraw_certificate(*OLD, reason="fraud", effective_date=D("2025-03-01"))


def transferred(client: RegistryClient, issue: Callable[..., int]) -> None:
    issue()
    transfer(client, "2025-03-01", new=("cb-3", "C-1"))


def issued(client: RegistryClient, issue: Callable[..., int]) -> None:
    issue()


def new_one_exists(client: RegistryClient, issue: Callable[..., int]) -> None:
    issue()
    issue(NEW[1], cb=NEW[0], effective="2025-01-10", expiry="2027-01-09")


FAILED = grpc.StatusCode.FAILED_PRECONDITION
REFUSALS = [
    pytest.param(suspended, {}, FAILED, "no-transfer-while-suspended", id="suspended"),
    pytest.param(
        expired,
        {"day": "2024-02-01", "expiry": "2025-01-09"},
        FAILED,
        "transfer-only-valid",
        id="expired",
    ),
    pytest.param(withdrawn, {}, FAILED, "transfer-only-valid", id="withdrawn"),
    pytest.param(transferred, {}, FAILED, "transfer-only-valid", id="already-transferred"),
    pytest.param(
        issued, {"new": ("cb-1", "Q-2")}, FAILED, "transfer-from-another-cb", id="same-cb"
    ),
    pytest.param(
        issued,
        {"standard": "ISO 14001:2015"},
        FAILED,
        "transfer-same-standard",
        id="other-standard",
    ),
    pytest.param(
        issued,
        {"expiry": "2027-01-10"},
        FAILED,
        "transfer-expiry-at-most-replaced-expiry",
        id="expiry-past-the-old-one",
    ),
    pytest.param(
        issued,
        {"old": ("cb-1", "NO-SUCH")},
        grpc.StatusCode.NOT_FOUND,
        "NO-SUCH",
        id="unknown-old-certificate",
    ),
    pytest.param(
        new_one_exists,
        {},
        grpc.StatusCode.ALREADY_EXISTS,
        "already exists",
        id="new-certificate-exists",
    ),
]


@pytest.mark.parametrize(("setup", "overrides", "code", "reason"), REFUSALS)
def test_a_refused_transfer_changes_neither_certificate(
    running, client, issue, setup, overrides, code, reason
):
    setup(client, issue)
    overrides = {"day": "2025-05-01", **overrides}
    new, old = overrides.get("new", NEW), overrides.get("old", OLD)
    before = (history(client, old), history(client, new), stored_events(running))

    with pytest.raises(RegistryClientError) as caught:
        transfer(client, **overrides)

    assert caught.value.code is code, caught.value.message
    assert reason in caught.value.message
    assert (history(client, old), history(client, new), stored_events(running)) == before


def test_a_suspended_certificate_can_be_transferred_once_reinstated(client, issue):
    suspended(client, issue)
    client.reinstate_certificate(*OLD, effective_date=D("2025-04-01"))
    assert transfer(client, "2025-04-02").from_version == 4
    assert status_on(client, OLD, "2025-04-02") == "TRANSFERRED"


# Idempotent


def test_a_retried_transfer_returns_the_first_answer_and_appends_nothing(running, client, issue):
    issue()
    first = transfer(client, request_id="transfer-1")
    # A backdated change of the old certificate's last days moves it on; the retry's
    # answer still names the version the transfer left it at.
    client.record_surveillance(*OLD, effective_date=D("2025-04-01"))
    before = (history(client, OLD), history(client, NEW), stored_events(running))

    again = transfer(client, request_id="transfer-1")

    assert again == first
    assert (again.version, again.from_version) == (1, 2)
    assert (history(client, OLD), history(client, NEW), stored_events(running)) == before


def test_a_request_id_reused_for_another_transfer_is_invalid(running, client, issue):
    issue()
    transfer(client, request_id="transfer-1")
    before = stored_events(running)
    with pytest.raises(RegistryClientError) as caught:
        transfer(client, expiry="2026-12-31", request_id="transfer-1")
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert stored_events(running) == before


# Atomic: one transaction, so no crash can come between the two saves


@dataclasses.dataclass
class Appends:
    """What reached the store's one insertion path (``OrderedLog.append``) per call."""

    batches: list[Batch] = dataclasses.field(default_factory=list)
    positions: list[list[int]] = dataclasses.field(default_factory=list)


@pytest.fixture
def appends(running: RunningServer, monkeypatch: pytest.MonkeyPatch) -> Appends:
    store = running.app.store
    original = store.append
    seen = Appends()

    def append(stamp: Stamp) -> list[int]:
        def recorded(floor: int | None) -> Batch:
            batch = stamp(floor)
            seen.batches.append(batch)
            return batch

        positions = original(recorded)
        seen.positions.append(positions)
        return positions

    monkeypatch.setattr(store, "append", append)
    return seen


def test_both_events_of_a_transfer_are_saved_in_one_append(client, issue, appends):
    issue()
    appends.batches.clear()
    appends.positions.clear()

    answer = transfer(client)

    (batch,) = appends.batches
    (positions,) = appends.positions
    saved = {(e.originator_id, e.originator_version): e.topic for e in batch.events}
    assert saved == {
        (certificate_id(*NEW), 1): "registry.domain.certificate:Certificate.Issued",
        (certificate_id(*OLD), answer.from_version): (
            "registry.domain.certificate:Certificate.TransferredOut"
        ),
    }
    assert positions[1] == positions[0] + 1
    assert [r.request_id for r in batch.requests] == [history(client, NEW)[0].request_id]
    old_events, new_events = history(client, OLD), history(client, NEW)
    assert {old_events[-1].global_position, new_events[0].global_position} == set(positions)


class FailsAtSecond(Sequence[Any]):
    """The batch's events, but the store's reading of the second one fails, as if the
    process lost its database in the middle of the transaction."""

    def __init__(self, events: Sequence[Any], error: Exception) -> None:
        self.events, self.error, self.reached = events, error, 0

    def __len__(self) -> int:
        return len(self.events)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        self.reached = max(self.reached, index)
        if index >= 1:
            raise self.error
        return self.events[index]

    def __iter__(self) -> Iterator[Any]:
        for index in range(len(self)):
            yield self[index]


def test_a_failure_while_inserting_the_second_event_changes_neither_certificate(
    running, client, issue, monkeypatch
):
    issue()
    store = running.app.store
    original = store.append
    failures: list[FailsAtSecond] = []

    def append(stamp: Stamp) -> list[int]:
        def failing(floor: int | None) -> Batch:
            batch = stamp(floor)
            failures.append(FailsAtSecond(batch.events, OperationalError("connection lost")))
            return dataclasses.replace(batch, events=failures[-1])

        return original(failing)

    monkeypatch.setattr(store, "append", append)
    before = (history(client, OLD), history(client, NEW), stored_events(running))

    with pytest.raises(RegistryClientError) as caught:
        transfer(client, request_id="transfer-1")

    assert caught.value.code is grpc.StatusCode.UNAVAILABLE
    assert failures and all(f.reached == 1 for f in failures), "no insertion failed mid-batch"
    assert (history(client, OLD), history(client, NEW), stored_events(running)) == before

    # Once the store is back, the same request is applied, once.
    monkeypatch.setattr(store, "append", original)
    answer = transfer(client, request_id="transfer-1")
    assert (answer.version, answer.from_version) == (1, 2)
    assert stored_events(running) == before[2] + 2
