// The home page: open a negotiation and show each invitation link once, with a Copy button.
import { call } from "./api.js";
import { act, guard } from "./actions.js";
import { copyBox, copyFrom, el, flash } from "./dom.js";

export function setupHome() {
  const form = document.getElementById("create-form");
  if (!form) return;
  document.addEventListener("click", guard(async (event) => {
    const button = event.target.closest("button[data-action=copy]");
    if (button) await copyFrom(button);
  }));
  form.addEventListener("submit", guard((event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    return act(button, async () => {
      const data = new FormData(form);
      const file = data.get("file");
      if (!file || !file.name) data.delete("file"); else data.delete("scenario");
      const created = await call("POST", "/api/negotiations", { form: data });
      const links = document.getElementById("links");
      links.replaceChildren(
        el("li", {}, copyBox("Your own link (mediator)", created.mediator_link, "link-mediator", "mediator")),
        ...Object.entries(created.invitations).map(([party, link]) =>
          el("li", {}, copyBox(`Invitation for ${party}`, link, `link-${party}`, party))),
      );
      document.getElementById("desk-link").href = `/n/${created.id}`;
      const section = document.getElementById("created");
      section.hidden = false;
      section.querySelector("h2").focus();
      flash("Negotiation created: send each party its link.", "ok");
    });
  }));
}
