// Backchannel pages: small helpers, JSON calls to the API, live refresh by server-sent events.
"use strict";

const negotiation = document.body.dataset.negotiation;
const api = (path) => `/api/negotiations/${negotiation}${path}`;

function csrfToken() {
  const match = document.cookie.match(/(?:^|; )bc_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function flash(text, kind = "error") {
  const box = document.getElementById("flash");
  box.textContent = text;
  box.className = `flash ${kind}`;
  box.hidden = !text;
  if (text && kind !== "error") setTimeout(() => { box.hidden = true; }, 2500);
}

async function call(method, url, body, isForm = false) {
  const headers = { "X-CSRF-Token": csrfToken() };
  if (!isForm && body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : (isForm ? body : JSON.stringify(body)),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const problems = (data.problems || []).map((p) => `${p.path ? p.path + ": " : ""}${p.message}`);
    flash([data.error || `request failed (${response.status})`, data.fix, ...problems]
      .filter(Boolean).join(" — "));
    throw new Error(data.error || response.status);
  }
  flash("");
  return data;
}

function pickedTerms(form) {
  const terms = {};
  form.querySelectorAll("select[data-issue]").forEach((s) => { terms[s.dataset.issue] = s.value; });
  return terms;
}

function setTerms(form, terms) {
  Object.entries(terms || {}).forEach(([issue, value]) => {
    const select = form.querySelector(`select[data-issue="${issue}"]`);
    if (!select) return;
    const option = [...select.options].find((o) => o.value === String(value) ||
      Number(o.value) === Number(value));
    if (option) select.value = option.value;
  });
  form.dispatchEvent(new Event("change"));
}

async function refresh() {
  const response = await fetch(`/n/${negotiation}/live`, { credentials: "same-origin" });
  if (response.ok) document.getElementById("live").innerHTML = await response.text();
  lockPreferences();
}

function lockPreferences() {
  // Preferences may change only before the start: once it has started, the form is read-only.
  const status = document.querySelector("[data-status]");
  const form = document.getElementById("preferences-form");
  if (!status || !form || status.dataset.status === "setup") return;
  form.querySelectorAll("input, button").forEach((el) => { el.disabled = true; });
  form.querySelectorAll("button, .hint").forEach((el) => { el.hidden = true; });
}

function listen() {
  const source = new EventSource(api("/events"));
  let seen = null;
  source.addEventListener("version", (event) => {
    if (seen !== null && event.data !== seen) refresh();
    seen = event.data;
  });
}

// --- home page ----------------------------------------------------------------------------
function setupHome() {
  const form = document.getElementById("create-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const file = data.get("file");
    if (!file || !file.name) data.delete("file"); else data.delete("scenario");
    const created = await call("POST", "/api/negotiations", data, true);
    const links = document.getElementById("links");
    links.innerHTML = "";
    const add = (label, link) => {
      const item = document.createElement("li");
      item.innerHTML = `<span class="who"></span><input readonly class="link">`;
      item.querySelector(".who").textContent = label;
      item.querySelector("input").value = link;
      item.querySelector("input").dataset.party = label;
      links.appendChild(item);
    };
    add("mediator", created.mediator_link);
    Object.entries(created.invitations).forEach(([party, link]) => add(party, link));
    document.getElementById("desk-link").href = `/n/${created.id}`;
    document.getElementById("created").hidden = false;
  });
}

// --- mediator's desk ------------------------------------------------------------------------
function setupMediator() {
  const form = document.getElementById("relay-form");
  if (!form) return;
  const source = form.querySelector("input[name=source]");
  const note = document.getElementById("composer-source");
  const clearSource = () => { source.value = ""; note.hidden = true; };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = form.kind.value;
    const body = { to: form.to.value, kind, text: form.text.value };
    if (kind !== "note") body.terms = pickedTerms(form);
    if (source.value) body.source = Number(source.value);
    await call("POST", api("/relay"), body);
    form.text.value = ""; clearSource();
    flash("Sent.", "ok"); refresh();
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    if (!button || button.tagName === "SELECT") return;
    const action = button.dataset.action;
    if (action === "relay") {
      await call("POST", api("/relay"), { to: button.dataset.to, source: Number(button.dataset.source) });
      flash("Passed on.", "ok"); refresh();
    } else if (action === "edit") {
      source.value = button.dataset.source;
      form.to.value = button.dataset.to;
      form.kind.value = button.dataset.kind;
      form.text.value = button.dataset.text || "";
      setTerms(form, JSON.parse(button.dataset.terms || "{}"));
      note.textContent = `Editing message #${button.dataset.source}: the party will see only your version.`;
      note.hidden = false;
      form.scrollIntoView({ behavior: "smooth" });
    } else if (action === "clear-source") {
      clearSource();
    } else if (action === "load-terms") {
      setTerms(form, JSON.parse(button.dataset.terms));
    } else if (action === "save-draft") {
      await call("POST", api("/drafts"), { terms: pickedTerms(form), note: form.text.value });
      flash("Draft saved.", "ok"); refresh();
    } else if (action === "start" || action === "close") {
      await call("POST", api(`/${action}`)); refresh();
    } else if (action === "reissue") {
      const made = await call("POST", api(`/seats/${button.dataset.party}/invitation`));
      const box = document.getElementById("reissued");
      box.innerHTML = `<p>New link for <strong></strong> (the old one no longer works):</p><input readonly class="link">`;
      box.querySelector("strong").textContent = made.party;
      box.querySelector("input").value = made.link;
    } else if (action === "assistant") {
      renderAssistant(await call("GET", api("/assistant")));
    } else if (action === "use-terms") {
      setTerms(form, JSON.parse(button.dataset.terms));
    }
  });

  document.addEventListener("change", async (event) => {
    const select = event.target.closest("select[data-action=agent]");
    if (!select) return;
    await call("POST", api(`/seats/${select.dataset.party}/agent`), { strategy: select.value || null });
    flash("Seat updated.", "ok"); refresh();
  });
}

