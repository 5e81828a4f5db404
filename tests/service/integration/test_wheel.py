"""The wheel carries its configuration defaults and its migrations: the installed codev runs from any
folder, without a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests import paths


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the checkout, unpacked as pip would install it."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(paths.ROOT)], check=True, capture_output=True, timeout=300)
    [wheel] = out.glob("codev-*.whl")
    target = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_the_wheel_holds_every_configuration_file_and_migration(unpacked: Path) -> None:
    package = unpacked / "sync_service"
    shipped = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}

    for name in ("forum.yaml", "taxonomy.yaml", "matching.yaml", "communes.csv", "codev.example.yaml",
                 "locales/fr.yaml", "locales/ar.yaml", "locales/en.yaml", "examples/communaute.yaml",
                 "examples/plan-afella-ighir.csv", "welcome/guide-commune.md", "welcome/guide-expert.md"):
        assert f"defaults/{name}" in shipped
    versions = {p.name for p in (paths.ROOT / "migrations" / "versions").glob("*.py")}
    assert {f"migrations/versions/{v}" for v in versions} <= shipped and "migrations/env.py" in shipped
    sandbox = unpacked / "discourse_sandbox" / "plugin"  # the sandbox plays the plugin's contract
    assert (sandbox / "plugin.rb").is_file() and (sandbox / "contract" / "codev.schema.json").is_file()
    dashboard = paths.ROOT / "sync_service" / "entrypoints" / "dashboard"
    for page in (*(dashboard / "templates").rglob("*.html"), *(dashboard / "static").glob("*.css")):
        assert page.relative_to(paths.ROOT / "sync_service").as_posix() in shipped


def test_the_installed_codev_checks_its_configuration_and_migrates_from_another_folder(
        unpacked: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEV_")}
    env.update(PYTHONPATH=str(unpacked), CODEV_DATABASE_URL=f"sqlite:///{tmp_path}/codev.db")

    config = subprocess.run([sys.executable, "-m", "sync_service", "config"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    upgrade = subprocess.run([sys.executable, "-m", "sync_service", "db", "upgrade"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120, check=False)

    assert config.returncode == 0, config.stderr
    assert f"{unpacked}/sync_service/defaults/forum.yaml (packaged default)" in config.stdout
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "codev.db").is_file()
