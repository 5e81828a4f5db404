// The few DButton arguments the plugin uses, rendered as Discourse does (a <button class="btn">).
import Component from "@glimmer/component";
import { on } from "@ember/modifier";

export default class DButton extends Component {
  click = () => this.args.action?.();

  get label() {
    return this.args.translatedLabel;
  }

  get disabled() {
    return Boolean(this.args.disabled || this.args.isLoading);
  }

  <template>
    <button
      type="button"
      class="btn {{if this.label 'btn-text' 'no-text'}}"
      title={{@translatedTitle}}
      disabled={{this.disabled}}
      data-icon={{@icon}}
      {{on "click" this.click}}
      ...attributes
    >
      {{#if @icon}}<span class="d-icon" aria-hidden="true">{{if
            (eq @icon "check")
            "✓"
            "✕"
          }}</span>{{/if}}
      <span class="d-button-label">{{this.label}}</span>
    </button>
  </template>
}

function eq(a, b) {
  return a === b;
}
