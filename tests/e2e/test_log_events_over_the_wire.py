"""The log's events that are not a certificate's — accreditations, the directory, the
catalogue — in the feed and the audit lists, typed, over a real server on every backend."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import grpc
import pytest
from conftest import RunningServer, issue_default, run_registry
from feed_reader import read, until

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient, RegistryClientError, feed_position
from registry.domain.principals import ADMIN, accreditation_body, certification_body
from registry.server.feed import FeedSettings
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import directory_service_pb2 as dir_pb
from registry.v1 import reference_events_pb2 as rpb

D = date.fromisoformat


@dataclass
class Setting:
    running: RunningServer
    clients: dict[str, RegistryClient]


@pytest.fixture
def setting(db_url: str) -> Iterator[Setting]:
    """AB-1 (an MLA signatory) accredits cb-acc from 2023 and suspends it from May 2024;
    AB-2 accredits it from 2024; cb-acc issues Q-1; the admin moves a deadline."""
    running = RunningServer.start(
        Registry(config.persistence_env(db_url)),
        feed_settings=FeedSettings(heartbeat=0.2, standing_check=0.2),
    )
    create = running.app.credentials.create
    target = running.target
    clients = {
        "admin": RegistryClient(target, token=create(ADMIN).token),
        "ab1": RegistryClient(target, token=create(accreditation_body("AB-1")).token),
        "ab2": RegistryClient(target, token=create(accreditation_body("AB-2")).token),
        "cb": RegistryClient(target, token=create(certification_body("cb-acc")).token),
        "other": RegistryClient(target, token=create(certification_body("cb-other")).token),
    }
    admin = clients["admin"]
    for ab in ("AB-1", "AB-2"):
        admin.register_accreditation_body(ab, name=ab, country="GB", effective_date=D("2020-01-01"))
    admin.record_mla_status("AB-1", "SIGNATORY", effective_date=D("2020-01-01"))
    for cb in ("cb-acc", "cb-other"):
        admin.register_certification_body(cb, name=cb, country="DE", effective_date=D("2020-01-01"))
    setting = Setting(running, clients)
    clients["ab1"].grant_accreditation(
        "AB-1",
        "cb-acc",
        standards=["ISO 9001:2015"],
        sector_codes=["17", "28"],
        expiry_date=D("2027-12-31"),
        effective_date=D("2023-01-01"),
    )
    clients["ab2"].grant_accreditation(
        "AB-2",
        "cb-acc",
        standards=["ISO 14001:2015"],
        expiry_date=D("2028-12-31"),
        effective_date=D("2024-01-01"),
    )
    issue_default(clients["cb"], "Q-1", cb="cb-acc")
    clients["ab1"].suspend_accreditation(
        "AB-1", "cb-acc", reason="findings", effective_date=D("2024-05-01")
    )
    issue_default(clients["other"], "Q-9", cb="cb-other")
    admin.set_transition_deadline("ISO 9001:2015", D("2031-09-30"))
    yield setting
    for client in clients.values():
        client.close()
    running.stop()


def every_page(client: RegistryClient, cb: str, **criteria: Any) -> list[Any]:
    """Every event of a CB's list, of every kind, in log order, paging by 2."""
    events: list[Any] = []
    token = ""
    while True:
        page = client.list_events(cb, page_size=2, page_token=token, **criteria)
        on_page = [*page.events, *page.accreditation_events, *page.directory_events]
        assert len(on_page) <= 2
        events += sorted(on_page, key=lambda event: event.global_position)
        token = page.next_page_token
        if not token:
            return events


def kinds_and_types(events: list[Any]) -> list[tuple[str, int]]:
    return [(type(event).__name__, event.type) for event in events]


# The audit list of a CB


