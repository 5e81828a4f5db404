"""docker-compose.yml read as Docker Compose reads it, and its services run as local processes.

No Docker engine runs here, so the smoke tests take each service's command, environment and health
check from the file (variables interpolated from an .env as Compose does), and run them on this
machine, in the order `depends_on` declares. Only what a container would see differently is
translated, and only this: a service's name (or network alias) as a host is 127.0.0.1, a bind-mounted
container path is the host folder, and an image's own entrypoint is done here (PostgreSQL is the local
server; the nginx image's templates are rendered with envsubst's rules, then Debian's nginx runs them).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests import paths

COMPOSE_FILE = paths.ROOT / "docker-compose.yml"
ENV_EXAMPLE = paths.ROOT / ".env.example"
VENV_BIN = paths.ROOT / ".venv" / "bin"
NGINX_TEMPLATES = "/etc/nginx/templates"
NGINX_OUTPUT = "/etc/nginx/conf.d"


class InterpolationError(ValueError):
    """${VAR:?message} with VAR unset (Compose stops with the message)."""


# --- reading the file as Compose does -----------------------------------------------------------

def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:?e}, ${VAR?e}, ${VAR:+x},
    ${VAR+x}; defaults may hold further ${...}."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "$":
            out.append(text[i])
            i += 1
            continue
        if text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if text.startswith("${", i):
            end = _closing(text, i + 2)
            out.append(_expression(text[i + 2:end], env))
            i = end + 1
            continue
        name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[i + 1:])
        if name:
            out.append(env.get(name.group(0), ""))
            i += 1 + len(name.group(0))
        else:
            out.append("$")
            i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int:
    depth = 1
    for j in range(start, len(text)):
        if text.startswith("${", j):
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise InterpolationError(f"unclosed ${{ in {text!r}")


def _expression(body: str, env: Mapping[str, str]) -> str:
    match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$", body, re.S)
    if not match:
        raise InterpolationError(f"bad ${{{body}}}")
    name, operator, rest = match.group(1), match.group(2), match.group(3) or ""
    value = env.get(name)
    unset_or_empty = value is None or (value == "" and operator is not None and operator.startswith(":"))
    if operator in (":-", "-"):
        return interpolate(rest, env) if unset_or_empty else value or ""
    if operator in (":?", "?"):
        if unset_or_empty:
            raise InterpolationError(f"{name}: {interpolate(rest, env)}")
        return value or ""
    if operator in (":+", "+"):
        return "" if unset_or_empty else interpolate(rest, env)
    return value or ""


def _walk(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [_walk(item, env) for item in node]
    if isinstance(node, dict):
        return {key: _walk(value, env) for key, value in node.items()}
    return node


def variables_used(text: str) -> set[str]:
    """Every variable the file interpolates."""
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text.replace("$$", "")))


def read_env_file(path: Path) -> dict[str, str]:
    """An .env file: NAME=value lines, # comments."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


def load(env: Mapping[str, str], path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The file, its anchors merged and every value interpolated."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _walk(document, env)  # type: ignore[no-any-return]


# --- one service ---------------------------------------------------------------------------------

def _duration(value: Any, default: float) -> float:
    if value is None:
        return default
    seconds = 0.0
    for number, unit in re.findall(r"([\d.]+)(ms|s|m|h)", str(value)):
        seconds += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return seconds


@dataclass
class Service:
    """A service of the file, as Compose would start it."""

    name: str
    spec: dict[str, Any]

    @property
    def command(self) -> list[str]:
        command = self.spec.get("command") or []
        return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]

    @property
    def environment(self) -> dict[str, str]:
        env = self.spec.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) for item in env)
        return {k: "" if v is None else str(v) for k, v in env.items()}

    @property
    def depends_on(self) -> dict[str, str]:
        depends = self.spec.get("depends_on") or {}
        if isinstance(depends, list):
            return dict.fromkeys(depends, "service_started")
        return {name: (d or {}).get("condition", "service_started") for name, d in depends.items()}

    @property
    def healthcheck(self) -> dict[str, Any] | None:
        check = self.spec.get("healthcheck")
        return check if check and not check.get("disable") else None

    def check_argv(self) -> list[str]:
        """The health check's command (CMD, or CMD-SHELL through sh -c)."""
        test = self.healthcheck["test"]  # type: ignore[index]
        if isinstance(test, str):
            return ["sh", "-c", test]
        if test[0] == "CMD":
            return [str(t) for t in test[1:]]
        if test[0] == "CMD-SHELL":
            return ["sh", "-c", str(test[1])]
        raise ValueError(f"{self.name}: healthcheck test {test!r}")

    def binds(self, compose_dir: Path) -> dict[str, Path]:
        """container path -> host path, for the bind mounts (short syntax)."""
        found = {}
        for volume in self.spec.get("volumes") or []:
            source, _, rest = str(volume).partition(":")
            if source.startswith((".", "/")):
                found[rest.split(":")[0]] = (compose_dir / source).resolve()
        return found

    def aliases(self) -> set[str]:
        networks = self.spec.get("networks") or {}
        if isinstance(networks, list):
            return set()
        return {a for n in networks.values() if n for a in (n.get("aliases") or [])}


# --- running them here ---------------------------------------------------------------------------

