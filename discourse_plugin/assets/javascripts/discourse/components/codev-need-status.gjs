import Component from "@glimmer/component";
import { i18n } from "discourse-i18n";
import { NEED_STATUSES } from "../lib/codev-text";

export default class CodevNeedStatus extends Component {
  get known() {
    return NEED_STATUSES.includes(this.args.status);
  }

  get label() {
    return i18n(`codev.status.${this.args.status}`);
  }

  get title() {
    return i18n("codev.status.title", { status: this.label });
  }

  <template>
    {{#if this.known}}
      <span
        class="codev-need-status --{{@status}}"
        title={{this.title}}
        data-codev-status={{@status}}
      >{{this.label}}</span>
    {{/if}}
  </template>
}
