"""The installed distribution is one top-level package, `llm_roleplay`, with the repository's
graphs/, nodes/, prompts/ and evals/ folders inside it (issue 14: a clean install)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("graphs", "nodes", "prompts", "evals")


def copy_of_the_sources(target: Path) -> Path:
    """The working tree's files that git tracks or would track, links kept as links: a build here
    sees no `build/` folder left by an earlier build (setuptools copies from it, which once hid a
    package missing from pyproject's list)."""
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    for name in names:
        source, copy = ROOT / name, target / name
        if not source.is_symlink() and not source.is_file():
            continue  # deleted in the working tree
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)
    return target


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The file names in a wheel built from a copy of the working tree (no build isolation: ~3 s,
    offline)."""
    out = tmp_path_factory.mktemp("wheel")
    sources = copy_of_the_sources(tmp_path_factory.mktemp("sources"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(sources),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            out,
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("llm_roleplay-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_wheel_installs_one_top_level_package(wheel_names: list[str]) -> None:
    top_level = {name.split("/")[0] for name in wheel_names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"llm_roleplay"}


def test_every_module_and_data_file_of_the_folders_is_in_the_wheel(wheel_names: list[str]) -> None:
    """Nothing is left behind by the mapping: each tracked file of graphs/, nodes/, prompts/ and
    evals/ that the package needs (code, prompts, labels, templates) is installed inside llm_roleplay."""
    tracked = subprocess.run(
        ["git", "ls-files", *FOLDERS], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    expected = {f"llm_roleplay/{name}" for name in tracked if name.endswith((".py", ".md", ".jsonl", ".j2"))}
    # ...and the application package's own modules (llm_roleplay/blocks was once left out of the
    # package list: an editable install worked, an installed wheel could not import anything).
    own = subprocess.run(
        ["git", "ls-files", "llm_roleplay"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    expected |= {name for name in own if name.endswith((".py", ".json", ".jsonl", ".gz"))}
    assert expected, "git ls-files found nothing"
    assert expected <= set(wheel_names), sorted(expected - set(wheel_names))


def test_the_repository_links_match_the_package_mapping() -> None:
    """In a checkout, llm_roleplay/<folder> links to the top-level folder that pyproject maps there,
    so `import llm_roleplay.nodes` means the same files before and after installing."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert all(package.split(".")[0] == "llm_roleplay" for package in setuptools["packages"])
    for folder in FOLDERS:
        assert setuptools["package-dir"][f"llm_roleplay.{folder}"] == folder
        assert (ROOT / "llm_roleplay" / folder).resolve() == (ROOT / folder).resolve()
