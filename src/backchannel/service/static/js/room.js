// A party's room: compose and send packages, answer what the mediator passed on, confide
// preferences. A move against the party's own red line or walk-away value asks first.
import { act, guard } from "./actions.js";
import { api, call, explain, Refused } from "./api.js";
import { copyFrom, flash } from "./dom.js";
import { currentStatus, refresh } from "./live.js";
import { pickedTerms, setTerms } from "./terms.js";

/**
 * Send a move; if the server says it goes against the party's own limits, ask, and send it
 * again with the confirmation (and the same key: the refused request did nothing).
 */
async function sendMove(body, key) {
  try {
    return await call("POST", api("/messages"), { body, key, quiet: true });
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    if (error.status === 409 && error.data.confirm) {
      const verb = body.kind === "accept" ? "Accept" : "Propose";
      const question = `This package ${error.data.risk}.\n\n${verb} it anyway?`;
      if (!window.confirm(question)) {
        flash("Not sent: nothing left your room.", "ok");
        return null;
      }
      return call("POST", api("/messages"), { body: { ...body, [error.data.confirm]: true }, key });
    }
    if (error.status !== 401) flash(explain(error.data, error.status));
    throw error;
  }
}

/** Preferences may change only before the start: afterwards the form is read-only. */
export function lockPreferences() {
  const form = document.getElementById("preferences-form");
  const status = currentStatus();
  if (!form || !status || status === "setup") return;
  form.querySelectorAll("input, button").forEach((element) => { element.disabled = true; });
  form.querySelectorAll("button, .hint").forEach((element) => { element.hidden = true; });
}

export function setupRoom() {
  const form = document.getElementById("propose-form");
  if (!form) return;
  const showUtility = async () => {
    const data = await call("POST", api("/room/utility"), { body: { terms: pickedTerms(form) }, quiet: true });
    const bar = document.getElementById("utility-bar");
    document.getElementById("utility-value").textContent = data.utility.toFixed(2);
    bar.style.width = `${Math.round(100 * data.utility)}%`;
    bar.className = data.crosses_red_line || !data.above_reservation ? "low" : "";
    document.getElementById("utility-note").textContent = data.crosses_red_line
      ? "crosses one of your red lines"
      : (data.above_reservation ? "above your walk-away value" : "below your walk-away value");
  };
  form.addEventListener("change", guard(showUtility));
  guard(showUtility)();

  form.addEventListener("submit", guard((event) => {
    event.preventDefault();
    const body = { kind: "proposal", terms: pickedTerms(form), text: form.text.value };
    return act(event.submitter || form.querySelector("button[type=submit]"), async (key) => {
      if (await sendMove(body, key)) {
        form.text.value = "";
        flash("Proposal sent to the mediator.", "ok");
        await refresh();
      }
    });
  }));

  document.addEventListener("click", guard(async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "accept" || action === "reject") {
      const body = { kind: action, terms: JSON.parse(button.dataset.terms) };
      await act(button, async (key) => {
        if (await sendMove(body, key)) {
          flash(action === "accept" ? "Accepted." : "Rejected.", "ok");
          await refresh();
        }
      });
    } else if (action === "note") {
      const text = form.text.value;
      if (!text.trim()) {
        flash("Write the message first: a message needs some text.");
        form.text.focus();
        return;
      }
      await act(button, async (key) => {
        await call("POST", api("/messages"), { body: { kind: "note", text }, key });
        form.text.value = "";
        flash("Message sent to the mediator.", "ok");
        await refresh();
      });
    } else if (action === "load-terms") {
      setTerms(form, JSON.parse(button.dataset.terms));
      flash("Terms loaded into your composer: change what you want, then propose.", "ok");
      form.querySelector("select[data-issue]")?.focus();
    } else if (action === "copy") {
      await copyFrom(button);
    }
  }));

  const prefs = document.getElementById("preferences-form");
  prefs.addEventListener("submit", guard((event) => {
    event.preventDefault();
    const inputs = [...prefs.querySelectorAll("input[type=number]:not([name=__reservation])")];
    const total = inputs.reduce((sum, input) => sum + Number(input.value), 0);
    if (!(total > 0)) {
      flash("Give at least one issue a positive weight.");
      inputs[0]?.focus();
      return;
    }
    const weights = Object.fromEntries(inputs.map((input) => [input.name, Number(input.value) / total]));
    const reservation = Number(prefs.querySelector("input[name=__reservation]").value);
    return act(event.submitter || prefs.querySelector("button[type=submit]"), async (key) => {
      const room = await call("PUT", api("/room/preferences"), { body: { weights, reservation }, key });
      room.preferences.issues.forEach((issue) => {
        const input = prefs.querySelector(`input[name="${CSS.escape(issue.id)}"]`);
        if (input) input.value = issue.weight.toFixed(2);
      });
      prefs.querySelector("input[name=__reservation]").value = room.preferences.reservation.toFixed(2);
      flash("Preferences saved (weights rescaled to sum to 1). Only you and the mediator's assistant use them.", "ok");
      await showUtility();
    });
  }));
}
