import I18n from "discourse-i18n";

export const NEED_STATUSES = [
  "open",
  "matched",
  "in_progress",
  "served",
  "funded",
  "closed",
];

// The service sends either one string or one string per language: show the
// reader's language, then French (the forum's), then whichever there is.
export function localizedText(text, locale = I18n.currentLocale()) {
  if (text === null || text === undefined) {
    return "";
  }
  if (typeof text === "string") {
    return text;
  }
  const language = String(locale || "").split(/[_-]/)[0];
  return text[language] || text.fr || Object.values(text)[0] || "";
}

// "a, b" in Latin scripts, "a، b" in Arabic.
export function joinList(items, locale = I18n.currentLocale()) {
  const separator = String(locale || "").startsWith("ar") ? "، " : ", ";
  return items.filter(Boolean).join(separator);
}
