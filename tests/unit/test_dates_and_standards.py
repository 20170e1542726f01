"""Calendar arithmetic and the standards catalogue."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain.dates import add_months, add_years
from registry.domain.standards import StandardsCatalogue
from registry.errors import InvalidInputError


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2025, 3, 1), -3, date(2024, 12, 1)),
    ],
)
def test_adding_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_three_years_after_29_february_is_28_february():
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)


CATALOGUED = {
    "ISO 9001:2015": None,
    "ISO 9001:2008": date(2018, 9, 14),
    "ISO 14001:2015": None,
    "ISO 14001:2004": date(2018, 9, 14),
    "ISO/IEC 27001:2022": None,
    "ISO/IEC 27001:2013": date(2025, 10, 31),
    "ISO 45001:2018": None,
    "OHSAS 18001:2007": date(2021, 9, 30),
    "ISO 22000:2018": None,
    "ISO 50001:2018": None,
    "ISO 13485:2016": None,
    "ISO 37001:2016": None,
    "ISO/IEC 20000-1:2018": None,
}


@pytest.mark.parametrize("designation", list(CATALOGUED))
def test_the_shipped_catalogue_has_each_edition_and_its_deadline(designation):
    standard = StandardsCatalogue.load().get(designation)
    assert standard.designation == designation
    assert standard.transition_deadline == CATALOGUED[designation]
    assert standard.title


def test_designations_are_matched_ignoring_case_and_spacing():
    assert StandardsCatalogue.load().get("  iso  9001:2015").designation == "ISO 9001:2015"


def test_an_unknown_standard_is_invalid_input_listing_the_known_ones():
    with pytest.raises(InvalidInputError, match="ISO 9001:2015"):
        StandardsCatalogue.load().get("ISO 9001:2030")


def test_an_edition_is_withdrawn_only_after_its_deadline():
    old = StandardsCatalogue.load().get("ISO/IEC 27001:2013")
    assert not old.withdrawn_on(date(2025, 10, 31))
    assert old.withdrawn_on(date(2025, 11, 1))


def test_a_deployment_can_ship_its_own_catalogue(tmp_path):
    path = tmp_path / "standards.json"
    path.write_text(
        '{"standards": [{"code": "ISO 9001", "edition": "2026", "title": "QMS",'
        ' "transition_deadline": null}]}'
    )
    catalogue = StandardsCatalogue.load(path)
    assert catalogue.get("ISO 9001:2026").edition == "2026"
    with pytest.raises(InvalidInputError):
        catalogue.get("ISO 9001:2015")
