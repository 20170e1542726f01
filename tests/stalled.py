"""Clients that misbehave at the HTTP/2 level: they open calls and never read, or just sit.

A *stalled* client opens a connection, announces a receive window of zero, sends
one gRPC request and never reads again: the server can answer only its headers
and must keep the response until the client reads, which it never does. An *idle*
client connects and sends the HTTP/2 preface, then nothing.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import h2.config
import h2.connection
import h2.settings
from google.protobuf.message import Message


def _connect(port: int) -> tuple[socket.socket, h2.connection.H2Connection]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.local_settings = h2.settings.Settings(
        client=True, initial_values={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0}
    )
    connection.initiate_connection()
    sock.sendall(connection.data_to_send())
    return sock, connection


def stall(port: int, method: str, request: Message, calls: int = 1) -> socket.socket:
    """One connection with ``calls`` calls of ``method`` (``/pkg.Service/Method``) left unread."""
    sock, connection = _connect(port)
    body = request.SerializeToString()
    frame = b"\x00" + len(body).to_bytes(4, "big") + body
    for _ in range(calls):
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
            ],
        )
        connection.send_data(stream, frame, end_stream=True)
    sock.sendall(connection.data_to_send())
    return sock


@contextmanager
def misbehaving(
    port: int, stalled: list[tuple[str, Message]], *, idle: int
) -> Iterator[list[socket.socket]]:
    """A connection with an unread call for each of ``stalled`` (method, request), and
    ``idle`` silent connections."""
    sockets = [stall(port, method, request) for method, request in stalled]
    sockets += [_connect(port)[0] for _ in range(idle)]
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()
