// JSON calls to the API: CSRF header, idempotency keys, readable errors, revoked sessions.
import { flash } from "./dom.js";

export const negotiation = document.body.dataset.negotiation;
export const api = (path) => `/api/negotiations/${negotiation}${path}`;

/** An error already shown to the person (so handlers do not show it twice). */
export class Refused extends Error {
  constructor(status, data) {
    super(data.error || `request failed (${status})`);
    this.status = status;
    this.data = data;
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|; )bc_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** One line a person can act on: what is wrong, where (file line and field), and the fix. */
export function explain(data, status) {
  const problems = (data.problems || []).map((p) => [
    p.line ? `line ${p.line}` : "", p.path || "", p.message, p.fix ? `fix: ${p.fix}` : "",
  ].filter(Boolean).join(": "));
  return [data.error || `request failed (${status})`, data.fix, ...problems]
    .filter(Boolean).join(" — ");
}

/** The page again: for a revoked link the server answers with a page saying so. */
export function showRevoked() {
  window.location.reload();
}

async function send(method, url, options, attempt) {
  const headers = { "X-CSRF-Token": csrfToken() };
  if (options.key) headers["Idempotency-Key"] = options.key;
  let body;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  try {
    return await fetch(url, { method, headers, credentials: "same-origin", body });
  } catch (error) {
    // The answer was lost: with a key the same request can safely go again, once.
    if (options.key && attempt === 0) return send(method, url, options, 1);
    throw error;
  }
}

/** Call the API; on a refusal show why (and the fix) and throw ``Refused``. */
export async function call(method, url, options = {}) {
  let response;
  try {
    response = await send(method, url, options, 0);
  } catch {
    const data = { error: "the server could not be reached", fix: "check the connection and try again" };
    if (!options.quiet) flash(explain(data, 0));
    throw new Refused(0, data);
  }
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && negotiation) {
    showRevoked();
    throw new Refused(401, data);
  }
  if (!response.ok) {
    if (!options.quiet) flash(explain(data, response.status));
    throw new Refused(response.status, data);
  }
  if (!options.quiet) flash("");
  return data;
}
