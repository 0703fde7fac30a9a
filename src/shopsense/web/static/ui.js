// Helpers both the storefront and the dashboard use: the page's settings, texts, DOM building, errors.
"use strict";
const CONFIG = JSON.parse(document.getElementById("config").textContent);
const T = (key) => CONFIG.texts[key] || key;

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function fill(target, ...children) {
  const node = typeof target === "string" ? document.querySelector(target) : target;
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function showError(target, error) {
  console.warn(error);
  fill(target, h("p", { class: "error", role: "alert" }, `${T("error")}: ${error.message}`));
}

// Runs an async render into target, with a loading line first and a readable error instead of a blank.
async function load(target, render) {
  fill(target, h("p", { class: "muted" }, T("loading")));
  try {
    fill(target, await render());
  } catch (error) {
    showError(target, error);
  }
}

function setLanguage(lang) {
  document.cookie = `lang=${lang}; path=/; max-age=31536000; samesite=lax`;
  location.reload();
}

const money = (price, currency) =>
  price === null || price === undefined ? "" : new Intl.NumberFormat(CONFIG.lang === "zh" ? "zh-CN" : "en-GB",
    { style: "currency", currency: currency || "GBP" }).format(price);
const number = (x, digits = 0) => (x === null || x === undefined ? "–" : Number(x).toLocaleString(undefined, { maximumFractionDigits: digits }));
const percent = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)}%`);
