"""The standards catalogue: its use cases, and which catalogue each answer is computed with.

The catalogue is one aggregate (``registry.domain.catalogue``), seeded from the
shipped data when a registry first starts on a store, then changed by the admin.
An answer as of a cut of the log uses the catalogue as recorded at or before that
cut (``at``); before the catalogue was first recorded (a log written by a registry
that had none), the catalogue as first recorded. A write checks against the latest
catalogue (``current``), re-read at most every ``CACHE_SECONDS`` and at once after a
change made through this registry, as certification bodies are.

Every version of the catalogue is one ``StandardsCatalogue`` object, whoever asks
for it, so what is kept per catalogue (a certificate's readings) is kept per version.
The catalogue's events are few: they are all kept, with their log positions, and each
is read from the store once.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Notification, OperationalError

from registry.application import inputs
from registry.application.reference import ReferenceCommand, ReferenceStore
from registry.application.views import WriteMeta, WriteResult
from registry.domain.catalogue import CATALOGUE_ID, Catalogue
from registry.domain.changes import ChangeContext
from registry.domain.principals import ADMIN
from registry.domain.standards import StandardsCatalogue
from registry.errors import UnavailableError
from registry.store.log import LogPoint

if TYPE_CHECKING:
    from registry.application.registry import Registry

CACHE_SECONDS = 1.0
SEED_REQUEST_ID = "catalogue-seed"
_PAGE = 1000


@dataclass(frozen=True)
class EditionView:
    """One edition of the catalogue, and whether certificates to it are valid on ``at``."""

    designation: str
    code: str
    edition: str
    title: str
    transition_deadline: date | None
    valid_on_at: bool


@dataclass(frozen=True)
class StandardsListing:
    """The catalogue's editions on day ``at``, as recorded at ``as_of`` (its ``version``)."""

    editions: tuple[EditionView, ...]
    version: int
    at: date
    as_of: datetime
    log_position: int


