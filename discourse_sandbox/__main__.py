"""python -m discourse_sandbox --port 4200 --seed FILE"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence

from discourse_sandbox.core.settings import SandboxSettings
from discourse_sandbox.sandbox import Sandbox
from discourse_sandbox.seed import SeedError


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(prog="discourse_sandbox",
                                     description="A stateful Discourse emulator for codev.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4200)
    parser.add_argument("--seed", help="YAML seed file (format: discourse_sandbox/seed/__init__.py)")
    parser.add_argument("--rate-limit", type=int, default=None,
                        help="admin API requests per minute (0: off; default 60)")
    parser.add_argument("--time-scale", type=float, default=None,
                        help="sandbox seconds per real second (default 1)")
    parser.add_argument("--tags-format", choices=("objects", "strings"), default=None)
    parser.add_argument("--form-headings", choices=("label", "id"), default=None)
    parser.add_argument("--fault-seed", type=int, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the sandbox and serve until interrupted."""
    args = parse_args(argv)
    sandbox = Sandbox(SandboxSettings())
    try:
        if args.seed:
            sandbox.load_seed(args.seed)
    except SeedError as exc:
        print(f"discourse_sandbox: {exc}", file=sys.stderr)
        return 2
    overrides = {
        "max_admin_api_reqs_per_minute": args.rate_limit,
        "time_scale": args.time_scale,
        "tags_format": args.tags_format,
        "form_headings": args.form_headings,
    }
    changes = {k: v for k, v in overrides.items() if v is not None}
    if args.fault_seed is not None:
        changes["faults"] = {"seed": args.fault_seed}
    if changes:
        sandbox.apply(changes)
    url = sandbox.start(args.host, args.port)
    print(f"Discourse sandbox listening on {url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
