"""`codev serve`: the web app (webhook intake, health) under gunicorn, or Flask's server with --dev."""

from __future__ import annotations

import os
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]

from sync_service.config import ConfigError, Settings

WORKER_CLASS = "gthread"  # keep-alive, and threads that wait for a commit together
THREADS_PER_WORKER = 16  # they wait on a shared commit (inbox.InboxWriter), not on the CPU
NO_SECRET = ("at least one webhook secret: set CODEV_WEBHOOK_SECRETS to the secret of the Discourse web "
             "hook (12+ characters; several, comma-separated, while rotating it)")


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run from code; each worker builds its own app (and engine) after the fork."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        from sync_service import create_app

        return create_app(self.settings)


def bind_address(host: str, port: int) -> str:
    """host:port, with brackets around an IPv6 address."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_options(host: str, port: int, workers: int, threads: int = THREADS_PER_WORKER) -> dict[str, Any]:
    """The gunicorn settings codev runs with."""
    return {
        "bind": bind_address(host, port), "workers": workers, "worker_class": WORKER_CLASS,
        "threads": threads, "timeout": 30, "graceful_timeout": 20, "keepalive": 5,
        "preload_app": False,  # no engine or pool may cross a fork
        "accesslog": None, "errorlog": "-", "loglevel": "info", "proc_name": "codev-web",
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
@click.pass_obj
def serve(obj: Any, host: str, port: int, workers: int, threads: int, dev: bool) -> None:
    """Serve POST /webhooks/discourse and GET /healthz."""
    settings: Settings = obj.settings
    if not settings.webhook_secrets:
        # An unsigned endpoint would store whatever anyone posts: refuse, in development too.
        raise ConfigError("environment", "CODEV_WEBHOOK_SECRETS", "nothing", NO_SECRET)
    _check_schema(settings.database_url)
    if dev:
        from sync_service import create_app

        # debug stays off: the Werkzeug debugger runs code for whoever reaches it
        create_app(settings).run(host=host, port=port, debug=False, threaded=True, use_reloader=False)
        return
    _Gunicorn(settings, gunicorn_options(host, port, workers, threads)).run()


def _check_schema(database_url: str) -> None:
    """Refuse to start on a database without the inbox: every delivery would get a 503."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from sync_service.adapters.db.engine import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            ready = inspect(conn).has_table("inbox_delivery")
    except SQLAlchemyError as exc:
        raise click.ClickException(f"cannot reach the database: {str(exc).splitlines()[0]}") from exc
    finally:
        engine.dispose()
    if not ready:
        raise click.ClickException("the database has no inbox table yet: run `codev db upgrade` first")
