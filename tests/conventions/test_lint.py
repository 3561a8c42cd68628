"""The code stays ruff-clean: lint and format."""

import subprocess
import sys

from portal import PROJECT_ROOT


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "portal", "tests", "bench"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_lint_is_clean():
    result = _ruff("check")
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_clean():
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout
