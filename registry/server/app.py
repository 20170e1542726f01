"""create_server() for tests and embedding; serve() for the command line."""

from __future__ import annotations

import logging
import signal
import threading
from concurrent import futures
from types import FrameType

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from registry.application.registry import Registry
from registry.server.certificates import CertificateServicer
from registry.v1 import certificate_service_pb2 as pb
from registry.v1 import certificate_service_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)

SERVICE_NAMES = (
    pb.DESCRIPTOR.services_by_name["CertificateService"].full_name,
    health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
    reflection.SERVICE_NAME,
)


def create_server(
    app: Registry,
    address: str = "127.0.0.1:0",
    *,
    max_workers: int = 16,
    reuse_port: bool = False,
) -> tuple[grpc.Server, int, health.HealthServicer]:
    """A server with the registry, health checking and reflection; bound, not started."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc"),
        options=[("grpc.so_reuseport", 1 if reuse_port else 0)],
    )
    pb_grpc.add_CertificateServiceServicer_to_server(CertificateServicer(app), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(SERVICE_NAMES, server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    for name in ("", SERVICE_NAMES[0]):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, port, health_servicer


def serve(
    app: Registry,
    address: str,
    *,
    max_workers: int = 16,
    reuse_port: bool = False,
    grace: float = 5.0,
) -> None:
    """Serve until SIGTERM or SIGINT, then finish in-flight calls and close the store."""
    server, port, health_servicer = create_server(
        app, address, max_workers=max_workers, reuse_port=reuse_port
    )
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s, shutting down", signal.Signals(signum).name)
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    server.start()
    host = address.rsplit(":", 1)[0]
    print(f"registry listening on {host}:{port}", flush=True)
    try:
        stopping.wait()
    finally:
        health_servicer.enter_graceful_shutdown()
        server.stop(grace).wait()
        app.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("registry stopped", flush=True)
