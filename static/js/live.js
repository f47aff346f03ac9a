// The gallery, live by push: one event stream per open page (/events/) brings the
// team's new cards, changes to cards, stars and the balance. A card of one's own that
// is pending follows itself by polling (its hx-trigger); the team poll (#poller) stays
// inert while the stream is open and takes over when the stream cannot open (a proxy
// that buffers or refuses it). <html data-live> says which: "open" or "polling".

(() => {
  const FALLBACK_RETRY_MS = 60_000;  // a refused stream is tried again this often
  const READY_WITHIN_MS = 10_000;  // no first message by then: something buffers it
  let source = null;
  let streamUrl = null;
  let ready = false;
  let timers = [];

  // The gallery's stream (with its filters) where the page has one, else the top
  // bar's, which every team page has for its bell.
  const galleryRoot = () => document.querySelector("main [data-live-stream]");
  const liveRoot = () => galleryRoot() || document.querySelector("[data-live-stream]");
  const setMode = (mode) => { document.documentElement.dataset.live = mode; };

  function later(callback, ms) {
    timers.push(setTimeout(callback, ms));
  }

  function clearTimers() {
    timers.forEach(clearTimeout);
    timers = [];
  }

  function close() {
    source?.close();
    source = null;
    clearTimers();
  }

  function connect() {
    const url = liveRoot()?.dataset.liveStream;
    if (url === streamUrl && source) return;
    close();
    streamUrl = url;
    if (!url) return;
    if (!window.EventSource) { fallBack(); return; }
    ready = false;
    source = new EventSource(url);
    source.addEventListener("ready", () => { ready = true; clearTimers(); setMode("open"); });
    source.addEventListener("error", () => {
      // Open once: the browser reconnects by itself (Last-Event-ID) unless it gave up.
      if (!ready || source.readyState === EventSource.CLOSED) fallBack();
    });
    source.addEventListener("card", (event) => showCard(JSON.parse(event.data)));
    source.addEventListener("balance", (event) => replaceById("balance", JSON.parse(event.data).html));
    source.addEventListener("notification", (event) => showBell(JSON.parse(event.data)));
    source.addEventListener("reload", reloadCards);
    later(() => { if (!ready) fallBack(); }, READY_WITHIN_MS);
  }

  // The team poll, as before the stream: every few seconds, as the poller says.
  function fallBack() {
    close();
    setMode("polling");
    const poll = () => {
      const poller = document.getElementById("poller");
      if (poller) htmx.trigger(poller, "poll-now");
      later(poll, (Number(poller?.dataset.pollEvery) || 6) * 1000);
    };
    poll();
    later(() => { streamUrl = null; connect(); }, FALLBACK_RETRY_MS);
  }

  // A pushed card is drawn once for everyone like this viewer: its forms get this
  // page's own CSRF token.
  function csrfToken() {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  }

  function parse(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function replaceById(id, html) {
    const old = document.getElementById(id);
    if (old) replaceKeepingFocus(old, parse(html));
  }

  // A redrawn card that holds the focus (its link, back from the viewer) gives it to
  // the same control of the new one, else a keyboard user is left on the page's body.
  // (htmx's own swaps do the same by the control's id.)
  const FOCUSABLE = "a[href], button, input, select, textarea, audio[controls], video[controls], [tabindex]";

  function replaceKeepingFocus(old, fresh) {
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    const at = focused ? [...old.querySelectorAll(FOCUSABLE)].indexOf(focused) : -1;
    old.replaceWith(fresh);
    if (at >= 0) fresh.querySelectorAll(FOCUSABLE)[at]?.focus({ preventScroll: true });
  }

  // A card event: the card this page shows for it (stacked or not, with this page's
  // filters), or none when the page no longer shows it.
  function showCard({ id, set, card, html, csrf }) {
    const grid = document.getElementById("gallery-grid");
    if (!grid || !galleryRoot()) return;  // not the gallery's stream: not its filters
    if (String(card) !== String(id)) document.getElementById(`gen-${id}`)?.remove();
    if (!html) return;
    const fresh = parse(html.replaceAll(csrf, csrfToken()));
    if (set) {  // a set's stacked card moves to its newest item
      grid.querySelectorAll(`[data-set-id="${set}"]`).forEach((other) => {
        if (other.id !== fresh.id) other.remove();
      });
    }
    const old = document.getElementById(fresh.id);
    if (old?.isEqualNode(fresh)) return;  // a playing clip keeps playing
    if (old) replaceKeepingFocus(old, fresh);
    else if (!insertInOrder(grid, fresh)) return;
    htmx.process(fresh);
    document.getElementById("gallery-empty")?.remove();
    document.dispatchEvent(new CustomEvent("studio:card-shown", { detail: fresh }));
  }

  // The bell, redrawn for its owner: an open list stays open.
  function showBell({ html, csrf }) {
    const old = document.getElementById("bell");
    if (!old) return;
    const fresh = parse(html.replaceAll(csrf, csrfToken()));
    fresh.open = old.open;
    old.replaceWith(fresh);
    htmx.process(fresh);
  }

  // Newest first; a card older than the last one shown belongs to a later page.
  function insertInOrder(grid, fresh) {
    const id = Number(fresh.dataset.generationId);
    const cards = [...grid.querySelectorAll(":scope > [data-generation-id]")];
    const after = cards.find((other) => Number(other.dataset.generationId) < id);
    if (after) grid.insertBefore(fresh, after);
    else if (!document.querySelector("#load-more a")) grid.append(fresh);
    else return false;
    return true;
  }

  // Away longer than the stream can tell: draw the cards anew.
  function reloadCards() {
    if (!galleryRoot()) return;
    htmx.ajax("GET", window.location.href, { target: "#gallery-results", swap: "outerHTML" });
  }

  // While the stream is open the team poll asks nothing (other scripts may still
  // trigger it: a card from the composer, a tab shown again).
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id === "poller" && source && ready) event.preventDefault();
  });
  // New filters: a stream for them, starting where the new cards were drawn.
  document.addEventListener("htmx:afterSettle", connect);
  document.addEventListener("DOMContentLoaded", connect);
  window.addEventListener("pagehide", close);
})();
