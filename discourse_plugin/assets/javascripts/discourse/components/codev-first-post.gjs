import Component from "@glimmer/component";
import CodevCandidatesPanel from "./codev-candidates-panel";
import CodevIntroductionAnswer from "./codev-introduction-answer";
import CodevOfferButton from "./codev-offer-button";

// Under the first post of a need (suggestions for managers, "Je peux aider"
// for experts) or of an introduction message (the expert's answer).
export default class CodevFirstPost extends Component {
  static shouldRender(args) {
    const topic = args.post?.topic;
    return (
      args.post?.post_number === 1 &&
      Boolean(topic?.codev_need || topic?.codev_introduction)
    );
  }

  get topic() {
    return this.args.post.topic;
  }

  get showCandidates() {
    return Array.isArray(this.topic.codev_need?.candidates);
  }

  get showOffer() {
    const need = this.topic.codev_need;
    return Boolean(need?.can_offer || need?.offered);
  }

  get showAnswer() {
    return Boolean(this.topic.codev_introduction?.can_answer);
  }

  <template>
    {{#if this.showCandidates}}
      <CodevCandidatesPanel @topic={{this.topic}} />
    {{/if}}
    {{#if this.showOffer}}
      <CodevOfferButton @topic={{this.topic}} />
    {{/if}}
    {{#if this.showAnswer}}
      <CodevIntroductionAnswer @topic={{this.topic}} />
    {{/if}}
  </template>
}
