// Don't poll from a hidden tab (the team poll, a card following its status); catch up
// as soon as it is visible again.
document.addEventListener("htmx:confirm", (event) => {
  const polling = event.target.id === "poller" || event.target.hasAttribute?.("data-follows-status");
  if (polling && document.hidden) event.preventDefault();
});
document.addEventListener("visibilitychange", () => {
  const poller = document.getElementById("poller");
  if (!document.hidden && poller && poller.getAttribute("hx-get")) {
    htmx.ajax("GET", poller.getAttribute("hx-get"), { source: poller, swap: "none" });
  }
});

// The I2V cost follows the chosen provider.
document.addEventListener("change", (event) => {
  const choice = event.target;
  if (choice.name !== "provider" || !choice.dataset.cost) return;
  const shown = choice.form.querySelector("[data-cost]:not(input)");
  if (shown) shown.textContent = choice.dataset.cost;
});

// Destructive actions ask first (an inline onsubmit confirm would be blocked by the
// CSP): a form, its submit button, or a ticked box in it carries data-confirm="…".
// Capture phase, so a declined submit never reaches htmx's listener on the form.
const confirmedSubmits = new WeakSet();
function confirmQuestion(form, submitter) {
  return submitter?.dataset.confirm || form.dataset.confirm
    || form.querySelector("input[data-confirm]:checked")?.dataset.confirm;
}
document.addEventListener("submit", (event) => {
  const question = confirmQuestion(event.target, event.submitter);
  if (!question) return;
  if (window.confirm(question)) {
    confirmedSubmits.add(event);
  } else {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);
// htmx requests from other triggers (a click, say) ask too; a confirmed submit does
// not ask twice.
document.addEventListener("htmx:confirm", (event) => {
  const { elt, triggeringEvent } = event.detail;
  const question = elt instanceof HTMLFormElement
    ? confirmQuestion(elt, triggeringEvent?.submitter) : elt.dataset?.confirm;
  if (!question || confirmedSubmits.has(triggeringEvent)) return;
  event.preventDefault();
  if (window.confirm(question)) event.detail.issueRequest(true);
});

// A read-only link to copy (an invitation) is selected whole when focused.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("input[data-select-on-focus]")) event.target.select();
});

// Selects that act at once (the team switcher); no inline handlers under the CSP.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.requestSubmit();
});

// The selection toolbar shows while something is ticked: it says what, and enables
// what fits (the server checks again). Compare is a GET: the zip button's CSRF token
// stays out of its URL.
function tickedBoxes() {
  return [...document.querySelectorAll('input[name="ids"][form="selection"]:checked')];
}
function updateSelection() {
  const bar = document.getElementById("selection");
  if (!bar) return;
  const ticked = tickedBoxes();
  const kinds = new Set(ticked.map((box) => box.dataset.kind));
  const compare = bar.querySelector("[data-selection-compare]");
  compare.disabled = ticked.length < 2 || kinds.size > 1;
  compare.title = kinds.size > 1 ? "Compare one kind at a time" : "";
  bar.querySelector("[data-selection-zip]").disabled = ticked.length === 0;
  bar.querySelector("[data-selection-status]").textContent = ticked.length
    ? `${ticked.length} selected${kinds.size > 1 ? " (mixed kinds)" : ""}` : "";
  bar.hidden = ticked.length === 0;
}
document.addEventListener("change", (event) => {
  if (event.target.matches('input[name="ids"][form="selection"]')) updateSelection();
});
document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-selection-clear]")) return;
  tickedBoxes().forEach((box) => { box.checked = false; });
  updateSelection();
});
document.addEventListener("DOMContentLoaded", updateSelection);
document.addEventListener("htmx:afterSettle", updateSelection);
document.addEventListener("submit", (event) => {
  if (event.target.id !== "selection" || event.submitter?.formMethod !== "get") return;
  const token = event.target.querySelector('[name="csrfmiddlewaretoken"]');
  token.disabled = true;
  setTimeout(() => { token.disabled = false; });
});

// Review forms answer a refusal (400) with the block and its errors: show it.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 400 && event.detail.elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
