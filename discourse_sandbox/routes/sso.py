"""Routes: sso (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sso", __name__)
