"""codev's own threads (review topics, introduction PMs) read into ThreadSnapshots for the brokerage.

Two kinds of request, both with `include_raw` (TopicsController passes it to PostSerializer's
add_raw): the topic view (state, the whole stream of post ids, the first 20 posts) and, for longer
topics, `/t/{id}/posts.json?post_ids[]=` pages read from the end back until `after` is reached.
A thread with few new posts thus costs one or two requests whatever its length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sync_service.adapters.discourse.topics import tag_names
from sync_service.services.ports.forum import ThreadPost, ThreadSnapshot

CHUNK = 20  # posts a topic view carries and post_ids a page asks for (TopicView.chunk_size)
# The posts people answer with: regular ones (1; a missing post_type is a regular one). Not moderator
# actions (2), nor the small actions Discourse adds when a topic is closed or pinned (3), nor whispers
# (4): with create_post_for_category_and_tag_changes on, every tag change adds a whisper "Added
# #approuver-2" (lib/post_revisor.rb), which must never read as a command. A post with an action_code
# is Discourse's own, whatever its type.
WRITTEN_POST_TYPES = (None, 1)
MAX_PAGES = 500  # a guard: 10,000 posts read back before `after` is met

# GET path with query parameters -> the JSON object, or None when the topic is gone or hidden.
Getter = Callable[[str, dict[str, Any]], dict[str, Any] | None]


def read_thread(get: Getter, topic_id: int, after_post_number: int) -> ThreadSnapshot | None:
    """The topic's state and its written posts numbered after `after_post_number`."""
    view = get(f"/t/{int(topic_id)}.json", {"include_raw": "true"})
    if view is None or view.get("id") != int(topic_id) or view.get("deleted_at"):
        return None
    stream_block = view.get("post_stream")
    stream_data: Mapping[str, Any] = stream_block if isinstance(stream_block, dict) else {}
    posts = _post_objects(stream_data.get("posts"))
    loaded = {int(p["id"]) for p in posts if isinstance(p.get("id"), int)}
    stream = stream_data.get("stream")
    rest = [int(i) for i in (stream if isinstance(stream, list) else [])
            if isinstance(i, int) and not isinstance(i, bool) and int(i) not in loaded]
    # The stream is in post_number order: read it from the end back, page by page, and stop at the
    # first page that reaches a post at or before `after` (everything before it is older still).
    for _page in range(MAX_PAGES):
        if not rest:
            break
        chunk, rest = rest[-CHUNK:], rest[:-CHUNK]
        page = get(f"/t/{int(topic_id)}/posts.json", {"post_ids[]": chunk, "include_raw": "true"})
        if page is None:
            return None  # deleted or hidden between the two reads
        page_stream = page.get("post_stream")
        got = _post_objects(page_stream.get("posts") if isinstance(page_stream, dict) else None)
        posts.extend(got)
        if any(_number(p) <= after_post_number for p in got):
            break
    return snapshot_from_json(view, posts, after_post_number)


def snapshot_from_json(view: Mapping[str, Any], posts: Iterable[Mapping[str, Any]],
                       after_post_number: int) -> ThreadSnapshot:
    """The ThreadSnapshot of a topic view and post objects (with raw) already fetched."""
    by_number: dict[int, ThreadPost] = {}
    for post in posts:
        number = _number(post)
        if number <= after_post_number or post.get("deleted_at") or post.get("action_code") or \
                post.get("post_type") not in WRITTEN_POST_TYPES:
            continue
        user_id = post.get("user_id")
        by_number[number] = ThreadPost(
            post_number=number,
            user_id=user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None,
            username=str(post.get("username") or ""),
            staff=bool(post.get("staff") or post.get("admin") or post.get("moderator")),
            raw=str(post.get("raw") or ""),
        )
    return ThreadSnapshot(
        topic_id=int(view["id"]),
        closed=bool(view.get("closed")),
        tags=tag_names(view.get("tags")),
        posts=tuple(by_number[n] for n in sorted(by_number)),
    )


def _post_objects(posts: Any) -> list[dict[str, Any]]:
    return [p for p in posts if isinstance(p, dict)] if isinstance(posts, list) else []


def _number(post: Mapping[str, Any]) -> int:
    number = post.get("post_number")
    return number if isinstance(number, int) and not isinstance(number, bool) else 0