def test_a_cbs_list_holds_its_accreditations_and_its_entry_with_its_certificates(setting):
    events = every_page(setting.clients["admin"], "cb-acc")
    positions = [event.global_position for event in events]
    assert positions == sorted(set(positions))
    assert kinds_and_types(events) == [
        ("DirectoryEvent", rpb.DIRECTORY_EVENT_TYPE_REGISTERED),
        ("AccreditationEvent", rpb.ACCREDITATION_EVENT_TYPE_GRANTED),
        ("DirectoryEvent", rpb.DIRECTORY_EVENT_TYPE_ACCREDITATION_LINKED),
        ("AccreditationEvent", rpb.ACCREDITATION_EVENT_TYPE_GRANTED),
        ("DirectoryEvent", rpb.DIRECTORY_EVENT_TYPE_ACCREDITATION_LINKED),
        ("CertificateEvent", pb.CERTIFICATE_EVENT_TYPE_ISSUED),
        ("AccreditationEvent", rpb.ACCREDITATION_EVENT_TYPE_SUSPENDED),
    ]
    registered, granted = events[0], events[1]
    assert registered.body_kind == rpb.BODY_KIND_CERTIFICATION_BODY
    assert registered.body_id == "cb-acc"
    assert registered.registered.name == "cb-acc" and registered.registered.country == "DE"
    assert registered.actor == "admin" and registered.request_id
    assert (granted.accreditation_body_id, granted.certification_body_id) == ("AB-1", "cb-acc")
    assert list(granted.granted.standards) == ["ISO 9001:2015"]
    assert list(granted.granted.sector_codes) == ["17", "28"]
    expiry = granted.granted.expiry_date
    assert (expiry.year, expiry.month, expiry.day) == (2027, 12, 31)
    effective = granted.effective_date
    assert (effective.year, effective.month, effective.day) == (2023, 1, 1)
    assert granted.actor == "ab:AB-1" and granted.version == 1
    assert events[2].accreditation_linked.accreditation_body_id == "AB-1"
    suspended = events[-1]
    assert suspended.suspended.reason == "findings" and suspended.version == 2
    # Nothing of another CB, nor the catalogue.
    assert all(getattr(e, "certification_body_id", "cb-acc") == "cb-acc" for e in events)


def test_kinds_choose_what_a_cbs_list_holds(setting):
    admin = setting.clients["admin"]
    accreditations = every_page(admin, "cb-acc", kinds=[rpb.EVENT_KIND_ACCREDITATION])
    assert [e.type for e in accreditations] == [
        rpb.ACCREDITATION_EVENT_TYPE_GRANTED,
        rpb.ACCREDITATION_EVENT_TYPE_GRANTED,
        rpb.ACCREDITATION_EVENT_TYPE_SUSPENDED,
    ]
    entry = every_page(admin, "cb-acc", kinds=[rpb.EVENT_KIND_DIRECTORY])
    assert {type(e).__name__ for e in entry} == {"DirectoryEvent"} and len(entry) == 3
    # Certificate types alone: certificate events only (as before kinds existed) …
    issued = every_page(admin, "cb-acc", types=["ISSUED"])
    assert kinds_and_types(issued) == [("CertificateEvent", pb.CERTIFICATE_EVENT_TYPE_ISSUED)]
    # … unless kinds names others too.
    both = every_page(
        admin,
        "cb-acc",
        types=["ISSUED"],
        kinds=[rpb.EVENT_KIND_CERTIFICATE, rpb.EVENT_KIND_DIRECTORY],
    )
    assert [type(e).__name__ for e in both].count("DirectoryEvent") == 3
    assert [type(e).__name__ for e in both].count("CertificateEvent") == 1
    by_standard = every_page(admin, "cb-acc", standard="ISO 9001")
    assert kinds_and_types(by_standard) == [("CertificateEvent", pb.CERTIFICATE_EVENT_TYPE_ISSUED)]


@pytest.mark.parametrize(
    "criteria",
    [
        {"kinds": [rpb.EVENT_KIND_CATALOGUE]},
        {"kinds": [99]},
        {"standard": "ISO 9001", "kinds": [rpb.EVENT_KIND_ACCREDITATION]},
    ],
)
def test_a_list_asking_for_what_is_not_a_cbs_is_refused(setting, criteria):
    with pytest.raises(RegistryClientError) as caught:
        setting.clients["admin"].list_events("cb-acc", **criteria)
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "kinds" in str(caught.value) or "standard" in str(caught.value)