@dataclass
class LocalCompose:
    """The services of one compose file, run as local processes."""

    config: dict[str, Any]
    workdir: Path
    compose_dir: Path = paths.ROOT
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    timeline: list[str] = field(default_factory=list)

    def service(self, name: str) -> Service:
        return Service(name, self.config["services"][name])

    @property
    def hosts(self) -> set[str]:
        names = set(self.config["services"])
        return names | {a for n in names for a in self.service(n).aliases()}

    def local(self, value: str, service: Service, variable: bool = False) -> str:
        """A value as this machine must read it: service hosts on loopback (in URLs; a variable whose
        whole value is a service's name too), mounted paths on the host."""
        for host in self.hosts:
            value = re.sub(rf"(?<=[/@]){re.escape(host)}(?=[:/]|$)", "127.0.0.1", value)
            if variable and value == host:
                value = "127.0.0.1"
        for inside, outside in service.binds(self.compose_dir).items():
            if value == inside or value.startswith(inside + "/"):
                value = str(outside) + value[len(inside):]
        return value

    def env(self, service: Service) -> dict[str, str]:
        """The service's environment as a process here gets it (plus PATH and HOME)."""
        base = {"PATH": f"{VENV_BIN}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(self.workdir),
                "LANG": "C.UTF-8"}
        return {**base, **{k: self.local(v, service, variable=True) for k, v in service.environment.items()}}

    def order(self) -> list[str]:
        """Services in an order that satisfies depends_on."""
        done: list[str] = []
        pending = list(self.config["services"])
        while pending:
            ready = [s for s in pending if all(d in done for d in self.service(s).depends_on)]
            assert ready, f"depends_on has a circle among {pending}"
            done += ready
            pending = [s for s in pending if s not in ready]
        return done

    def start(self, name: str) -> None:
        """Start the service's process (or, for an image service, what its image would run)."""
        service = self.service(name)
        for dependency, condition in service.depends_on.items():
            self.wait(dependency, condition)
        log = (self.workdir / f"{name}.log").open("wb")
        image = str(service.spec.get("image", ""))
        if image.startswith("postgres:"):
            self.timeline.append(f"{name}: the local PostgreSQL stands in for {image}")
            return
        argv = self.nginx(service) if image.startswith("nginx:") else service.command
        argv = [self.local(a, service) for a in argv]
        self.processes[name] = subprocess.Popen(argv, env=self.env(service), cwd=self.workdir, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)
        self.timeline.append(f"{name}: started {' '.join(argv)}")

    def wait(self, name: str, condition: str) -> None:
        """Until the dependency meets its condition (within what its health check allows)."""
        if condition == "service_completed_successfully":
            code = self.processes[name].wait(timeout=300)
            assert code == 0, f"{name} exited {code}: {self.log(name)}"
            self.timeline.append(f"{name}: completed (exit 0)")
        elif condition == "service_healthy":
            self.until_healthy(name)

    def until_healthy(self, name: str) -> float:
        """Run the declared health check until it passes; fail past start_period + retries x interval."""
        service = self.service(name)
        check = service.healthcheck
        assert check is not None, f"{name} has no healthcheck"
        interval, timeout = _duration(check.get("interval"), 30), _duration(check.get("timeout"), 30)
        limit = _duration(check.get("start_period"), 0) + int(check.get("retries", 3)) * interval
        started = time.monotonic()
        argv = [self.local(a, service) for a in service.check_argv()]
        while True:
            process = self.processes.get(name)
            assert process is None or process.poll() is None, f"{name} exited: {self.log(name)}"
            result = subprocess.run(argv, env=self.env(service), cwd=self.workdir, capture_output=True,
                                    timeout=timeout + 5, check=False)
            waited = time.monotonic() - started
            if result.returncode == 0:
                self.timeline.append(f"{name}: healthy after {waited:.1f} s ({' '.join(argv[:3])} ...)")
                return waited
            assert waited < limit, f"{name} not healthy within {limit:.0f} s: {result.stdout!r} " \
                                   f"{result.stderr!r}; log: {self.log(name)}"
            time.sleep(min(interval, 1.0))

    def nginx(self, service: Service) -> list[str]:
        """The nginx image's entrypoint: templates rendered (only variables matching
        NGINX_ENVSUBST_FILTER), then nginx in the foreground with the image's main configuration."""
        env = service.environment
        allowed = re.compile(env.get("NGINX_ENVSUBST_FILTER", ".*"))
        conf_d = self.workdir / "nginx" / "conf.d"
        conf_d.mkdir(parents=True, exist_ok=True)
        for inside, outside in service.binds(self.compose_dir).items():
            if inside.startswith(NGINX_TEMPLATES) and inside.endswith(".template"):
                text = outside.read_text(encoding="utf-8")
                for variable in sorted({v for v in env if allowed.search(v)}, key=len, reverse=True):
                    value = self.local(env[variable], service, variable=True)
                    text = text.replace("${" + variable + "}", value)
                (conf_d / Path(inside).name.removesuffix(".template")).write_text(text, encoding="utf-8")
        temp = self.workdir / "nginx" / "temp"
        temp.mkdir(exist_ok=True)
        main = self.workdir / "nginx" / "nginx.conf"
        user = "user root root;" if os.geteuid() == 0 else ""
        main.write_text(f"""{user}
worker_processes auto;
daemon off;
pid {self.workdir}/nginx/nginx.pid;
error_log stderr warn;
events {{ worker_connections 1024; }}
http {{
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {conf_d}/*.conf;
}}
""", encoding="utf-8")
        return ["nginx", "-c", str(main), "-e", "stderr"]

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    def down(self) -> None:
        """SIGTERM each process group, newest first (as `docker compose down`), then SIGKILL."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
