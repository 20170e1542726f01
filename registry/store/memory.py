"""The ordered log in memory (``--db memory:``): the library's POPO recorder, under its lock."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    Notification,
    StoredEvent,
)
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory

from registry.store.follow import MemoryBatchSubscription
from registry.store.log import (
    LogPoint,
    RequestRecord,
    Stamp,
    from_micros,
    plain_stamp,
    to_micros,
    utc_now,
)
from registry.store.tokens import BOOTSTRAP_KEY, TokenRow


class MemoryOrderedRecorder(POPOApplicationRecorder):
    """Positions are list indexes from 1, so ``_times[p - 1]`` is position p's time."""

    def __init__(self) -> None:
        super().__init__()
        self._times: list[int] = []
        self._requests: dict[tuple[str, str], RequestRecord] = {}
        self._meta: dict[str, str] = {}
        self._tokens: dict[str, TokenRow] = {}

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> MemoryBatchSubscription:
        return MemoryBatchSubscription(recorder=self, gt=gt, topics=topics)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        return self.append(plain_stamp(stored_events, utc_now))

    def append(self, stamp: Stamp) -> list[int]:
        with self._database_lock:
            batch = stamp(self._times[-1] if self._times else None)
            keys = [(row.principal, row.request_id) for row in batch.requests]
            if len(set(keys)) < len(keys) or any(key in self._requests for key in keys):
                raise IntegrityError("request already recorded")
            positions = list(self._insert_events(batch.events) or [])
            self._times.extend(batch.recorded_at)
            for row in batch.requests:
                self._requests[(row.principal, row.request_id)] = RequestRecord(
                    row.principal,
                    row.request_id,
                    row.fingerprint,
                    row.certificate_id,
                    row.version,
                    positions[row.event_index],
                    from_micros(batch.recorded_at[row.event_index]),
                )
        self._notify_listeners()
        return positions

    def barrier(self) -> None:
        with self._database_lock:
            pass

    def last_point(self) -> LogPoint | None:
        with self._database_lock:
            if not self._times:
                return None
            return LogPoint(len(self._times), from_micros(self._times[-1]))

    def point_at(self, instant: datetime) -> LogPoint | None:
        with self._database_lock:
            position = bisect.bisect_right(self._times, to_micros(instant))
            return LogPoint(position, from_micros(self._times[position - 1])) if position else None

    def point_of(self, position: int) -> LogPoint | None:
        with self._database_lock:
            position = min(position, len(self._times))
            return LogPoint(position, from_micros(self._times[position - 1])) if position else None

    def version_at(self, originator_id: UUID, position: int) -> int:
        with self._database_lock:
            index = self._stored_events_index.get(str(originator_id), {})
            return max((v for v, i in index.items() if i < position), default=0)

    def select_positioned(
        self, originator_id: UUID, *, gt: int, lte: int | None, limit: int
    ) -> list[Notification]:
        with self._database_lock:
            index = self._stored_events_index.get(str(originator_id), {})
            versions = sorted(v for v in index if v > gt and (lte is None or v <= lte))
            return [
                Notification(
                    id=index[v] + 1,
                    originator_id=originator_id,
                    originator_version=v,
                    topic=self._stored_events[index[v]].topic,
                    state=self._stored_events[index[v]].state,
                )
                for v in versions[:limit]
            ]

    def select_at(self, positions: Sequence[int]) -> list[Notification]:
        with self._database_lock:
            found = []
            for position in sorted(positions):
                if 1 <= position <= len(self._stored_events):
                    stored = self._stored_events[position - 1]
                    found.append(
                        Notification(
                            id=position,
                            originator_id=stored.originator_id,
                            originator_version=stored.originator_version,
                            topic=stored.topic,
                            state=stored.state,
                        )
                    )
            return found

    def select_request(self, principal: str, request_id: str) -> RequestRecord | None:
        with self._database_lock:
            return self._requests.get((principal, request_id))

    def get_meta(self, key: str) -> str | None:
        with self._database_lock:
            return self._meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        with self._database_lock:
            self._meta.setdefault(key, value)

    def count_events(self) -> int:
        with self._database_lock:
            return len(self._stored_events)

    # Bearer tokens (registry/store/tokens.py)

    def insert_token(self, row: TokenRow) -> None:
        with self._database_lock:
            if row.token_id in self._tokens:
                raise IntegrityError(f"token {row.token_id} already exists")
            self._tokens[row.token_id] = row

    def bootstrap_token(self, row: TokenRow) -> bool:
        with self._database_lock:
            if BOOTSTRAP_KEY in self._meta:
                return self._meta[BOOTSTRAP_KEY] == row.token_id
            self.insert_token(row)
            self._meta[BOOTSTRAP_KEY] = row.token_id
            return True

    def select_token(self, token_id: str) -> TokenRow | None:
        with self._database_lock:
            return self._tokens.get(token_id)

    def revoke_token(self, token_id: str, at: datetime) -> bool:
        with self._database_lock:
            row = self._tokens.get(token_id)
            if row is None:
                return False
            if row.revoked_at is None:
                self._tokens[token_id] = replace(row, revoked_at=at)
            return True

    def select_tokens(self) -> list[TokenRow]:
        with self._database_lock:
            return sorted(self._tokens.values(), key=lambda row: (row.created_at, row.token_id))


class MemoryFactory(POPOFactory):
    """The library's in-memory persistence with the registry's ordered recorder."""

    def application_recorder(self) -> ApplicationRecorder:
        return MemoryOrderedRecorder()
