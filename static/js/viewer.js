// The viewer: the grid's finished cards, large, one at a time. The arrow keys, the
// buttons and a swipe step through them in the grid's order; s stars, 1-5 rate, Esc
// closes and focus goes back to the card. What it shows is the server's
// (/generations/<id>/viewer/); without script a card's media is a link to its page.

let viewerShows = null;  // the id of the generation on show
let swipeFrom = null;

const viewerDialog = () => document.getElementById("viewer");

function viewerCards() {
  return [...document.querySelectorAll("#gallery-grid > [data-generation-id]")]
    .filter((card) => card.querySelector("[data-viewer-open]"));
}

function openerOf(card) {
  return card?.querySelector("a.icon-button[data-viewer-open]") || card?.querySelector("[data-viewer-open]");
}

function viewerPosition() {
  const cards = viewerCards();
  return { cards, at: cards.findIndex((card) => card.dataset.generationId === viewerShows) };
}

function showNav(dialog) {
  const { cards, at } = viewerPosition();
  const more = document.querySelector("#load-more a[hx-get]");
  dialog.querySelector('[data-viewer-step="-1"]').setAttribute("aria-disabled", String(at <= 0));
  dialog.querySelector('[data-viewer-step="1"]').setAttribute(
    "aria-disabled", String(at < 0 || (at === cards.length - 1 && !more)));
  dialog.querySelector("[data-viewer-count]").textContent =
    at >= 0 ? `${at + 1} of ${cards.length}${more ? "+" : ""}` : "";
}

function show(card) {
  const dialog = viewerDialog();
  const opener = openerOf(card);
  if (!dialog || !opener) return;
  viewerShows = card.dataset.generationId;
  dialog.querySelectorAll("audio, video").forEach((media) => media.pause());
  if (!dialog.open) dialog.showModal();
  dialog.setAttribute("aria-busy", "true");
  showNav(dialog);
  const body = dialog.querySelector("[data-viewer-body]");
  htmx.ajax("GET", opener.dataset.viewerOpen, { target: body, swap: "innerHTML" }).then(() => {
    const item = body.querySelector("[data-viewer-item]");
    if (!item || item.dataset.viewerItem !== viewerShows) return;  // a later step is on its way
    dialog.removeAttribute("aria-busy");
    dialog.setAttribute("aria-label", item.dataset.title);
    if (!dialog.contains(document.activeElement)) dialog.querySelector("[data-viewer-close]").focus();
  });
}

function step(by) {
  const { cards, at } = viewerPosition();
  if (at < 0) return;
  if (cards[at + by]) {
    show(cards[at + by]);
    return;
  }
  const more = document.querySelector("#load-more a[hx-get]");
  if (by > 0 && more) {  // the next page of the grid, then on
    document.addEventListener("htmx:afterSettle", () => step(by), { once: true });
    more.click();
  }
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-viewer-open]");
  if (!opener || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const card = opener.closest("[data-generation-id]");
  if (!card || !viewerDialog()) return;
  event.preventDefault();
  show(card);
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("#viewer [data-viewer-step]");
  if (button && button.getAttribute("aria-disabled") !== "true") step(Number(button.dataset.viewerStep));
  if (event.target === viewerDialog()) viewerDialog().close();  // a click on the backdrop
});

// "close" does not bubble: caught on its way down.
document.addEventListener("close", (event) => {
  if (event.target !== viewerDialog()) return;
  const body = event.target.querySelector("[data-viewer-body]");
  body.querySelectorAll("audio, video").forEach((media) => media.pause());
  body.replaceChildren();
  const card = document.getElementById(`gen-${viewerShows}`);
  viewerShows = null;
  if (card) {
    card.scrollIntoView({ block: "nearest" });
    openerOf(card)?.focus();
  }
}, true);

function typingIn(target) {
  return target.closest("input:not([type=radio]):not([type=checkbox]), textarea, select, [contenteditable='true']");
}

document.addEventListener("keydown", (event) => {
  const dialog = viewerDialog();
  if (!dialog?.open || event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
  if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
    // Players seek with the arrows, and a rating moves along its stars.
    if (event.target.closest("audio, video, input[type=radio]")) return;
    event.preventDefault();
    step(event.key === "ArrowLeft" ? -1 : 1);
  } else if (event.key === "s") {
    const star = dialog.querySelector("[data-viewer-body] form[data-star-for] button");
    if (star) { event.preventDefault(); star.click(); }
  } else if (/^[1-5]$/.test(event.key)) {
    const choice = dialog.querySelector(`[data-viewer-rate] input[value="${event.key}"]`);
    if (choice) { event.preventDefault(); if (!choice.checked) choice.click(); }
  }
});

// A rating given here shows on the card too (its average, from the server).
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (!form.matches?.("[data-viewer-rate]") || !event.detail.successful) return;
  const item = form.closest("[data-viewer-item]");
  const status = item.querySelector("[data-rate-status]");
  if (status) status.textContent = `Rated ${form.querySelector("input:checked")?.value} of 5`;
  if (document.getElementById(`gen-${item.dataset.viewerItem}`)) {
    htmx.ajax("GET", item.dataset.cardUrl, { target: `#gen-${item.dataset.viewerItem}`, swap: "outerHTML" });
  }
});

// Swipe left or right on the media (touch and pen; a mouse has the buttons and keys).
document.addEventListener("pointerdown", (event) => {
  swipeFrom = event.pointerType !== "mouse" && event.target.closest("#viewer [data-viewer-stage]")
    && !event.target.closest("audio") ? { x: event.clientX, y: event.clientY } : null;
});
document.addEventListener("pointerup", (event) => {
  if (!swipeFrom) return;
  const dx = event.clientX - swipeFrom.x;
  const dy = event.clientY - swipeFrom.y;
  swipeFrom = null;
  if (Math.abs(dx) > 48 && Math.abs(dx) > 1.5 * Math.abs(dy)) step(dx < 0 ? 1 : -1);
});
document.addEventListener("pointercancel", () => { swipeFrom = null; });

// Copy the words: the clipboard where the browser allows it, else they are selected
// for Ctrl+C.
function selectText(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector("[data-copy-status]");
  try {
    await navigator.clipboard.writeText(source.innerText);
    status.textContent = "Copied";
  } catch {
    selectText(source);
    let copied = false;
    try { copied = document.execCommand("copy"); } catch { copied = false; }
    status.textContent = copied ? "Copied" : "Selected: press Ctrl+C to copy";
  }
});
