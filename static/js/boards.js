// Boards by dragging: a gallery card dropped on a board of the side list is added to
// it; on a board's page a card dragged to another place orders the board by hand.
// Both have a plain-form way without a mouse (the selection's "Add to board", the
// Earlier and Later buttons beside each card).

(() => {
  const csrfToken = () =>
    JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";

  function post(url, fields) {
    const body = new URLSearchParams(fields);
    return fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "text/plain" },
    }).then((answer) => answer.text().then((text) => ({ ok: answer.ok, text })));
  }

  // What may be dragged becomes draggable as the pointer takes it.
  document.addEventListener("pointerdown", (event) => {
    const slot = event.target.closest("[data-board-sortable] .board-slot");
    const card = event.target.closest("[data-generation-id]");
    if (slot) slot.draggable = true;
    else if (card && document.querySelector("[data-board-dock]")) card.draggable = true;
  });

  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    // From a picture or link inside a card too: on a board the whole slot moves.
    const from = event.target.closest ? event.target : event.target.parentElement;
    dragged = from?.closest("[data-board-sortable] .board-slot")
      || from?.closest("[data-generation-id]");
    if (!dragged) return;
    const id = dragged.dataset.slot || dragged.dataset.generationId;
    event.dataTransfer.setData("text/plain", id);
    event.dataTransfer.effectAllowed = "copyMove";
  });
  document.addEventListener("dragend", () => {
    document.querySelectorAll(".is-drop-target").forEach((el) => el.classList.remove("is-drop-target"));
    dragged = null;
  });

  // Onto a board of the side list.
  document.addEventListener("dragover", (event) => {
    const board = event.target.closest?.("[data-board-drop]");
    if (!board || !dragged) return;
    event.preventDefault();
    board.classList.add("is-drop-target");
  });
  document.addEventListener("dragleave", (event) => {
    event.target.closest?.("[data-board-drop]")?.classList.remove("is-drop-target");
  });
  document.addEventListener("drop", (event) => {
    const board = event.target.closest?.("[data-board-drop]");
    if (!board) return;
    event.preventDefault();
    board.classList.remove("is-drop-target");
    const id = event.dataTransfer.getData("text/plain");
    const status = document.querySelector("[data-board-drop-status]");
    post(board.dataset.boardDrop, { generation: id }).then(({ text }) => {
      if (status) status.textContent = text;
    });
  });

  // Within a board: the dragged card goes before or after the one it is over.
  document.addEventListener("dragover", (event) => {
    const grid = event.target.closest?.("[data-board-sortable]");
    const over = event.target.closest?.(".board-slot");
    if (!grid || !dragged?.classList.contains("board-slot")) return;
    event.preventDefault();
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientX > box.left + box.width / 2;
    grid.insertBefore(dragged, after ? over.nextSibling : over);
  });
  document.addEventListener("drop", (event) => {
    const grid = event.target.closest?.("[data-board-sortable]");
    if (!grid || !dragged?.classList.contains("board-slot")) return;
    event.preventDefault();
    const ids = [...grid.querySelectorAll(".board-slot")].map((slot) => ["ids", slot.dataset.slot]);
    post(grid.dataset.boardSortable, ids).then(({ ok }) => {
      grid.dataset.boardSaved = ok ? "yes" : "no";
    });
  });
})();
