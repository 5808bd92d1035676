"""The built wheel is what users install: it must run on its own, away from the repository.

The slow test builds the wheel from a copy of the sources, installs it in a fresh virtual
environment (the third-party libraries borrowed from the project's environment, the project's own
source tree kept off `sys.path`) and runs `cineledger demo --no-serve` from a directory outside the
repository. The fast tests keep the packaging declarations honest: every imported library is a
declared dependency, and every code package is listed for the wheel.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("finance", "rules", "dashboards")
#: What the wheel is built from (the rest of the repository is not part of the product).
SOURCES = (*SHIPPED, "data", "pyproject.toml", "README.md")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _tree_files(root: Path) -> set[str]:
    """Files under `root`, as posix paths relative to it, without caches and compiled files."""
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def _pip(*args: str) -> None:
    """The project environment's pip, offline: nothing is downloaded, dependencies are not touched."""
    options = ("--disable-pip-version-check", "--quiet", "--no-index")
    subprocess.run(
        [sys.executable, "-m", "pip", *args, *options], check=True, capture_output=True, text=True
    )


def _build_wheel(tmp: Path) -> Path:
    """`pip wheel` on a clean copy of the sources (no stale build/ or egg-info of the checkout)."""
    src = tmp / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    dist = tmp / "dist"
    _pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(dist), str(src))
    (wheel,) = dist.glob("cineledger-*.whl")
    return wheel


def _fresh_venv(tmp: Path) -> Path:
    """A new venv whose only extra path is the project's third-party site-packages; its python."""
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False, clear=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # A path line in a .pth file is only appended to sys.path: the .pth files of the project's
    # environment (the editable install's finder among them) are not run, so the project's
    # sources stay out of reach and `finance` can only come from the wheel.
    deps = sysconfig.get_path("purelib")
    (Path(site) / "project_deps.pth").write_text(deps + "\n", encoding="utf-8")
    return python


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "CINELEDGER_DB"}}


@pytest.mark.slow
def test_the_installed_wheel_runs_the_demo(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)

    python = _fresh_venv(tmp_path)
    _pip("--python", str(python), "install", "--no-deps", str(wheel))
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _clean_env()

    script = python.parent / ("cineledger.exe" if os.name == "nt" else "cineledger")
    run = subprocess.run(
        [str(script), "demo", "--no-serve", "--db", str(work / "demo.duckdb")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "dernier-tram : production créée" in out  # French by default
    assert "dépenses : 2\u202f991 importées" in out
    (total,) = [line for line in out.splitlines() if line.strip().startswith("TOTAL")]
    assert "266" in total and "79,9 %" in total  # the cost report's total line
    assert "be_tax_shelter.belgian_spend" in out  # the check, from the packs in the wheel
    assert (work / "demo.duckdb").exists()

    # ... and it was the installed copy that ran, data and packs included.
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import finance, rules, finance.access.serve as s, finance.demo.generate;"
            "print(finance.__file__, finance.DATA_DIR, rules.PACKS_DIR, s.APP, sep='\\n')",
        ],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    installed = python.parent.parent.resolve()
    for path in map(Path, where):
        assert path.is_relative_to(installed), f"{path} is not the installed copy"
        assert path.exists(), path
    assert not any(p.is_relative_to(ROOT) for p in map(Path, where))

    # What the wheel holds: all the bundled data and packs, no test code.
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not {n for n in names if n.endswith("conftest.py") or n.startswith("tests/")}
    assert {f"finance/_data/{f}" for f in _tree_files(ROOT / "data")} <= names
    code = {
        f"{package}/{f}"
        for package in SHIPPED
        for f in _tree_files(ROOT / package)
        if not f.endswith((".md", ".png", "conftest.py"))  # docs and their pictures stay here
    }
    assert code <= names, f"missing from the wheel: {sorted(code - names)}"


def _imported_top_modules() -> set[str]:
    """Top-level names imported by the shipped packages, standard library and our own left out."""
    found: set[str] = set()
    for package in SHIPPED:
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "conftest.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - set(SHIPPED)


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_every_imported_library_is_a_declared_dependency() -> None:
    requirements = PYPROJECT["project"]["dependencies"]
    declared = {_normalised(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) for r in requirements}
    providers = packages_distributions()
    missing = {
        module: providers.get(module, ["?"])
        for module in _imported_top_modules()
        if not {_normalised(d) for d in providers.get(module, [])} & declared
    }
    assert not missing, f"imported but not declared in pyproject.toml dependencies: {missing}"


def test_every_code_package_is_listed_for_the_wheel() -> None:
    """A new package must be added to [tool.setuptools] packages, or the wheel lacks it."""
    on_disk = {
        path.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for package in SHIPPED
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts and path.name != "conftest.py"
    }
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"]) - {"finance._data"}
    assert on_disk == listed
