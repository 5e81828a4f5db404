"""`codev provision` posts the guides of config/welcome/ as pinned topics in the sandbox, once.

Discourse pins a topic in its category with `PUT /t/:id/status` status=pinned enabled=true
(TopicsController#status -> TopicStatusUpdater#update_pinned, guardian ensure_can_pin_unpin_topic!:
staff), which the sandbox does (discourse_sandbox/models/changes.py, set_status)."""

from __future__ import annotations

from pathlib import Path

from tests.service.e2e.harness import codev, community


def test_provision_posts_each_welcome_topic_pinned_once(tmp_path: Path) -> None:
    sandbox = community(tmp_path, 1)
    app = codev(sandbox, f"sqlite:///{tmp_path / 'codev.db'}", tmp_path)
    try:
        first = app.run("provision")
        sent = app.run("outbox", "--send")
        again = app.run("provision")
        sent_again = app.run("outbox", "--send")

        assert first.returncode == 0, first.stderr
        assert "welcome topics: 4 to post and pin, 0 to edit, 0 unchanged" in first.stdout
        assert sent.returncode == 0 and "sent 8" in sent.stdout, sent.stdout + sent.stderr
        assert "welcome topics: 0 to post and pin, 0 to edit, 4 unchanged" in again.stdout
        assert "sent 0" in sent_again.stdout
        with sandbox.state.transaction() as state:
            pratiques = next(c for c in state.categories.values() if c.slug == "pratiques")
            pinned = [t for t in state.topics.values() if t.category_id == pratiques.id and t.pinned
                      and t.id != pratiques.topic_id]  # the About topic is pinned too
        titles = sorted(t.title for t in pinned)
        assert len(pinned) == 4 and all(t.visible for t in pinned)
        assert any(title.startswith("Guide de la commune") for title in titles)
        assert any(title.startswith("دليل الخبير") for title in titles)
    finally:
        app.close()
        sandbox.stop()
