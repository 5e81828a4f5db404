"""Routes: control (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("control", __name__)
