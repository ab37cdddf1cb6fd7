// The mediator's desk: relay, edit, draft, seats, lifecycle and the assistant.
import { act, guard } from "./actions.js";
import { api, call } from "./api.js";
import { renderAssistant } from "./assistant.js";
import { announce, copyBox, copyFrom, el, flash } from "./dom.js";
import { refresh } from "./live.js";
import { pickedTerms, setTerms } from "./terms.js";

const CLOSE_QUESTION = "Close this negotiation? Nobody can send anything afterwards, and a " +
  "closed negotiation cannot be reopened.";

function partyName(id) {
  const option = [...document.querySelectorAll("#relay-form select[name=to] option")]
    .find((o) => o.value === id);
  return option ? option.textContent : id;
}

export function setupMediator() {
  const form = document.getElementById("relay-form");
  if (!form) return;
  const source = form.querySelector("input[name=source]");
  const note = document.getElementById("composer-source");
  const clearSource = () => { source.value = ""; note.hidden = true; };
  const focusComposer = () => form.querySelector("select[data-issue]")?.focus();

  form.addEventListener("submit", guard((event) => {
    event.preventDefault();
    const kind = form.kind.value;
    const text = form.text.value;
    if (kind === "note" && !text.trim() && !source.value) {
      flash("Write the message first: a note needs some text.");
      form.text.focus();
      return;
    }
    const body = { to: form.to.value, kind, text };
    if (kind !== "note") body.terms = pickedTerms(form);
    if (source.value) body.source = Number(source.value);
    return act(event.submitter || form.querySelector("button[type=submit]"), async (key) => {
      await call("POST", api("/relay"), { body, key });
      form.text.value = "";
      clearSource();
      flash(`Sent to ${partyName(body.to)}.`, "ok");
      await refresh();
    });
  }));

  const draftForm = document.getElementById("draft-form");
  draftForm.addEventListener("submit", guard((event) => {
    event.preventDefault();
    const body = { terms: pickedTerms(form), note: draftForm.note.value };
    return act(event.submitter || draftForm.querySelector("button"), async (key) => {
      const draft = await call("POST", api("/drafts"), { body, key });
      draftForm.note.value = "";
      flash(`Draft ${draft.version} saved.`, "ok");
      await refresh();
    });
  }));

  document.addEventListener("click", guard(async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "relay") {
      await act(button, async (key) => {
        const to = button.dataset.to;
        await call("POST", api("/relay"), { body: { to, source: Number(button.dataset.source) }, key });
        flash(`Passed on to ${partyName(to)}.`, "ok");
        await refresh();
      });
    } else if (action === "edit") {
      source.value = button.dataset.source;
      form.to.value = button.dataset.to;
      form.kind.value = button.dataset.kind;
      form.text.value = button.dataset.text || "";
      setTerms(form, JSON.parse(button.dataset.terms || "{}"));
      note.textContent = `Editing message #${button.dataset.source}: ${partyName(button.dataset.to)} will see only your version.`;
      note.hidden = false;
      form.scrollIntoView({ behavior: "smooth" });
      form.text.focus({ preventScroll: true });
    } else if (action === "clear-source") {
      clearSource();
    } else if (action === "load-terms" || action === "use-terms") {
      setTerms(form, JSON.parse(button.dataset.terms));
      flash("Terms loaded into the composer.", "ok");
      focusComposer();
    } else if (action === "start") {
      await act(button, async (key) => {
        await call("POST", api("/start"), { key });
        flash("The negotiation is open.", "ok");
        await refresh();
      });
    } else if (action === "close") {
      if (!window.confirm(CLOSE_QUESTION)) { flash("Not closed.", "ok"); return; }
      await act(button, async (key) => {
        await call("POST", api("/close"), { key });
        flash("The negotiation is closed.", "ok");
        await refresh();
      });
    } else if (action === "reissue") {
      const party = button.dataset.party;
      const question = `Issue a new invitation link for ${partyName(party)}? Their current ` +
        "link stops working at once.";
      if (!window.confirm(question)) return;
      await act(button, async (key) => {
        const made = await call("POST", api(`/seats/${encodeURIComponent(party)}/invitation`), { key });
        const box = document.getElementById("reissued");
        box.replaceChildren(
          el("p", {}, "New link for ", el("strong", {}, partyName(made.party)),
            " (the old one no longer works). Send it to them now: it is shown only here."),
          copyBox(`New invitation for ${made.party}`, made.link, `reissued-${made.party}`, made.party),
          el("button", { type: "button", class: "small quiet", dataset: { action: "dismiss-reissued" } },
            "Done, hide this link"),
        );
        box.querySelector("input").focus();
        announce(`New link for ${partyName(made.party)} shown.`);
      });
    } else if (action === "dismiss-reissued") {
      document.getElementById("reissued").replaceChildren();
    } else if (action === "assistant") {
      await act(button, async () => { renderAssistant(await call("GET", api("/assistant"))); });
    } else if (action === "copy") {
      await copyFrom(button);
    }
  }));

  document.addEventListener("change", guard(async (event) => {
    const select = event.target.closest("select[data-action=agent]");
    if (!select) return;
    const party = select.dataset.party;
    await act(null, async () => {
      await call("POST", api(`/seats/${encodeURIComponent(party)}/agent`), { body: { strategy: select.value || null } });
      flash(select.value ? `${partyName(party)}'s seat: agent ${select.value}.` : `${partyName(party)}'s seat: a person.`, "ok");
      await refresh();
    });
  }));
}
