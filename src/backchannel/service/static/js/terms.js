// The package composer shared by the desk and the room: one select per issue.

export function pickedTerms(form) {
  const terms = {};
  form.querySelectorAll("select[data-issue]").forEach((s) => { terms[s.dataset.issue] = s.value; });
  return terms;
}

export function setTerms(form, terms) {
  Object.entries(terms || {}).forEach(([issue, value]) => {
    const select = form.querySelector(`select[data-issue="${CSS.escape(issue)}"]`);
    if (!select) return;
    const option = [...select.options].find((o) => o.value === String(value) ||
      Number(o.value) === Number(value));
    if (option) select.value = option.value;
  });
  form.dispatchEvent(new Event("change"));
}
