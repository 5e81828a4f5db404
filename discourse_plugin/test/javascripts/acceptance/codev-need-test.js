import { click, visit } from "@ember/test-helpers";
import { test } from "qunit";
import { cloneJSON } from "discourse/lib/object";
import topicFixtures from "discourse/tests/fixtures/topic";
import { acceptance } from "discourse/tests/helpers/qunit-helpers";

// Runs inside a Discourse checkout (bin/rake plugin:qunit['discourse-codev']), not here: here the same
// components are rendered by tests/plugin/test_render.py.
function needTopic(codevNeed) {
  const topic = cloneJSON(topicFixtures["/t/280/1.json"]);
  topic.codev_need = codevNeed;
  return topic;
}

acceptance("codev | need topic, community manager", function (needs) {
  needs.user({ moderator: true });
  needs.settings({
    codev_enabled: true,
    codev_approve_tag_prefix: "approuver-",
  });

  let approved = null;
  needs.pretender((server, helper) => {
    server.get("/t/280.json", () =>
      helper.response(
        needTopic({
          status: "matched",
          can_offer: false,
          offered: false,
          review_topic_id: 412,
          version: "7",
          updated_at: "2026-11-04T10:00:00Z",
          volunteers: [],
          candidates: [
            {
              rank: 1,
              username: "fatima.elidrissi",
              name: "Fatima El Idrissi",
              score_band: "strong",
              reasons: ["ingénieure hydraulicienne"],
              volunteered: true,
              asked_elsewhere: false,
              state: "proposed",
            },
          ],
        })
      )
    );
    server.post("/codev/topics/280/approve.json", (request) => {
      approved = JSON.parse(request.requestBody);
      return helper.response({ review_topic_id: 412, tag: "approuver-1" });
    });
  });

  test("shows the status and approves a candidate", async function (assert) {
    await visit("/t/internationalization-localization/280");

    assert.dom(".fancy-title .codev-need-status.--matched").exists();
    assert.dom(".codev-candidate").exists({ count: 1 });
    await click(".codev-candidate__approve");
    assert.deepEqual(approved, { username: "fatima.elidrissi", version: "7" });
    assert.dom(".codev-candidate__sent").includesText("approuver-1");
  });
});

acceptance("codev | need topic, expert", function (needs) {
  needs.user();
  needs.settings({ codev_enabled: true });

  let offers = 0;
  needs.pretender((server, helper) => {
    server.get("/t/280.json", () =>
      helper.response(
        needTopic({ status: "open", can_offer: true, offered: false })
      )
    );
    server.post("/codev/topics/280/offer.json", () => {
      offers += 1;
      return helper.response({ offer: {}, changed: true });
    });
  });

  test("offers help and sees no candidates", async function (assert) {
    await visit("/t/internationalization-localization/280");

    assert.dom(".codev-candidates").doesNotExist();
    await click(".codev-offer__button");
    assert.strictEqual(offers, 1);
    assert.dom(".codev-offer__withdraw").exists();
  });
});
