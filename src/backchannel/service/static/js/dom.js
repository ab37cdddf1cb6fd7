// DOM helpers: every node is built from text (never from HTML), so data cannot become markup.

/** An element with attributes and children; strings become text nodes. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

/** A short message at the top of the page: errors stay, confirmations fade. */
export function flash(text, kind = "error") {
  const box = document.getElementById("flash");
  if (!box) return;
  box.textContent = text;
  box.className = `flash ${kind}`;
  box.hidden = !text;
  if (text && kind !== "error") {
    setTimeout(() => { if (box.textContent === text) box.hidden = true; }, 4000);
  }
}

/** Tell screen-reader users what changed (the region is aria-live="polite"). */
export function announce(text) {
  const region = document.getElementById("announce");
  if (!region || !text) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

/** A fresh random key for one action (works on plain http too, unlike randomUUID). */
export function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A read-only link box with a label and a Copy button. */
export function copyBox(label, link, id, party) {
  const input = el("input", { id, class: "link", readonly: true, dataset: { party } });
  input.value = link;
  return el("div", { class: "copy-link" },
    el("label", { for: id }, label),
    el("div", { class: "copy-row" }, input,
      el("button", { type: "button", class: "small", dataset: { action: "copy", target: id },
        "aria-label": `Copy ${label}` }, "Copy")));
}

/** Copy the text of the input a Copy button names. */
export async function copyFrom(button) {
  const input = document.getElementById(button.dataset.target);
  if (!input) return;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");  // no clipboard permission: the selected text is copied
  }
  button.textContent = "Copied";
  announce("Link copied.");
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
}
