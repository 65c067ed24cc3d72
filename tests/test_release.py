"""What a release is made of: the wheel builds, passes twine and check-wheel-contents, and
installed alone in a fresh venv (not the source tree) runs the demo and imports every name."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str | Path, cwd: Path = ROOT, timeout: float = 600) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    return out


def test_the_version_is_written_once() -> None:
    import unsend

    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert f'__version__ = "{unsend.__version__}"' in (ROOT / "src/unsend/_version.py").read_text()
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text()


def test_twine_and_check_wheel_contents(dist: Path) -> None:
    files = sorted(dist.iterdir())
    assert {f.suffix for f in files} == {".whl", ".gz"}
    run(sys.executable, "-m", "twine", "check", "--strict", *files)
    wheel = next(f for f in files if f.suffix == ".whl")
    run(Path(sys.executable).parent / "check-wheel-contents", wheel)


def test_the_wheel_alone_runs_the_demo_and_imports_every_name(dist: Path, tmp_path: Path) -> None:
    import unsend

    wheel = next(f for f in dist.iterdir() if f.suffix == ".whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Dependencies come from the index (as a user's install would); unsend from the wheel only.
    run(python, "-m", "pip", "install", "-q", f"{wheel}[cli,emulator]", timeout=900)
    outside = tmp_path / "elsewhere"  # not the source tree: nothing can import from src/
    outside.mkdir()
    names = ", ".join(unsend.__all__)
    check = (
        "import unsend, unsend.testing, unsend.emulator, unsend.fleet, pathlib; "
        f"from unsend import {names}; "
        "assert 'site-packages' in pathlib.Path(unsend.__file__).as_posix(), unsend.__file__; "
        "print(unsend.__version__)"
    )
    assert run(python, "-c", check, cwd=outside).strip() == unsend.__version__
    demo = run(env_dir / "bin" / "unsend", "demo", cwd=outside, timeout=120)
    assert "every result agrees" in demo
    shutil.rmtree(env_dir)
