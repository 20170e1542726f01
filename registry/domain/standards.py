"""The catalogue of management-system standards and their editions (SPEC 2.3).

Shipped as ``standards.json`` beside this module; a deployment may serve with
``registry serve --standards-file PATH``, its own copy of the same format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from registry.errors import InvalidInputError


@dataclass(frozen=True)
class Standard:
    """One edition of a standard; certificates to it end after ``transition_deadline``."""

    code: str
    edition: str
    title: str
    transition_deadline: date | None

    @property
    def designation(self) -> str:
        return f"{self.code}:{self.edition}"

    def withdrawn_on(self, day: date) -> bool:
        """True when certificates to this edition are no longer valid on ``day``."""
        return self.transition_deadline is not None and day > self.transition_deadline


class StandardsCatalogue:
    """Look-up of standards by designation, e.g. ``"ISO 9001:2015"``."""

    def __init__(self, standards: list[Standard]) -> None:
        self._by_key = {designation_key(s.designation): s for s in standards}

    @classmethod
    def load(cls, path: str | Path | None = None) -> StandardsCatalogue:
        if path is None:
            text = resources.files("registry.domain").joinpath("standards.json").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        rows = json.loads(text)["standards"]
        return cls(
            [
                Standard(
                    code=row["code"],
                    edition=row["edition"],
                    title=row["title"],
                    transition_deadline=(
                        date.fromisoformat(row["transition_deadline"])
                        if row.get("transition_deadline")
                        else None
                    ),
                )
                for row in rows
            ]
        )

    def get(self, designation: str) -> Standard:
        """The edition named ``designation``; ``InvalidInputError`` if the catalogue lacks it."""
        try:
            return self._by_key[designation_key(designation)]
        except KeyError:
            raise InvalidInputError(
                f"unknown standard {designation!r}: expected one of "
                + ", ".join(sorted(s.designation for s in self._by_key.values()))
            ) from None

    def named(self, name: str) -> str:
        """``name`` as the catalogue spells it: an edition ("iso 9001:2015" → "ISO 9001:2015")
        or a standard of any edition ("iso 9001" → "ISO 9001"); ``InvalidInputError`` if
        the catalogue has neither."""
        key = designation_key(name)
        if key in self._by_key:
            return self._by_key[key].designation
        for standard in self._by_key.values():
            if designation_key(standard.code) == key:
                return standard.code
        raise InvalidInputError(
            f"unknown standard {name!r}: expected a standard such as 'ISO 9001' or an edition "
            "such as 'ISO 9001:2015'"
        )

    def deadline_of(self, designation: str) -> date | None:
        """The edition's transition deadline; None if it has none or is not catalogued."""
        standard = self._by_key.get(designation_key(designation))
        return standard.transition_deadline if standard else None

    def __iter__(self) -> Iterator[Standard]:
        return iter(sorted(self._by_key.values(), key=lambda s: s.designation))


def same_designation(first: str, second: str) -> bool:
    """Whether two designations name the same edition, ignoring case and spacing."""
    return designation_key(first) == designation_key(second)


def designation_key(designation: str) -> str:
    """The form two spellings of one designation share: spacing collapsed, upper case."""
    return " ".join(designation.split()).upper()