def test_an_ab_reads_its_own_accreditation_whole_and_the_rest_for_its_days(setting):
    """AB-2 accredits cb-acc from 2024: it sees its own grant, AB-1's suspension (2024) and
    Q-1 if issued in its days, but not AB-1's grant of 2023 nor cb-acc's registration."""
    seen = every_page(setting.clients["ab2"], "cb-acc")
    accreditations = [
        (e.accreditation_body_id, e.type) for e in seen if type(e).__name__ == "AccreditationEvent"
    ]
    assert accreditations == [
        ("AB-2", rpb.ACCREDITATION_EVENT_TYPE_GRANTED),
        ("AB-1", rpb.ACCREDITATION_EVENT_TYPE_SUSPENDED),
    ]
    registered = rpb.DIRECTORY_EVENT_TYPE_REGISTERED
    assert not [e for e in seen if type(e).__name__ == "DirectoryEvent" and e.type == registered]
    # AB-1's days run from 2023 (suspended from May 2024, still its days): AB-2's grant of
    # 2024 falls within them.
    by_ab1 = every_page(setting.clients["ab1"], "cb-acc", kinds=[rpb.EVENT_KIND_ACCREDITATION])
    assert [(e.accreditation_body_id, e.type) for e in by_ab1] == [
        ("AB-1", rpb.ACCREDITATION_EVENT_TYPE_GRANTED),
        ("AB-2", rpb.ACCREDITATION_EVENT_TYPE_GRANTED),
        ("AB-1", rpb.ACCREDITATION_EVENT_TYPE_SUSPENDED),
    ]


# The feed


def head(setting: Setting) -> int:
    last = setting.running.app.store.last_point()
    assert last is not None
    return last.position


def test_the_feed_carries_every_kind_of_event_typed_in_log_order(setting):
    received = until(read(setting.clients["admin"]), head(setting))
    positions = [feed_position(r) for r in received]
    notifications = setting.running.app.recorder.select_notifications(start=1, limit=10_000)
    assert positions == [n.id for n in notifications]  # every event of the log, once
    items = [r.WhichOneof("item") for r in received]
    assert items[0] == "catalogue_event"
    seeded = received[0].catalogue_event
    assert seeded.type == rpb.CATALOGUE_EVENT_TYPE_SEEDED
    assert "ISO 9001:2015" in [edition.designation for edition in seeded.seeded.editions]
    deadline = received[-1].catalogue_event
    assert deadline.type == rpb.CATALOGUE_EVENT_TYPE_TRANSITION_DEADLINE_SET
    assert deadline.transition_deadline_set.designation == "ISO 9001:2015"
    moved = deadline.transition_deadline_set.transition_deadline
    assert (moved.year, moved.month, moved.day) == (2031, 9, 30)
    mla = [
        r.directory_event
        for r in received
        if r.HasField("directory_event")
        and r.directory_event.type == rpb.DIRECTORY_EVENT_TYPE_MLA_STATUS_RECORDED
    ]
    assert [(e.body_kind, e.body_id, e.mla_status_recorded.status) for e in mla] == [
        (rpb.BODY_KIND_ACCREDITATION_BODY, "AB-1", dir_pb.MLA_STATUS_SIGNATORY)
    ]
    assert items.count("accreditation_event") == 3
    assert items.count("event") == 2


def test_the_feed_filters_by_kind_and_by_cb(setting):
    admin = setting.clients["admin"]
    end = head(setting)
    accreditations = until(read(admin, kinds=[rpb.EVENT_KIND_ACCREDITATION]), end)
    assert {r.WhichOneof("item") for r in accreditations} == {"accreditation_event"}
    assert len(accreditations) == 3
    issued = until(read(admin, types=[pb.CERTIFICATE_EVENT_TYPE_ISSUED]), end)
    assert {r.WhichOneof("item") for r in issued} == {"event"}  # types alone: certificates
    assert len(issued) == 2
    of_other = until(read(admin, certification_body_ids=["cb-other"]), end)
    items = [r.WhichOneof("item") for r in of_other]
    # cb-other's entry and certificate, and the catalogue's events (they concern every CB);
    # not cb-acc's accreditations, nor the accreditation bodies' entries.
    assert items.count("event") == 1
    assert items.count("accreditation_event") == 0
    assert {r.directory_event.body_id for r in of_other if r.HasField("directory_event")} == {
        "cb-other"
    }
    assert items.count("catalogue_event") == 2


