// The mediator's assistant, drawn with text nodes only: option labels come from uploaded
// scenarios and must never be read as HTML.
import { el } from "./dom.js";

/** "Enrichment cap: 3.67 %" from the composer's own issue names and units. */
function termsText(terms) {
  return Object.entries(terms).map(([issue, value]) => {
    const select = document.querySelector(`#relay-form select[data-issue="${CSS.escape(issue)}"]`);
    const name = select?.dataset.name || issue;
    const unit = select?.dataset.unit ? ` ${select.dataset.unit}` : "";
    return `${name}: ${value}${unit}`;
  }).join("; ");
}

function partyName(id) {
  const option = [...document.querySelectorAll("#relay-form select[name=to] option")]
    .find((o) => o.value === id);
  return option ? option.textContent : id;
}

function row(label, point) {
  if (!point) return el("tr", {}, el("th", { scope: "row" }, label), el("td", { colspan: 2 }, "none"));
  const utilities = Object.entries(point.utilities)
    .map(([party, value]) => `${partyName(party)} ${value.toFixed(2)}`).join(" · ");
  return el("tr", {},
    el("th", { scope: "row" }, label),
    el("td", {}, el("small", {}, termsText(point.terms)), el("br"), utilities),
    el("td", {}, el("button", {
      type: "button", class: "small quiet", "aria-label": `Use the ${label} package`,
      dataset: { action: "use-terms", terms: JSON.stringify(point.terms) },
    }, "Use")));
}

export function renderAssistant(data) {
  const share = (100 * data.zopa_size / data.outcome_count).toFixed(1);
  const zone = data.zopa_exists
    ? `Zone of agreement: ${data.zopa_size.toLocaleString()} of ${data.outcome_count.toLocaleString()} packages (${share}%) leave every side above its walk-away value.`
    : "No zone of agreement: every package leaves some side below its walk-away value.";
  const solutions = [
    row("Nash", data.nash),
    row("Kalai–Smorodinsky", data.kalai_smorodinsky),
    row("Utilitarian", data.utilitarian),
  ];
  if (data.latest_draft) solutions.push(row("Latest draft", data.latest_draft));
  document.getElementById("assistant-out").replaceChildren(
    el("p", { class: data.zopa_exists ? "ok" : "warn" }, zone),
    el("div", { class: "table-scroll" }, el("table", { class: "table" }, el("tbody", {}, solutions))),
    el("h3", {}, "Frontier (best for the first party first)"),
    el("div", { class: "table-scroll" }, el("table", { class: "table" },
      el("tbody", {}, data.frontier.map((point, i) => row(`#${i + 1}`, point))))),
    el("p", { class: "hint" }, data.note),
  );
}
