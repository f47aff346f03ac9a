// Notes at a moment: markers on a clip's timeline and pins on a picture (placed from
// their data attributes, since the page allows no inline styles), a click on a note's
// time seeks the player there, "Now" takes the player's time, a click on the picture
// pins the note being written, and "@" suggests the team's members.

function scopeOf(element) {
  return element.closest("[data-notes-scope], .detail-layout, .viewer-item, main") || document;
}

function playerIn(scope) {
  return scope.querySelector("video.media-video, figure.media-audio audio");
}

function placeMarkers(marks) {
  const timeline = marks.querySelector("[data-note-timeline]");
  if (timeline) {
    const player = playerIn(scopeOf(marks));
    const length = parseFloat(marks.dataset.duration) || (player && player.duration) || 0;
    if (!length || !isFinite(length)) {
      if (player) player.addEventListener("loadedmetadata", () => placeMarkers(marks), { once: true });
      return;
    }
    // Under a letterboxed clip in the viewer, the timeline is as wide as the clip.
    if (player && marks.closest(".viewer-stage")) marks.style.width = `${player.getBoundingClientRect().width}px`;
    timeline.querySelectorAll("[data-at]").forEach((marker) => {
      const at = Math.min(parseFloat(marker.dataset.at) / length, 1);
      marker.style.left = `${at * 100}%`;
      const until = parseFloat(marker.dataset.until);
      if (until) marker.style.width = `${(Math.min(until / length, 1) - at) * 100}%`;
    });
    timeline.dataset.placed = "";
  }
  const pins = marks.querySelector("[data-note-pins]");
  if (pins) placePins(pins);
}

// Pins sit over the picture itself, which may be letterboxed inside its stage.
function placePins(pins) {
  const picture = scopeOf(pins).querySelector("img.media-image");
  if (!picture) return;
  if (!picture.complete) {
    picture.addEventListener("load", () => placePins(pins), { once: true });
    return;
  }
  const box = picture.getBoundingClientRect();
  const frame = pins.getBoundingClientRect();
  pins.querySelectorAll("[data-x]").forEach((pin) => {
    pin.style.left = `${box.left - frame.left + parseFloat(pin.dataset.x) * box.width}px`;
    pin.style.top = `${box.top - frame.top + parseFloat(pin.dataset.y) * box.height}px`;
  });
  pins.dataset.placed = "";
}

window.addEventListener("resize", () => document.querySelectorAll("[data-note-pins]").forEach(placePins));

function placeAll() {
  document.querySelectorAll("[data-note-marks]").forEach(placeMarkers);
}

document.addEventListener("DOMContentLoaded", placeAll);
document.addEventListener("htmx:afterSettle", placeAll);
document.addEventListener("htmx:oobAfterSwap", placeAll);

document.addEventListener("click", (event) => {
  const seek = event.target.closest("[data-seek]");
  if (seek) {
    const player = playerIn(scopeOf(seek));
    if (!player) return;
    player.currentTime = parseFloat(seek.dataset.seek);
    player.dataset.seekedTo = seek.dataset.seek;
    return;
  }
  const now = event.target.closest("[data-note-now]");
  if (now) {
    const player = playerIn(scopeOf(now));
    const field = now.closest("form").querySelector("input[name=at]");
    if (player && field) field.value = (Math.round(player.currentTime * 10) / 10).toString();
    return;
  }
  const picture = event.target.closest("img.media-image");
  if (picture) pinTo(picture, event);
});

function pinTo(picture, event) {
  const scope = scopeOf(picture);
  const form = scope.querySelector("form.comment-form, form.outside-note-form");
  const x = form && form.querySelector("input[name=point_x]");
  if (!x) return;
  const box = picture.getBoundingClientRect();
  const fraction = (value) => Math.min(Math.max(value, 0), 1).toFixed(4);
  x.value = fraction((event.clientX - box.left) / box.width);
  form.querySelector("input[name=point_y]").value = fraction((event.clientY - box.top) / box.height);
  const status = form.querySelector("[data-point-status]");
  if (status) {
    status.textContent = `Pinned at ${Math.round(x.value * 100)} % across, `
      + `${Math.round(form.querySelector("input[name=point_y]").value * 100)} % down.`;
  }
}

// Mentions: the word being typed, when it starts with "@", matched against the names
// in the field's data-mention-names; a click (or Enter on a suggestion) completes it.
function typedMention(field) {
  const before = field.value.slice(0, field.selectionStart);
  const match = before.match(/(?:^|\s)@([\w.+-]*)$/);
  return match ? match[1] : null;
}

function suggest(field) {
  const list = field.parentElement.querySelector("[data-mention-suggest]");
  if (!list) return;
  const typed = typedMention(field);
  const names = (field.dataset.mentionNames || "").split(" ").filter(Boolean);
  const found = typed === null ? [] : names.filter(
    (name) => name.toLowerCase().startsWith(typed.toLowerCase())).slice(0, 6);
  list.replaceChildren(...found.map((name) => {
    const item = document.createElement("li");
    item.setAttribute("role", "option");
    item.tabIndex = -1;
    item.dataset.mention = name;
    item.textContent = `@${name}`;
    return item;
  }));
  list.hidden = found.length === 0;
}

function complete(field, name) {
  const caret = field.selectionStart;
  const before = field.value.slice(0, caret).replace(/@[\w.+-]*$/, `@${name} `);
  field.value = before + field.value.slice(caret);
  field.focus();
  field.setSelectionRange(before.length, before.length);
  suggest(field);
}

document.addEventListener("input", (event) => {
  if (event.target.matches("textarea[data-mention-names]")) suggest(event.target);
});

document.addEventListener("keydown", (event) => {
  const field = event.target.closest("textarea[data-mention-names]");
  if (!field) return;
  const first = field.parentElement.querySelector("[data-mention-suggest]:not([hidden]) [data-mention]");
  if (first && (event.key === "Tab" || event.key === "Enter")) {
    event.preventDefault();
    complete(field, first.dataset.mention);
  }
});

document.addEventListener("mousedown", (event) => {
  const option = event.target.closest("[data-mention]");
  if (!option) return;
  event.preventDefault();
  complete(option.closest(".field").querySelector("textarea"), option.dataset.mention);
});

// An outside link's Copy button: the address to the clipboard, selected as well.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-share-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.shareCopy);
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    button.lastChild.textContent = "Copied";
  } catch {
    button.lastChild.textContent = "Press Ctrl+C";
  }
});
