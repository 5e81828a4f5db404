"""Routes: web_hooks (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web_hooks", __name__)
