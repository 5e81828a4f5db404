import Component from "@glimmer/component";
import { i18n } from "discourse-i18n";
import { joinList, localizedText } from "../lib/codev-text";

// Skills, languages and availability on the user card, as the service pushed
// them for this expert.
export default class CodevExpertCard extends Component {
  get expert() {
    return this.args.user.codev_expert;
  }

  get skills() {
    return joinList((this.expert.skills || []).map((s) => localizedText(s)));
  }

  get languages() {
    return joinList((this.expert.languages || []).map((l) => localizedText(l)));
  }

  get availability() {
    return localizedText(this.expert.availability);
  }

  <template>
    <dl class="codev-expert-card" aria-label={{i18n "codev.expert.title"}}>
      {{#if this.skills}}
        <div class="codev-expert-card__row --skills">
          <dt>{{i18n "codev.expert.skills"}}</dt>
          <dd>{{this.skills}}</dd>
        </div>
      {{/if}}
      {{#if this.languages}}
        <div class="codev-expert-card__row --languages">
          <dt>{{i18n "codev.expert.languages"}}</dt>
          <dd>{{this.languages}}</dd>
        </div>
      {{/if}}
      {{#if this.availability}}
        <div class="codev-expert-card__row --availability">
          <dt>{{i18n "codev.expert.availability"}}</dt>
          <dd>{{this.availability}}</dd>
        </div>
      {{/if}}
    </dl>
  </template>
}
