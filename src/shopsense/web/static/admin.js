// The admin dashboard: one render function per tab, all data from the public API with the admin key
// the user typed (kept in this tab's session storage only, never in the page).
"use strict";
const KEY = "shopsense.admin";

const kpis = (pairs) => h("div", { class: "kpis" }, pairs.map(([label, value]) => h("div", { class: "kpi" }, label, h("b", {}, value))));
const table = (columns, rows) => rows.length ? h("div", { class: "scroll" }, h("table", {},
  h("thead", {}, h("tr", {}, columns.map(([label]) => h("th", {}, label)))),
  h("tbody", {}, rows.map((row) => h("tr", {}, columns.map(([, cell]) => h("td", {}, cell(row)))))))) : h("p", { class: "muted empty" }, T("nothing_yet"));
const note = (text) => text ? h("p", { class: "muted small" }, text) : null;
const json = (value) => h("code", { class: "small" }, JSON.stringify(value));

const sections = {
  async overview() {
    const [overview, funnel, heat] = await Promise.all(["overview", "funnel", "heatmap"].map((n) => api.analysis(n).then((r) => r.data)));
    const last = funnel.overall?.user?.at(-1);
    const conversion = last ? last.overall_rate : overview.buyers / Math.max(overview.users, 1);
    const timeline = overview.timeline.counts;
    return [kpis([["events", number(overview.events)], ["active users", number(overview.users)], ["sessions", number(overview.sessions)],
      ["orders", number(overview.orders)], ["buyers", number(overview.buyers)], ["revenue", money(overview.revenue, overview.currencies[0])],
      [last ? "conversion (funnel)" : "buyers / users", percent(conversion)]]),
    h("div", { class: "charts" },
      charts.bar(`events per ${overview.timeline.period}`, timeline.map((c) => c.start), timeline.map((c) => c.events), { xaxis: { type: "category" } }),
      charts.bar("events by type (log scale)", Object.keys(overview.by_type), Object.values(overview.by_type), { yaxis: { type: "log" } }),
      charts.heatmap("events by weekday and hour (UTC)", heat.hours, heat.weekdays, heat.events)),
    ...overview.notes.map(note)];
  },

  async funnels() {
    const funnel = (await api.analysis("funnel")).data;
    if (funnel.degenerate) return [h("p", { id: "funnel-note" }, funnel.note), note(funnel.definition)];
    const rows = funnel.overall.user;
    return [note(funnel.note), h("div", { class: "charts" },
      charts.bars("units reaching each stage", Object.entries(funnel.overall).map(([unit, stages]) =>
        ({ name: unit, x: stages.map((s) => s.stage), y: stages.map((s) => s.reached) })))),
    table([["stage", (r) => r.stage], ["users reaching", (r) => number(r.reached)], ["with the event", (r) => number(r.with_event)],
      ["step rate", (r) => percent(r.step_rate)], ["overall", (r) => percent(r.overall_rate)]], rows), note(funnel.definition)];
  },

  async cohorts() {
    const data = (await api.analysis("cohorts")).data;
    const month = data.month;
    return [h("div", { class: "charts" },
      charts.heatmap("retention by monthly cohort", month.mean_retention.map((_, k) => `+${k}`), month.cohorts.map((c) => c.cohort),
        month.cohorts.map((c) => c.retention), { margin: { l: 90, r: 16, t: 40, b: 40 } }),
      charts.lines("mean retention", [{ name: "month", x: month.mean_retention.map((_, k) => k), y: month.mean_retention }])),
    note(data.definition)];
  },

  async rfm() {
    const [rfm, clusters] = await Promise.all(["rfm", "clusters"].map((n) => api.analysis(n).then((r) => r.data)));
    const grid = rfm.grid_rf;
    return [kpis([["buyers", number(rfm.buyers)], ["median recency (days)", number(rfm.medians.recency_days, 1)],
      ["median orders", number(rfm.medians.frequency)], ["median spend", number(rfm.medians.monetary, 2)], ["clusters", number(clusters.k)]]),
    h("div", { class: "charts" },
      charts.heatmap("users by recency (r) and frequency (f) score", [1, 2, 3, 4, 5].map((f) => `f${f}`), [1, 2, 3, 4, 5].map((r) => `r${r}`), grid.users),
      charts.scatter("clusters (PCA of the behaviour features)", clusters.clusters.map((c) => ({
        name: c.label, x: [c.centroid_pca[0]], y: [c.centroid_pca[1]], marker: { size: 12 + 40 * Math.sqrt(c.share) } })))),
    table([["cluster", (c) => c.cluster], ["users", (c) => number(c.size)], ["share", (c) => percent(c.share)], ["description", (c) => c.description]],
      clusters.clusters), note(rfm.definition)];
  },

  async profiles() {
    const input = h("input", { id: "profile-user", placeholder: T("user_id"), "aria-label": T("user_id") });
    const out = h("div", { id: "profile" });
    const show = (event) => { event.preventDefault(); load(out, () => profileView(input.value.trim())); };
    return [h("form", { class: "rule", onsubmit: show }, input, h("button", { class: "primary" }, T("show"))), out];
  },

  async segments() {
    return segmentBuilder();
  },

  async experiments() {
    const { experiments } = await api.experiments();
    if (!experiments.length) return h("p", { class: "muted empty" }, `${T("nothing_yet")} POST /v1/experiments starts one.`);
    const blocks = await Promise.all(experiments.map(async (e) => {
      const results = await api.experimentResults(e.experiment_id);
      const metric = (name) => ({ name, x: results.variants.map((v) => v.name), y: results.variants.map((v) => v[name].value),
        error_y: { type: "data", symmetric: false, array: results.variants.map((v) => (v[name].high ?? v[name].value) - v[name].value),
          arrayminus: results.variants.map((v) => v[name].value - (v[name].low ?? v[name].value)) } });
      return [h("h2", {}, `${e.experiment_id} · ${e.scenario} · ${results.status} · ${results.verdict}`),
        h("div", { class: "charts" },
          charts.scatter(`CTR and conversion, ${100 * (1 - results.alpha)}% intervals`, ["ctr", "conversion"].map(metric), { yaxis: { tickformat: ".1%" } }),
          charts.scatter("revenue per user", [metric("revenue_per_user")])),
        table([["variant", (v) => v.name], ["users", (v) => number(v.users)], ["impressions", (v) => number(v.impressions)],
          ["clicks", (v) => number(v.clicks)], ["conversions", (v) => number(v.conversions)],
          ["vs control (p)", (v) => v.vs_control ? Object.entries(v.vs_control).map(([k, t]) => `${k} ${t.p_value?.toFixed(3) ?? "–"}${t.significant ? " *" : ""}`).join(", ") : "control"]],
        results.variants)];
    }));
    return blocks.flat();
  },

  async models() {
    const { versions, serving, last_error } = await api.models();
    const status = h("p", { id: "model-status" });
    const act = (call) => async () => {
      try {
        await call();
        showTab("models");
      } catch (error) {
        showError(status, error);
      }
    };
    const names = [...new Set(versions.map((v) => v.name))];
    const curves = versions.filter((v) => Array.isArray(v.metrics.curve));
    return [last_error ? h("p", { class: "error" }, last_error) : null,
      h("div", { class: "charts" },
        charts.bars("fit seconds per version", names.map((n) => {
          const own = versions.filter((v) => v.name === n);
          return { name: n, x: own.map((v) => v.version), y: own.map((v) => v.metrics.fit_seconds ?? null) };
        }), { xaxis: { type: "category" } }),
        ...curves.map((v) => charts.lines(`${v.name} ${v.version}: training curve`, Object.keys(v.metrics.curve[0]).filter((k) => k !== "epoch")
          .map((k) => ({ name: k, x: v.metrics.curve.map((p) => p.epoch), y: v.metrics.curve.map((p) => p[k]) }))))),
      table([["model", (v) => v.name], ["version", (v) => v.version], ["created", (v) => v.created_at.slice(0, 19)],
        ["metrics", (v) => json(Object.fromEntries(Object.entries(v.metrics).filter(([k]) => k !== "curve")))],
        ["", (v) => v.active ? h("b", {}, T("active")) : h("button", { onclick: act(() => api.activate(v.name, v.version)) }, T("activate"))]], versions),
      h("p", {}, names.map((n) => h("button", { class: "rollback", onclick: act(() => api.rollback(n)) }, `${T("rollback")} ${n}`))), status,
      note(`serving: ${JSON.stringify(serving)}`)];
  },

  async search_analytics() {
    const data = await api.searchAnalytics();
    const stat = [["query", (q) => q.query], ["searches", (q) => number(q.searches)], ["zero results", (q) => number(q.zero_results)],
      ["clicked", (q) => number(q.clicked_searches)], ["CTR", (q) => percent(q.ctr)]];
    return [h("div", { class: "charts" }, charts.bar("top queries", data.top_queries.map((q) => q.query), data.top_queries.map((q) => q.searches))),
      h("h2", {}, "zero-result queries"), table(stat, data.zero_result_queries), h("h2", {}, "CTR by query"), table(stat, data.ctr_by_query)];
  },

  async feedback() {
    const turns = await api.unanswered();
    return table([["when", (t) => (t.created_at || "").slice(0, 19)], ["user", (t) => t.user_id], ["question", (t) => t.message],
      ["answer", (t) => t.answer], ["intent", (t) => t.intent], ["confidence", (t) => number(t.confidence, 2)],
      ["grounded", (t) => (t.grounded ? "yes" : "no")], ["thumbs", (t) => t.feedback]], turns);
  },
};

