// Records every request; answers what the scenario queued (or {}).
export const requests = [];
export const answers = [];

export function ajax(url, options = {}) {
  requests.push({
    url,
    type: options.type || "GET",
    data: options.data ?? null,
  });
  const answer = answers.shift();
  if (answer instanceof Error) {
    return Promise.reject(answer);
  }
  return Promise.resolve(answer ?? {});
}
