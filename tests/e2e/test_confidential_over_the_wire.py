"""Reasons a CB marks confidential, over a real server on every backend (SPEC 3.2).

The admin, the CB itself and the AB accrediting it read a confidential reason; anyone
else (anonymous, another CB, another AB) reads the status and the history without it,
told that it was withheld. No answer to those callers holds the reason's text anywhere
in its bytes; the credibility check and search never do, whoever asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from authority import SINCE, TEST_AB
from conftest import RunningServer, issue_default

from registry import config
from registry.application.registry import Registry
from registry.client import RegistryClient, batch_command, write_request
from registry.trust_client import verify_request
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
CB = "cb-conf"
SECRET = "fraud inquiry by the public prosecutor"
PUBLIC = "major nonconformity: internal audits missing"
ENTITLED = ("owner", "admin", "accreditor")
NOT_ENTITLED = ("anonymous", "other-cb", "other-ab")
SUSPENDED_ON, THE_DAY_AFTER = D("2025-03-01"), D("2025-03-02")


@dataclass
class World:
    running: RunningServer
    callers: dict[str, RegistryClient]

    @property
    def writer(self) -> RegistryClient:
        """Writes as the CB of the certificate written (``authority.Authority``)."""
        return self.running.client

    def status(self, caller: str, number: str) -> pb.GetCertificateStatusResponse:
        return self.callers[caller].get_certificate_status(CB, number, at=THE_DAY_AFTER)

    def history(self, caller: str, number: str) -> pb.GetCertificateHistoryResponse:
        return self.callers[caller].get_certificate_history(CB, number)


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    """A server where ``cb-conf`` is accredited by the tests' AB, and a client for each
    caller: the CB (owner), the admin, that AB (accreditor), anonymous, another CB and an
    AB that does not accredit ``cb-conf``."""
    running = RunningServer.start(Registry(config.persistence_env(db_url)))
    authority = running.authority
    owner = authority.cb_token(CB, accredited=True)
    authority.admin.register_accreditation_body(
        "ab-other", name="Another AB", country="FR", effective_date=SINCE
    )
    tokens = {
        "owner": owner,
        "admin": authority.admin_token,
        "accreditor": authority.ab_token(TEST_AB),
        "anonymous": None,
        "other-cb": authority.cb_token("cb-2"),
        "other-ab": authority.ab_token("ab-other"),
    }
    callers = {
        name: RegistryClient(running.target, timeout=10, retries=2, token=token)
        for name, token in tokens.items()
    }
    yield World(running, callers)
    for client in callers.values():
        client.close()
    running.stop()


def suspended(world: World, number: str, reason: str, *, confidential: bool) -> None:
    issue_default(world.writer, number, cb=CB)
    world.writer.suspend_certificate(
        CB,
        number,
        reason=reason,
        review_by=D("2025-06-01"),
        reason_confidential=confidential,
        effective_date=SUSPENDED_ON,
    )


def ended(world: World, number: str, command: str, reason: str, *, confidential: bool) -> None:
    issue_default(world.writer, number, cb=CB)
    world.writer.write(
        command,
        CB,
        number,
        reason=reason,
        reason_confidential=confidential,
        effective_date=SUSPENDED_ON,
    )


def suspended_event(response: pb.GetCertificateHistoryResponse) -> pb.CertificateEvent:
    (event,) = [e for e in response.events if e.WhichOneof("payload") == "suspended"]
    return event


# The status


@pytest.mark.parametrize("caller", NOT_ENTITLED)
def test_a_confidential_suspension_reason_is_withheld_from_the_status(world, caller):
    suspended(world, "Q-1", SECRET, confidential=True)
    response = world.status(caller, "Q-1")
    assert SECRET.encode() not in response.SerializeToString()
    assert pb.CertificateStatus.Name(response.status) == "CERTIFICATE_STATUS_SUSPENDED"
    certificate = response.certificate
    assert certificate.suspension_reason == ""
    assert certificate.suspension_reason_confidential
    assert certificate.suspension_reason_withheld
    assert certificate.suspension_review_by.year == 2025  # the rest of it stays public


@pytest.mark.parametrize("caller", ENTITLED)
def test_the_cb_the_admin_and_its_ab_read_a_confidential_suspension_reason(world, caller):
    suspended(world, "Q-1", SECRET, confidential=True)
    certificate = world.status(caller, "Q-1").certificate
    assert certificate.suspension_reason == SECRET
    assert certificate.suspension_reason_confidential
    assert not certificate.suspension_reason_withheld


def test_a_public_suspension_reason_is_read_by_anyone(world):
    suspended(world, "Q-1", PUBLIC, confidential=False)
    certificate = world.status("anonymous", "Q-1").certificate
    assert certificate.suspension_reason == PUBLIC
    assert not certificate.suspension_reason_confidential
    assert not certificate.suspension_reason_withheld


@pytest.mark.parametrize("command", ["withdraw", "cancel"])
def test_a_confidential_end_reason_is_withheld_from_the_public_status(world, command):
    ended(world, "Q-1", command, SECRET, confidential=True)
    public = world.status("anonymous", "Q-1")
    assert SECRET.encode() not in public.SerializeToString()
    assert public.certificate.end_reason == ""
    assert public.certificate.end_reason_confidential and public.certificate.end_reason_withheld
    assert public.certificate.HasField("ended_on")
    own = world.status("owner", "Q-1").certificate
    assert (own.end_reason, own.end_reason_confidential, own.end_reason_withheld) == (
        SECRET,
        True,
        False,
    )


@pytest.mark.parametrize("command", ["withdraw", "cancel"])
def test_a_public_end_reason_is_read_by_anyone(world, command):
    ended(world, "Q-1", command, PUBLIC, confidential=False)
    certificate = world.status("anonymous", "Q-1").certificate
    assert certificate.end_reason == PUBLIC
    assert not (certificate.end_reason_confidential or certificate.end_reason_withheld)


# The history


@pytest.mark.parametrize("caller", NOT_ENTITLED)
def test_a_confidential_reason_is_withheld_from_the_public_history(world, caller):
    suspended(world, "Q-1", SECRET, confidential=True)
    world.writer.reinstate_certificate(CB, "Q-1", effective_date=D("2025-04-01"))
    world.writer.withdraw_certificate(
        CB, "Q-1", reason=SECRET + " (closed)", reason_confidential=True
    )
    response = world.history(caller, "Q-1")
    assert SECRET.encode() not in response.SerializeToString()
    event = suspended_event(response)
    assert event.suspended.reason == "" and event.suspended.reason_confidential
    withdrawn = response.events[-1].withdrawn
    assert withdrawn.reason == "" and withdrawn.reason_confidential


@pytest.mark.parametrize("caller", ENTITLED)
def test_the_cb_the_admin_and_its_ab_read_confidential_reasons_in_the_history(world, caller):
    suspended(world, "Q-1", SECRET, confidential=True)
    event = suspended_event(world.history(caller, "Q-1"))
    assert event.suspended.reason == SECRET and event.suspended.reason_confidential
    assert event.actor == f"cb:{CB}"


def test_a_public_reason_stays_in_the_public_history(world):
    suspended(world, "Q-1", PUBLIC, confidential=False)
    ended(world, "Q-2", "cancel", PUBLIC + " (cancelled)", confidential=False)
    event = suspended_event(world.history("anonymous", "Q-1"))
    assert event.suspended.reason == PUBLIC and not event.suspended.reason_confidential
    cancelled = world.history("anonymous", "Q-2").events[-1].cancelled
    assert cancelled.reason == PUBLIC + " (cancelled)" and not cancelled.reason_confidential


# What never carries a reason, and what only the entitled read


@pytest.mark.parametrize("caller", ["anonymous", "owner"])
def test_the_credibility_check_never_quotes_a_confidential_reason(world, caller):
    suspended(world, "Q-1", SECRET, confidential=True)
    ended(world, "Q-2", "withdraw", SECRET, confidential=True)
    client = world.callers[caller]
    one = client.verify_certificate(CB, "Q-1", at=THE_DAY_AFTER)
    assert pb.Verdict.Name(one.verdict) == "VERDICT_NOT_VALID"
    many = client.verify_certificates(
        [verify_request(CB, "Q-1"), verify_request(CB, "Q-2")], at=THE_DAY_AFTER
    )
    for response in (one, many):
        assert SECRET.encode() not in response.SerializeToString()


def test_search_results_carry_no_reason(world):
    suspended(world, "Q-1", SECRET, confidential=True)
    found = world.callers["anonymous"].search_certificates(
        certification_body_id=CB, at=THE_DAY_AFTER
    )
    assert [c.certificate.certificate_number for c in found.certificates] == ["Q-1"]
    assert SECRET.encode() not in found.SerializeToString()


@pytest.mark.parametrize("caller", ENTITLED)
def test_the_audit_trail_keeps_the_reason_with_its_flag(world, caller):
    suspended(world, "Q-1", SECRET, confidential=True)
    events = world.callers[caller].list_events(CB, types=["SUSPENDED"]).events
    assert [(e.suspended.reason, e.suspended.reason_confidential) for e in events] == [
        (SECRET, True)
    ]


# Writes in a batch


def test_the_flag_survives_a_batch(world):
    issue_default(world.writer, "Q-1", cb=CB)
    issue_default(world.writer, "Q-2", cb=CB)
    commands = [
        write_request(
            "suspend",
            CB,
            "Q-1",
            reason=SECRET,
            reason_confidential=True,
            effective_date=SUSPENDED_ON,
        ),
        write_request(
            "cancel",
            CB,
            "Q-2",
            reason=PUBLIC,
            reason_confidential=False,
            effective_date=SUSPENDED_ON,
        ),
    ]
    results = world.writer.publish_batch([batch_command(c) for c in commands]).results
    assert [r.code for r in results] == [0, 0]
    assert suspended_event(world.history("owner", "Q-1")).suspended.reason_confidential
    assert world.status("anonymous", "Q-1").certificate.suspension_reason_withheld
    public = world.status("anonymous", "Q-2").certificate
    assert (public.end_reason, public.end_reason_withheld) == (PUBLIC, False)
