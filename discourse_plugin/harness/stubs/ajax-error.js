export const shownErrors = [];

export function popupAjaxError(error) {
  shownErrors.push(String(error?.message || error));
}
