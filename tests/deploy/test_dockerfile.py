"""The Dockerfile, parsed (dockerfile-parse) and held to the rules of docs/deploy.md: two stages, a base
pinned to an exact release, the wheel with its packaged defaults, no secret, no development tool, no
sandbox unless asked for, an unprivileged user; and the installation it makes runs without the sandbox."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from tests import paths

DOCKERFILE = paths.ROOT / "Dockerfile"
SECRET_NAME = re.compile(r"(?i)key|secret|password|token")


@pytest.fixture(scope="module")
def parsed() -> DockerfileParser:
    parser = DockerfileParser(path=str(DOCKERFILE))
    return parser


def _stages(parsed: DockerfileParser) -> list[list[dict[str, str]]]:
    stages: list[list[dict[str, str]]] = []
    for instruction in parsed.structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _arg_defaults(parsed: DockerfileParser) -> dict[str, str]:
    defaults = {}
    for instruction in parsed.structure:
        if instruction["instruction"] == "ARG" and "=" in instruction["value"]:
            name, value = instruction["value"].split("=", 1)
            defaults[name.strip()] = value.strip()
    return defaults


def test_two_stages_on_a_base_pinned_to_an_exact_release(parsed: DockerfileParser) -> None:
    stages = _stages(parsed)
    assert len(stages) == 2
    defaults = _arg_defaults(parsed)
    for stage in stages:
        image = stage[0]["value"].split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], image)
        assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", image), image


def test_the_final_stage_runs_as_an_unprivileged_user_after_every_install(parsed: DockerfileParser) -> None:
    final = _stages(parsed)[-1]
    kinds = [i["instruction"] for i in final]
    users = [i["value"] for i in final if i["instruction"] == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert max(n for n, k in enumerate(kinds) if k == "RUN") < kinds.index("USER")
    assert "useradd --system --uid 10001" in " ".join(i["value"] for i in final if i["instruction"] == "RUN")


def test_no_secret_enters_the_image(parsed: DockerfileParser) -> None:
    for instruction in parsed.structure:
        if instruction["instruction"] in ("ENV", "ARG", "LABEL"):
            assert not SECRET_NAME.search(instruction["value"]), instruction["content"]
        if instruction["instruction"] in ("COPY", "ADD"):
            assert ".env" not in instruction["value"].split()
    ignore = (paths.ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignore[[line.startswith("#") for line in ignore].index(False)] == "*"  # deny all, then allow
    assert not any(line.startswith("!") and ".env" in line for line in ignore)


def test_the_wheel_carries_its_defaults_and_the_image_has_no_development_or_sandbox_code(
        parsed: DockerfileParser) -> None:
    build, final = _stages(parsed)
    copied = {i["value"].split()[0] for i in build if i["instruction"] == "COPY"}
    assert {"config", "migrations", "sync_service"} <= copied and not copied & {"tests", "bench", "."}
    # the sandbox plays the plugin's contract (discourse_sandbox/plugin links to discourse_plugin/)
    assert {"discourse_plugin/plugin.rb", "discourse_plugin/contract"} <= copied
    ignore = (paths.ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert {"!discourse_plugin/plugin.rb", "!discourse_plugin/contract/"} <= set(ignore)
    runs = " ".join(i["value"] for i in final if i["instruction"] == "RUN")
    assert "pip install --no-index --find-links /wheels codev" in runs and "[dev]" not in runs
    assert 'rm -rf "$site/discourse_sandbox" "$site/sync_service/defaults/examples"' in runs
    assert _arg_defaults(parsed)["WITH_SANDBOX"] == "0"
    assert json.loads(final[-1]["value"]) == ["codev", "serve", "--host", "0.0.0.0", "--port", "8000"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """codev's wheel unpacked as pip installs it, less what the Dockerfile removes."""
    out = tmp_path_factory.mktemp("image")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(paths.ROOT)], check=True, capture_output=True, timeout=300)
    [wheel] = out.glob("codev-*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    shutil.rmtree(site / "discourse_sandbox")
    shutil.rmtree(site / "sync_service" / "defaults" / "examples")
    return site


def _codev(site: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The checkout's sandbox is installed in this virtualenv: hide it as the image has none.
    script = ("import sys; sys.modules['discourse_sandbox'] = None; "
              "from sync_service.entrypoints.cli import main; main(sys.argv[1:])")
    return subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin",
                               "CODEV_DATABASE_URL": f"sqlite:///{tmp_path}/codev.db"})


def test_the_image_s_codev_runs_without_the_sandbox(installed: Path, tmp_path: Path) -> None:
    assert _codev(installed, tmp_path, "config").returncode == 0
    assert _codev(installed, tmp_path, "db", "upgrade").returncode == 0
    doctor = _codev(installed, tmp_path, "doctor", "--only", "database")
    assert doctor.returncode == 0 and "OK       database" in doctor.stdout
    demo = _codev(installed, tmp_path, "demo")
    assert demo.returncode == 1 and demo.stderr.startswith("codev: `codev demo` needs the Discourse sandbox")
    assert "Traceback" not in demo.stderr
