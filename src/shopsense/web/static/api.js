// Every call the pages make to the public HTTP API, one function per endpoint: adapt shapes here only.
"use strict";
const api = (() => {
  let key = "";
  let userToken = "";  // X-User-Token for the page's shopper, when the server requires one
  const enc = encodeURIComponent;

  class ApiError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function request(method, path, { query, body, raw } = {}) {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(query || {})) {
      for (const one of [].concat(v)) if (one !== undefined && one !== null && one !== "") url.searchParams.append(k, one);
    }
    const headers = { "X-API-Key": key };
    if (userToken) headers["X-User-Token"] = userToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try { message = (await response.json()).error.message || message; } catch (_) { /* not our JSON error */ }
      throw new ApiError(response.status, `${method} ${url.pathname}: ${message}`);
    }
    if (raw) return response;
    return response.status === 204 ? null : response.json();
  }
  const get = (path, query) => request("GET", path, { query });
  const post = (path, body) => request("POST", path, { body });

  const items = new Map();  // item_id -> Promise of the item (or null when it is gone)

  return {
    ApiError,
    setKey: (k) => { key = k; },
    setUserToken: (t) => { userToken = t; },
    // catalogue and events
    item: (id) => {
      if (!items.has(id)) items.set(id, get(`/v1/items/${enc(id)}`).catch(() => null));
      return items.get(id);
    },
    sendEvents: (events) => post("/v1/events", { events }),
    userEvents: (user, limit = 20) => get(`/v1/users/${enc(user)}/events`, { limit }),
    profile: (user) => get(`/v1/users/${enc(user)}/profile`),
    // search
    search: ({ q, user, filters, sort, page, n = 20 }) => get("/v1/search", { q, user_id: user, filters, sort, page, n }),
    suggest: (q) => get("/v1/suggest", { q, n: 8 }),
    searchAnalytics: () => get("/v1/analytics/search", { limit: 20 }),
    // recommendations (items: the product page's item or the cart)
    recommend: (user, scenario, { n = 8, items = [] } = {}) =>
      get(`/v1/users/${enc(user)}/recommendations`, { scenario, n, items }),
    similar: (id, user, n = 8) => get(`/v1/items/${enc(id)}/similar`, { user_id: user, n }),
    alsoBought: (id, user, n = 8) => get(`/v1/items/${enc(id)}/also_bought`, { user_id: user, n }),
    // assistant
    chat: (user, session, message) => post("/v1/assistant/chat", { user_id: user, session_id: session, message }),
    feedback: (turn, rating) => post("/v1/assistant/feedback", { turn_id: turn, rating }),
    unanswered: () => get("/v1/assistant/unanswered", { limit: 50 }),
    // analytics and segments
    analysis: (name) => get(`/v1/analytics/${enc(name)}`),
    previewSegment: (definition, sample = 10) => post("/v1/segments/preview", { definition, sample }),
    saveSegment: (name, definition) => request("PUT", `/v1/segments/${enc(name)}`, { body: { definition } }),
    exportSegment: (name) => request("GET", `/v1/segments/${enc(name)}/users`, { query: { format: "csv" }, raw: true }),
    // experiments and models
    experiments: () => get("/v1/experiments"),
    experimentResults: (id) => get(`/v1/experiments/${enc(id)}/results`),
    models: () => get("/v1/models"),
    activate: (name, version) => post(`/v1/models/${enc(name)}/activate`, { version }),
    rollback: (name) => post(`/v1/models/${enc(name)}/rollback`),
  };
})();
