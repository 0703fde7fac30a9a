// The storefront: search with autocomplete and facets, product pages, "for you", cart, assistant chat.
// Every interaction is sent as a real event through POST /v1/events, so personalisation is live.
"use strict";
api.setKey(CONFIG.api_key);
if (CONFIG.user_token) api.setUserToken(CONFIG.user_token);

const shopper = {
  get user() {
    if (CONFIG.shopper) return CONFIG.shopper;  // user tokens required: the server's anonymous shopper
    let user = localStorage.getItem("shopsense.user");
    if (!user) shopper.user = user = shopper.newId();
    return user;
  },
  set user(id) {
    localStorage.setItem("shopsense.user", id);
    localStorage.setItem("shopsense.shoppers", JSON.stringify([id, ...shopper.recent().filter((s) => s !== id)].slice(0, 8)));
  },
  recent: () => JSON.parse(localStorage.getItem("shopsense.shoppers") || "[]"),  // shoppers chosen in this browser
  newId: () => `web-${Math.random().toString(36).slice(2, 10)}`,
  get session() {
    let session = sessionStorage.getItem("shopsense.session");
    if (!session) sessionStorage.setItem("shopsense.session", (session = `s-${Date.now().toString(36)}`));
    return session;
  },
};

const cart = {
  key: () => `shopsense.cart.${shopper.user}`,
  lines: () => JSON.parse(localStorage.getItem(cart.key()) || "[]"),  // [{item_id, qty}]
  save: (lines) => { localStorage.setItem(cart.key(), JSON.stringify(lines)); cart.badge(); },
  add(itemId) {
    const lines = cart.lines();
    const line = lines.find((l) => l.item_id === itemId);
    if (line) line.qty += 1; else lines.push({ item_id: itemId, qty: 1 });
    cart.save(lines);
  },
  remove: (itemId) => cart.save(cart.lines().filter((l) => l.item_id !== itemId)),
  badge: () => fill("#cart-count", String(cart.lines().reduce((n, l) => n + l.qty, 0))),
};

