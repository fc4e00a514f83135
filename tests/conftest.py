from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kamtrain.cli import cli

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# Tests and the processes they start keep their caches (validated banks, compiled templates) apart
# from the user's own.
os.environ.setdefault("KAMTRAIN_CACHE_DIR", tempfile.mkdtemp(prefix="kamtrain-test-cache-"))


def require_or_skip(env_var: str, reason: str) -> None:
    """Skip with `reason`, unless CI set `env_var` to say the thing must be there."""
    if os.environ.get(env_var) == "1":
        pytest.fail(f"{reason}, and {env_var}=1 requires it")
    pytest.skip(reason)


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "seeds").is_dir():
        require_or_skip("KAMTRAIN_REQUIRE_SHARED", f"{SHARED} is absent (a plain clone has no ../shared)")
    return SHARED


def invoke(*args: str, input: str | None = None) -> Result:
    """Run the CLI in-process as a user would type it."""
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Build a file tree from {relative path: text}; return root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kamtrain built as a wheel and installed (not editable) into a folder of its own; the folder."""
    root = tmp_path_factory.mktemp("wheel")
    dist, target = root / "dist", root / "site"
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("kamtrain-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True,
                   capture_output=True)
    return target
