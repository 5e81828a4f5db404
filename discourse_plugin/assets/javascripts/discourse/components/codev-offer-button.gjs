import Component from "@glimmer/component";
import { tracked } from "@glimmer/tracking";
import { action } from "@ember/object";
import { ajax } from "discourse/lib/ajax";
import { popupAjaxError } from "discourse/lib/ajax-error";
import DButton from "discourse/ui-kit/d-button";
import { i18n } from "discourse-i18n";

// "Je peux aider", for members of the experts' group (the serializer says who
// can_offer). Pressing twice is one offer; the offer can be withdrawn.
export default class CodevOfferButton extends Component {
  @tracked changedTo = null;
  @tracked saving = false;

  get offered() {
    return this.changedTo ?? this.args.topic.codev_need.offered;
  }

  get url() {
    return `/codev/topics/${this.args.topic.id}/offer.json`;
  }

  @action
  async offer() {
    await this.send("POST", true);
  }

  @action
  async withdraw() {
    await this.send("DELETE", false);
  }

  async send(type, offered) {
    this.saving = true;
    try {
      await ajax(this.url, { type });
      this.changedTo = offered;
    } catch (error) {
      popupAjaxError(error);
    } finally {
      this.saving = false;
    }
  }

  <template>
    <div class="codev-offer" data-codev-offered={{if this.offered "yes" "no"}}>
      {{#if this.offered}}
        <p class="codev-offer__done">{{i18n "codev.offer.offered"}}</p>
        <DButton
          class="btn-default codev-offer__withdraw"
          @action={{this.withdraw}}
          @translatedLabel={{i18n "codev.offer.withdraw"}}
          @isLoading={{this.saving}}
        />
      {{else}}
        <DButton
          class="btn-primary codev-offer__button"
          @action={{this.offer}}
          @translatedLabel={{i18n "codev.offer.button"}}
          @translatedTitle={{i18n "codev.offer.title"}}
          @isLoading={{this.saving}}
        />
      {{/if}}
    </div>
  </template>
}
