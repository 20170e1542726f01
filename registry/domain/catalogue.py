"""The catalogue of standards (SPEC 2.3) as an aggregate on two clocks.

One ``Catalogue`` per registry (a fixed id): seeded once from the shipped data
(``standards.json``, or a deployment's own file) as one ``Seeded`` event, then
changed only by the admin: an edition is added (``EditionAdded``), an edition's
transition deadline is set, moved or removed (``TransitionDeadlineSet``).

What an answer depends on is the catalogue's *recorded* time: a status as of
an instant reads the catalogue as recorded at or before that instant, so a
deadline moved today changes answers from today's log position on, and every
earlier ``as_of`` answer stays what it was. (The deadline itself is a date in
the data; the events' effective dates are recorded like any reference change's,
when the decision took effect, and play no part in the answers.)

Rules: an edition is added once; a deadline is set only for a catalogued edition
and only when it changes something.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain.changes import ChangeContext, check_not_too_far_ahead, event_context, named_id
from registry.domain.standards import Standard, StandardsCatalogue, designation_key
from registry.errors import RuleViolationError

_NAMESPACE = UUID("0b6a3d1e-5f5c-4c83-a1a4-7c9e2f40d6b2")
CATALOGUE_ID = named_id(_NAMESPACE, "catalogue")
"""The id of the one catalogue of a registry."""


def edition_row(standard: Standard) -> dict[str, Any]:
    """An edition as a ``Seeded`` event stores it."""
    return {
        "code": standard.code,
        "edition": standard.edition,
        "title": standard.title,
        "transition_deadline": standard.transition_deadline,
    }


class Catalogue(Aggregate):
    """The editions of the standards certificates are issued to, and their deadlines."""

    __slots__ = ("_standards",)
    _standards: tuple[int, StandardsCatalogue]

    class Event(Aggregate.Event):
        """Base of the catalogue's events: the two clocks, the actor and the request."""

        effective_date: date
        actor: str
        request_id: str

    class Seeded(Aggregate.Created, Event):
        """The catalogue as first recorded: the shipped (or a deployment's) editions."""

        editions: list[dict[str, Any]]

        def apply(self, aggregate: Catalogue) -> None:
            for row in self.editions:
                aggregate._put(Standard(**row))

    class EditionAdded(Event):
        code: str
        edition: str
        title: str
        transition_deadline: date | None

        def apply(self, aggregate: Catalogue) -> None:
            aggregate._put(Standard(self.code, self.edition, self.title, self.transition_deadline))

    class TransitionDeadlineSet(Event):
        """Certificates to ``designation`` end after ``transition_deadline`` (None: never)."""

        designation: str
        transition_deadline: date | None

        def apply(self, aggregate: Catalogue) -> None:
            current = aggregate._editions[designation_key(self.designation)]
            aggregate._put(
                Standard(current.code, current.edition, current.title, self.transition_deadline)
            )

    def __init__(self) -> None:
        self._editions: dict[str, Standard] = {}

    @classmethod
    def seed(cls, standards: StandardsCatalogue, **context: Unpack[ChangeContext]) -> Catalogue:
        """The catalogue as first recorded, holding every edition of ``standards``."""
        return cls._create(
            cls.Seeded,
            id=CATALOGUE_ID,
            timestamp=context["recorded_at"],
            **event_context(context),
            editions=[edition_row(standard) for standard in standards],
        )

    def add_edition(
        self,
        *,
        code: str,
        edition: str,
        title: str,
        transition_deadline: date | None,
        **context: Unpack[ChangeContext],
    ) -> None:
        check_not_too_far_ahead(context["effective_date"], context["today"])
        new = Standard(code, edition, title, transition_deadline)
        known = self._editions.get(designation_key(new.designation))
        if known is not None:
            raise RuleViolationError(
                "edition-added-once",
                f"the catalogue already holds {known.designation} ({known.title})",
            )
        self.trigger_event(
            self.EditionAdded,
            timestamp=context["recorded_at"],
            **event_context(context),
            code=code,
            edition=edition,
            title=title,
            transition_deadline=transition_deadline,
        )

    def set_transition_deadline(
        self,
        *,
        designation: str,
        transition_deadline: date | None,
        **context: Unpack[ChangeContext],
    ) -> None:
        check_not_too_far_ahead(context["effective_date"], context["today"])
        known = self._editions.get(designation_key(designation))
        if known is None:
            raise RuleViolationError(
                "deadline-for-a-catalogued-edition",
                f"the catalogue holds no edition {designation!r}: add it first",
            )
        if known.transition_deadline == transition_deadline:
            held = transition_deadline.isoformat() if transition_deadline else "no deadline"
            raise RuleViolationError(
                "deadline-changes",
                f"{known.designation} already has {held}",
            )
        self.trigger_event(
            self.TransitionDeadlineSet,
            timestamp=context["recorded_at"],
            **event_context(context),
            designation=known.designation,
            transition_deadline=transition_deadline,
        )

    def standards(self) -> StandardsCatalogue:
        """The look-up of this version's editions (made once per loaded version)."""
        kept: tuple[int, StandardsCatalogue] | None = getattr(self, "_standards", None)
        if kept is None or kept[0] != self.version:
            kept = (self.version, StandardsCatalogue(list(self._editions.values())))
            self._standards = kept
        return kept[1]

    def _put(self, standard: Standard) -> None:
        self._editions[designation_key(standard.designation)] = standard
