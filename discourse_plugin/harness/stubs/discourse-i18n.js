// Discourse's i18n with the plugin's own client locales: the harness switches language at run time.
import locales from "virtual:codev-locales";

let current = "fr";

function lookup(tree, key) {
  return key
    .split(".")
    .reduce((node, part) => (node ? node[part] : undefined), tree);
}

export function i18n(key, options = {}) {
  const found = lookup(locales[current], key) ?? lookup(locales.en, key);
  if (typeof found !== "string") {
    return `[${current}.${key}]`;
  }
  return found.replace(/%\{(\w+)\}/g, (_, name) => String(options[name] ?? ""));
}

const I18n = {
  currentLocale: () => current,
  setLocale(locale) {
    current = locale;
  },
  t: i18n,
};

export default I18n;
