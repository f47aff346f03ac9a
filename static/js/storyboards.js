// The scene strip: a scene dragged by its handle to another place is moved there (the
// Earlier and Later buttons do the same without a mouse), and "Split at the cursor"
// sends where the cursor stands in the scene's narration.

(() => {
  const csrfToken = () =>
    JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";

  function moveScene(row, position) {
    const url = row.querySelector("form[action$='/move/']")?.action;
    if (!url) return Promise.resolve(false);
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      body: new URLSearchParams({ position }),
      headers: { "X-CSRFToken": csrfToken(), Accept: "text/plain" },
    }).then((answer) => answer.ok);
  }

  // The strip drawn again, its numbers and buttons right after a move.
  function redrawStrip() {
    return htmx.ajax("GET", window.location.pathname,
      { target: "#scene-strip", select: "#scene-strip", swap: "outerHTML" });
  }

  // Only the handle is draggable: the rest of a row holds text being edited.
  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const handle = event.target.closest?.("[data-scene-sortable] [data-scene-handle]");
    if (!handle) return;
    dragged = handle.closest(".scene-row");
    event.dataTransfer.setData("text/plain", dragged.dataset.sceneId);
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setDragImage(dragged, 16, 16);
    dragged.classList.add("is-dragged");
  });
  document.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("is-dragged");
    dragged = null;
  });
  document.addEventListener("dragover", (event) => {
    const strip = event.target.closest?.("[data-scene-sortable]");
    const over = event.target.closest?.(".scene-row");
    if (!strip || !dragged) return;
    event.preventDefault();
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    strip.insertBefore(dragged, after ? over.nextSibling : over);
  });
  document.addEventListener("drop", (event) => {
    const strip = event.target.closest?.("[data-scene-sortable]");
    if (!strip || !dragged) return;
    event.preventDefault();
    const row = dragged;
    const position = [...strip.querySelectorAll(".scene-row")].indexOf(row) + 1;
    moveScene(row, position).then((ok) => {
      strip.dataset.sceneSaved = ok ? "yes" : "no";
      return redrawStrip();
    });
  });

  // Split: the narration as typed and the cursor's place in it go with the form.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest?.("form[data-split-of]");
    if (!form) return;
    const narration = document.getElementById(form.dataset.splitOf);
    if (!narration) return;
    form.elements.narration.value = narration.value;
    form.elements.at_char.value = narration.selectionStart ?? "";
  });
})();