// One event through the public API; `extra` adds recomm_id/position/query/value/context.
function track(type, extra = {}) {
  const event = {
    event_id: `${shopper.session}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    user_id: shopper.user, session_id: shopper.session, type, timestamp: new Date().toISOString(),
    ...extra, context: { page: CONFIG.page, device: matchMedia("(max-width: 640px)").matches ? "mobile" : "desktop", ...extra.context },
  };
  return api.sendEvents([event]).catch((error) => console.warn("event not sent", error));
}

function thumb(item) {
  const id = item.item_id || "";
  const hue = [...id].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 360, 7);
  const letters = (item.title || id).split(/\s+/).slice(0, 2).map((w) => w[0]).join("");
  return h("div", { class: "thumb", style: `background: hsl(${hue} 55% 82%)`, "aria-hidden": "true" }, letters);
}

// A product card; `shown` = {recomm_id, position, reason} when ShopSense chose it (the click says so).
async function card(itemId, shown = {}) {
  const item = (await api.item(itemId)) || { item_id: itemId, title: shown.title || itemId };
  const href = `/product/${encodeURIComponent(itemId)}`;
  const open = async (event) => {
    event.preventDefault();
    await track("click", { item_id: itemId, recomm_id: shown.recomm_id, position: shown.position,
                           context: { list: shown.list } });
    location.href = href;
  };
  return h("a", { class: "card", href, onclick: open, dataset: { item: itemId } },
    thumb(item),
    h("span", { class: "title" }, item.title),
    h("span", { class: "price" }, money(item.price, item.currency)),
    shown.reason ? h("span", { class: "why" }, shown.reason) : null);
}

// A titled row of recommendations from one API call returning {recomm_id, items: [{item_id, reason, position}]}.
async function shelf(target, title, fetchList, list) {
  const section = document.querySelector(target);
  fill(section, h("h2", {}, title), h("div", { class: "row" }, h("p", { class: "muted" }, T("loading"))));
  try {
    const result = await fetchList();
    const cards = await Promise.all(result.items.map((r) =>
      card(r.item_id, { recomm_id: result.recomm_id, position: r.position, reason: r.reason, title: r.title, list })));
    fill(section.querySelector(".row"), cards.length ? cards : h("p", { class: "muted" }, T("nothing_yet")));
    section.dataset.recommId = result.recomm_id;
  } catch (error) {
    showError(section.querySelector(".row"), error);
  }
}

// ---- header: autocomplete, shopper picker, language -------------------------------------------------

function autocomplete() {
  const input = document.querySelector("#q");
  const box = document.querySelector("#suggestions");
  let latest = 0;
  input.addEventListener("input", async () => {
    const q = input.value.trim();
    const ticket = ++latest;
    if (!q) return fill(box);
    try {
      const { suggestions } = await api.suggest(q);
      if (ticket !== latest) return;
      fill(box, suggestions.map((s) => h("li", {}, h("a", { href: `/search?q=${encodeURIComponent(s.text)}` }, s.text))));
    } catch (error) {
      console.warn(error);
    }
  });
  input.addEventListener("blur", () => setTimeout(() => fill(box), 200));
}

// The page's storefront key may not list users (docs/security.md): the picker offers the shoppers chosen in
// this browser, a new one, or any id typed in (a demo customer's id from the dashboard's profiles, say).
function shopperPicker() {
  const select = document.querySelector("#shopper");
  const current = shopper.user;
  if (CONFIG.shopper) {  // the server vouches for this browser's shopper only (docs/security.md)
    fill(select, h("option", { value: current, selected: true }, current));
    select.disabled = true;
    return;
  }
  const ids = [...new Set([current, ...shopper.recent()])];
  fill(select, ids.map((id) => h("option", { value: id, selected: id === current }, id)),
    h("option", { value: "", dataset: { other: "1" } }, `${T("other_shopper")}…`),
    h("option", { value: "" }, `+ ${T("new_shopper")}`));
  select.addEventListener("change", () => {
    let id = select.value;
    if (select.selectedOptions[0].dataset.other) {
      id = (prompt(T("shopper_id")) || "").trim();
      if (!id) { select.value = current; return; }
    }
    shopper.user = id || shopper.newId();
    location.reload();
  });
}

// ---- pages ----------------------------------------------------------------------------------------

const pages = {
  home() {
    shelf("#for-you", T("for_you"), () => api.recommend(shopper.user, "for_you", { n: 8 }), "for_you");
    shelf("#trending", T("trending"), () => api.recommend(shopper.user, "trending", { n: 8 }), "trending");
  },

  async search() {
    const params = new URLSearchParams(location.search);
    const q = params.get("q") || "";
    document.querySelector("#q").value = q;
    if (!q) return;
    track("search", { query: q });
    const run = () => load("#results", async () => {
      const state = Object.fromEntries(["filters", "sort"].map((k) => [k, params.get(k) || undefined]));
      const result = await api.search({ q, user: shopper.user, ...state });
      const rerun = () => { history.replaceState(null, "", `?${params}`); run(); };
      return [searchHeader(result, params, rerun), facetPanel(result, params, rerun), h("div", { class: "grid" },
        await Promise.all(result.items.map((hit, i) =>
          card(hit.item_id, { recomm_id: result.recomm_id, position: i + (result.page - 1) * result.n, reason: hit.reason, list: "search" }))),
        result.items.length ? null : h("p", { class: "muted" }, T("no_results")))];
    });
    run();
  },

  async product() {
    const id = CONFIG.item_id;
    track("view", { item_id: id });
    load("#product", async () => {
      const item = await api.item(id);
      if (!item) throw new Error(`no item ${id}`);
      document.title = item.title;
      const button = h("button", { id: "add-to-cart", class: "primary", onclick: async () => {
        cart.add(id);
        await track("add_to_cart", { item_id: id, value: 1 });
        fill(button, `✓ ${T("added")}`);
      } }, T("add_to_cart"));
      return h("div", { class: "product" }, thumb(item), h("div", {},
        h("h1", {}, item.title),
        h("p", { class: "price big" }, money(item.price, item.currency)),
        h("p", { class: "muted" }, [item.category.join(" › "), item.brand, item.in_stock ? T("in_stock") : T("out_of_stock")].filter(Boolean).join(" · ")),
        item.description ? h("p", {}, item.description) : null,
        button));
    });
    shelf("#similar", T("similar"), () => api.similar(id, shopper.user), "similar");
    shelf("#also-bought", T("also_bought"), () => api.alsoBought(id, shopper.user), "also_bought");
  },

  cart() {
    const render = () => load("#cart", async () => {
      const lines = cart.lines();
      if (!lines.length) return h("p", { class: "muted" }, T("cart_empty"));
      const items = await Promise.all(lines.map((l) => api.item(l.item_id)));
      const total = lines.reduce((sum, l, i) => sum + (items[i]?.price || 0) * l.qty, 0);
      return [h("ul", { class: "lines" }, lines.map((l, i) => h("li", {},
        h("a", { href: `/product/${encodeURIComponent(l.item_id)}` }, items[i]?.title || l.item_id),
        h("span", {}, ` × ${l.qty} `), h("span", { class: "price" }, money((items[i]?.price || 0) * l.qty, items[i]?.currency)),
        h("button", { class: "link", onclick: async () => {
          cart.remove(l.item_id);
          await track("remove_from_cart", { item_id: l.item_id, value: l.qty });
          render();
        } }, T("remove"))))),
        h("p", { class: "total" }, `${T("total")}: ${money(total, items[0]?.currency)}`),
        h("button", { id: "checkout", class: "primary", onclick: async () => {
          await Promise.all(lines.map((l, i) => track("purchase", { item_id: l.item_id, value: l.qty,
            context: { unit_price: items[i]?.price } })));
          cart.save([]);
          fill("#cart", h("p", { class: "ok" }, T("bought")));
          fill("#basket");
        } }, T("checkout"))];
    }).then(basket);
    const basket = () => {
      const ids = cart.lines().map((l) => l.item_id);
      if (!ids.length) return fill("#basket");
      shelf("#basket", T("complete_basket"), () => api.recommend(shopper.user, "complete_basket", { n: 8, items: ids }), "complete_basket");
    };
    render();
  },
};

function searchHeader(result, params, rerun) {
  const sort = h("select", { id: "sort", "aria-label": T("sort"), onchange: (e) => { params.set("sort", e.target.value); rerun(); } },
    ["relevance", "price_asc", "price_desc", "newest", "best_selling"].map((s) =>
      h("option", { value: s, selected: s === result.sort }, T(`sort_${s}`))));
  const corrected = result.query.corrected ? h("p", {}, `${T("did_you_mean")} “${result.query.corrected}”`) : null;
  return h("div", { class: "results-head" },
    h("p", { id: "total" }, `${number(result.total)} ${T("results")}`), corrected,
    result.fallback ? h("p", { class: "muted" }, T("fallback")) : null, h("label", {}, `${T("sort")} `, sort));
}

// Facets: {name: {value: count}}; filters text "name:v1|v2;price:10..50" (the API's syntax).
function facetPanel(result, params, rerun) {
  const chosen = new Map((params.get("filters") || "").split(";").filter(Boolean).map((c) => {
    const [k, v] = c.split(/:(.*)/s);
    return [k, new Set(v.split("|"))];
  }));
  const toggle = (name, value) => {
    const set = chosen.get(name) || new Set();
    if (set.has(value)) set.delete(value); else if (name === "price" || name === "in_stock") set.clear(), set.add(value); else set.add(value);
    set.size ? chosen.set(name, set) : chosen.delete(name);
    const text = [...chosen].map(([k, v]) => `${k}:${[...v].join("|")}`).join(";");
    text ? params.set("filters", text) : params.delete("filters");
    rerun();
  };
  const groups = Object.entries(result.facets).filter(([, values]) => Object.keys(values).length)
    .map(([name, values]) => h("fieldset", { class: "facet", dataset: { facet: name } }, h("legend", {}, T(`facet_${name}`)),
      Object.entries(values).map(([value, count]) => h("label", {},
        h("input", { type: "checkbox", checked: chosen.get(name)?.has(value), onchange: () => toggle(name, value) }),
        ` ${name === "in_stock" ? (value === "true" ? T("in_stock") : T("out_of_stock")) : value} (${count})`))));
  const clear = chosen.size ? h("button", { class: "link", onclick: () => { params.delete("filters"); rerun(); } }, T("clear_filters")) : null;
  return h("aside", { id: "facets" }, groups, clear);
}

// ---- the assistant ---------------------------------------------------------------------------------

function chatWidget() {
  const panel = document.querySelector("#chat");
  const log = panel.querySelector(".messages");
  document.querySelector("#chat-toggle").addEventListener("click", () => panel.toggleAttribute("hidden"));
  panel.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = panel.querySelector("input");
    const message = input.value.trim();
    if (!message) return;
    input.value = "";
    log.append(h("p", { class: "me" }, message));
    const pending = h("p", { class: "bot muted" }, T("loading"));
    log.append(pending);
    try {
      const reply = await api.chat(shopper.user, shopper.session, message);
      pending.replaceWith(answer(reply));
    } catch (error) {
      showError(pending, error);
    }
    log.scrollTop = log.scrollHeight;
  });
}

function answer(reply) {
  const rate = (rating) => async (event) => {
    const row = event.target.parentElement;
    try {
      await api.feedback(reply.turn_id, rating);
      fill(row, T("thanks"));
    } catch (error) {
      showError(row, error);
    }
  };
  return h("div", { class: "bot", dataset: { intent: reply.intent } },
    h("p", { class: "answer" }, reply.answer),
    reply.items.length ? h("ul", { class: "chat-items" }, reply.items.map((item) =>
      h("li", {}, h("a", { href: `/product/${encodeURIComponent(item.item_id)}` }, item.title), " ", money(item.price, item.currency)))) : null,
    reply.sources.length ? h("p", { class: "muted small" }, `${T("sources")}: ${reply.sources.map((s) => s.title).join(" · ")}`) : null,
    h("p", { class: "rate" }, h("button", { class: "link", onclick: rate("up") }, T("helpful")),
      h("button", { class: "link", onclick: rate("down") }, T("not_helpful"))));
}

autocomplete();
shopperPicker();
cart.badge();
chatWidget();
pages[CONFIG.page]();
