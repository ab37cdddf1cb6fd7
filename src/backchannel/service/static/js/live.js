// Live refresh: the server says *that* something changed (server-sent events); the page then
// fetches its own view again. Focus, and regions marked data-keep, survive the redraw.
import { api, negotiation, showRevoked } from "./api.js";
import { announce } from "./dom.js";

let latest = 0;  // requests answered out of order must not overwrite a newer view

/** A way to find the focused element again in the redrawn region. */
function focusKey(element) {
  if (!element || element === document.body) return null;
  if (element.id) return `#${CSS.escape(element.id)}`;
  return null;
}

function summary(root) {
  const status = root.querySelector("[data-status]")?.dataset.status;
  const messages = root.querySelectorAll("[data-message]").length;
  return { status, messages };
}

function describeChange(before, after) {
  const parts = [];
  if (after.status && after.status !== before.status) parts.push(`The negotiation is now ${after.status}.`);
  const added = after.messages - before.messages;
  if (added > 0) parts.push(added === 1 ? "One new message." : `${added} new messages.`);
  return parts.join(" ");
}

/** Fetch and redraw the live region. */
export async function refresh() {
  const region = document.getElementById("live");
  if (!region) return;
  const mine = ++latest;
  const response = await fetch(`/n/${negotiation}/live`, { credentials: "same-origin" });
  if (response.status === 401) { showRevoked(); return; }
  if (!response.ok || mine !== latest) return;
  const html = await response.text();
  if (mine !== latest) return;
  const fresh = new DOMParser().parseFromString(html, "text/html").body;
  const before = summary(region);
  const key = region.contains(document.activeElement) ? focusKey(document.activeElement) : null;
  const hadFocus = region.contains(document.activeElement);
  // Regions marked data-keep (a reissued link, for example) are carried over unchanged.
  region.querySelectorAll("[data-keep][id]").forEach((kept) => {
    const slot = fresh.querySelector(`#${CSS.escape(kept.id)}`);
    if (slot) slot.replaceWith(kept);
  });
  region.replaceChildren(...fresh.childNodes);
  if (hadFocus) {
    const target = (key && region.querySelector(key)) || region.querySelector("h1");
    if (target) {
      if (!target.hasAttribute("tabindex") && !target.matches("a, button, input, select, textarea")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: true });
    }
  }
  announce(describeChange(before, summary(region)));
  document.dispatchEvent(new Event("backchannel:status"));
}

/** Refresh on every change the event stream reports; a revoked link shows the revoked page. */
export function listen() {
  const source = new EventSource(api("/events"));
  let seen = null;
  source.addEventListener("version", (event) => {
    if (seen !== null && event.data !== seen) refresh().catch(() => {});
    seen = event.data;
  });
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) return;  // the browser reconnects by itself
    fetch(`/n/${negotiation}/live`, { credentials: "same-origin" })
      .then((response) => { if (response.status === 401) showRevoked(); else setTimeout(listen, 3000); })
      .catch(() => setTimeout(listen, 3000));
  });
}

/** The negotiation's status as the live region shows it. */
export function currentStatus() {
  return document.querySelector("#live [data-status]")?.dataset.status || "";
}

/** Disable what cannot work in this status (and say why), after every redraw and action. */
export function applyStatus() {
  const status = currentStatus();
  const open = status === "open";
  document.querySelectorAll("[data-needs-open]").forEach((button) => {
    if (!button.dataset.busy) button.disabled = !open;
  });
  document.querySelectorAll("[data-needs-draftable]").forEach((button) => {
    if (!button.dataset.busy) button.disabled = !(status === "setup" || status === "open");
  });
  document.querySelectorAll("[data-when-not-open]").forEach((hint) => { hint.hidden = open; });
}
