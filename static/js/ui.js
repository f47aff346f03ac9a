// The parts of every page: the theme switch, times in the browser's own time zone,
// menus that close, and the keyboard shortcuts with their "?" sheet.

// Theme: system -> light -> dark -> system; remembered in a cookie, so the server
// renders the next page in it already (no flash, no inline script).
const THEMES = ["", "light", "dark"];
const THEME_NAMES = { "": "as the system", light: "light", dark: "dark" };
const THEME_ICONS = { "": "monitor", light: "sun", dark: "moon" };

function showTheme(button, theme) {
  const label = `Theme: ${THEME_NAMES[theme]}`;
  button.setAttribute("aria-label", label);
  button.title = label;
  button.dataset.themeNow = theme;
  const use = button.querySelector("use");
  if (use) use.setAttribute("href", use.getAttribute("href").replace(/#.*$/, `#${THEME_ICONS[theme]}`));
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-theme-switch]");
  if (!button) return;
  const now = document.documentElement.dataset.theme || "";
  const next = THEMES[(THEMES.indexOf(now) + 1) % THEMES.length];
  if (next) document.documentElement.dataset.theme = next;
  else delete document.documentElement.dataset.theme;
  document.cookie = next
    ? `theme=${next}; path=/; max-age=31536000; samesite=lax`
    : "theme=; path=/; max-age=0; samesite=lax";
  showTheme(button, next);
});

// Times: the page says UTC; show the browser's zone and keep UTC on hover.
const LOCAL_FORMATS = {
  datetime: { dateStyle: "medium", timeStyle: "short" },
  date: { dateStyle: "medium" },
  time: { timeStyle: "medium" },
};
function localTimes(root) {
  root.querySelectorAll("time[data-local]:not([data-localized])").forEach((time) => {
    const moment = new Date(time.getAttribute("datetime"));
    if (Number.isNaN(moment.getTime())) return;
    const format = LOCAL_FORMATS[time.dataset.local] || LOCAL_FORMATS.datetime;
    time.textContent = new Intl.DateTimeFormat(undefined, format).format(moment);
    time.dataset.localized = "";
  });
}

// Menus (<details data-menu>) close on a click elsewhere and on Escape.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details[data-menu][open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.open = false;
  });
});

// Shortcuts. Never while typing, and never with Ctrl/Alt/Cmd (those are the browser's).
function typing(target) {
  return target.closest("input, textarea, select, [contenteditable='true']") !== null;
}
function openShortcuts() {
  const sheet = document.getElementById("shortcuts");
  if (sheet && !sheet.open) sheet.showModal();
}
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-shortcuts-open]")) openShortcuts();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    document.querySelectorAll("details[data-menu][open]").forEach((menu) => { menu.open = false; });
  }
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (document.querySelector("dialog[open]:not(#shortcuts)")) return;  // the viewer has its own keys
  if (event.key === "?") {
    event.preventDefault();
    openShortcuts();
  } else if (event.key === "/") {
    const search = document.querySelector("[data-shortcut-search]");
    if (search) { event.preventDefault(); search.focus(); search.select?.(); }
  } else if (event.key === "n") {
    const prompt = document.querySelector("[data-shortcut-new]");
    if (prompt) { event.preventDefault(); prompt.focus(); }
    else if (document.body.dataset.newUrl) window.location.assign(document.body.dataset.newUrl);
  }
});

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);
  const button = document.querySelector("[data-theme-switch]");
  if (button) showTheme(button, document.documentElement.dataset.theme || "");
});
document.addEventListener("htmx:afterSettle", (event) => localTimes(event.target));

// The page's scripts have all run (every DOMContentLoaded handler, htmx's set-up):
// browser tests wait for this mark before they act on a page they navigated to.
window.addEventListener("load", () => { document.documentElement.dataset.ready = "true"; });

// Relative times ("3 hours ago") from <time data-relative>: the server writes the
// moment (cached cards never age), the page says how long ago, each minute anew.
const RELATIVE_STEPS = [["year", 31536000], ["month", 2592000], ["week", 604800],
  ["day", 86400], ["hour", 3600], ["minute", 60]];
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
function relativeTimes(root) {
  const now = Date.now();
  root.querySelectorAll("time[data-relative]").forEach((time) => {
    const moment = new Date(time.getAttribute("datetime")).getTime();
    if (Number.isNaN(moment)) return;
    const seconds = Math.round((moment - now) / 1000);
    const step = RELATIVE_STEPS.find(([, size]) => Math.abs(seconds) >= size);
    if (step) time.textContent = relativeFormat.format(Math.trunc(seconds / step[1]), step[0]);
    else if (seconds > 1) time.textContent = relativeFormat.format(seconds, "second");
    else time.textContent = seconds >= -1 && moment > now ? "any moment now" : "just now";
  });
}
document.addEventListener("DOMContentLoaded", () => {
  relativeTimes(document);
  setInterval(() => relativeTimes(document), 15000);
});
document.addEventListener("htmx:afterSettle", (event) => relativeTimes(event.target));

// A suggestion offered beside an empty field (a voice-over's video prompt): "Use it".
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-use-suggestion]");
  if (!button) return;
  const field = document.getElementById(button.dataset.useSuggestion);
  field.value = field.dataset.suggestion || "";
  field.dispatchEvent(new Event("input", {bubbles: true}));
  field.focus();
});
