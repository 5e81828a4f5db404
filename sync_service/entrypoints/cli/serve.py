"""`codev serve`: the web app (webhook intake, health) under gunicorn, or Flask's server with --dev."""

from __future__ import annotations

import os
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

from sync_service.bootstrap import Codev
from sync_service.config.errors import ConfigError
from sync_service.config.load import Config
from sync_service.config.settings import Settings
from sync_service.entrypoints.cli.context import Context, configure_logging, pass_context
from sync_service.entrypoints.logs import gunicorn_logconfig
from sync_service.entrypoints.web import build_app

WORKER_CLASS = "gthread"  # keep-alive, and threads that wait for a commit together
THREADS_PER_WORKER = 16  # they wait on a shared commit (inbox.InboxWriter), not on the CPU
NO_SECRET = ("at least one webhook secret: set CODEV_WEBHOOK_SECRETS to the secret of the Discourse web "
             "hook (12+ characters; several, comma-separated, while rotating it)")


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run from code; each worker builds its own app (and engine) after the fork."""

    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self.codev_config = config  # not `config`: BaseApplication has its own
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return build_app(Codev(self.codev_config))


def bind_address(host: str, port: int) -> str:
    """host:port, with brackets around an IPv6 address."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(host: str, port: int, workers: int, threads: int = THREADS_PER_WORKER,
                     settings: Settings | None = None) -> dict[str, Any]:
    """The gunicorn settings codev runs with (its log lines formatted and scrubbed as codev's)."""
    return {
        "bind": bind_address(host, port), "workers": workers, "worker_class": WORKER_CLASS,
        "threads": threads, "timeout": 30, "graceful_timeout": 20, "keepalive": 5,
        "preload_app": False,  # no engine or pool may cross a fork
        "accesslog": None, "errorlog": "-", "loglevel": "info", "proc_name": "codev-web",
        "logconfig_dict": gunicorn_logconfig(settings or Settings()),
        # the heartbeat file is touched on every request: keep it in memory when the system allows
        **({"worker_tmp_dir": "/dev/shm"} if os.path.isdir("/dev/shm") else {}),
    }


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes (ignored with --dev).")
@click.option("--threads", default=THREADS_PER_WORKER, show_default=True, type=click.IntRange(1, 64),
              help="Threads per gunicorn worker (ignored with --dev).")
@click.option("--dev", is_flag=True, help="Flask's development server, one process (never in production).")
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Serve POST /webhooks/discourse, GET /healthz, /readyz, /metrics and the dashboard (/dashboard/)."""
    config = ctx.config
    if not config.settings.webhook_secrets:
        # An unsigned endpoint would store whatever anyone posts: refuse, in development too.
        raise ConfigError("environment", "CODEV_WEBHOOK_SECRETS", "nothing", NO_SECRET)
    if not config.settings.dashboard.sso_secret:
        click.echo("codev: the dashboard is off (/dashboard/ says so): set CODEV_DISCOURSE_CONNECT_SECRET "
                   "and CODEV_DASHBOARD_URL to turn it on (docs/operator-guide.md, The dashboard)", err=True)
    codev = ctx.codev()
    try:
        codev.engine  # noqa: B018 - the database answers and is at the newest schema, or stop here
    finally:
        codev.close()
    if dev:
        configure_logging(config.settings)
        # debug stays off: the Werkzeug debugger runs code for whoever reaches it
        build_app(Codev(config)).run(host=host, port=port, debug=False, threaded=True, use_reloader=False)
        return
    _Gunicorn(config, gunicorn_options(host, port, workers, threads, config.settings)).run()
