import Component from "@glimmer/component";
import { apiInitializer } from "discourse/lib/api";
import CodevExpertCard from "../components/codev-expert-card";
import CodevFirstPost from "../components/codev-first-post";
import CodevNeedStatus from "../components/codev-need-status";

class TitleStatus extends Component {
  static shouldRender(args) {
    return Boolean(args.model?.codev_need);
  }

  <template>
    <CodevNeedStatus @status={{@outletArgs.model.codev_need.status}} />
  </template>
}

class ListStatus extends Component {
  static shouldRender(args) {
    return args.context === "topic-list" && Boolean(args.topic?.codev_status);
  }

  <template>
    <CodevNeedStatus @status={{@outletArgs.topic.codev_status}} />
  </template>
}

class UserCardExpert extends Component {
  static shouldRender(args) {
    return Boolean(args.user?.codev_expert);
  }

  <template><CodevExpertCard @user={{@outletArgs.user}} /></template>
}

export default apiInitializer((api) => {
  const siteSettings = api.container.lookup("service:site-settings");
  if (!siteSettings.codev_enabled) {
    return;
  }

  api.renderInOutlet("topic-title-suffix", TitleStatus);
  api.renderInOutlet("after-topic-status", ListStatus);
  api.registerValueTransformer(
    "topic-list-item-class",
    ({ value, context }) => {
      const status = context.topic?.codev_status;
      if (status) {
        value.push(`codev-need--${status}`);
      }
      return value;
    }
  );
  api.renderAfterWrapperOutlet("post-content-cooked-html", CodevFirstPost);
  api.renderInOutlet("user-card-metadata", UserCardExpert);
});
