"""The catalogue of standards as an aggregate: seeded once, editions added, deadlines set."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from registry.domain.catalogue import CATALOGUE_ID, Catalogue
from registry.domain.standards import Standard, StandardsCatalogue
from registry.errors import RuleViolationError

D = date.fromisoformat
TODAY = D("2027-01-01")
SHIPPED = StandardsCatalogue(
    [
        Standard("ISO 9001", "2015", "Quality management systems", None),
        Standard("ISO/IEC 27001", "2013", "Information security (old)", D("2025-10-31")),
    ]
)
_ticks = itertools.count()


def context() -> dict[str, Any]:
    tick = next(_ticks)
    return {
        "today": TODAY,
        "recorded_at": datetime(2027, 1, 1, tzinfo=UTC) + timedelta(seconds=tick),
        "effective_date": TODAY,
        "actor": "admin",
        "request_id": f"request-{tick}",
    }


def seeded() -> Catalogue:
    return Catalogue.seed(SHIPPED, **context())


def test_the_seed_holds_every_shipped_edition_in_one_event():
    catalogue = seeded()
    assert catalogue.id == CATALOGUE_ID
    assert len(catalogue.collect_events()) == 1
    assert list(catalogue.standards()) == list(SHIPPED)


def test_an_added_edition_is_catalogued_with_its_deadline():
    catalogue = seeded()
    catalogue.add_edition(
        code="ISO 9001", edition="2026", title="QMS", transition_deadline=None, **context()
    )
    assert catalogue.standards().get("iso 9001:2026").title == "QMS"
    assert catalogue.version == 2


def test_an_edition_is_added_once():
    catalogue = seeded()
    with pytest.raises(RuleViolationError) as refused:
        catalogue.add_edition(
            code="iso  9001", edition="2015", title="QMS", transition_deadline=None, **context()
        )
    assert refused.value.rule == "edition-added-once"
    assert catalogue.version == 1


def test_a_deadline_moves_from_its_version_on_and_earlier_versions_keep_theirs():
    catalogue = seeded()
    before = catalogue.standards()
    catalogue.set_transition_deadline(
        designation="ISO 9001:2015", transition_deadline=D("2030-12-31"), **context()
    )
    assert catalogue.standards().deadline_of("ISO 9001:2015") == D("2030-12-31")
    assert before.deadline_of("ISO 9001:2015") is None


def test_a_deadline_is_set_only_for_a_catalogued_edition():
    with pytest.raises(RuleViolationError) as refused:
        seeded().set_transition_deadline(
            designation="ISO 9001:1987", transition_deadline=D("2030-12-31"), **context()
        )
    assert refused.value.rule == "deadline-for-a-catalogued-edition"


def test_setting_the_deadline_an_edition_has_is_refused():
    with pytest.raises(RuleViolationError) as refused:
        seeded().set_transition_deadline(
            designation="ISO/IEC 27001:2013", transition_deadline=D("2025-10-31"), **context()
        )
    assert refused.value.rule == "deadline-changes"


def test_a_deadline_can_be_removed():
    catalogue = seeded()
    catalogue.set_transition_deadline(
        designation="iso/iec 27001:2013", transition_deadline=None, **context()
    )
    assert catalogue.standards().deadline_of("ISO/IEC 27001:2013") is None


def test_one_version_gives_one_lookup_object():
    catalogue = seeded()
    assert catalogue.standards() is catalogue.standards()
