// Don't poll from a hidden tab; catch up as soon as it is visible again.
document.addEventListener("htmx:confirm", (event) => {
  if (event.target.id === "poller" && document.hidden) event.preventDefault();
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

// Images open full size in a lightbox; the link still works without script.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.lightbox-link");
  const box = document.getElementById("lightbox");
  if (!link || !box || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  box.querySelector("img").src = link.href;
  box.querySelector("img").alt = link.dataset.caption || "";
  box.querySelector(".lightbox-caption").textContent = link.dataset.caption || "";
  box.showModal();
});
document.addEventListener("click", (event) => {
  if (event.target.id === "lightbox") event.target.close();  // a click on the backdrop
});

// Selects that act at once (the team switcher); no inline handlers under the CSP.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.requestSubmit();
});
