"""Ways in: the web app (webhooks, dashboard), the CLI."""
