import Component from "@glimmer/component";
import { tracked } from "@glimmer/tracking";
import { fn } from "@ember/helper";
import { action } from "@ember/object";
import { service } from "@ember/service";
import { ajax } from "discourse/lib/ajax";
import { popupAjaxError } from "discourse/lib/ajax-error";
import DButton from "discourse/ui-kit/d-button";
import { i18n } from "discourse-i18n";
import { localizedText } from "../lib/codev-text";

// Staff and the managers' group only (the serializer sends candidates to
// nobody else): who the service suggests for this need, and why.
export default class CodevCandidatesPanel extends Component {
  @service siteSettings;

  @tracked sentTags = {};
  @tracked approving = null;

  get need() {
    return this.args.topic.codev_need;
  }

  get tagPrefix() {
    return this.siteSettings.codev_approve_tag_prefix;
  }

  get rows() {
    return (this.need.candidates || []).map((candidate) => {
      const tag = `${this.tagPrefix}${candidate.rank}`;
      const name = candidate.name || candidate.username;
      return {
        ...candidate,
        tag,
        displayName: name,
        rankLabel: i18n("codev.panel.rank", { rank: candidate.rank }),
        bandLabel: i18n(`codev.band.${candidate.score_band}`),
        stateLabel: i18n(`codev.candidate_state.${candidate.state}`),
        reasonTexts: (candidate.reasons || []).map((r) => localizedText(r)),
        proposed: candidate.state === "proposed",
        sent: this.sentTags[candidate.username],
        approveTitle: i18n("codev.panel.approve_title", { name, tag }),
        isApproving: this.approving === candidate.username,
      };
    });
  }

  get volunteers() {
    return (this.need.volunteers || []).map((volunteer) => ({
      ...volunteer,
      displayName: volunteer.name || volunteer.username,
      rankLabel: volunteer.candidate_rank
        ? i18n("codev.panel.rank", { rank: volunteer.candidate_rank })
        : i18n("codev.panel.not_ranked"),
    }));
  }

  get reviewTopicUrl() {
    return this.need.review_topic_id ? `/t/${this.need.review_topic_id}` : null;
  }

  @action
  async approve(row) {
    this.approving = row.username;
    try {
      const result = await ajax(
        `/codev/topics/${this.args.topic.id}/approve.json`,
        {
          type: "POST",
          contentType: "application/json",
          data: JSON.stringify({
            username: row.username,
            version: this.need.version,
          }),
        }
      );
      this.sentTags = { ...this.sentTags, [row.username]: result.tag };
    } catch (error) {
      popupAjaxError(error);
    } finally {
      this.approving = null;
    }
  }

  <template>
    <section class="codev-candidates" data-codev-panel="candidates">
      <header class="codev-candidates__header">
        <h3 class="codev-candidates__title">{{i18n "codev.panel.title"}}</h3>
        <span class="codev-candidates__audience">{{i18n
            "codev.panel.staff_only"
          }}</span>
        {{#if this.reviewTopicUrl}}
          <a
            class="codev-candidates__review"
            href={{this.reviewTopicUrl}}
          >{{i18n "codev.panel.review_topic"}}</a>
        {{/if}}
      </header>

      {{#if this.rows.length}}
        <ol class="codev-candidates__list">
          {{#each this.rows as |row|}}
            <li
              class="codev-candidate --{{row.state}}"
              data-username={{row.username}}
            >
              <div class="codev-candidate__head">
                <span class="codev-candidate__rank">{{row.rankLabel}}</span>
                <a
                  class="codev-candidate__name"
                  href="/u/{{row.username}}"
                  data-user-card={{row.username}}
                >{{row.displayName}}</a>
                <span
                  class="codev-candidate__band --{{row.score_band}}"
                >{{row.bandLabel}}</span>
                {{#if row.volunteered}}
                  <span class="codev-candidate__flag --volunteered">{{i18n
                      "codev.panel.volunteered"
                    }}</span>
                {{/if}}
                {{#if row.asked_elsewhere}}
                  <span class="codev-candidate__flag --elsewhere">{{i18n
                      "codev.panel.asked_elsewhere"
                    }}</span>
                {{/if}}
                {{#unless row.proposed}}
                  <span class="codev-candidate__state">{{row.stateLabel}}</span>
                {{/unless}}
              </div>
              <ul class="codev-candidate__reasons">
                {{#each row.reasonTexts as |reason|}}
                  <li dir="auto">{{reason}}</li>
                {{/each}}
              </ul>
              {{#if row.proposed}}
                <div class="codev-candidate__actions">
                  {{#if row.sent}}
                    <span class="codev-candidate__sent">{{i18n
                        "codev.panel.approved_pending"
                        tag=row.sent
                      }}</span>
                  {{else}}
                    <DButton
                      class="btn-primary codev-candidate__approve"
                      @action={{fn this.approve row}}
                      @translatedLabel={{i18n "codev.panel.approve"}}
                      @translatedTitle={{row.approveTitle}}
                      @isLoading={{row.isApproving}}
                    />
                  {{/if}}
                </div>
              {{/if}}
            </li>
          {{/each}}
        </ol>
      {{else}}
        <p class="codev-candidates__empty">{{i18n "codev.panel.empty"}}</p>
      {{/if}}

      {{#if this.volunteers.length}}
        <div class="codev-volunteers">
          <h4 class="codev-volunteers__title">{{i18n
              "codev.panel.volunteers"
            }}</h4>
          <ul class="codev-volunteers__list">
            {{#each this.volunteers as |volunteer|}}
              <li data-username={{volunteer.username}}>
                <a
                  href="/u/{{volunteer.username}}"
                  data-user-card={{volunteer.username}}
                >{{volunteer.displayName}}</a>
                <span
                  class="codev-volunteers__rank"
                >{{volunteer.rankLabel}}</span>
              </li>
            {{/each}}
          </ul>
        </div>
      {{/if}}
    </section>
  </template>
}
