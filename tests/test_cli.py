"""The command line as a user meets it: help, version, `python -m`, export, schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import yaml

from kamtrain import __version__
from kamtrain.cli import cli
from tests.conftest import REPO, invoke


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = prefix + (name,)
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_all_commands(command, path))
    return found


def test_every_command_has_help_with_a_real_example() -> None:
    for path, command in _all_commands(cli):
        result = invoke(*path, "--help")
        assert result.exit_code == 0, path
        if isinstance(command, click.Group):
            continue
        assert "Example" in result.output, f"'kamtrain {' '.join(path)} --help' shows no example"
        assert f"kamtrain {' '.join(path)}" in result.output, path


def test_version_is_printed() -> None:
    result = invoke("--version")
    assert result.output.strip() == f"kamtrain, version {__version__}"


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "kamtrain", "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"kamtrain, version {__version__}"


def test_validate_prints_a_one_line_summary_with_counts() -> None:
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert line.startswith("OK: 4 levels, ")
    assert "\n" not in line


def test_export_json_holds_the_whole_model() -> None:
    data = json.loads(invoke("bank", "export", "--format", "json").stdout)
    assert set(data) == {"levels", "competencies", "questions", "scenarios"}
    assert set(data["levels"]) == {"ae", "am", "kam", "sam"}
    assert data["questions"], "no questions exported"


def test_export_yaml_matches_json() -> None:
    as_json = json.loads(invoke("bank", "export", "--format", "json").stdout)
    as_yaml = yaml.safe_load(invoke("bank", "export", "--format", "yaml").stdout)
    assert as_yaml == as_json


def test_committed_schemas_are_up_to_date(tmp_path: Path) -> None:
    invoke("schema", "-o", str(tmp_path))
    for fresh in tmp_path.iterdir():
        committed = REPO / "schemas" / fresh.name
        assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
            f"schemas/{fresh.name} is stale: run 'kamtrain schema'"
        )


def test_every_builtin_yaml_file_points_at_its_schema() -> None:
    for folder in ("question_bank", "rubrics", "scenarios"):
        for path in (REPO / folder).glob("*.yaml"):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == f"# yaml-language-server: $schema=../schemas/{folder}.schema.json", path


def test_schema_to_an_unwritable_place_is_one_line_and_exit_1(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("schema", "-o", str(blocker / "sub"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot write schemas to")
