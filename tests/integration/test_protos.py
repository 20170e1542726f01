"""The wire contract: generated code matches protos/, and the protos pass buf lint."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
