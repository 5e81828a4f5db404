"""Routes: form_templates (to be filled in)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("form_templates", __name__)
