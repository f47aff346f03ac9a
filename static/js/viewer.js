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
  if (zoom.scale > 1.001 || zoom.moved) {  // a zoomed picture is dragged, not swiped
    swipeFrom = null;
    return;
  }
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

// Looking closely at a picture: Fit, 100 % (actual pixels), zoom with the wheel, a
// pinch or z (Fit <-> 100 %), a double click; drag to look around once zoomed. The
// scale is against the fitted size: 1 is Fit.
const zoom = { scale: 1, x: 0, y: 0, pointers: new Map(), pinch: null, drag: null, moved: false };

const zoomedImage = () => document.querySelector("#viewer [data-viewer-stage] img.media-image");
const actualScale = (image) => Math.max(1, image.naturalWidth / image.offsetWidth);

function showZoom(image) {
  image.style.transform = `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})`;
  image.classList.toggle("is-zoomed", zoom.scale > 1.001);
  const controls = image.closest("[data-viewer-stage]").querySelector("[data-zoom-controls]");
  if (!controls) return;
  const actual = Math.abs(zoom.scale - actualScale(image)) < 0.01;
  controls.querySelector('[data-zoom="fit"]').setAttribute("aria-pressed", String(zoom.scale <= 1.001));
  controls.querySelector('[data-zoom="actual"]').setAttribute("aria-pressed", String(actual));
  const percent = Math.round((zoom.scale * image.offsetWidth / image.naturalWidth) * 100);
  controls.querySelector("[data-zoom-level]").textContent = zoom.scale <= 1.001 ? "" : `${percent} %`;
}

// Keeps the picture over the stage: it can be dragged only as far as it is larger.
function keepInView(image) {
  const reachX = ((zoom.scale - 1) * image.offsetWidth) / 2;
  const reachY = ((zoom.scale - 1) * image.offsetHeight) / 2;
  zoom.x = Math.min(reachX, Math.max(-reachX, zoom.x));
  zoom.y = Math.min(reachY, Math.max(-reachY, zoom.y));
}

// To `scale`, keeping the point `at` (of the screen) where it is.
function zoomTo(image, scale, at) {
  const next = Math.min(Math.max(1, scale), actualScale(image) * 4);
  const box = image.getBoundingClientRect();
  const centre = { x: box.left + box.width / 2 - zoom.x, y: box.top + box.height / 2 - zoom.y };
  const point = at || { x: centre.x + zoom.x, y: centre.y + zoom.y };
  const px = (point.x - centre.x - zoom.x) / zoom.scale;
  const py = (point.y - centre.y - zoom.y) / zoom.scale;
  zoom.x = point.x - centre.x - next * px;
  zoom.y = point.y - centre.y - next * py;
  zoom.scale = next;
  keepInView(image);
  showZoom(image);
}

function resetZoom() {
  Object.assign(zoom, { scale: 1, x: 0, y: 0, pinch: null, drag: null, moved: false });
  zoom.pointers.clear();
}
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.matches?.("[data-viewer-body]")) resetZoom();
});

function toggleZoom(image, at) {
  zoomTo(image, zoom.scale > 1.001 ? 1 : actualScale(image), at);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("#viewer [data-zoom]");
  const image = zoomedImage();
  if (!button || !image) return;
  zoomTo(image, button.dataset.zoom === "fit" ? 1 : actualScale(image));
});
document.addEventListener("dblclick", (event) => {
  const image = event.target.closest("#viewer img.media-image");
  if (image) toggleZoom(image, { x: event.clientX, y: event.clientY });
});
document.addEventListener("keydown", (event) => {
  const image = viewerDialog()?.open && zoomedImage();
  if (!image || event.key !== "z" || event.ctrlKey || event.metaKey || event.altKey
      || typingIn(event.target)) return;
  event.preventDefault();
  toggleZoom(image);
});
document.addEventListener("wheel", (event) => {
  const image = zoomedImage();
  if (!image || !event.target.closest("#viewer [data-viewer-stage]")) return;
  event.preventDefault();
  zoomTo(image, zoom.scale * Math.exp(-event.deltaY * 0.0015), { x: event.clientX, y: event.clientY });
}, { passive: false });

const distance = ([a, b]) => Math.hypot(a.x - b.x, a.y - b.y);
const middle = ([a, b]) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
document.addEventListener("pointerdown", (event) => {
  const image = event.target.closest?.("#viewer img.media-image");
  if (!image) return;
  image.setPointerCapture(event.pointerId);
  zoom.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  zoom.moved = false;
  const points = [...zoom.pointers.values()];
  if (points.length === 2) {
    zoom.pinch = { distance: distance(points), scale: zoom.scale };
    zoom.drag = null;
  } else if (zoom.scale > 1.001) {
    zoom.drag = { x: event.clientX - zoom.x, y: event.clientY - zoom.y };
  }
});
document.addEventListener("pointermove", (event) => {
  if (!zoom.pointers.has(event.pointerId)) return;
  const image = zoomedImage();
  zoom.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
  const points = [...zoom.pointers.values()];
  if (zoom.pinch && points.length === 2) {
    zoom.moved = true;
    zoomTo(image, zoom.pinch.scale * (distance(points) / zoom.pinch.distance), middle(points));
  } else if (zoom.drag) {
    zoom.moved = true;
    zoom.x = event.clientX - zoom.drag.x;
    zoom.y = event.clientY - zoom.drag.y;
    keepInView(image);
    showZoom(image);
  }
});
function endPointer(event) {
  zoom.pointers.delete(event.pointerId);
  if (zoom.pointers.size < 2) zoom.pinch = null;
  if (zoom.pointers.size === 0) zoom.drag = null;
}
document.addEventListener("pointerup", endPointer);
document.addEventListener("pointercancel", endPointer);
