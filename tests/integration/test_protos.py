"""The wire contract: generated code matches protos/, the protos pass buf lint, and every
field is typed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from google.protobuf.descriptor import Descriptor

from registry.v1 import audit_service_pb2, certificate_service_pb2, standards_service_pb2

ROOT = Path(__file__).resolve().parents[2]


def test_generated_code_is_exactly_what_protos_generate(tmp_path: Path):
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "gen-protos"), str(tmp_path)],
        check=True,
        env={**os.environ, "PYTHON": sys.executable},
        cwd=ROOT,
    )
    generated = sorted(p.name for p in (tmp_path / "registry" / "v1").iterdir())
    committed = sorted(
        p.name for p in (ROOT / "registry" / "v1").iterdir() if p.name != "__pycache__"
    )
    assert generated == committed
    for name in generated:
        fresh = (tmp_path / "registry" / "v1" / name).read_bytes()
        assert fresh == (ROOT / "registry" / "v1" / name).read_bytes(), (
            f"registry/v1/{name} differs from what protos/ generate: run scripts/gen-protos"
        )


def all_messages(messages: Iterable[Descriptor]) -> Iterator[Descriptor]:
    for message in messages:
        yield message
        yield from all_messages(message.nested_types)


def test_no_message_of_the_api_carries_an_untyped_struct():
    untyped = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}
    for pb in (certificate_service_pb2, audit_service_pb2, standards_service_pb2):
        assert "google/protobuf/struct.proto" not in [d.name for d in pb.DESCRIPTOR.dependencies]
        for message in all_messages(pb.DESCRIPTOR.message_types_by_name.values()):
            for field in message.fields:
                if field.message_type is not None:
                    assert field.message_type.full_name not in untyped, field.full_name


def find_buf() -> str:
    local = ROOT / ".tools" / "node_modules" / ".bin" / "buf"
    found = str(local) if local.exists() else shutil.which("buf")
    assert found, "buf is not installed: scripts/test installs it (npm @bufbuild/buf)"
    return found


def test_protos_pass_buf_lint_with_the_standard_rules():
    result = subprocess.run(
        [find_buf(), "lint"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
