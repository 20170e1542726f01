"""The server as third-party tools see it: health checking and reflection; its address."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from registry.application.registry import Registry
from registry.server.app import BackgroundServer

ROOT = Path(__file__).resolve().parents[2]


def buf() -> str:
    local = ROOT / ".tools" / "node_modules" / ".bin" / "buf"
    found = str(local) if local.exists() else shutil.which("buf")
    assert found, "buf is not installed: scripts/test installs it (npm @bufbuild/buf)"
    return found


def test_health_checking_reports_the_registry_serving(running):
    health = health_pb2_grpc.HealthStub(running.client.channel)
    for service in ("", "registry.v1.CertificateService"):
        answer = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING


def test_a_client_without_our_protos_can_call_through_reflection(running, issue):
    issue()
    url = f"http://127.0.0.1:{running.port}/registry.v1.CertificateService/GetCertificateStatus"
    body = {
        "certificate": {"certification_body_id": "cb-1", "certificate_number": "Q-1"},
        "at": {"year": 2025, "month": 3, "day": 20},
    }
    result = subprocess.run(
        [
            buf(),
            "curl",
            "--protocol",
            "grpc",
            "--http2-prior-knowledge",
            "--data",
            json.dumps(body),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "CERTIFICATE_STATUS_VALID"
    assert answer["certificate"]["standard"] == "ISO 9001:2015"


def test_reflection_lists_the_services(running):
    url = f"http://127.0.0.1:{running.port}"
    result = subprocess.run(
        [buf(), "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-services", url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
    services = result.stdout.split()
    assert "registry.v1.CertificateService" in services
    assert "grpc.health.v1.Health" in services


def test_a_port_already_taken_is_an_os_error_naming_the_address(running):
    address = f"127.0.0.1:{running.port}"
    with pytest.raises(OSError, match=f"cannot listen on {address}"):
        BackgroundServer(Registry(), address).start()
