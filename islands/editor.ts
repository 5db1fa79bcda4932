/**
 * @module
 * Progressive enhancement of the page editor (routes/wiki/edit/editor.tsx), which works fully without it:
 * - the browser asks before leaving the page while the editor holds unsaved text (closing the tab, following a
 *   link), so a slip does not lose an edit;
 * - Ctrl+S / Cmd+S saves (submits the form with its Save button).
 *
 * Plain DOM code (no framework). Bundled by scripts/build_islands.ts into static/js/editor.js; the editor page
 * includes it only when that file exists.
 */

/** Wires one editor form (`form[data-editor]`). `data-unsaved` marks a form shown again with text not yet saved. */
function enhanceEditor(form: HTMLFormElement): void {
  const text = form.querySelector<HTMLTextAreaElement>("textarea[name=content]");
  if (!text) return;
  const initial = text.value;
  const unsavedOnLoad = form.dataset.unsaved === "true";
  let submitting = false;
  const dirty = () => !submitting && (unsavedOnLoad || text.value !== initial);
  form.addEventListener("submit", () => {
    submitting = true;
  });
  globalThis.addEventListener("pageshow", () => {
    submitting = false; // back/forward cache: the page is live again
  });
  globalThis.addEventListener("beforeunload", (event) => {
    if (dirty()) event.preventDefault();
  });
  form.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
      event.preventDefault();
      form.requestSubmit(form.querySelector<HTMLButtonElement>('button[value="save"]') ?? undefined);
    }
  });
}

for (const form of document.querySelectorAll<HTMLFormElement>("form[data-editor]")) enhanceEditor(form);
