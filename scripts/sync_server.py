"""The registry behind the previous, synchronous gRPC server: a thread per call.

Only for ``scripts/bench --foundation``, which measures the asynchronous server
against it in one run: the same application, servicer and store, served by
``grpc.server(ThreadPoolExecutor(8))`` as before.

    python -O scripts/sync_server.py --db sqlite:///PATH --port 0
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import message_factory
from grpc_health.v1 import health, health_pb2_grpc

from registry.application.registry import Registry
from registry.config import persistence_env
from registry.server.app import CERTIFICATE_SERVICE
from registry.server.certificates import CertificateServicer
from registry.server.errors import Refusal


def _blocking(call: Callable[[Any, Any], Any]) -> Callable[[Any, grpc.ServicerContext], Any]:
    def handle(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return call(request, None)
        except Refusal as refusal:
            context.abort(refusal.code, refusal.message)

    return handle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    app = Registry(persistence_env(args.db))
    servicer = CertificateServicer(app)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.threads))
    handlers = {
        method.name: grpc.unary_unary_rpc_method_handler(
            _blocking(getattr(servicer, method.name)),
            request_deserializer=message_factory.GetMessageClass(method.input_type).FromString,
            response_serializer=lambda response: response.SerializeToString(),
        )
        for method in CERTIFICATE_SERVICE.methods
    }
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(CERTIFICATE_SERVICE.full_name, handlers)]
    )
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    port = server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    print(f"registry listening on 127.0.0.1:{port}", flush=True)
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    stopping.wait()
    server.stop(5).wait()
    app.close()


if __name__ == "__main__":
    main()
