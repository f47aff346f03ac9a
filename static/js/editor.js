// The join and mix editors. The page's form is the truth (one row of fields per clip,
// in playing order; the mix's offset, volume, fit): this script draws it as a timeline,
// reorders rows by drag and by the Earlier/Later/Remove buttons (which also work
// without it, as posts), and previews the result in the page from the clips' own
// media, with no work on the server.
"use strict";

(() => {
  const percent = (part) => `${(Math.max(0, Math.min(1, part)) * 100).toFixed(3)}%`;
  const clockLabel = (seconds) => {
    const whole = Math.max(0, seconds);
    return `${Math.floor(whole / 60)}:${(whole % 60).toFixed(1).padStart(4, "0")}`;
  };
  const typed = (input, fallback) => {
    const value = parseFloat(input ? input.value : "");
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  /** The Preview button says what a press does next: "Preview" (play) or "Stop" (pause). */
  function labelPreview(form, playing) {
    form.querySelector("[data-preview-label]").textContent = playing ? "Stop" : "Preview";
    const use = form.querySelector("[data-preview-play] use");
    if (use) use.setAttribute("href", use.getAttribute("href").replace(/#.*$/, playing ? "#pause" : "#play"));
  }
  /** A preview whose media cannot be played stops and says so. */
  function watchFailures(preview, medias) {
    for (const media of medias) {
      media.addEventListener("error", () => {
        if (!preview.running) return;
        preview.stop();
        preview.clock.textContent = "This could not be played here; it can still be made.";
      });
    }
  }
  const DRIFT = 0.25;  // seconds two players may drift apart before one is put back in step
  const played = (media) => { const promise = media.play(); if (promise) promise.catch(() => {}); };

  // --- join: the clips as the form holds them ----------------------------------------

  function rowsOf(form) {
    const list = form.querySelector("[data-join-list]");
    return list ? [...list.querySelectorAll(":scope > [data-clip]")] : [];
  }

  /** Each clip's kept span and where it sits on the joined clock (a crossfade overlaps
   *  the clip before), as the server will read the same fields. */
  function clipsOf(form) {
    let at = 0;
    return rowsOf(form).map((row, index) => {
      const length = parseFloat(row.dataset.seconds) || 0;
      const trimIn = Math.min(typed(row.querySelector("[data-clip-in]"), 0), length);
      const out = typed(row.querySelector("[data-clip-out]"), length);
      const trimOut = Math.max(trimIn, length ? Math.min(out, length) : out);
      const kept = trimOut - trimIn;
      const fade = index === 0 ? 0
        : Math.min(typed(row.querySelector("[data-clip-crossfade]"), 0), kept, at);
      const start = at - fade;
      at = start + kept;
      return { row, index, trimIn, trimOut, kept, fade, start, end: at,
               media: row.dataset.media, name: row.dataset.name,
               thumbnail: row.dataset.thumbnail || row.dataset.poster || "" };
    });
  }

  const totalOf = (clips) => (clips.length ? clips[clips.length - 1].end : 0);

  function timelineBlock(clip, total) {
    const block = document.createElement("div");
    block.className = "timeline-block";
    block.dataset.index = clip.index;
    block.style.left = percent(total ? clip.start / total : 0);
    block.style.width = percent(total ? clip.kept / total : 0);
    if (clip.thumbnail) {
      const picture = document.createElement("img");
      picture.src = clip.thumbnail;
      picture.alt = "";
      block.append(picture);
    }
    if (clip.index > 0) {
      const join = document.createElement("span");
      join.className = "block-cut";
      join.textContent = clip.fade ? `Crossfade ${+clip.fade.toFixed(2)} s` : "Cut";
      if (clip.fade) {
        const fade = document.createElement("span");
        fade.className = "block-fade";
        fade.style.width = percent(clip.kept ? clip.fade / clip.kept : 0);
        block.append(fade);
      }
      block.append(join);
    }
    const name = document.createElement("span");
    name.className = "block-name";
    name.textContent = `${clip.index + 1}. ${clip.name} · ${clip.kept.toFixed(1)} s`;
    block.append(name);
    for (const edge of ["in", "out"]) {  // drag an edge to trim (the fields say it too)
      const handle = document.createElement("span");
      handle.className = `block-handle block-handle-${edge}`;
      handle.dataset.trim = edge;
      block.append(handle);
    }
    return block;
  }

  function drawJoin(form) {
    const timeline = form.querySelector("[data-timeline]");
    if (!timeline) return;
    const clips = clipsOf(form);
    const total = totalOf(clips);
    timeline.querySelector("[data-timeline-track]")
      .replaceChildren(...clips.map((clip) => timelineBlock(clip, total)));
    timeline.hidden = false;
    form.querySelector("[data-preview-play]").hidden = clips.length === 0;
    form.querySelector("[data-join-total]").textContent = `${total.toFixed(1)} s`;
    form.querySelector("[data-join-count]").textContent = clips.length;
    for (const clip of clips) {  // the plain-post buttons name their row by its place
      for (const button of clip.row.querySelectorAll("button[name=edit]")) {
        button.value = button.value.replace(/:\d+$/, `:${clip.index}`);
      }
    }
  }

  function moveRow(form, from, to) {
    const rows = rowsOf(form);
    if (from === to || !rows[from] || !rows[to]) return;
    if (from < to) rows[to].after(rows[from]);
    else rows[to].before(rows[from]);
  }

  // Earlier / Later / Remove at once, without a round trip; focus stays on the button.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-join-up], [data-join-down], [data-join-remove]");
    const form = button && button.closest("[data-join-form]");
    if (!form) return;
    event.preventDefault();
    stopPreview(form);
    const row = button.closest("[data-clip]");
    const index = rowsOf(form).indexOf(row);
    if (button.matches("[data-join-remove]")) {
      const after = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      drawJoin(form);
      const focus = after && after.querySelector("[data-join-remove]");
      (focus || form.querySelector("[data-join-add], button")).focus();
      return;
    }
    moveRow(form, index, index + (button.matches("[data-join-up]") ? -1 : 1));
    drawJoin(form);
    button.focus();
  });

  document.addEventListener("input", (event) => {
    const form = event.target.closest("[data-join-form]");
    if (form && event.target.closest("[data-clip]")) {
      stopPreview(form);
      drawJoin(form);
    }
  });

  // Drag a block along the timeline to another clip's place (mouse, pen or touch).
  let drag = null;

  function blockAt(track, x) {
    const blocks = [...track.querySelectorAll(".timeline-block")];
    const hit = blocks.filter((block) => {
      const box = block.getBoundingClientRect();
      return x >= box.left && x <= box.right;
    });
    if (hit.length) return hit[hit.length - 1];
    const first = blocks[0], last = blocks[blocks.length - 1];
    if (!first) return null;
    return x < first.getBoundingClientRect().left ? first : last;
  }

  // Drag a block's edge to trim it: its In or Out field follows, in tenths of a second.
  let trim = null;

  function startTrim(event, handle) {
    const block = handle.closest(".timeline-block");
    const form = block.closest("[data-join-form]");
    const clip = clipsOf(form)[Number(block.dataset.index)];
    const track = block.parentElement.getBoundingClientRect();
    const edge = handle.dataset.trim;
    trim = { form, clip, edge, x: event.clientX, shortest: parseFloat(form.dataset.shortestKept) || 0,
             from: edge === "in" ? clip.trimIn : clip.trimOut,
             perPixel: totalOf(clipsOf(form)) / (track.width || 1),
             input: clip.row.querySelector(edge === "in" ? "[data-clip-in]" : "[data-clip-out]") };
  }

  document.addEventListener("pointermove", (event) => {
    if (!trim) return;
    const { clip, edge } = trim;
    const length = parseFloat(clip.row.dataset.seconds) || clip.trimOut;
    let value = trim.from + (event.clientX - trim.x) * trim.perPixel;
    value = edge === "in" ? Math.min(value, clip.trimOut - trim.shortest)
                          : Math.max(value, clip.trimIn + trim.shortest);
    value = Math.round(Math.max(0, Math.min(value, length)) * 10) / 10;
    const shown = String(value);
    if (trim.input.value !== shown) {
      trim.input.value = shown;
      trim.input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  function endTrim() { trim = null; }
  document.addEventListener("pointerup", endTrim);
  document.addEventListener("pointercancel", endTrim);

  document.addEventListener("pointerdown", (event) => {
    const handle = event.target.closest("[data-join-form] .timeline-block [data-trim]");
    if (handle && event.button === 0) {
      event.preventDefault();
      stopPreview(handle.closest("[data-join-form]"));
      startTrim(event, handle);
      return;
    }
    const block = event.target.closest("[data-join-form] .timeline-block");
    if (!block || event.button !== 0) return;
    event.preventDefault();
    block.setPointerCapture(event.pointerId);
    block.classList.add("is-dragged");
    drag = { block, form: block.closest("[data-join-form]"), from: Number(block.dataset.index),
             to: Number(block.dataset.index) };
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const target = blockAt(drag.block.parentElement, event.clientX);
    for (const block of drag.block.parentElement.children) {
      block.classList.toggle("is-target", block === target && block !== drag.block);
    }
    if (target) drag.to = Number(target.dataset.index);
  });

  function endDrag(event) {
    if (!drag) return;
    const { form, from, to } = drag;
    drag = null;
    if (event.type === "pointerup" && from !== to) {
      stopPreview(form);
      moveRow(form, from, to);
    }
    drawJoin(form);
  }
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);

  // --- join: the preview ------------------------------------------------------------

  const previews = new WeakMap();

  /** Plays the clips in order, each from its In to its Out, on two stacked players: the
   *  next one waits, loaded at its In, and fades in over the crossfade (or is swapped in
   *  at a cut). The playhead follows the joined clock. */
  class JoinPreview {
    constructor(form) {
      this.form = form;
      this.players = [...form.querySelectorAll("[data-preview-player]")];
      this.playhead = form.querySelector("[data-playhead]");
      this.clock = form.querySelector("[data-preview-clock]");
      this.running = false;
      this.tick = this.tick.bind(this);
      watchFailures(this, this.players);
    }

    start() {
      this.clips = clipsOf(this.form).filter((clip) => clip.kept > 0);
      if (!this.clips.length) return;
      this.total = totalOf(this.clips);
      this.index = 0;
      [this.current, this.waiting] = this.players;
      this.load(this.current, this.clips[0]);
      this.prepareNext();
      this.blend(0);
      played(this.current);
      this.running = true;
      this.form.dataset.previewState = "playing";
      labelPreview(this.form, true);
      requestAnimationFrame(this.tick);
    }

    stop(finished = false) {
      this.running = false;
      for (const player of this.players) player.pause();
      this.form.dataset.previewState = finished ? "ended" : "stopped";
      labelPreview(this.form, false);
    }

    load(player, clip) {
      if (player.dataset.src !== clip.media) {
        player.dataset.src = clip.media;
        player.src = clip.media;
      }
      player.currentTime = clip.trimIn;
      player.volume = 1;
    }

    prepareNext() {
      const next = this.clips[this.index + 1];
      this.nextStarted = false;
      if (next) {
        this.waiting.pause();
        this.load(this.waiting, next);
      }
    }

    blend(share) {  // 0: the current clip alone; 1: the next one alone
      this.current.style.opacity = String(1 - share);
      this.waiting.style.opacity = String(share);
      this.current.volume = 1 - share;
      this.waiting.volume = share;
      this.current.classList.add("is-shown");
    }

    tick() {
      if (!this.running) return;
      const clip = this.clips[this.index];
      const next = this.clips[this.index + 1];
      const now = this.current.currentTime;
      const at = clip.start + Math.max(0, now - clip.trimIn);
      this.show(at);
      if (next && at >= next.start) {
        if (!this.nextStarted) { played(this.waiting); this.nextStarted = true; }
        this.blend(next.fade ? Math.min(1, (at - next.start) / next.fade) : 1);
      }
      if (now >= clip.trimOut - 0.03 || this.current.ended) {
        if (!next) { this.show(this.total); this.stop(true); return; }
        this.current.pause();
        if (!this.nextStarted) played(this.waiting);
        [this.current, this.waiting] = [this.waiting, this.current];
        this.index += 1;
        this.blend(0);
        this.prepareNext();
      }
      requestAnimationFrame(this.tick);
    }

    show(at) {
      this.playhead.style.left = percent(this.total ? at / this.total : 0);
      this.form.dataset.previewAt = at.toFixed(2);
      this.clock.textContent = `${clockLabel(at)} / ${clockLabel(this.total)}`;
    }
  }

  function stopPreview(form) {
    const preview = previews.get(form);
    if (preview && preview.running) preview.stop();
  }

  // Preview plays, or stops, the form's own preview (made the first time).
  function playOnClick(formSelector, previews, Preview) {
    document.addEventListener("click", (event) => {
      const button = event.target.closest(`${formSelector} [data-preview-play]`);
      if (!button) return;
      const form = button.closest(formSelector);
      if (!previews.has(form)) previews.set(form, new Preview(form));
      const preview = previews.get(form);
      if (preview.running) preview.stop();
      else preview.start();
    });
  }

  playOnClick("[data-join-form]", previews, JoinPreview);

  // --- mix: a video track and a voice track ----------------------------------------

  function mixOf(form) {
    const data = document.getElementById("mix-media");
    const media = data ? JSON.parse(data.textContent) : {};
    const value = (name) => form.querySelector(`[name=${name}]`);
    const video = media[value("video").value], voice = media[value("speech").value];
    const offset = typed(value("offset"), 0), volume = typed(value("volume"), 1);
    const fit = value("fit").value;
    if (!video || !voice) return { video, voice, offset, volume, fit, length: 0, span: 0 };
    const voiceEnd = offset + voice.seconds;
    const length = { shortest: Math.min(video.seconds, voiceEnd),
                     hold: Math.max(video.seconds, voiceEnd) }[fit] ?? video.seconds;
    return { video, voice, offset, volume, fit, length,
             span: Math.max(video.seconds, voiceEnd) };  // what the tracks show
  }

  function trackBlock(track, item, start, span, hook) {
    let block = track.querySelector(".timeline-block");
    if (!block) {
      block = document.createElement("div");
      block.className = "timeline-block";
      if (hook) block.setAttribute(hook, "");
      const name = document.createElement("span");
      name.className = "block-name";
      block.append(name);
      track.append(block);
    }
    block.hidden = !item;
    if (!item) return;
    block.style.left = percent(span ? start / span : 0);
    block.style.width = percent(span ? item.seconds / span : 0);
    block.querySelector(".block-name").textContent = `${item.name} · ${item.seconds.toFixed(1)} s`;
    if (item.poster && !block.querySelector("img")) {
      const picture = document.createElement("img");
      picture.alt = "";
      block.prepend(picture);
    }
    const picture = block.querySelector("img");
    if (picture && picture.dataset.src !== item.poster) {
      picture.dataset.src = item.poster;
      if (item.poster) picture.src = item.poster; else picture.remove();
    }
  }

  function drawMix(form, span) {
    const tracks = form.querySelector("[data-mix-tracks]");
    if (!tracks) return;
    const mix = mixOf(form);
    const shown = span || mix.span;
    tracks.hidden = !(mix.video || mix.voice);
    tracks.dataset.span = shown;
    trackBlock(form.querySelector("[data-mix-video-track]"), mix.video, 0, shown);
    trackBlock(form.querySelector("[data-mix-voice-track]"), mix.voice, mix.offset, shown,
               "data-mix-voice-block");
    const cut = form.querySelector("[data-mix-cut]");
    cut.hidden = !(mix.length && mix.length < shown);
    cut.style.left = percent(shown ? mix.length / shown : 1);
    form.querySelector("[data-preview-play]").hidden = !(mix.video && mix.voice);
    form.querySelector("[data-mix-total]").textContent =
      mix.length ? `${mix.length.toFixed(1)} s` : "–";
    form.querySelector("[data-mix-volume-shown]").textContent = mix.volume.toFixed(2);
    form.querySelector("[data-mix-volume-note]").hidden = mix.volume <= 1;
  }

  /** The video (muted: the mix replaces its sound) from its start, and the voice
   *  started when the video reaches the offset, at the chosen volume; after a video
   *  that holds its last frame, the voice keeps the clock. */
  class MixPreview {
    constructor(form) {
      this.form = form;
      this.player = form.querySelector("[data-mix-player]");
      this.voice = form.querySelector("[data-mix-voice]");
      this.playhead = form.querySelector("[data-playhead]");
      this.clock = form.querySelector("[data-preview-clock]");
      this.running = false;
      this.tick = this.tick.bind(this);
      watchFailures(this, [this.player, this.voice]);
    }

    start() {
      this.mix = mixOf(this.form);
      const { video, voice, volume } = this.mix;
      if (!video || !voice) return;
      for (const [media, item] of [[this.player, video], [this.voice, voice]]) {
        if (media.dataset.src !== item.media) { media.dataset.src = item.media; media.src = item.media; }
        media.pause();
        media.currentTime = 0;
      }
      this.player.muted = true;
      this.voice.volume = Math.min(1, volume);
      this.voiceStarted = false;
      played(this.player);
      this.running = true;
      this.form.dataset.previewState = "playing";
      labelPreview(this.form, true);
      requestAnimationFrame(this.tick);
    }

    stop(finished = false) {
      this.running = false;
      this.player.pause();
      this.voice.pause();
      this.form.dataset.previewState = finished ? "ended" : "stopped";
      labelPreview(this.form, false);
    }

    tick() {
      if (!this.running) return;
      const { offset, length, voice } = this.mix;
      const videoDone = this.player.ended;
      const at = videoDone && this.voiceStarted ? offset + this.voice.currentTime
                                                : this.player.currentTime;
      if (!this.voiceStarted && at >= offset && at < offset + voice.seconds) {
        this.voiceStarted = true;
        this.voice.currentTime = at - offset;
        played(this.voice);
      } else if (this.voiceStarted && !videoDone && !this.voice.paused
                 && Math.abs(this.voice.currentTime - (at - offset)) > DRIFT) {
        this.voice.currentTime = at - offset;  // a stall in either one: back in step
      }
      this.playhead.style.left = percent(this.mix.span ? at / this.mix.span : 0);
      this.form.dataset.previewAt = at.toFixed(2);
      this.clock.textContent = `${clockLabel(at)} / ${clockLabel(length)}`;
      const voiceDone = this.voice.ended || !this.voiceStarted;
      if (at >= length - 0.03 || (videoDone && voiceDone)) { this.stop(true); return; }
      requestAnimationFrame(this.tick);
    }
  }

  const mixPreviews = new WeakMap();

  playOnClick("[data-mix-form]", mixPreviews, MixPreview);

  function changedMix(form) {
    const preview = mixPreviews.get(form);
    if (preview && preview.running) preview.stop();
    drawMix(form);
  }

  for (const type of ["input", "change"]) {
    document.addEventListener(type, (event) => {
      const form = event.target.closest("[data-mix-form]");
      if (form) changedMix(form);
    });
  }

  // Drag the voice along its track: the offset follows, in tenths of a second.
  let slide = null;

  document.addEventListener("pointerdown", (event) => {
    const block = event.target.closest("[data-mix-form] [data-mix-voice-block]");
    if (!block || event.button !== 0) return;
    event.preventDefault();
    block.setPointerCapture(event.pointerId);
    block.classList.add("is-dragged");
    const form = block.closest("[data-mix-form]");
    const tracks = form.querySelector("[data-mix-tracks]");
    slide = { block, form, x: event.clientX, offset: mixOf(form).offset,
              span: Number(tracks.dataset.span) || 1,
              width: block.parentElement.getBoundingClientRect().width || 1 };
  });

  document.addEventListener("pointermove", (event) => {
    if (!slide) return;
    const moved = ((event.clientX - slide.x) / slide.width) * slide.span;
    const offset = Math.max(0, Math.round((slide.offset + moved) * 10) / 10);
    const input = slide.form.querySelector("[name=offset]");
    if (input.value !== String(offset)) {
      input.value = String(offset);
      input.dispatchEvent(new Event("input", { bubbles: true }));  // the lengths' warning
      drawMix(slide.form, slide.span);  // the scale held while the pointer is down
    }
  });

  function endSlide() {
    if (!slide) return;
    slide.block.classList.remove("is-dragged");
    const { form } = slide;
    slide = null;
    drawMix(form);
  }
  document.addEventListener("pointerup", endSlide);
  document.addEventListener("pointercancel", endSlide);

  function ready() {
    for (const form of document.querySelectorAll("[data-join-form]")) drawJoin(form);
    for (const form of document.querySelectorAll("[data-mix-form]")) drawMix(form);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
