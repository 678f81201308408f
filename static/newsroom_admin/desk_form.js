// The story change form on deadline: autosave (to the server every few seconds while typing,
// and to this browser's localStorage on every change), the offer to restore an unsaved draft,
// a warning before leaving with unsaved changes, who else is on the story (polled), the
// takeover after a save refused as stale, and Ctrl/Cmd+S to save. The endpoints and the
// data this reads are in articles/desk_live.py and the desk_live.html include.
"use strict";
(function () {
  const AUTOSAVE_EVERY_MS = 3000;
  const LOCAL_EVERY_MS = 400;
  // Formset bookkeeping and the buttons are not part of what was typed (nor hidden inputs:
  // row ids, the version).
  const NOT_TYPED = /^(csrfmiddlewaretoken|base_version|_workflow|_save|_continue|_addanother|workflow_at)$|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;

  const byId = (id) => document.getElementById(id);
  function readJson(id) {
    const node = byId(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // --- Leaving and saving (the add form too) -------------------------------------------

  // Warns before leaving with unsaved changes, except when this form is submitted; Ctrl/Cmd+S
  // submits it with the plain save button. onSubmit runs as the form is sent.
  function guardLeavingAndSave(form, isDirty, onSubmit) {
    let submitting = false;
    window.addEventListener("submit", function (event) {
      // On window, so a confirmation that cancelled the submit has already had its say.
      if (event.target !== form || event.defaultPrevented) return;
      submitting = true;
      onSubmit();
    });
    window.addEventListener("beforeunload", function (event) {
      if (isDirty() && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    document.addEventListener(
      "keydown",
      function (event) {
        if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
        if (event.key.toLowerCase() !== "s") return;
        event.preventDefault(); // never the browser's "Save page as"
        const save = form.querySelector('input[name="_continue"]') || form.querySelector('input[name="_save"]');
        if (save && !submitting) form.requestSubmit(save);
      },
      true
    );
    return () => submitting;
  }

  const form = byId("article_form");
  if (!form) return;
  const config = readJson("desk-live-config");
  if (!config) {
    // The add form (no story to autosave or share yet): the warning and the shortcut only.
    let changed = false;
    form.addEventListener("input", () => { changed = true; });
    guardLeavingAndSave(form, () => changed, () => null);
    return;
  }
  const serverAutosave = readJson("desk-autosave");
  const takeover = readJson("desk-takeover-data");
  const baseInput = form.elements.namedItem("base_version");
  const storageKey = "newsroom:autosave:" + config.user + ":" + config.story;
  const statusLine = byId("desk-autosave-status");

  // A save refused (stale, or invalid) re-renders the writer's own unsaved text.
  let dirty = config.refused;
  let typedSinceBeat = false;
  let lastActivity = Date.now();
  let serverRefuses = false;
  let lastSentAt = 0;
  let serverTimer = null;
  let localTimer = null;

  function say(text) {
    statusLine.textContent = text;
  }
  function baseVersion() {
    return baseInput ? Number(baseInput.value) : 0;
  }

  // --- The form's fields ---------------------------------------------------------------

  function typedFields() {
    return Array.from(form.elements).filter(function (el) {
      return el.name && !NOT_TYPED.test(el.name) &&
        !["submit", "button", "file", "reset", "hidden"].includes(el.type);
    });
  }

  function snapshot() {
    const data = {};
    for (const el of typedFields()) {
      if (el.type === "checkbox") data[el.name] = el.checked;
      else if (el.type === "radio") {
        if (el.checked) data[el.name] = el.value;
        else if (!(el.name in data)) data[el.name] = "";
      } else if (el.type === "select-multiple") {
        data[el.name] = Array.from(el.selectedOptions, (option) => option.value);
      } else data[el.name] = el.value;
    }
    return data;
  }

  // Stored and editor HTML may differ only in how they are written down.
  function comparable(name, value) {
    if (name !== "body" || typeof value !== "string") return JSON.stringify(value);
    const box = document.createElement("template");
    box.innerHTML = value.trim();
    return box.innerHTML.replace(/<p><\/p>$/, "");
  }

  function differsFromForm(data) {
    const now = snapshot();
    return Object.keys(data).some(function (name) {
      return name in now && comparable(name, now[name]) !== comparable(name, data[name]);
    });
  }

  // The rich text editor (django-prose-editor, Tiptap) keeps its Editor on its DOM node, a
  // child of the wrapper the textarea sits in (the menu's pickers hold other ProseMirrors).
  function richEditor(textarea) {
    const wrapper = textarea.closest(".prose-editor");
    const dom = wrapper && wrapper.querySelector(":scope > .ProseMirror");
    return dom && dom.editor ? dom.editor : null;
  }

  function fill(data) {
    for (const [name, value] of Object.entries(data)) {
      for (const el of form.querySelectorAll('[name="' + CSS.escape(name) + '"]')) {
        if (el.type === "checkbox") el.checked = Boolean(value);
        else if (el.type === "radio") el.checked = el.value === value;
        else if (el.type === "select-multiple") {
          for (const option of el.options) option.selected = value.includes(option.value);
        } else if (el.tagName === "SELECT" && !Array.from(el.options).some((o) => o.value === value)) {
          continue; // a choice this form does not offer (an autocomplete not loaded)
        } else {
          const editor = el.tagName === "TEXTAREA" ? richEditor(el) : null;
          if (editor) editor.commands.setContent(value);
          el.value = value;
        }
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  }

  // --- The browser's copy ----------------------------------------------------------------

  function readLocal() {
    try {
      return JSON.parse(localStorage.getItem(storageKey));
    } catch (error) {
      return null;
    }
  }
  function writeLocal(changes) {
    try {
      const copy = Object.assign(
        { data: snapshot(), base_version: baseVersion(), saved_at: Date.now(), synced: false },
        changes || {}
      );
      localStorage.setItem(storageKey, JSON.stringify(copy));
    } catch (error) {
      // Private mode or a full storage: the server copy still works.
    }
  }
  function dropLocal() {
    try {
      localStorage.removeItem(storageKey);
    } catch (error) {
      // nothing stored
    }
  }

  // --- The server's copy -------------------------------------------------------------------

  function post(url, payload, method, keepalive) {
    return fetch(url, {
      method: method || "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": form.elements.namedItem("csrfmiddlewaretoken").value,
      },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    }).then(function (response) {
      const type = response.headers.get("Content-Type") || "";
      if (response.redirected || !type.includes("json")) {
        return { ok: false, signedOut: true, body: {} };
      }
      return response.json().then((body) => ({ ok: response.ok, status: response.status, body }));
    });
  }

  function sendAutosave() {
    serverTimer = null;
    if (serverRefuses || isSubmitting()) return;
    lastSentAt = Date.now();
    const data = snapshot();
    post(config.autosave_url, { base_version: baseVersion(), data: data })
      .then(function (answer) {
        if (answer.ok) {
          const copy = readLocal();
          if (copy && JSON.stringify(copy.data) === JSON.stringify(data)) {
            writeLocal({ data: data, saved_at: copy.saved_at, synced: true });
          }
          say("Draft autosaved at " + answer.body.at + ". Not saved to the story yet: press Save (Ctrl+S).");
        } else if (answer.signedOut) {
          say("Not autosaved on the server: you seem to be signed out. Your text is kept in this browser; sign in again in another tab, then Save here.");
        } else {
          serverRefuses = answer.status === 409 || answer.status === 403;
          say((answer.body.error || "Not autosaved on the server.") + " Your text is kept in this browser.");
        }
      })
      .catch(function () {
        say("Not autosaved on the server: no connection. Your text is kept in this browser and sent when the connection is back.");
      });
  }

  function scheduleAutosave() {
    if (serverTimer || !config.can_edit) return;
    const wait = Math.max(1000, lastSentAt + AUTOSAVE_EVERY_MS - Date.now());
    serverTimer = setTimeout(sendAutosave, wait);
  }

  function typed() {
    dirty = true;
    typedSinceBeat = true;
    lastActivity = Date.now();
    clearTimeout(localTimer);
    localTimer = setTimeout(writeLocal, LOCAL_EVERY_MS);
    scheduleAutosave();
  }
  form.addEventListener("input", typed);
  form.addEventListener("change", function (event) {
    if (event.isTrusted) typed();
  });
  window.addEventListener("online", function () {
    if (dirty) scheduleAutosave();
  });

  const isSubmitting = guardLeavingAndSave(form, () => dirty, function () {
    clearTimeout(serverTimer);
    writeLocal({ submitted: true }); // kept until the reopened form shows the Save went in
  });

  // --- Offer to restore an unsaved draft -----------------------------------------------------

  function draftToOffer() {
    const local = readLocal();
    if (local && local.submitted && baseVersion() > local.base_version) {
      dropLocal(); // that Save went through: the story has moved on from it
      return serverAutosave;
    }
    if (local && !local.synced) return Object.assign({ where: "in this browser" }, local);
    if (local && !serverAutosave) {
      dropLocal(); // the server copy was cleared by a Save (elsewhere) or a Discard
      return null;
    }
    return serverAutosave;
  }

  function when(draft) {
    if (draft.at) return draft.at;
    return new Date(draft.saved_at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }

  function offerRestore() {
    const draft = draftToOffer();
    if (!draft || !differsFromForm(draft.data)) return;
    const banner = byId("desk-restore");
    const stale = draft.base_version !== baseVersion();
    byId("desk-restore-title").textContent =
      "You have unsaved changes to this story from " + when(draft) + " (kept " +
      (draft.where || "on the server") + "). Restore them into the form, or discard them?" +
      (stale ? " They were typed on an older version than the story now has: after restoring, Save shows what changed since and lets you re-apply them." : "");
    banner.hidden = false;
    byId("desk-restore-button").addEventListener("click", function () {
      fill(draft.data);
      if (stale && baseInput) baseInput.value = draft.base_version; // Save then shows the diff
      banner.hidden = true;
      dirty = true;
      writeLocal();
      if (!stale) scheduleAutosave();
      say("Restored. Not saved to the story yet: press Save (Ctrl+S).");
      const first = form.elements.namedItem("headline");
      if (first) first.focus();
    });
    byId("desk-discard-button").addEventListener("click", function () {
      banner.hidden = true;
      dropLocal();
      post(config.autosave_url, undefined, "DELETE").catch(() => null);
      say("Unsaved changes discarded.");
      const first = form.elements.namedItem("headline");
      if (first) first.focus();
    });
  }

  window.addEventListener("pagehide", function () {
    post(config.presence_url, { leaving: true }, "POST", true).catch(() => null);
  });

  // --- Who else is here ------------------------------------------------------------------

  // Polls only while this person is at the desk, so an unattended tab still signs out.
  const activeWindowMs = Math.min(300, config.idle_seconds / 2) * 1000;
  for (const kind of ["keydown", "pointerdown", "scroll", "focusin"]) {
    window.addEventListener(kind, () => { lastActivity = Date.now(); }, { passive: true });
  }

  function showPresence(answer) {
    const line = byId("desk-presence");
    const others = answer.others || [];
    line.hidden = others.length === 0;
    line.textContent = others.length
      ? "Also on this story now: " + others.map((o) => o.name + (o.typing ? " (editing)" : " (viewing)")).join(", ") + "."
      : "";
    const warning = byId("desk-version-warning");
    if (baseInput && answer.changed_by && answer.version > baseVersion() && !takeover) {
      warning.hidden = false;
      warning.textContent =
        answer.changed_by + " saved a newer version at " + answer.changed_at +
        ". If you save now, nothing is overwritten: you will see what they changed beside your text, and can re-apply it.";
    }
  }

  function beat() {
    if (Date.now() - lastActivity <= activeWindowMs) {
      post(config.presence_url, { typing: typedSinceBeat, base_version: baseInput ? baseVersion() : null })
        .then((answer) => { if (answer.ok) showPresence(answer.body); })
        .catch(() => null);
      typedSinceBeat = false;
    }
    setTimeout(beat, config.poll_seconds * 1000);
  }

  // --- After a save refused as stale -------------------------------------------------------

  function offerTakeover() {
    const apply = byId("desk-takeover-apply");
    if (!takeover || !apply) return;
    apply.addEventListener("click", function () {
      fill(takeover.fields);
      if (baseInput) baseInput.value = takeover.base_version;
      serverRefuses = false; // the form is on the current version again: autosave resumes
      dirty = true;
      writeLocal();
      byId("desk-takeover-done").textContent =
        "Done: the form now holds the current version with your edits re-applied. Press Save (Ctrl+S) to save it.";
    });
  }

  if (config.refused) writeLocal();
  else offerRestore();
  offerTakeover();
  beat();
})();
