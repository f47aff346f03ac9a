// The gallery grid: video previews on hover, filter chips, and a grid kept tidy as
// cards arrive (from the poller, from the composer) and stars change.

// Videos play muted while the pointer is over their card, and stop when it leaves.
function hoverVideo(event) {
  if (event.pointerType !== "mouse") return null;
  const tile = event.target.closest?.(".card-tile");
  if (!tile || tile.contains(event.relatedTarget)) return null;
  const video = tile.querySelector("video[data-hover-play]");
  return video ? { tile, video } : null;
}
document.addEventListener("pointerover", (event) => {
  const found = hoverVideo(event);
  if (!found) return;
  found.video.muted = true;
  found.video.play().then(() => found.tile.classList.add("is-playing"), () => {});
});
document.addEventListener("pointerout", (event) => {
  const found = hoverVideo(event);
  if (!found) return;
  found.tile.classList.remove("is-playing");
  found.video.pause();
  found.video.load();  // back to its poster
});

// A chip removes its filter from the form, which asks again through htmx (the URL
// and the back button follow); without script the chip is a plain link.
function clearFilter(form, name) {
  [...form.elements].forEach((field) => {
    if (!field.name || (name && field.name !== name)) return;
    if (field.type === "checkbox") field.checked = false;
    else field.value = "";
  });
}
document.addEventListener("click", (event) => {
  const chip = event.target.closest("[data-clear-filter]");
  const form = document.getElementById("gallery-filters");
  if (!chip || !form || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  clearFilter(form, chip.dataset.clearFilter);
  form.requestSubmit();
});

// New cards may come twice (the composer's answer, then the poll): the first one,
// the newest, stays. The empty state goes once there is a card.
function tidyGrid() {
  const grid = document.getElementById("gallery-grid");
  if (!grid) return;
  const seen = new Set();
  grid.querySelectorAll(":scope > [data-generation-id]").forEach((card) => {
    if (seen.has(card.dataset.generationId)) card.remove();
    else seen.add(card.dataset.generationId);
  });
  if (seen.size) document.getElementById("gallery-empty")?.remove();
}
document.addEventListener("htmx:afterSettle", tidyGrid);
document.addEventListener("htmx:oobAfterSwap", tidyGrid);

// A star changed in one place (a card, the viewer) changes everywhere it shows.
document.addEventListener("htmx:afterSwap", (event) => {
  const form = event.target;
  if (!form.matches?.("form[data-star-for]")) return;
  document.querySelectorAll(`form[data-star-for="${form.dataset.starFor}"]`).forEach((other) => {
    if (other === form) return;
    const copy = form.cloneNode(true);
    other.replaceWith(copy);
    htmx.process(copy);
  });
});

// A card newer than any the poller knows (the composer's answer put it there): ask
// at once, so it is followed from its first moment rather than at the next idle poll.
document.addEventListener("htmx:afterSettle", () => {
  const poller = document.getElementById("poller");
  const url = poller?.getAttribute("hx-get");
  if (!url) return;
  const newest = Number(new URL(url, window.location.href).searchParams.get("newest")) || 0;
  const cards = document.querySelectorAll("#gallery-grid > [data-generation-id]");
  if ([...cards].some((card) => Number(card.dataset.generationId) > newest)) {
    htmx.trigger(poller, "poll-now");
  }
});

// Row size: the grid takes the chosen size at once and the member keeps it. Its
// radios sit in the filters' panel but belong to a form of their own: caught before
// the filters' form hears the change and asks for results again.
document.addEventListener("change", (event) => {
  const choice = event.target.closest?.("input[name=density][form]");
  const form = choice && document.getElementById(choice.getAttribute("form"));
  const grid = document.querySelector("[data-gallery-grid]");
  if (!form || !grid) return;
  event.stopPropagation();
  grid.classList.remove("density-small", "density-medium", "density-large");
  grid.classList.add(`density-${choice.value}`);
  fetch(form.action, { method: "POST", body: new FormData(form), headers: { "HX-Request": "true" } });
}, true);
