"""docker-compose.yml and .env.example, read without a Docker engine: valid against the Compose
specification's schema, every variable in .env.example, no secret written in the file, images pinned,
a health check on every service, and the order of start as docs/deploy.md tells it."""

from __future__ import annotations

import re
import subprocess

import pytest

from sync_service.config.environment import VARIABLES
from tests import paths
from tests.deploy import compose

TEXT = compose.COMPOSE_FILE.read_text(encoding="utf-8")
EXAMPLE = compose.read_env_file(compose.ENV_EXAMPLE)
FILLED = {**EXAMPLE, "CODEV_DISCOURSE_API_KEY": "k" * 32, "CODEV_WEBHOOK_SECRETS": "w" * 32,
          "CODEV_TOMBSTONE_KEY": "t" * 32, "POSTGRES_PASSWORD": "p" * 32}


def test_the_file_is_valid_against_the_compose_specification() -> None:
    result = subprocess.run([str(compose.VENV_BIN / "check-jsonschema"), "--builtin-schema",
                             "vendor.compose-spec", str(compose.COMPOSE_FILE)],
                            capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_variable_the_file_reads_is_in_env_example() -> None:
    assert compose.variables_used(TEXT) <= set(EXAMPLE)


def test_every_variable_codev_reads_in_production_is_in_env_example_or_set_by_the_file() -> None:
    environment = compose.load(FILLED)["x-codev-environment"]
    tests_only = {"CODEV_CONFIG", "CODEV_DATABASE_URL"}  # the file builds the URL from POSTGRES_*
    assert set(VARIABLES) - tests_only - {"CODEV_CONFIG_DIR"} <= set(EXAMPLE)
    assert set(VARIABLES) - {"CODEV_CONFIG"} <= set(environment) | {"CODEV_CONFIG_DIR"}


@pytest.mark.parametrize("missing", ["CODEV_DISCOURSE_API_KEY", "CODEV_WEBHOOK_SECRETS",
                                     "CODEV_TOMBSTONE_KEY", "POSTGRES_PASSWORD", "CODEV_DISCOURSE_URL"])
def test_a_missing_secret_or_endpoint_stops_compose_with_its_name(missing: str) -> None:
    env = {k: v for k, v in FILLED.items() if k != missing}

    with pytest.raises(compose.InterpolationError, match=f"set {missing} in .env"):
        compose.load(env)


def test_no_secret_is_written_in_the_file_nor_in_env_example() -> None:
    assert not re.search(r"(?i)(api_key|secret|password|token)\w*:\s*[\"']?[A-Za-z0-9]{8,}", TEXT)
    for name, value in EXAMPLE.items():
        if re.search(r"(?i)key|secret|password", name) and name != "CODEV_DISCOURSE_API_USERNAME":
            assert value == "", f"{name} has a value in .env.example"
    assert ".env" in (paths.ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_images_are_pinned_and_every_service_has_a_health_check_but_the_one_shot() -> None:
    services = compose.load(FILLED)["services"]
    for name, service in services.items():
        image = str(service["image"])
        assert re.search(r":\d+\.\d+(\.\d+)?(-[a-z0-9]+)?$", image) or image == FILLED["CODEV_IMAGE"], image
        assert name == "migrate" or service.get("healthcheck"), f"{name} has no health check"
        assert name == "migrate" or service.get("restart") == "unless-stopped"


def test_migrations_run_once_before_web_and_worker_and_postgres_keeps_a_named_volume() -> None:
    document = compose.load(FILLED)
    services = document["services"]
    assert services["migrate"]["command"] == ["codev", "db", "upgrade"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"] and "pgdata" in document["volumes"]
    assert services["worker"]["deploy"]["replicas"] == "1"


def test_the_forum_reaches_codev_only_through_the_proxy_on_the_shared_network() -> None:
    document = compose.load(FILLED)
    services = document["services"]
    assert document["networks"]["forum"] == {"name": "discourse-codev", "external": True}
    assert services["proxy"]["networks"]["forum"] == {"aliases": ["codev-proxy"]}
    assert all(s["networks"] == ["codev"] for n, s in services.items() if n != "proxy")
    assert document["x-codev-environment"]["CODEV_WEBHOOK_URL"] == "http://codev-proxy:8080/webhooks/discourse"
    assert services["proxy"]["ports"] == ["127.0.0.1:8080:8080"]


def test_interpolation_follows_compose() -> None:
    env = {"A": "1", "E": ""}
    cases = {"${A}": "1", "$A-x": "1-x", "${E:-d}": "d", "${E-d}": "", "${U-d}": "d", "${U:-${A}x}": "1x",
             "$${A}": "${A}", "${A:+y}": "y", "${E:+y}": "", "${E+y}": "y"}
    for text, expected in cases.items():
        assert compose.interpolate(text, env) == expected, text
    with pytest.raises(compose.InterpolationError, match="E: needed"):
        compose.interpolate("${E:?needed}", env)
    assert compose.interpolate("${E?needed}", env) == ""
