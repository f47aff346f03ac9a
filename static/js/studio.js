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
