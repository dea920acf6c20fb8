"""The layers: fkd_live/core is pure numpy, only fkd_live/ui imports Qt, the app never imports
torch or train/. Checked on the source (every import statement) and by import-linter."""

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "fkd_live"


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def files_under(folder: Path) -> list[Path]:
    files = sorted(folder.rglob("*.py"))
    assert files, f"no Python files under {folder}"
    return files


@pytest.mark.parametrize("path", files_under(APP / "core"), ids=lambda p: p.name)
def test_core_is_pure_numpy(path):
    banned = {"cv2", "PyQt6", "onnxruntime", "mediapipe", "torch", "torchvision", "train"}
    assert not imported_roots(path) & banned


@pytest.mark.parametrize("path", files_under(APP), ids=lambda p: str(p.relative_to(APP)))
def test_app_never_imports_torch_or_train(path):
    assert not imported_roots(path) & {"torch", "torchvision", "train"}


@pytest.mark.parametrize(
    "path",
    [p for p in files_under(APP) if "ui" not in p.relative_to(APP).parts[:1]],
    ids=lambda p: str(p.relative_to(APP)),
)
def test_only_ui_imports_qt(path):
    assert "PyQt6" not in imported_roots(path)


def test_relative_imports_do_not_climb_out_of_core():
    for path in files_under(APP / "core"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path.name} imports from outside fkd_live/core"


def test_checker_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy\nfrom cv2 import imread\nimport torch.nn as nn\n")
    assert imported_roots(bad) == {"numpy", "cv2", "torch"}


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed")
    done = subprocess.run([exe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_config_is_a_leaf():
    """Reading an option type loads no OpenCV, onnxruntime or Qt (issue 20)."""
    import sys

    script = (
        "import sys\n"
        "import fkd_live.config\n"
        "print(sorted(m for m in ('cv2', 'onnxruntime', 'PyQt6') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "[]\n"
