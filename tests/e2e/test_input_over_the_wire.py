"""Input that cannot break identity, over the wire: normalised ids, limits, bounded errors."""

from __future__ import annotations

import logging
import unicodedata
from datetime import date

import grpc
import pytest
from conftest import RunningServer, certificate_events

from registry.application import inputs
from registry.client import RegistryClient, RegistryClientError
from registry.errors import InvalidInputError
from registry.server.errors import MAX_MESSAGE_BYTES
from registry.v1 import certificate_service_pb2 as pb

D = date.fromisoformat
NFC = unicodedata.normalize("NFC", "Zertifikat-Ü-1")
NFD = unicodedata.normalize("NFD", "Zertifikat-Ü-1")
MB = 1_000_000
# Refusals do not reach the store: checking them on one backend is enough.
memory_only = pytest.mark.parametrize("backend", ["memory"])
BAD_CHARACTERS = {
    "NUL": "\x00",
    "escape": "\x1b",
    "newline": "\n",
    "zero-width space": "\u200b",
    "right-to-left override": "\u202e",
}


def stored_events(running: RunningServer) -> int:
    return certificate_events(running)


def invalid(call, *args, **kwargs) -> str:
    """Call; it must be refused as INVALID_ARGUMENT. Returns the message."""
    with pytest.raises(RegistryClientError) as caught:
        call(*args, **kwargs)
    assert caught.value.code is grpc.StatusCode.INVALID_ARGUMENT, caught.value.message
    return caught.value.message


def issue(client: RegistryClient, number: str = "Q-1", *, cb: str = "cb-1", **overrides):
    fields: dict = {
        "organization": pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
        "standard": "ISO 9001:2015",
        "scope": "widgets",
        "sector_codes": ["17"],
        "sites": [pb.Site(address="Berlin")],
        "expiry_date": D("2027-01-09"),
        "effective_date": D("2024-01-10"),
    }
    fields.update(overrides)
    return client.issue_certificate(cb, number, **fields)


# Identity


def test_nfc_and_nfd_spellings_of_a_number_name_one_certificate(client):
    assert NFC != NFD
    issue(client, NFC)
    status = client.get_certificate_status("cb-1", NFD, at=D("2025-01-01"))
    assert status.status == pb.CERTIFICATE_STATUS_VALID
    assert status.certificate.certificate.certificate_number == NFC
    with pytest.raises(RegistryClientError) as caught:
        issue(client, NFD)
    assert caught.value.code is grpc.StatusCode.ALREADY_EXISTS
    client.suspend_certificate("cb-1", NFD, reason="NC", effective_date=D("2025-03-01"))
    assert len(client.get_certificate_history("cb-1", NFC).events) == 2


def test_a_number_of_128_characters_is_accepted_and_of_129_refused(client):
    assert issue(client, "Ü" * 128).version == 1
    assert issue(client, "Q-1", cb="c" * 128).version == 1
    message = invalid(issue, client, "Ü" * 129)
    assert "certificate.certificate_number" in message and "128 characters" in message
    message = invalid(issue, client, "Q-1", cb="c" * 129)
    assert "certificate.certification_body_id" in message and "128 characters" in message


def test_surrounding_whitespace_is_not_part_of_an_id(client):
    issue(client, " Q-1\n")
    assert client.get_certificate_status("cb-1", "Q-1").version == 1


@memory_only
@pytest.mark.parametrize("name", list(BAD_CHARACTERS))
def test_an_id_with_a_control_or_format_character_is_refused(running, client, name):
    before = stored_events(running)
    character = BAD_CHARACTERS[name]
    code_point = f"U+{ord(character):04X}"
    message = invalid(issue, client, f"Q{character}1")
    assert "certificate.certificate_number" in message and code_point in message
    message = invalid(issue, client, "Q-1", cb=f"cb{character}1")
    assert "certificate.certification_body_id" in message and code_point in message
    message = invalid(client.get_certificate_status, "cb-1", f"Q{character}1")
    assert "certificate.certificate_number" in message
    assert stored_events(running) == before


@memory_only
def test_both_ids_of_a_transfer_are_checked(running, client):
    issue(client)
    running.authority.cb_token("cb-2", accredited=True)
    before = stored_events(running)

    def transfer(new: tuple[str, str], old: tuple[str, str]) -> str:
        return invalid(
            client.transfer_certificate,
            *new,
            from_certification_body_id=old[0],
            from_certificate_number=old[1],
            organization=pb.Organization(name="Acme GmbH", country="DE", address="Berlin"),
            standard="ISO 9001:2015",
            scope="widgets",
            expiry_date=D("2027-01-09"),
            effective_date=D("2025-02-01"),
        )

    assert "from_certificate.certification_body_id" in transfer(
        ("cb-2", "T-1"), ("cb\u202e1", "Q-1")
    )
    assert "from_certificate.certificate_number" in transfer(("cb-2", "T-1"), ("cb-1", "Q\n1"))
    assert "certificate.certificate_number" in transfer(("cb-2", "T\u200b1"), ("cb-1", "Q-1"))
    assert stored_events(running) == before


