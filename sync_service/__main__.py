"""python -m sync_service: the same as the `codev` command."""

from sync_service.entrypoints.cli import main

main()
