// One action per click: the button is disabled while the request is in flight, the request
// carries a fresh Idempotency-Key, and a failure is shown instead of escaping as an uncaught
// promise error.
import { Refused } from "./api.js";
import { flash, newKey } from "./dom.js";

/** Run ``work(key)`` for ``button`` unless it is already running. */
export async function act(button, work) {
  if (button && (button.disabled || button.dataset.busy)) return;
  if (button) {
    button.disabled = true;
    button.dataset.busy = "1";
    button.setAttribute("aria-busy", "true");
  }
  try {
    await work(newKey());
  } catch (error) {
    if (!(error instanceof Refused)) flash(`Something went wrong: ${error.message}`);
  } finally {
    if (button) {
      delete button.dataset.busy;
      button.removeAttribute("aria-busy");
      button.disabled = false;
      document.dispatchEvent(new Event("backchannel:status"));
    }
  }
}

/** Report any other failure on the page rather than leaving it uncaught. */
export function guard(handler) {
  return (event) => {
    Promise.resolve(handler(event)).catch((error) => {
      if (!(error instanceof Refused)) flash(`Something went wrong: ${error.message}`);
    });
  };
}
