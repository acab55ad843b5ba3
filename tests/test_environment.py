"""The conda environment and pyproject.toml declare the same dependencies and ranges."""

from __future__ import annotations

import re
import tomllib

from analysis import paths


def _key(requirement: str) -> tuple[str, str]:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(.*?)\s*", requirement)
    assert m, requirement
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def pyproject_requirements() -> set[tuple[str, str]]:
    data = tomllib.loads((paths.ROOT / "pyproject.toml").read_text("utf-8"))
    project = data["project"]
    extras = project["optional-dependencies"]
    reqs = project["dependencies"] + extras["dev"] + extras["scale"]
    keys = {_key(r) for r in reqs}
    # conda-forge packages dask's "distributed" extra as its own package
    if ("dask", "[distributed]>=2024.8") in keys:
        keys.remove(("dask", "[distributed]>=2024.8"))
        keys |= {("dask", ">=2024.8"), ("distributed", ">=2024.8")}
    return keys


def conda_requirements() -> set[tuple[str, str]]:
    reqs = set()
    in_deps = False
    for line in (paths.ROOT / "environment.yml").read_text("utf-8").splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        pip_entry = re.match(r"^      - [A-Za-z]", line)  # under "- pip:"
        if (
            in_deps
            and (re.match(r"^  - [A-Za-z]", line) or pip_entry)
            and not line.strip().startswith("- pip")
        ):
            name, spec = _key(line.strip()[2:])
            if name not in ("python",):
                reqs.add((name, spec))
    return reqs


def test_environment_matches_pyproject():
    assert conda_requirements() == pyproject_requirements()


def test_environment_installs_the_package():
    text = (paths.ROOT / "environment.yml").read_text("utf-8")
    assert "--editable ." in text
    requires = tomllib.loads((paths.ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "requires-python"
    ]
    assert f"python{requires}" in text.replace(" ", "")


def test_lock_file_present_and_covers_dependencies():
    lock = (paths.ROOT / "uv.lock").read_text("utf-8")
    for name, _ in pyproject_requirements():
        assert f'name = "{name}"' in lock, f"{name} missing from uv.lock: run `uv lock`"