@memory_only
@pytest.mark.parametrize("name", list(BAD_CHARACTERS))
def test_single_line_text_with_a_control_or_format_character_is_refused(running, client, name):
    before = stored_events(running)
    character = BAD_CHARACTERS[name]
    organization = pb.Organization(name=f"Acme{character}GmbH", country="DE", address="Berlin")
    assert "organization.name" in invalid(issue, client, organization=organization)
    assert "standard" in invalid(issue, client, standard=f"ISO 9001{character}:2015")
    assert "sector_codes[1]" in invalid(issue, client, sector_codes=["17", f"1{character}8"])
    assert "request_id" in invalid(issue, client, request_id=f"r{character}1")
    assert stored_events(running) == before


@memory_only
def test_multi_line_text_keeps_newlines_but_refuses_other_controls(client):
    issue(client, scope="widgets\n\tand gadgets")
    status = client.get_certificate_status("cb-1", "Q-1", at=D("2025-01-01"))
    assert status.certificate.scope == "widgets\n\tand gadgets"
    message = invalid(
        client.suspend_certificate, "cb-1", "Q-1", reason="a\x00b", effective_date=D("2025-03-01")
    )
    assert "reason" in message and "U+0000" in message


# Limits, each at its boundary


def at_bytes(limit: int) -> str:
    """A text of exactly ``limit`` bytes of UTF-8, mostly two-byte characters."""
    return "Ü" * (limit // 2) + "x" * (limit % 2)


def test_free_text_at_its_byte_limit_is_accepted_and_one_byte_over_refused(client):
    name, address = at_bytes(inputs.MAX_ORGANIZATION_NAME_BYTES), at_bytes(inputs.MAX_ADDRESS_BYTES)
    scope, site_scope = at_bytes(inputs.MAX_SCOPE_BYTES), at_bytes(inputs.MAX_SITE_SCOPE_BYTES)
    code, request_id = at_bytes(inputs.MAX_SECTOR_CODE_BYTES), at_bytes(inputs.MAX_REQUEST_ID_BYTES)
    at_limit = {
        "organization": pb.Organization(name=name, country="DE", address=address),
        "scope": scope,
        "sites": [pb.Site(address=address, scope=site_scope)],
        "sector_codes": [code],
        "request_id": request_id,
    }
    assert issue(client, **at_limit).version == 1
    status = client.get_certificate_status("cb-1", "Q-1", at=D("2025-01-01")).certificate
    assert (status.organization.name, status.scope, status.sites[0].scope) == (
        name,
        scope,
        site_scope,
    )
    over = {
        "organization.name": {
            "organization": pb.Organization(name=name + "x", country="DE", address="Berlin")
        },
        "organization.address": {
            "organization": pb.Organization(name="Acme", country="DE", address=address + "x")
        },
        "scope": {"scope": scope + "x"},
        "sites[0].scope": {"sites": [pb.Site(address="Berlin", scope=site_scope + "x")]},
        "sites[0].address": {"sites": [pb.Site(address=address + "x")]},
        "sector_codes[0]": {"sector_codes": [code + "x"]},
        "request_id": {"request_id": request_id + "x"},
        "standard": {"standard": at_bytes(inputs.MAX_STANDARD_BYTES) + "x"},
    }
    for field, overrides in over.items():
        message = invalid(issue, client, "Q-2", **overrides)
        assert message.startswith(f"{field} must be at most "), message
        assert "bytes of UTF-8" in message


def test_a_reason_at_its_byte_limit_is_accepted_and_one_byte_over_refused(client):
    issue(client)
    reason = at_bytes(inputs.MAX_REASON_BYTES)
    message = invalid(
        client.suspend_certificate,
        "cb-1",
        "Q-1",
        reason=reason + "x",
        effective_date=D("2025-03-01"),
    )
    assert message.startswith(f"reason must be at most {inputs.MAX_REASON_BYTES} bytes")
    client.suspend_certificate("cb-1", "Q-1", reason=reason, effective_date=D("2025-03-01"))
    status = client.get_certificate_status("cb-1", "Q-1", at=D("2025-03-02"))
    assert status.certificate.suspension_reason == reason


def test_5000_sites_are_accepted_and_5001_refused(client):
    sites = [pb.Site(address=f"site {i}") for i in range(inputs.MAX_SITES)]
    message = invalid(issue, client, sites=[*sites, pb.Site(address="one more")])
    assert "sites" in message and "5000" in message
    assert issue(client, sites=sites).version == 1
    status = client.get_certificate_status("cb-1", "Q-1", at=D("2025-01-01"))
    assert len(status.certificate.sites) == 5000


def test_100_sector_codes_are_accepted_and_101_refused(client):
    codes = [f"{i}" for i in range(inputs.MAX_SECTOR_CODES)]
    message = invalid(issue, client, sector_codes=[*codes, "101"])
    assert "sector_codes" in message and "100" in message
    assert issue(client, sector_codes=codes).version == 1


def scope_change_of(size: int) -> tuple[str, list[pb.Site]]:
    """A scope and sites whose change-of-scope fields encode to exactly ``size`` bytes."""
    scope, address = "s", "a" * inputs.MAX_ADDRESS_BYTES
    full_scope = "x" * inputs.MAX_SITE_SCOPE_BYTES
    sites: list[dict[str, str]] = []

    def encoded(last_scope: str) -> int:
        fields = {
            "scope": scope,
            "sites": [*sites, {"address": address, "scope": last_scope}],
            "sector_codes": ["17"],
        }
        return inputs.encoded_size(fields)

    while encoded(full_scope) <= size:
        sites.append({"address": address, "scope": full_scope})
    last_scope = "x" * (size - encoded(""))
    assert encoded(last_scope) == size
    sites.append({"address": address, "scope": last_scope})
    return scope, [pb.Site(**site) for site in sites]


def test_a_command_of_512_kib_is_accepted_and_one_byte_more_refused(running, client):
    issue(client)
    before = stored_events(running)
    scope, sites = scope_change_of(inputs.MAX_COMMAND_BYTES + 1)
    message = invalid(
        client.change_scope,
        "cb-1",
        "Q-1",
        scope=scope,
        sites=sites,
        sector_codes=["17"],
        effective_date=D("2025-02-01"),
    )
    assert "command" in message and str(inputs.MAX_COMMAND_BYTES) in message
    assert stored_events(running) == before
    scope, sites = scope_change_of(inputs.MAX_COMMAND_BYTES)
    answer = client.change_scope(
        "cb-1", "Q-1", scope=scope, sites=sites, sector_codes=["17"], effective_date=D("2025-02-01")
    )
    assert answer.version == 2


# Error messages stay short


@memory_only
def test_a_megabyte_value_is_invalid_and_its_message_short(running, client):
    before = stored_events(running)
    huge = "\u202e" + "€" * MB
    attempts = {
        "certificate.certificate_number": lambda: issue(client, huge),
        "certificate.certification_body_id": lambda: client.get_certificate_status(huge, "Q"),
        "scope": lambda: issue(client, scope=huge),
        "organization.country": lambda: issue(
            client, organization=pb.Organization(name="Acme", country=huge, address="Berlin")
        ),
        "standard": lambda: issue(client, standard=huge),
        "request_id": lambda: issue(client, request_id=huge),
    }
    for field, attempt in attempts.items():
        message = invalid(attempt)
        assert message.startswith(field), message
        assert len(message.encode("utf-8")) < 200, message
    assert stored_events(running) == before


@memory_only
def test_a_long_error_message_is_cut_before_it_reaches_the_wire(running, client, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise InvalidInputError("€" * MB)

    monkeypatch.setattr(running.app, "get_status", refuse)
    message = invalid(client.get_certificate_status, "cb-1", "Q-1")
    assert message.startswith("€€€")
    assert len(message.encode("utf-8")) <= MAX_MESSAGE_BYTES


@memory_only
def test_a_refused_request_is_logged_in_one_line_without_a_traceback(
    running, client, monkeypatch, caplog
):
    caplog.set_level(logging.INFO, logger="registry.server.errors")
    invalid(issue, client, "Q\n1")
    [record] = [r for r in caplog.records if r.name == "registry.server.errors"]
    assert record.exc_info is None
    assert "INVALID_ARGUMENT" in record.getMessage()
    assert "\n" not in record.getMessage()


@memory_only
def test_an_unexpected_error_is_internal_and_logged_with_its_traceback(
    running, client, monkeypatch, caplog
):
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(running.app, "get_status", fail)
    with pytest.raises(RegistryClientError) as caught:
        client.get_certificate_status("cb-1", "Q-1")
    assert caught.value.code is grpc.StatusCode.INTERNAL
    assert "secret" not in caught.value.message
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is not None