async function profileView(user) {
  const [profile, { events }] = await Promise.all([api.profile(user), api.userEvents(user, 20)]);
  const affinities = Object.entries(profile.affinities).filter(([, v]) => Object.keys(v).length);
  return [kpis([["lifecycle", profile.lifecycle.stage || "–"], ["RFM segment", profile.rfm.segment || "–"], ["events", number(profile.activity.events)],
    ["orders", number(profile.rfm.frequency)], ["spend", number(profile.rfm.monetary, 2)], ["last seen", (profile.activity.last_seen || "–").slice(0, 10)]]),
  h("h2", {}, "tags"), h("ul", { class: "tags" }, profile.tags.map((t) => h("li", {}, h("b", {}, t.tag), " — ", t.evidence))),
  h("div", { class: "charts" },
    charts.bar("events by hour of day", profile.activity.hours.map((_, i) => i), profile.activity.hours),
    ...affinities.map(([kind, weights]) => charts.bar(`${kind} affinity`, Object.keys(weights), Object.values(weights)))),
  h("h2", {}, "recent events"),
  table([["time", (e) => e.timestamp.slice(0, 19)], ["type", (e) => e.type], ["item", (e) => e.item_id || e.query || ""], ["value", (e) => e.value ?? ""]], events)];
}

const FIELDS = ["rfm.segment", "rfm.frequency", "rfm.monetary", "rfm.recency_days", "lifecycle.stage", "activity.events",
  "activity.sessions", "activity.days_inactive", "tags.tag", "attributes.country"];