function renderAssistant(data) {
  const out = document.getElementById("assistant-out");
  const row = (label, point) => {
    if (!point) return `<tr><td>${label}</td><td colspan="2">none</td></tr>`;
    const terms = Object.entries(point.terms).map(([k, v]) => `${k}=${v}`).join(", ");
    const utils = Object.entries(point.utilities).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(" · ");
    return `<tr><td>${label}</td><td><small>${terms}</small><br>${utils}</td>` +
      `<td><button class="small quiet" data-action="use-terms" data-terms='${JSON.stringify(point.terms).replace(/'/g, "&#39;")}'>Use</button></td></tr>`;
  };
  const share = (100 * data.zopa_size / data.outcome_count).toFixed(1);
  out.innerHTML =
    `<p class="${data.zopa_exists ? "ok" : "warn"}">${data.zopa_exists
      ? `Zone of agreement: ${data.zopa_size.toLocaleString()} of ${data.outcome_count.toLocaleString()} packages (${share}%) leave every side above its walk-away value.`
      : "No zone of agreement: every package leaves some side below its walk-away value."}</p>` +
    `<table class="table"><tbody>${row("Nash", data.nash)}${row("Kalai–Smorodinsky", data.kalai_smorodinsky)}` +
    `${row("Utilitarian", data.utilitarian)}${data.latest_draft ? row("Latest draft", data.latest_draft) : ""}</tbody></table>` +
    `<h3>Frontier (best for the first party first)</h3><table class="table"><tbody>` +
    data.frontier.map((p, i) => row(`#${i + 1}`, p)).join("") + `</tbody></table>` +
    `<p class="hint">${data.note}</p>`;
}

// --- a party's room -------------------------------------------------------------------------
function setupRoom() {
  const form = document.getElementById("propose-form");
  if (!form) return;
  const showUtility = async () => {
    const data = await call("POST", api("/room/utility"), { terms: pickedTerms(form) });
    document.getElementById("utility-value").textContent = data.utility.toFixed(2);
    document.getElementById("utility-bar").style.width = `${Math.round(100 * data.utility)}%`;
    document.getElementById("utility-bar").className = data.crosses_red_line || !data.above_reservation ? "low" : "";
    document.getElementById("utility-note").textContent = data.crosses_red_line
      ? "crosses one of your red lines" : (data.above_reservation ? "above your walk-away value" : "below your walk-away value");
  };
  form.addEventListener("change", showUtility);
  showUtility().catch(() => {});

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await call("POST", api("/messages"), { kind: "proposal", terms: pickedTerms(form), text: form.text.value });
    form.text.value = ""; flash("Proposal sent to the mediator.", "ok"); refresh();
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "accept" || action === "reject") {
      await call("POST", api("/messages"), { kind: action, terms: JSON.parse(button.dataset.terms) });
      flash(action === "accept" ? "Accepted." : "Rejected.", "ok"); refresh();
    } else if (action === "note") {
      await call("POST", api("/messages"), { kind: "note", text: form.text.value });
      form.text.value = ""; flash("Message sent.", "ok"); refresh();
    } else if (action === "load-terms") {
      setTerms(form, JSON.parse(button.dataset.terms));
    }
  });

  const prefs = document.getElementById("preferences-form");
  prefs.addEventListener("submit", async (event) => {
    event.preventDefault();
    const weights = {};
    let total = 0;
    prefs.querySelectorAll("input[type=number]").forEach((input) => {
      if (input.name !== "__reservation") { weights[input.name] = Number(input.value); total += Number(input.value); }
    });
    if (total <= 0) { flash("Give at least one issue a positive weight."); return; }
    Object.keys(weights).forEach((k) => { weights[k] = weights[k] / total; });
    const reservation = Number(prefs.querySelector("input[name=__reservation]").value);
    await call("PUT", api("/room/preferences"), { weights, reservation });
    window.location.reload();
  });
}

setupHome();
if (negotiation) {
  setupMediator();
  setupRoom();
  lockPreferences();
  listen();
}
