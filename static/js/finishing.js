// The finishing pages: the mix form warns when video and voice lengths differ by
// more than half a second.
"use strict";

function durations(select) {
  return Object.fromEntries((select.dataset.durations || "").split(",").filter(Boolean)
    .map((pair) => pair.split(":").map(Number)));
}

function checkLengths(form) {
  const video = form.querySelector("[name=video]");
  const speech = form.querySelector("[name=speech]");
  const offset = Number(form.querySelector("[name=offset]").value || 0);
  const videoMs = durations(video)[video.value];
  const speechMs = durations(speech)[speech.value];
  const warning = form.querySelector("[data-mix-warning]");
  if (!videoMs || !speechMs) {
    warning.hidden = true;
    return;
  }
  const gap = (offset * 1000 + speechMs - videoMs) / 1000;
  warning.hidden = Math.abs(gap) <= 0.5;
  form.querySelector("[data-mix-warning-text]").textContent =
    `The ${gap > 0 ? "voice" : "video"} runs ${Math.abs(gap).toFixed(1)} s longer.`;
}

document.addEventListener("input", (event) => {
  const form = event.target.closest("[data-mix-form]");
  if (form) checkLengths(form);
});
