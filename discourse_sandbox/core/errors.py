"""Discourse's refusals as exceptions: models and routes raise them, the app renders the JSON body."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

NOT_FOUND = "The requested URL or resource could not be found."
INVALID_ACCESS = "You are not permitted to view the requested resource."

T = TypeVar("T")


class DiscourseError(Exception):
    """A refusal: the status and Discourse's render_json_error body {"errors": [...], "error_type"}."""

    def __init__(self, status: int, errors: list[str] | str, error_type: str | None = None,
                 **extra: Any) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))
        self.status = status
        self.error_type = error_type
        self.extra = extra


def fail(status: int, errors: list[str] | str, error_type: str | None = None, **extra: Any) -> NoReturn:
    """Stop the request with a Discourse error body."""
    raise DiscourseError(status, errors, error_type, **extra)


def not_found() -> NoReturn:
    """Discourse::NotFound: 404 not_found."""
    fail(404, NOT_FOUND, "not_found")


def invalid_access() -> NoReturn:
    """Discourse::InvalidAccess: 403 invalid_access."""
    fail(403, INVALID_ACCESS, "invalid_access")


def invalid_parameters(name: str) -> NoReturn:
    """ActionController::ParameterMissing: 400 invalid_parameters."""
    fail(400, f"param is missing or the value is empty: {name}", "invalid_parameters")


def record_invalid(errors: list[str] | str) -> NoReturn:
    """ActiveRecord::RecordInvalid: 422 record_invalid."""
    fail(422, errors, "record_invalid")


def found(record: T | None) -> T:
    """The record looked up, or Discourse's 404 when there is none."""
    if record is None:
        not_found()
    return record
