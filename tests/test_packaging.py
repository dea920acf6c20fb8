"""`pip install .` alone must give a working app: the wheel carries the package, its assets and
the shipped model, and declares the console script."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
         "-w", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = out.glob("fkd_live-*.whl")
    return Path(path)


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "fkd_live/core/contract.py" in names
    assert "fkd_live/ui/window.py" in names
    assert "fkd_live/assets/__init__.py" in names
    for prop in sorted((REPO / "assets").glob("*.json")):  # every prop: description and image
        assert f"fkd_live/assets/{prop.name}" in names
        assert f"fkd_live/assets/{prop.stem}.png" in names
    assert not any(n.startswith(("train/", "tests/")) for n in names)
    shipped = REPO / "models" / "fkd5.onnx"
    if shipped.is_file():
        assert "fkd_live/models/fkd5.onnx" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "fkd-live = fkd_live.cli:entry_point" in text
