// The composer at the top of the gallery, and every kind's form (the composer's panels
// and the per-kind pages share the markup: templates/generations/_kind_form.html):
// tabs, the cost and balance after as values change, character counters, the source
// picker, Ctrl/Cmd+Enter. Everything is delegated from data- attributes, so panels
// that htmx swaps in work at once.
(() => {
  if (window.studioComposer) return;  // linked by the gallery and by a kind's page
  window.studioComposer = true;

  const numbers = new Intl.NumberFormat("en-US");  // as the server's intcomma writes them
  // The tab last used, in a cookie: the server draws that panel on the next load.
  const COOKIE = "compose";
  const LIBRARY = "library";  // the tab of saved prompts: not a kind, never remembered

  // --- tabs: a tablist (arrow keys, Home, End); without script they are links ------
  // Only the chosen panel comes drawn; another is fetched the first time its tab is
  // pointed at, focused or chosen (composer.py).
  const composer = () => document.querySelector("[data-composer]");
  const tabs = (root) => [...root.querySelectorAll("[data-compose-tab]")];
  const panelFor = (root, slug) => root.querySelector(`[data-compose-panel="${CSS.escape(slug)}"]`);
  const shownPanel = (root) => root.querySelector("[data-compose-panel]:not([hidden])");
  let focusWhenLoaded = null;

  function load(panel) {
    const holder = panel?.querySelector("[data-compose-load]");
    if (!holder || "loading" in holder.dataset) return;
    holder.dataset.loading = "";
    htmx.ajax("GET", holder.dataset.composeLoad, { target: panel, swap: "innerHTML" })
      .catch(() => { delete holder.dataset.loading; });  // its link still leads to the form
  }

  // The "n" shortcut (ui.js) goes to the words of the panel that shows, and only there.
  function markShortcut(root) {
    root.querySelectorAll("[data-shortcut-new]").forEach((el) => el.removeAttribute("data-shortcut-new"));
    wordsOf(shownPanel(root))?.setAttribute("data-shortcut-new", "");
  }

  function choose(slug, { focusTab = false, focusWords = false, remember = true } = {}) {
    const root = composer();
    const tab = root && root.querySelector(`[data-compose-tab="${CSS.escape(slug)}"]`);
    if (!tab) return false;
    tabs(root).forEach((other) => {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
    });
    root.querySelectorAll("[data-compose-panel]").forEach((panel) => {
      panel.hidden = panel.dataset.composePanel !== slug;
    });
    const panel = panelFor(root, slug);
    load(panel);
    markShortcut(root);
    tab.scrollIntoView({ block: "nearest", inline: "nearest" });
    if (focusTab) tab.focus();
    if (focusWords) {
      const words = wordsOf(panel);
      if (words) words.focus();
      else focusWhenLoaded = panel;
    }
    if (remember && slug !== LIBRARY) document.cookie = `${COOKIE}=${slug}; path=/; max-age=31536000; samesite=lax`;
    return true;
  }

  function wordsOf(container) {
    return container?.querySelector(".field-words textarea, .field-words input") || null;
  }

  function slugFromHash() {
    const match = window.location.hash.match(/^#compose-([\w-]+)$/);
    return match ? match[1] : "";
  }

  function startComposer() {
    const root = composer();
    if (!root) return;
    const slug = slugFromHash() || root.dataset.chosen;
    const named = Boolean(slugFromHash()) || "chosenByUrl" in root.dataset;
    choose(slug, { remember: named, focusWords: named || window.location.hash === "#composer" });
  }

  document.addEventListener("click", (event) => {
    const tab = event.target.closest("[data-compose-tab]");
    if (!tab || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    choose(tab.dataset.composeTab);
  });
  document.addEventListener("keydown", (event) => {
    const tab = event.target.closest?.("[data-compose-tab]");
    if (!tab) return;
    const all = tabs(composer());
    const at = all.indexOf(tab);
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    choose(all[(next + all.length) % all.length].dataset.composeTab, { focusTab: true });
  });
  for (const type of ["pointerover", "focusin"]) {
    document.addEventListener(type, (event) => {
      const tab = event.target.closest?.("[data-compose-tab]");
      if (tab) load(panelFor(composer(), tab.dataset.composeTab));
    });
  }
  window.addEventListener("hashchange", () => {
    const slug = slugFromHash();
    if (slug) choose(slug, { focusWords: true });
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    const panel = event.target.closest?.("[data-compose-panel]");
    if (!panel) return;
    markShortcut(composer());
    if (focusWhenLoaded === panel && !panel.hidden) wordsOf(panel)?.focus();
    if (focusWhenLoaded === panel) focusWhenLoaded = null;
  });

  // --- cost, balance after, and the budget's word on this cost ----------------------
  // How many generations the form makes: the count times every combination of the
  // alternatives written {a|b|c} in its free text, read as studio/generations/alternatives.py
  // reads them (\{ is a literal brace; {word} with no | is literal).
  function combinationsIn(text) {
    let total = 1, options = 0, escapedOpen = 0;
    for (let at = 0; at < text.length; at++) {
      const char = text[at];
      if (char === "\\" && "{}|".includes(text[at + 1] || "x")) {
        if (text[at + 1] === "{" && options === 0) escapedOpen++;
        at++;
      } else if (char === "{" && options === 0) options = 1;
      else if (char === "|" && options > 0) options++;
      else if (char === "}" && options > 0) { total *= options; options = 0; }
      else if (char === "}" && escapedOpen > 0) escapedOpen--;
    }
    return total;
  }
  function howMany(form) {
    let combinations = 1;
    form.querySelectorAll("textarea, input[type=text]").forEach((field) => {
      combinations *= combinationsIn(field.value);
    });
    const count = form.querySelector("input[name=count]");
    return combinations * Math.max(1, Number(count && count.value) || 1);
  }

  function showCost(form) {
    const chosen = form.querySelector("input[data-cost]:checked");
    const each = Number(chosen ? chosen.dataset.cost : form.dataset.costDefault);
    const made = howMany(form);
    const cost = each * made;
    const shown = form.querySelector("[data-cost]:not(input)");
    if (shown) shown.textContent = numbers.format(cost);
    const makes = form.querySelector("[data-makes]");
    if (makes) {
      makes.hidden = made === 1;
      makes.textContent = `${numbers.format(made)} generations at ${numbers.format(each)} each`;
      makes.classList.toggle("short", made > 64);
    }
    const after = form.querySelector("[data-balance-after]");
    if (after && form.dataset.balanceBefore !== undefined) {
      const left = Number(form.dataset.balanceBefore) - cost;
      after.textContent = numbers.format(left);
      after.classList.toggle("short", left < 0);
    }
    // The budget's word was said for one generation: with more, the server judges the
    // whole quote when it is submitted.
    form.querySelectorAll("[data-verdict-for]").forEach((verdict) => {
      verdict.hidden = made !== 1 || Number(verdict.dataset.verdictFor) !== each;
    });
  }
  document.addEventListener("input", (event) => {
    const form = event.target.closest("form[data-kind-form]");
    if (form && event.target.matches("textarea, input[type=text], input[name=count]")) showCost(form);
  });

  // --- the folded settings say what they are set to ---------------------------------
  function labelWords(label) {
    return label ? label.childNodes[0].textContent.trim() : "";
  }
  function settingWords(field) {
    const control = field.querySelector("[data-digest-skip]");
    if (control) {
      if (control.value === control.dataset.digestSkip || !control.value) return "";
      if (control.dataset.digestPrefix) return `${control.dataset.digestPrefix}${control.value}`;
    }
    const select = field.querySelector("select");
    if (select) return select.selectedOptions[0]?.textContent.trim() || "";
    const radio = field.querySelector("input[type=radio]:checked");
    if (radio) return field.querySelector(`label[for="${CSS.escape(radio.id)}"]`)?.textContent.trim() || radio.value;
    const input = field.querySelector("input:not([type=radio]):not([type=hidden])");
    if (input && input.value.trim()) return `${labelWords(field.querySelector("label"))} ${input.value.trim()}`;
    return "";
  }
  // A picture's shape and size, or its pixels when they are Custom; never the name
  // typed to keep it in the library.
  function unsaid(body) {
    const aspect = body.querySelector("input[name=aspect]:checked");
    if (!aspect) return ".library-save";
    return aspect.value === "custom" ? ".library-save, .field-aspect, .field-size"
      : ".library-save, .field-width, .field-height";
  }
  function showDigest(settings) {
    const digest = settings.querySelector("[data-settings-digest]");
    if (!digest) return;
    const body = settings.querySelector(".settings-body");
    const skip = unsaid(body);
    digest.textContent = [...body.children].filter((field) => !field.matches(skip))
      .map(settingWords).filter(Boolean).join(" · ");
  }

  // --- character counters: "4,200 / 5,000", and how many over -----------------------
  const sayLater = new WeakMap();
  function count(counter) {
    const control = document.getElementById(counter.dataset.charCount);
    if (!control) return;
    const limit = Number(counter.dataset.limit);
    const length = [...control.value.trim()].length;  // as the server counts: code points, stripped
    const over = length - limit;
    counter.querySelector("[data-count-shown]").textContent =
      `${numbers.format(length)} / ${numbers.format(limit)}${over > 0 ? ` · ${numbers.format(over)} over` : ""}`;
    counter.classList.toggle("over", over > 0);
    if ("nearOnly" in counter.dataset) counter.hidden = length < 0.8 * limit;
    // Screen readers hear it once typing pauses, not at every key.
    clearTimeout(sayLater.get(counter));
    sayLater.set(counter, setTimeout(() => {
      counter.querySelector("[data-count-said]").textContent = over > 0
        ? `${numbers.format(over)} characters over the limit of ${numbers.format(limit)}`
        : `${numbers.format(-over)} characters left`;
    }, 1000));
  }
  function counterOf(control) {
    return control.id ? document.querySelector(`[data-char-count="${CSS.escape(control.id)}"]`) : null;
  }

  // --- the source: a gallery item, a file or a URL, the last one given wins ---------
  function picker(el) { return el.closest("[data-source-picker]"); }
  function clearFile(box) {
    const file = box.querySelector("input[type=file]");
    if (file && file.value) { file.value = ""; showFile(file); }
  }
  function clearUrl(box) {
    const url = box.querySelector("input[type=url]");
    if (url && url.value) { url.value = ""; const counter = counterOf(url); if (counter) count(counter); }
  }
  function noGalleryItem(box) {
    const none = box.querySelector('[data-source-grid] input[type=radio][value=""]');
    if (none && !none.checked) none.checked = true;
  }
  function showFile(input) {
    const zone = input.closest("[data-drop-zone]");
    if (!zone) return;
    const file = input.files && input.files[0];
    const name = zone.querySelector("[data-drop-name]");
    const preview = zone.querySelector("[data-drop-preview]");
    name.textContent = file ? `${file.name} · ${numbers.format(Math.ceil(file.size / 1000))} kB` : "";
    zone.classList.toggle("has-file", Boolean(file));
    preview.hidden = true;
    preview.removeAttribute("src");
    if (file && file.type.startsWith("image/")) {
      const reader = new FileReader();  // a data: URL, which the CSP allows for images
      reader.onload = () => { if (input.files[0] === file) { preview.src = reader.result; preview.hidden = false; } };
      reader.readAsDataURL(file);
    }
  }

  document.addEventListener("change", (event) => {
    const target = event.target;
    const form = target.closest("form[data-kind-form]");
    if (!form) return;
    showCost(form);
    const settings = target.closest("details[data-settings]");
    if (settings) showDigest(settings);
    const box = picker(target);
    if (!box) return;
    if (target.matches("[data-source-grid] input[type=radio]") && target.value) {
      clearFile(box);
      clearUrl(box);
    } else if (target.matches("input[type=file]")) {
      showFile(target);
      if (target.files.length) { noGalleryItem(box); clearUrl(box); }
    }
  });
  document.addEventListener("input", (event) => {
    const target = event.target;
    if (!target.closest("form[data-kind-form]")) return;
    const counter = counterOf(target);
    if (counter) count(counter);
    const settings = target.closest("details[data-settings]");
    if (settings) showDigest(settings);
    const box = picker(target);
    if (box && target.matches("input[type=url]") && target.value.trim()) {
      noGalleryItem(box);
      clearFile(box);
    }
  });

  // A provider's whole row chooses it.
  document.addEventListener("click", (event) => {
    const row = event.target.closest("[data-choice-row]");
    if (!row || event.target.closest("input, label, a, button")) return;
    const radio = row.querySelector("input[type=radio]");
    if (radio && !radio.checked) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // Files dropped on the zone go into its file input (a click opens the picker: the
  // zone is the input's label).
  document.addEventListener("dragover", (event) => {
    const zone = event.target.closest?.("[data-drop-zone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", (event) => {
    const zone = event.target.closest?.("[data-drop-zone]");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    const zone = event.target.closest?.("[data-drop-zone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    const input = zone.querySelector("input[type=file]");
    if (!input || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // --- Ctrl+Enter (Cmd+Enter on a Mac) generates -------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    const form = event.target.closest?.("form[data-kind-form]");
    if (!form) return;
    event.preventDefault();
    form.requestSubmit();
  });

  // --- the composer's answer ---------------------------------------------------------
  // Success: the panel comes back with the words cleared and the settings kept, and the
  // new card goes first in the grid; the words have the focus for the next one. A 400:
  // the panel with its errors; the first field that is wrong gets the focus.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400 && event.detail.elt.matches?.("form[data-kind-form]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  const answered = new WeakSet();
  document.addEventListener("htmx:afterSettle", (event) => {
    const form = event.target;
    const xhr = event.detail.xhr;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-kind-form]") || !xhr || answered.has(xhr)) return;
    answered.add(xhr);
    if (xhr.status === 200) {
      wordsOf(form)?.focus();  // the grid (gallery.js) drops its empty state and doubles
    } else {
      const wrong = form.querySelector("[aria-invalid=true]");
      const settings = wrong?.closest("details");
      if (settings) settings.open = true;
      (wrong || wordsOf(form))?.focus();
    }
  });

  // --- shape and size: they set width and height; typed pixels make it "Custom" ---------
  document.addEventListener("change", (event) => {
    const chosen = event.target.closest?.("form[data-kind-form] input[name=aspect], form[data-kind-form] input[name=size]");
    const form = chosen?.form;
    const table = form?.querySelector("[data-frames]")?.dataset.frames;
    if (!table) return;
    const aspect = form.querySelector("input[name=aspect]:checked")?.value;
    const size = form.querySelector("input[name=size]:checked")?.value || "small";
    const sides = JSON.parse(table)[aspect]?.[size];
    if (!sides) return;
    ["width", "height"].forEach((name, at) => {
      const field = form.elements[name];
      field.value = sides[at];
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!event.isTrusted || !field.matches?.("form[data-kind-form] input[name=width], form[data-kind-form] input[name=height]")) return;
    const custom = field.form.querySelector("input[name=aspect][value=custom]");
    if (custom) custom.checked = true;
  }, true);  // before the digest is said again

  // --- on a phone: folded to one line until used, folded again when left ---------------
  // (the page's CSS folds it only on a narrow screen). Pressing Generate while folded
  // keeps it folded: the button must not move from under the finger.
  function foldOrUnfold(event) {
    const root = composer();
    if (!root || !(event.target instanceof Element)) return;
    if (!root.contains(event.target)) root.setAttribute("data-folded", "");
    else if (!event.target.closest(".generate-button")) root.removeAttribute("data-folded");
  }
  document.addEventListener("pointerdown", foldOrUnfold, true);
  document.addEventListener("focusin", foldOrUnfold, true);

  // --- the prompt library: type to find ---------------------------------------------
  document.addEventListener("input", (event) => {
    const find = event.target.closest?.("[data-library-find]");
    if (!find) return;
    const library = find.closest(".library");
    const words = find.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    library.querySelectorAll("[data-library-item]").forEach((item) => {
      item.hidden = !words.every((word) => item.dataset.text.includes(word));
      if (!item.hidden) shown += 1;
    });
    library.querySelector("[data-library-none]").hidden = shown > 0;
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startComposer);
  else startComposer();
})();
