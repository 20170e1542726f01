"""Timelines of the reference aggregates: bodies, accreditations, the catalogue.

Like a certificate's (``registry.domain.timeline``), a reference aggregate keeps
the changes it recorded as plain dicts — ``kind``, ``version``,
``effective_date`` and the event's own fields — ordered by (effective date,
version). Its state on a day is the fold of the changes in effect by then. A
new change, backdated or not, is checked against the state just before it on
its own day, and every later change is checked again against the state the
insertion leaves before it, so no backdated change can make a later one wrong.
"""

from __future__ import annotations

import hashlib
from bisect import insort
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypedDict, TypeVar
from uuid import UUID

from registry.errors import RuleViolationError

MAX_FUTURE_DAYS = 90
EVENT_COMMON_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "effective_date",
        "actor",
        "request_id",
    }
)
"""What every event of the registry (a certificate's too) carries besides its own fields:
the library's (aggregate, version, topic, recorded time) and the effective date, the
principal and the request."""
Change = dict[str, Any]
State = TypeVar("State")


class ChangeContext(TypedDict):
    """What every reference command takes besides its own fields: the two clocks, who,
    which request."""

    today: date
    recorded_at: datetime
    effective_date: date
    actor: str
    request_id: str


def event_context(context: ChangeContext) -> dict[str, Any]:
    """What every event of a command carries from its context."""
    return {
        "effective_date": context["effective_date"],
        "actor": context["actor"],
        "request_id": context["request_id"],
    }


def named_id(namespace: UUID, *parts: str) -> UUID:
    """A uuid5 over the parts, each as its UTF-8 byte length, a colon, then its bytes:
    no character inside a part can move the boundary between two parts."""
    name = b"".join(
        b"%d:%s" % (len(encoded), encoded)
        for encoded in (part.encode("utf-8", "surrogatepass") for part in parts)
    )
    digest = hashlib.sha1(namespace.bytes + name, usedforsecurity=False).digest()
    return UUID(bytes=digest[:16], version=5)


def position(change: Change) -> tuple[date, int]:
    return (change["effective_date"], change["version"])


def insert(changes: Sequence[Change], change: Change) -> list[Change]:
    """A copy of ``changes`` with ``change`` at its place."""
    timeline = list(changes)
    insort(timeline, change, key=position)
    return timeline


def check_not_too_far_ahead(effective: date, today: date) -> None:
    latest = today + timedelta(days=MAX_FUTURE_DAYS)
    if effective > latest:
        raise RuleViolationError(
            "future-date-at-most-90-days",
            f"effective date {effective} is more than {MAX_FUTURE_DAYS} days ahead "
            f"(latest allowed {latest})",
        )


def fold(
    changes: Sequence[Change],
    initial: Callable[[], State],
    apply: Callable[[State, Change], State],
    day: date,
) -> State:
    """The state the changes in effect on ``day`` leave."""
    state = initial()
    for change in changes:
        if change["effective_date"] > day:
            break
        state = apply(state, change)
    return state


def check_timeline(
    changes: Sequence[Change],
    initial: Callable[[], State],
    apply: Callable[[State, Change], State],
    check: Callable[[State, Change], None],
    *,
    new: Change,
) -> None:
    """Fold ``changes`` (holding ``new``) and ``check`` ``new`` and every change after it
    against the state just before it; a later change broken by ``new`` is named."""
    state = initial()
    for change in changes:
        if position(change) >= position(new):
            try:
                check(state, change)
            except RuleViolationError as error:
                if change is new:
                    raise
                raise RuleViolationError(
                    error.rule,
                    f"{new['kind']} on {new['effective_date']} would leave the later event "
                    f"v{change['version']} ({change['kind']} on {change['effective_date']}) "
                    f"breaking it: {error.detail}",
                ) from None
        state = apply(state, change)


def change_of(event: Any) -> Change:
    """The change an event of a reference aggregate keeps in its timeline: its ``kind``,
    version, effective date and the fields its class names in ``own``."""
    return {
        "kind": event.kind,
        "version": event.originator_version,
        "effective_date": event.effective_date,
        **{name: getattr(event, name) for name in event.own},
    }


def checked_change(
    changes: Sequence[Change],
    kind: str,
    version: int,
    context: ChangeContext,
    own: dict[str, Any],
    initial: Callable[[], State],
    apply: Callable[[State, Change], State],
    check: Callable[[State, Change], None],
) -> None:
    """Refuse the change (``kind`` at ``version`` with ``own`` fields, on the context's
    effective date) unless it and every later change keep the rules."""
    check_not_too_far_ahead(context["effective_date"], context["today"])
    new: Change = {
        "kind": kind,
        "version": version,
        "effective_date": context["effective_date"],
        **own,
    }
    check_timeline(insert(changes, new), initial, apply, check, new=new)
