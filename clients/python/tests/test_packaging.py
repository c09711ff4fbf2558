"""The package installs offline with pip and Debian's setuptools, typed, with no dependency."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def test_pip_installs_it_offline_with_py_typed(tmp_path: Path) -> None:
    # Built from a copy, so the checkout gets no build/ or egg-info.
    source = tmp_path / "src-copy"
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests", "bench"))
    target = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-deps",
         "--disable-pip-version-check", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (target / "lsst_metrics" / "py.typed").is_file()
    metadata = next(target.glob("lsst_metrics-*.dist-info")) / "METADATA"
    text = metadata.read_text()
    assert "Requires-Python: >=3.11" in text and "Requires-Dist" not in text
    check = subprocess.run([sys.executable, "-I", "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                            "import lsst_metrics; print(lsst_metrics.__file__)", str(target)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip().startswith(str(target))