const OPS = ["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains", "exists"];

function segmentBuilder() {
  const rules = h("div", { id: "rules" });
  const count = h("p", { id: "segment-count", "aria-live": "polite" });
  const name = h("input", { id: "segment-name", placeholder: "name", "aria-label": "segment name", value: "web-segment" });
  const status = h("p", { class: "small" });
  const parse = (text) => { try { return JSON.parse(text); } catch (_) { return text; } };
  const definition = () => ({ all: [...rules.children].map((row) => {
    const [field, op, value] = row.querySelectorAll("input, select");
    return op.value === "exists" ? { field: field.value, op: "exists" } : { field: field.value, op: op.value, value: parse(value.value) };
  }) });
  let timer;
  const preview = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const result = await api.previewSegment(definition(), 5);
        fill(count, h("b", {}, number(result.count)), ` ${T("matching")} ${number(result.profiles)} — ${result.sample.join(", ")}`);
      } catch (error) {
        showError(count, error);
      }
    }, 250);
  };
  const addRule = (field = "rfm.frequency", op = "ge", value = "5") => {
    const row = h("div", { class: "rule" },
      h("input", { list: "segment-fields", value: field, "aria-label": "field", oninput: preview }),
      h("select", { "aria-label": "operator", onchange: preview }, OPS.map((o) => h("option", { selected: o === op }, o))),
      h("input", { value, "aria-label": "value", oninput: preview }),
      h("button", { class: "link", onclick: () => { row.remove(); preview(); } }, "×"));
    rules.append(row);
    preview();
  };
  const save = async () => {
    try {
      await api.saveSegment(name.value, definition());
      fill(status, h("span", { class: "ok" }, `saved ${name.value}`));
    } catch (error) {
      showError(status, error);
    }
  };
  const exportCsv = async () => {
    try {
      await api.saveSegment(name.value, definition());
      const blob = await (await api.exportSegment(name.value)).blob();
      h("a", { href: URL.createObjectURL(blob), download: `${name.value}.csv` }).click();
      fill(status, h("span", { class: "ok" }, `exported ${name.value}.csv`));
    } catch (error) {
      showError(status, error);
    }
  };
  addRule();
  return [h("datalist", { id: "segment-fields" }, FIELDS.map((f) => h("option", { value: f }))), rules,
    h("p", {}, h("button", { onclick: () => addRule("rfm.monetary", "gt", "1000") }, T("add_rule"))), count,
    h("p", { class: "rule" }, name, h("button", { id: "segment-save", onclick: save }, T("save")),
      h("button", { id: "segment-export", onclick: exportCsv }, T("export"))), status];
}

function showTab(name) {
  document.querySelectorAll(".tabs a").forEach((a) => a.classList.toggle("on", a.dataset.tab === name));
  load("#panel", sections[name]);
}

async function signIn(key) {
  api.setKey(key);
  await api.models();  // an admin-only route: a client key gets a 403 here
  sessionStorage.setItem(KEY, key);
  document.querySelector("#login").hidden = true;
  document.querySelector("#dashboard").hidden = false;
  document.querySelector("#sign-out").hidden = false;
  const tab = () => showTab(sections[location.hash.slice(1)] ? location.hash.slice(1) : "overview");
  window.addEventListener("hashchange", tab);
  tab();
}

function showLogin(error) {
  document.querySelector("#login").hidden = false;
  fill("#login-error", error ? error.message : "");
}

document.querySelector("#login").addEventListener("submit", (event) => {
  event.preventDefault();
  signIn(document.querySelector("#admin-key").value.trim()).catch(showLogin);
});
document.querySelector("#sign-out").addEventListener("click", () => { sessionStorage.removeItem(KEY); location.reload(); });
const saved = sessionStorage.getItem(KEY);
if (saved) signIn(saved).catch((error) => { sessionStorage.removeItem(KEY); showLogin(error); });
else showLogin();
