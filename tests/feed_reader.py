"""A reader of one StreamEvents call on a thread of its own, for the feed's tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc

from registry.client import RegistryClient, feed_position
from registry.v1 import audit_service_pb2 as apb
from registry.v1 import certificate_service_pb2 as pb

PATIENCE = 60.0  # how long to wait for something that should happen at once


@dataclass
class Reader:
    """A thread reading one stream into ``received`` until it ends or is cancelled."""

    call: Any
    received: list[apb.StreamEventsResponse] = field(default_factory=list)
    error: grpc.RpcError | None = None
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for response in self.call:
                with self.arrived:
                    self.received.append(response)
                    self.arrived.notify_all()
        except grpc.RpcError as error:
            self.error = error
        with self.arrived:
            self.arrived.notify_all()

    def events(self) -> list[pb.CertificateEvent]:
        return [r.event for r in list(self.received) if r.HasField("event")]

    def positions(self) -> list[int]:
        """The positions of the events received, of every kind."""
        return [feed_position(r) for r in list(self.received) if not r.HasField("heartbeat")]

    def heartbeats(self) -> list[apb.Heartbeat]:
        return [r.heartbeat for r in list(self.received) if r.HasField("heartbeat")]

    def wait_for(self, condition: Callable[[Reader], bool]) -> None:
        deadline = time.monotonic() + PATIENCE
        with self.arrived:
            while not condition(self):
                if self.error is not None or not self.thread.is_alive():
                    raise AssertionError(f"the stream ended: {self.error}")
                if time.monotonic() > deadline:
                    raise AssertionError("what was awaited did not arrive")
                self.arrived.wait(0.5)

    def stop(self) -> None:
        self.call.cancel()
        self.thread.join()


def read(client: RegistryClient, from_position: int = 0, **filters: Any) -> Reader:
    return Reader(client.stream_events(from_position, **filters))


def until(reader: Reader, head: int) -> list[apb.StreamEventsResponse]:
    """What ``reader`` received (heartbeats left out) until its stream considered position
    ``head``; the stream is stopped then."""
    reader.wait_for(lambda r: any(feed_position(item) >= head for item in r.received))
    reader.stop()
    return [item for item in reader.received if not item.HasField("heartbeat")]
