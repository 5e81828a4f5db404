"""One delivery job per (event, web hook), the filters a hook applies, and the retry schedule."""

from __future__ import annotations

from dataclasses import dataclass

from discourse_sandbox.core.records import WebHook

MAX_RETRY_COUNT = 4
RETRY_BACKOFF = 5


@dataclass
class Job:
    """Jobs::EmitWebHookEvent's arguments: which hook gets which body, when, and the filter facts."""

    seq: int
    web_hook_id: int
    event_name: str
    event_type: str
    body: str
    due: float  # sandbox seconds
    retry_count: int = 0
    category_id: int | None = None
    tag_names: tuple[str, ...] = ()
    group_ids: tuple[int, ...] = ()
    event_id: int | None = None  # a stored event sent again ("Redeliver failed")


def passes_filters(hook: WebHook, job: Job) -> bool:
    """EmitWebHookEvent's group, category and tag checks; a category filter excludes uncategorised PMs."""
    # group_webhook_invalid? is `group_ids.present? && (group_id.present? || !group_ids.include?(group_id))`:
    # true whatever the event carries, so a hook with groups receives nothing but pings.
    if hook.group_ids:
        return False
    if hook.category_ids and job.category_id not in hook.category_ids:
        return False
    return not (hook.tag_names and not set(hook.tag_names) & set(job.tag_names))


def retry_left(job: Job) -> bool:
    """Whether a failed job may be tried again (MAX_RETRY_COUNT retries)."""
    return job.retry_count < MAX_RETRY_COUNT


def retry_delay(count: int) -> float:
    """Sandbox seconds before retry number `count`: 1, 5, 25 and 125 minutes."""
    return 60.0 * float(RETRY_BACKOFF ** (count - 1))
