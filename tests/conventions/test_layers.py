"""The package graph: imports only run down the layers in pyproject.toml's [tool.importlinter],
so no two packages import each other and the floor knows no feature."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter's verdict on the portal package found in root, with the project's contracts."""
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "lint-imports"),
            "--config",
            str(ROOT / "pyproject.toml"),
            "--no-cache",
            "--no-logo",
        ],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )


def test_imports_run_down_the_layers():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement"),
    [
        # The floor reaching up to a feature.
        ("web/forms.py", "from portal.canteen import labels"),
        # A feature reaching across to another, inside a function.
        ("canteen/menus.py", "def _up():\n    from portal.activities import services"),
        # Meal delivery is above the canteen: never the other way.
        ("canteen/services.py", "from portal.delivery import services as deliveries"),
        # A feature reaching up to the site.
        ("help/views.py", "from portal.site import shell"),
    ],
)
def test_an_import_up_a_layer_or_across_features_is_refused(tmp_path, module, statement):
    shutil.copytree(
        ROOT / "portal", tmp_path / "portal", ignore=shutil.ignore_patterns("__pycache__")
    )
    target = tmp_path / "portal" / module
    target.write_text(target.read_text() + "\n\n" + statement + "\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
