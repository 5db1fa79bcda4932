import assert from "node:assert/strict";
import { unifiedDiff } from "../../lib/wiki/diff.ts";

const LABELS = { from: "Plan@abcd1234", to: "Plan@ef567890" };

Deno.test("diff - identical texts give an empty diff", () => {
  assert.deepEqual(unifiedDiff("a\nb\n", "a\nb\n", LABELS), { unified: "", added: 0, removed: 0 });
  assert.deepEqual(unifiedDiff("", "", LABELS), { unified: "", added: 0, removed: 0 });
});

Deno.test("diff - a changed line counts once added and once removed", () => {
  assert.deepEqual(unifiedDiff("a\nb\nc\n", "a\nB\nc\nd\n", LABELS), {
    unified: "--- Plan@abcd1234\n+++ Plan@ef567890\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n",
    added: 2,
    removed: 1,
  });
});

Deno.test("diff - creation and deletion", () => {
  assert.deepEqual(unifiedDiff("", "x\ny\n", LABELS), {
    unified: "--- Plan@abcd1234\n+++ Plan@ef567890\n@@ -0,0 +1,2 @@\n+x\n+y\n",
    added: 2,
    removed: 0,
  });
  const gone = unifiedDiff("x\ny\nz\n", "", LABELS);
  assert.equal(gone.added, 0);
  assert.equal(gone.removed, 3);
});

Deno.test("diff - three lines of context, separate hunks", () => {
  const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
  const next = old.replace("line 2\n", "line two\n").replace("line 18\n", "");
  const d = unifiedDiff(old, next, LABELS);
  assert.equal(d.added, 1);
  assert.equal(d.removed, 2);
  assert.deepEqual(d.unified.split("\n").filter((l) => l.startsWith("@@")), ["@@ -1,5 +1,5 @@", "@@ -15,6 +15,5 @@"]);
  assert.ok(!d.unified.includes(" line 10\n"), "no context far from changes");
});

Deno.test("diff - a missing final newline is marked", () => {
  const d = unifiedDiff("a\n", "a\nb", LABELS);
  assert.equal(
    d.unified,
    "--- Plan@abcd1234\n+++ Plan@ef567890\n@@ -1,1 +1,2 @@\n a\n+b\n\\ No newline at end of file\n",
  );
  assert.equal(d.added, 1);
  assert.equal(d.removed, 0);
});

Deno.test("diff - past the time budget, every old line is removed and every new line added", () => {
  const old = Array.from({ length: 600 }, (_, i) => `line ${i}`).join("\n");
  const next = Array.from({ length: 600 }, (_, i) => i % 2 === 0 ? `line ${i}` : `changed ${i}`).join("\n") + "\n";
  const minimal = unifiedDiff(old, next, LABELS);
  assert.equal(minimal.removed, 300);
  assert.equal(minimal.added, 300);
  const d = unifiedDiff(old, next, LABELS, { timeoutMs: 1 });
  assert.equal(d.removed, 600);
  assert.equal(d.added, 600);
  const lines = d.unified.split("\n");
  assert.deepEqual(lines.slice(0, 4), ["--- Plan@abcd1234", "+++ Plan@ef567890", "@@ -1,600 +1,600 @@", "-line 0"]);
  assert.equal(lines[603], "\\ No newline at end of file");
  assert.equal(lines[604], "+line 0");
  assert.equal(lines[605], "+changed 1");
});
