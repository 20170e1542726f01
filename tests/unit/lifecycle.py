"""Certificates driven through the domain alone: no application, no store, no real date.

Every command gets the constant ``TODAY`` unless a test passes another, and a
recorded time one second after the previous command's.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from registry.domain.certificate import Certificate
from registry.domain.standards import Standard, StandardsCatalogue
from registry.domain.status import Status
from registry.errors import RuleViolationError

D = date.fromisoformat
TODAY = D("2027-01-01")
STANDARDS = StandardsCatalogue(
    [
        Standard("ISO 9001", "2015", "Quality management systems", None),
        Standard("ISO 14001", "2015", "Environmental management systems", None),
        Standard("ISO/IEC 27001", "2013", "Information security (old)", D("2025-10-31")),
        Standard("ISO/IEC 27001", "2022", "Information security", None),
    ]
)
_ticks = itertools.count()


def context(effective: date, today: date = TODAY) -> dict[str, Any]:
    """What every command takes besides its own fields."""
    tick = next(_ticks)
    return {
        "standards": STANDARDS,
        "today": today,
        "recorded_at": datetime(2027, 1, 1, tzinfo=UTC) + timedelta(seconds=tick),
        "effective_date": effective,
        "actor": "cb-1",
        "request_id": f"request-{tick}",
    }


def holder() -> dict[str, Any]:
    return {
        "organization_name": "Acme GmbH",
        "organization_country": "DE",
        "organization_address": "1 Hauptstrasse, Berlin",
        "sites": [{"address": "1 Hauptstrasse, Berlin", "scope": ""}],
        "scope": "Design and manufacture of widgets",
        "sector_codes": ["17"],
    }


def issue(
    effective: str = "2024-01-10",
    expiry: str = "2027-01-09",
    *,
    standard: str = "ISO 9001:2015",
    cb: str = "cb-1",
    number: str = "Q-1",
    today: date = TODAY,
) -> Certificate:
    return Certificate.issue(
        **context(D(effective), today),
        certification_body_id=cb,
        certificate_number=number,
        standard=standard,
        expiry_date=D(expiry),
        **holder(),
    )


def status(certificate: Certificate, day: str) -> Status:
    return certificate.reading(D(day), STANDARDS).status


def refuses(rule: str, certificate: Certificate | None, command: Callable[[], object]) -> str:
    """Assert ``command`` breaks ``rule`` and leaves ``certificate`` as it was; the message."""
    before = None if certificate is None else (certificate.version, deepcopy(vars(certificate)))
    with pytest.raises(RuleViolationError) as refusal:
        command()
    assert refusal.value.rule == rule, refusal.value
    if certificate is not None:
        assert before == (certificate.version, vars(certificate)), "a refusal changed state"
    return str(refusal.value)
