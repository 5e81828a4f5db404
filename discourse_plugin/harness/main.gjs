// The scenarios the Python tests render (tests/plugin/test_render.py): the plugin's components with
// the contract's example payloads, in the language and direction the test asks for.
import { renderComponent } from "@ember/renderer";
import I18n from "discourse-i18n";
import CodevExpertCard from "../assets/javascripts/discourse/components/codev-expert-card";
import CodevFirstPost from "../assets/javascripts/discourse/components/codev-first-post";
import CodevNeedStatus from "../assets/javascripts/discourse/components/codev-need-status";
import { NEED_STATUSES } from "../assets/javascripts/discourse/lib/codev-text";
import profile from "../contract/examples/expert_profile__full.json";
import needState from "../contract/examples/topic_state__need_matched.json";
import introduction from "../contract/examples/topic_view_introduction__expert.json";
import everyone from "../contract/examples/topic_view_need__everyone.json";
import manager from "../contract/examples/topic_view_need__manager.json";
import { answers, requests } from "./stubs/ajax";
import { shownErrors } from "./stubs/ajax-error";

const TITLES = {
  fr: "Réseau d'eau potable du douar Tighmi",
  ar: "شبكة الماء الصالح للشرب بدوار تيغمي",
  en: "Drinking water network of the douar Tighmi",
};

const owner = {
  services: {
    siteSettings: {
      codev_enabled: true,
      codev_approve_tag_prefix: "approuver-",
    },
  },
  lookup(fullName) {
    const name = fullName
      .replace(/^service:/, "")
      .replace(/-(\w)/g, (_, c) => c.toUpperCase());
    return this.services[name];
  },
};

const Statuses = <template>
  <div class="topic-title">
    <h1 class="fancy-title">{{@title}}<CodevNeedStatus @status="open" /></h1>
  </div>
  <table class="topic-list">
    <tbody>
      {{#each @statuses as |status|}}
        <tr class="topic-list-item codev-need--{{status}}">
          <td class="main-link"><a class="title" href="#">{{@title}}</a><span
              class="topic-statuses"
            ><CodevNeedStatus @status={{status}} /></span></td>
        </tr>
      {{/each}}
    </tbody>
  </table>
</template>;

const FirstPost = <template>
  <article class="topic-post">
    <div class="cooked"><p>{{@title}}</p></div>
    <CodevFirstPost @post={{@post}} />
  </article>
</template>;

const Card = <template>
  <div class="user-card"><h2 class="names">Fatima El Idrissi</h2><CodevExpertCard
      @user={{@user}}
    /></div>
</template>;

function post(topic) {
  return { post_number: 1, topic };
}

const SCENARIOS = {
  statuses: (title) => [Statuses, { title, statuses: NEED_STATUSES }],
  panel: (title) => [
    FirstPost,
    { title, post: post({ id: 401, codev_need: structuredClone(manager) }) },
  ],
  offer: (title) => [
    FirstPost,
    { title, post: post({ id: 401, codev_need: structuredClone(everyone) }) },
  ],
  offered: (title) => [
    FirstPost,
    {
      title,
      post: post({ id: 401, codev_need: { ...everyone, offered: true } }),
    },
  ],
  answer: (title) => [
    FirstPost,
    {
      title,
      post: post({ id: 88, codev_introduction: structuredClone(introduction) }),
    },
  ],
  card: () => [
    Card,
    {
      user: {
        codev_expert: {
          skills: profile.skills,
          languages: profile.languages,
          availability: profile.availability,
        },
      },
    },
  ],
};

window.codevHarness = {
  scenarios: Object.keys(SCENARIOS),
  requests,
  answers,
  shownErrors,
  needState,
  render(name, locale) {
    const root = document.getElementById("harness");
    root.innerHTML = "";
    I18n.setLocale(locale);
    document.documentElement.lang = locale;
    document.documentElement.dir = locale === "ar" ? "rtl" : "ltr";
    requests.length = 0;
    shownErrors.length = 0;
    const into = document.createElement("section");
    into.className = `harness-case harness-case--${name}`;
    into.dataset.case = name;
    root.appendChild(into);
    const [component, args] = SCENARIOS[name](TITLES[locale]);
    renderComponent(component, { into, owner, args });
    return into.innerHTML.length;
  },
};
window.codevHarnessReady = true;