def test_an_ab_following_a_cb_gets_its_own_accreditation_whole(setting):
    reader = read(setting.clients["ab2"], certification_body_ids=["cb-acc"])
    received = until(reader, head(setting))
    accreditations = [
        (r.accreditation_event.accreditation_body_id, r.accreditation_event.type)
        for r in received
        if r.HasField("accreditation_event")
    ]
    assert accreditations == [
        ("AB-2", rpb.ACCREDITATION_EVENT_TYPE_GRANTED),
        ("AB-1", rpb.ACCREDITATION_EVENT_TYPE_SUSPENDED),
    ]


def test_a_stream_ends_once_its_token_is_revoked(setting):
    admin = setting.clients["admin"]
    issued = setting.running.app.credentials.create(accreditation_body("AB-2"))
    with RegistryClient(setting.running.target, token=issued.token) as ab2:
        reader = read(ab2, certification_body_ids=["cb-acc"])
        reader.wait_for(lambda r: bool(r.heartbeats()))
        admin.revoke_token(issued.view.token_id)
        with pytest.raises(AssertionError, match="the stream ended"):
            reader.wait_for(lambda r: False)
    assert reader.error is not None
    assert reader.error.code() is grpc.StatusCode.UNAUTHENTICATED


def test_an_abs_open_stream_stops_at_the_withdrawal_recorded_while_it_runs(setting):
    """AB-2 follows cb-acc; it withdraws its accreditation from 2025-06-01 while the
    stream is open: a certificate cb-acc issues from before that day reaches it, one from
    after does not (the admin's stream gets both)."""
    ab2, admin = setting.clients["ab2"], setting.clients["admin"]
    reader = read(ab2, certification_body_ids=["cb-acc"])
    everything = read(admin, certification_body_ids=["cb-acc"])
    reader.wait_for(lambda r: bool(r.heartbeats()))
    ab2.withdraw_accreditation(
        "AB-2", "cb-acc", reason="scope no longer assessed", effective_date=D("2025-06-01")
    )
    # Heartbeats come as often as the stream checks its standing: three past the
    # withdrawal's position, and it has read its days since.
    at = head(setting)
    reader.wait_for(lambda r: sum(h.log_position >= at for h in r.heartbeats()) >= 3)
    issue_default(setting.clients["cb"], "Q-before", cb="cb-acc", effective="2025-03-01")
    issue_default(setting.clients["cb"], "Q-after", cb="cb-acc", effective="2025-09-01")
    end = head(setting)
    received = until(reader, end)
    numbers = [r.event.certificate.certificate_number for r in received if r.HasField("event")]
    assert "Q-before" in numbers and "Q-after" not in numbers
    seen = until(everything, end)
    every = [r.event.certificate.certificate_number for r in seen if r.HasField("event")]
    assert {"Q-before", "Q-after"} <= set(every)


def cli(*args: str, token: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_registry(*args, cwd=cwd, env={"REGISTRY_TOKEN": token})


def test_the_command_line_follows_and_lists_every_kind(setting, tmp_path):
    server = ("--server", setting.running.target)
    token = setting.running.app.credentials.create(ADMIN).token
    followed = cli(
        "follow", *server, "--kind", "accreditation", "--limit", "3", token=token, cwd=tmp_path
    )
    assert followed.returncode == 0, followed.stderr
    lines = followed.stdout.strip().splitlines()
    assert len(lines) == 3
    assert "accreditation AB-1→cb-acc" in lines[0] and "Granted" in lines[0]
    assert "Suspended" in lines[2] and "reason=findings" in lines[2]
    listed = cli("events", "cb-acc", *server, token=token, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "CB cb-acc" in listed.stdout and "Registered" in listed.stdout
    assert "accreditation AB-2→cb-acc" in listed.stdout and "cb-acc/Q-1" in listed.stdout
