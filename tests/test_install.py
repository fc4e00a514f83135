"""The built-in content must work from a plain, non-editable install, not only from the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import invoke


def test_a_wheel_install_carries_the_builtin_content(installed_wheel: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed_wheel)}
    where = subprocess.run([sys.executable, "-c", "import kamtrain.bank as b; print(b.builtin_root())"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()) == installed_wheel / "kamtrain" / "content"
    installed = subprocess.run([sys.executable, "-m", "kamtrain", "validate"],
                               cwd=tmp_path, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout == invoke("validate").stdout
