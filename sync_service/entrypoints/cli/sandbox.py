"""`codev sandbox`: the Discourse sandbox, as `python -m discourse_sandbox`."""

from __future__ import annotations

import sys

import click

from discourse_sandbox.__main__ import main as sandbox_main


@click.command("sandbox", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def sandbox(ctx: click.Context) -> None:
    """Run the Discourse sandbox (same options as python -m discourse_sandbox)."""
    sys.exit(sandbox_main(list(ctx.args)))
