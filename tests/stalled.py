"""Clients that misbehave at the HTTP/2 level: they open calls and never read, or just sit.

A *stalled* client opens a connection, announces a receive window of zero, sends
one gRPC request and never reads again: the server can answer only its headers
and must keep the response until the client reads, which it never does. An *idle*
client connects and sends the HTTP/2 preface, then nothing. A :class:`StalledCall`
stops reading once its window (given) is full, and can read again later, to the
call's end.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import h2.config
import h2.connection
import h2.events
import h2.settings
from google.protobuf.message import Message


def _connect(port: int, window: int = 0) -> tuple[socket.socket, h2.connection.H2Connection]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.local_settings = h2.settings.Settings(
        client=True, initial_values={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window}
    )
    connection.initiate_connection()
    sock.sendall(connection.data_to_send())
    return sock, connection


def _send_call(
    connection: h2.connection.H2Connection,
    port: int,
    method: str,
    request: Message,
    token: str | None = None,
) -> int:
    body = request.SerializeToString()
    stream = connection.get_next_available_stream_id()
    connection.send_headers(
        stream,
        [
            (":method", "POST"),
            (":scheme", "http"),
            (":path", method),
            (":authority", f"127.0.0.1:{port}"),
            ("content-type", "application/grpc"),
            ("te", "trailers"),
            *([("authorization", f"Bearer {token}")] if token else []),
        ],
    )
    connection.send_data(stream, b"\x00" + len(body).to_bytes(4, "big") + body, end_stream=True)
    return stream


def stall(
    port: int, method: str, request: Message, calls: int = 1, token: str | None = None
) -> socket.socket:
    """One connection with ``calls`` calls of ``method`` (``/pkg.Service/Method``) left unread."""
    sock, connection = _connect(port)
    for _ in range(calls):
        _send_call(connection, port, method, request, token)
    sock.sendall(connection.data_to_send())
    return sock


@dataclass
class StalledCall:
    """A call whose client reads nothing beyond its first ``window`` bytes, until resumed."""

    sock: socket.socket
    connection: h2.connection.H2Connection

    @classmethod
    def open(
        cls, port: int, method: str, request: Message, window: int, token: str | None = None
    ) -> StalledCall:
        sock, connection = _connect(port, window)
        _send_call(connection, port, method, request, token)
        sock.sendall(connection.data_to_send())
        return cls(sock, connection)

    def resume(self, timeout: float = 30.0) -> dict[str, str]:
        """Read everything to the call's end (acknowledging it); its trailers."""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("the server closed the connection")
                for event in self.connection.receive_data(data):
                    if isinstance(event, h2.events.DataReceived):
                        self.connection.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                    elif isinstance(event, h2.events.TrailersReceived):
                        return {bytes(k).decode(): bytes(v).decode() for k, v in event.headers}
                    elif isinstance(event, h2.events.StreamReset):
                        raise ConnectionError(f"stream reset: {event.error_code!r}")
                self.sock.sendall(self.connection.data_to_send())
        finally:
            self.sock.close()


@contextmanager
def misbehaving(
    port: int, stalled: list[tuple[str, Message]], *, idle: int, token: str | None = None
) -> Iterator[list[socket.socket]]:
    """A connection with an unread call for each of ``stalled`` (method, request), sent with
    ``token`` if given, and ``idle`` silent connections."""
    sockets = [stall(port, method, request, token=token) for method, request in stalled]
    sockets += [_connect(port)[0] for _ in range(idle)]
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()
