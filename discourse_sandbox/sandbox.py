"""One sandbox site: settings, state, clock, limiter, faults, emitter and an optional server thread."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from discourse_sandbox.app import create_app
from discourse_sandbox.control.settings import apply_settings
from discourse_sandbox.core.clock import Clock
from discourse_sandbox.core.faults import FaultInjector
from discourse_sandbox.core.ratelimit import RateLimiter
from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.core.state import State
from discourse_sandbox.models.backend import Backend
from discourse_sandbox.models.site import Site
from discourse_sandbox.seed import load_seed
from discourse_sandbox.webhooks.emitter import Emitter
from discourse_sandbox.webhooks.publisher import Publisher


class Sandbox:
    """A stateful stand-in for one Discourse site."""

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.settings = settings or SandboxSettings()
        self.clock = Clock(self.settings.time_scale)
        self.state = State()
        self.state.bootstrap(self.clock.now())
        self.admin_limiter = RateLimiter(self.clock, self.settings.max_admin_api_reqs_per_minute)
        self.faults = FaultInjector(self.settings.faults)
        self.emitter = Emitter(self.state, self.settings, self.clock, self.faults, lambda: self.base_url)
        self.events = Publisher(self.state, self.settings, self.clock, self.emitter)
        self.backend = Backend(Site(self.state, self.settings, self.clock, self.events), self.emitter)
        self.base_url = "http://127.0.0.1"
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.app = create_app(self)

    def load_seed(self, path: str | Path) -> None:
        """Fill the state from a YAML seed file (format: discourse_sandbox/seed/__init__.py)."""
        load_seed(self, Path(path))

    def apply(self, changes: dict[str, Any]) -> None:
        """Change switches at run time (the /_sandbox/settings endpoint uses this)."""
        apply_settings(self, changes)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on a thread (port 0: a free port); returns the base URL."""
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server(host, port, self.app, threaded=True)
        self.base_url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True,
                                        name="discourse-sandbox")
        self._thread.start()
        self.emitter.start()
        return self.base_url

    def stop(self) -> None:
        """Stop the server and the emitter."""
        self.emitter.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
