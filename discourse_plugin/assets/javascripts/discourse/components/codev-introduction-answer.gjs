import Component from "@glimmer/component";
import { tracked } from "@glimmer/tracking";
import { action } from "@ember/object";
import { ajax } from "discourse/lib/ajax";
import { popupAjaxError } from "discourse/lib/ajax-error";
import DButton from "discourse/ui-kit/d-button";
import { i18n } from "discourse-i18n";

// The expert's answer in one click: a reply whose words the service reads
// ("J'accepte" / "Je décline" and their ar/en equivalents), long enough for
// Discourse's minimum post length in a private message.
export default class CodevIntroductionAnswer extends Component {
  @tracked sent = false;
  @tracked sending = null;

  @action
  async answer(kind) {
    this.sending = kind;
    try {
      await ajax("/posts.json", {
        type: "POST",
        data: {
          topic_id: this.args.topic.id,
          raw: i18n(`codev.introduction.${kind}_reply`),
        },
      });
      this.sent = true;
    } catch (error) {
      popupAjaxError(error);
    } finally {
      this.sending = null;
    }
  }

  @action
  accept() {
    return this.answer("accept");
  }

  @action
  decline() {
    return this.answer("decline");
  }

  <template>
    <div class="codev-answer" data-codev-answer={{if this.sent "sent" "open"}}>
      {{#if this.sent}}
        <p class="codev-answer__sent">{{i18n "codev.introduction.sent"}}</p>
      {{else}}
        <p class="codev-answer__prompt">{{i18n "codev.introduction.prompt"}}</p>
        <div class="codev-answer__buttons">
          <DButton
            class="btn-primary codev-answer__accept"
            @action={{this.accept}}
            @icon="check"
            @translatedLabel={{i18n "codev.introduction.accept"}}
            @isLoading={{if this.sending true false}}
            @disabled={{if this.sending true false}}
          />
          <DButton
            class="btn-default codev-answer__decline"
            @action={{this.decline}}
            @icon="xmark"
            @translatedLabel={{i18n "codev.introduction.decline"}}
            @disabled={{if this.sending true false}}
          />
        </div>
      {{/if}}
    </div>
  </template>
}