class CatalogueKeeper:
    """The catalogue of one Registry: its versions as recorded, and its use cases."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._reference = ReferenceStore(registry)
        self._lock = threading.Lock()
        self._events: list[Catalogue.Event] = []  # version n is self._events[n - 1]
        self._positions: list[int] = []  # the log position of each
        self._complete_to = 0  # every catalogue event at or before this position is known
        self._versions: dict[int, StandardsCatalogue] = {}
        self._read_at = -math.inf  # when the latest was last looked for (monotonic)

    def seed(self, source: Callable[[], StandardsCatalogue]) -> None:
        """Record the catalogue ``source`` gives unless the store holds one already. Of
        two registries starting together on one store, one records it; the other finds
        it recorded (the event store refuses the second)."""
        if self._reference.exists(CATALOGUE_ID):
            return
        now = self._registry.now()
        catalogue = Catalogue.seed(
            source(),
            today=now.date(),
            recorded_at=now,
            effective_date=now.date(),
            actor=str(ADMIN),
            request_id=SEED_REQUEST_ID,
        )
        with contextlib.suppress(IntegrityError):  # another registry seeded it meanwhile:
            try:  # that one is the catalogue
                self._registry.save(catalogue)
            except OperationalError as error:
                raise UnavailableError(f"the event store is unavailable: {error}") from None

    # The catalogue an answer is computed with

    def current(self) -> StandardsCatalogue:
        """The latest catalogue (as read within ``CACHE_SECONDS``, or since a change
        made through this registry)."""
        now = time.monotonic()
        if now - self._read_at >= CACHE_SECONDS:
            try:
                last = self._registry.store.last_point()
            except OperationalError as error:
                raise UnavailableError(f"the event store is unavailable: {error}") from None
            self._learn(last.position if last else 0)
            self._read_at = now
        with self._lock:
            return self._version(len(self._events))

    def at(self, cut: LogPoint | None) -> StandardsCatalogue:
        """The catalogue as recorded up to ``cut`` (see ``Registry.cut``)."""
        return self.at_position(cut.position if cut else 0)

    def at_position(self, position: int) -> StandardsCatalogue:
        """The catalogue as recorded at or before the committed log position ``position``;
        before it was first recorded, as first recorded."""
        self._learn(position)
        with self._lock:
            return self._version(max(bisect_right(self._positions, position), 1))

    def version_at(self, position: int) -> int:
        """The catalogue's version at ``position`` (0: not recorded yet)."""
        self._learn(position)
        with self._lock:
            return bisect_right(self._positions, position)

    # Use cases

    def add_standard_edition(
        self,
        meta: WriteMeta,
        *,
        code: str,
        edition: str,
        title: str,
        transition_deadline: date | None = None,
    ) -> WriteResult:
        """Add an edition to the catalogue, with its transition deadline if it has one."""
        code, edition = inputs.edition(code, edition)
        fields: dict[str, Any] = {
            "code": code,
            "edition": edition,
            "title": inputs.standard_title(title),
            "transition_deadline": transition_deadline,
        }

        def add(catalogue: Aggregate | None, context: ChangeContext) -> list[Aggregate]:
            assert isinstance(catalogue, Catalogue)
            catalogue.add_edition(**fields, **context)
            return [catalogue]

        return self._write("add_standard_edition", meta, fields, add)

    def set_transition_deadline(
        self, meta: WriteMeta, *, designation: str, transition_deadline: date | None
    ) -> WriteResult:
        """Set (or, with None, remove) the day after which certificates to an edition end."""
        fields: dict[str, Any] = {
            "designation": inputs.standard(designation),
            "transition_deadline": transition_deadline,
        }

        def set_deadline(catalogue: Aggregate | None, context: ChangeContext) -> list[Aggregate]:
            assert isinstance(catalogue, Catalogue)
            catalogue.set_transition_deadline(**fields, **context)
            return [catalogue]

        return self._write("set_transition_deadline", meta, fields, set_deadline)

    def list_standards(
        self, *, at: date | None = None, as_of: datetime | None = None
    ) -> StandardsListing:
        """Every edition of the catalogue as recorded at ``as_of`` (default: everything
        committed), and whether certificates to it are valid on ``at`` (default today)."""
        cut, as_of = self._registry.cut(as_of)
        at = at if at is not None else self._registry.now().date()
        position = cut.position if cut else 0
        standards = self.at(cut)
        editions = tuple(
            EditionView(
                designation=s.designation,
                code=s.code,
                edition=s.edition,
                title=s.title,
                transition_deadline=s.transition_deadline,
                valid_on_at=not s.withdrawn_on(at),
            )
            for s in standards
        )
        return StandardsListing(editions, max(self.version_at(position), 1), at, as_of, position)

    # Helpers

    def _write(
        self, op: str, meta: WriteMeta, fields: dict[str, Any], command: ReferenceCommand
    ) -> WriteResult:
        return self._reference.write(
            op,
            CATALOGUE_ID,
            meta,
            fields,
            command,
            creates=False,
            missing="the store holds no catalogue of standards",
            saved=self._changed,
        )

    def _changed(self, _: Sequence[Aggregate]) -> None:
        self._read_at = -math.inf  # the next ``current`` reads the change

    def _learn(self, position: int) -> None:
        """Know every catalogue event at or before ``position``, a committed position (so
        every event before it is committed too: the log is a prefix), and the first."""
        with self._lock:
            if position <= self._complete_to and self._events:
                return
            known = len(self._events)
        try:
            rows: list[Notification] = []
            while True:
                page = self._registry.store.select_positioned(
                    CATALOGUE_ID, gt=known + len(rows), lte=None, limit=_PAGE
                )
                rows += page
                if len(page) < _PAGE:
                    break
        except OperationalError as error:
            raise UnavailableError(f"the event store is unavailable: {error}") from None
        events = [self._registry.mapper.to_domain_event(row) for row in rows]
        with self._lock:
            for row, event in zip(rows, events, strict=True):
                if event.originator_version == len(self._events) + 1:  # not learnt meanwhile
                    assert isinstance(event, Catalogue.Event)
                    self._events.append(event)
                    self._positions.append(row.id)
            self._complete_to = max(self._complete_to, position)

    def _version(self, version: int) -> StandardsCatalogue:
        """The catalogue's ``version`` as one shared object (under the lock)."""
        standards = self._versions.get(version)
        if standards is None:
            if not 1 <= version <= len(self._events):
                raise UnavailableError("the event store holds no catalogue of standards")
            catalogue: Aggregate | None = None
            for event in self._events[:version]:
                catalogue = event.mutate(catalogue)
            assert isinstance(catalogue, Catalogue)
            standards = catalogue.standards()
            self._versions[version] = standards
        return standards
