import { renderMarkdown } from "../../lib/web/markdown.ts";
import { headingId, isSafeLinkUrl } from "../../lib/web/markdown.ts";
import { assertEquals, assertExcludes, assertIncludes, assertOk } from "../assert.ts";

/** Link resolver for tests: pages under /w/t/, `Missing` and `Nope` do not exist. */
function linkFor(target: string, anchor: string | null) {
  const href = "http://localhost:8000/w/t/" + target.replaceAll(" ", "_") + (anchor ? "#" + headingId(anchor) : "");
  return { href, exists: target !== "Missing" && target !== "Nope" };
}

function render(md: string): string {
  return renderMarkdown(md, { linkFor });
}

/** Every tag in the HTML with its attributes (name -> raw value, entities decoded). */
function tags(html: string): { name: string; attrs: Map<string, string> }[] {
  const out: { name: string; attrs: Map<string, string> }[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const attrs = new Map<string, string>();
    for (const a of m[2].matchAll(/([^\s=\/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      attrs.set(a[1].toLowerCase(), decodeEntities(a[2] ?? a[3] ?? a[4] ?? ""));
    }
    out.push({ name: m[1].toLowerCase(), attrs });
  }
  return out;
}

function decodeEntities(s: string): string {
  return s.replace(/&#x([0-9a-f]+);?/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

const ALLOWED_TAGS = new Set([
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "p",
  "br",
  "hr",
  "blockquote",
  "pre",
  "code",
  "em",
  "strong",
  "s",
  "a",
  "img",
  "ul",
  "ol",
  "li",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
]);

/** Asserts the HTML is inert: known tags only, no handlers/styles, only http(s)/mailto/relative URLs. */
function assertInert(html: string, source: string): void {
  assertExcludes(html.toLowerCase(), "<script", `script tag from ${source}`);
  for (const { name, attrs } of tags(html)) {
    assertOk(ALLOWED_TAGS.has(name), `unexpected <${name}> from ${JSON.stringify(source)}: ${html}`);
    for (const [attr, value] of attrs) {
      assertOk(!attr.startsWith("on"), `event handler ${attr} from ${JSON.stringify(source)}: ${html}`);
      assertOk(attr !== "style", `style attribute from ${JSON.stringify(source)}`);
      if (attr === "href" || attr === "src") {
        // deno-lint-ignore no-control-regex
        const url = value.replace(/[\x00-\x20]/g, "").toLowerCase();
        assertOk(
          /^(https?:|mailto:|[^:]*$|[^:]*[/?#])/.test(url),
          `unsafe ${attr}=${JSON.stringify(value)} from ${JSON.stringify(source)}`,
        );
        assertOk(!/^(javascript|data|vbscript|file):/.test(url), `unsafe ${attr} from ${JSON.stringify(source)}`);
      }
    }
  }
}

const HOSTILE = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "[x](javascript:alert(1))",
  "[x](JaVaScRiPt:alert(1))",
  "[x](  javascript:alert(1))",
  "[x](&#106;avascript:alert(1))",
  "[x](&#x6A;avascript&#x3A;alert(1))",
  "[x](java&#x09;script:alert(1))",
  "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
  "![x](data:image/png;base64,iVBORw0KGgo=)",
  "[x](data:text/html,<script>alert(1)</script>)",
  "<svg onload=alert(1)>",
  "<iframe src=https://evil.example></iframe>",
  '<a href="javascript:alert(1)">x</a>',
  "[[Page|<script>alert(1)</script>]]",
  "[[Page|<img src=x onerror=alert(1)>]]",
  "<javascript:alert(1)>",
  "<JAVASCRIPT:alert(1)>",
  "[x][r]\n\n[r]: javascript:alert(1)",
  "[x](vbscript:msgbox(1))",
  "[x](file:///etc/passwd)",
  "![x](javascript:alert(1))",
  "[x](<javascript:alert(1)>)",
  "<style>body{display:none}</style>",
  "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
  "<form action=https://evil.example><input name=x></form>",
  "<object data=x></object><embed src=x>",
  '<div style="background:url(javascript:alert(1))">x</div>',
  "```\n<script>alert(1)</script>\n```",
  "`<img src=x onerror=alert(1)>`",
  "| a |\n|---|\n| <script>alert(1)</script> |",
  "[x](//evil.example/x)",
];

for (const source of HOSTILE) {
  Deno.test(`markdown - hostile input is inert: ${JSON.stringify(source)}`, () => {
    assertInert(render(source), source);
  });
}

Deno.test("markdown - raw HTML is shown as text, not elements", () => {
  assertEquals(render("<script>alert(1)</script>"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
  assertEquals(render("<img src=x onerror=alert(1)>"), "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
});

Deno.test("markdown - javascript: links are not links", () => {
  for (const s of ["[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](&#106;avascript:alert(1))"]) {
    const html = render(s);
    assertExcludes(html, "<a", s);
    assertExcludes(html, "href", s);
  }
});

Deno.test("markdown - data: images are not images", () => {
  const html = render("![x](data:image/png;base64,iVBORw0KGgo=)");
  assertExcludes(html, "<img");
  assertExcludes(html, "src=");
});

Deno.test("markdown - WikiLink display text is escaped", () => {
  assertEquals(
    render("[[Page|<script>alert(1)</script>]]"),
    '<p><a href="http://localhost:8000/w/t/Page" class="wikilink">&lt;script&gt;alert(1)&lt;/script&gt;</a></p>\n',
  );
});

Deno.test("markdown - WikiLinks: target left of the pipe, anchors, missing pages", () => {
  const html = render("See [[Design/Auth#Token Flow|the flow]], [[Missing]] and [[/Lead_Page]].");
  assertIncludes(html, '<a href="http://localhost:8000/w/t/Design/Auth#token-flow" class="wikilink">the flow</a>');
  assertIncludes(
    html,
    '<a href="http://localhost:8000/w/t/Missing" class="wikilink missing" title="Missing (no such page yet)">Missing</a>',
  );
  assertIncludes(html, '<a href="http://localhost:8000/w/t/Lead_Page" class="wikilink">Lead Page</a>');
});

Deno.test("markdown - WikiLinks inside code stay literal", () => {
  const html = render("Inline `[[Nope]]` and\n\n```\n[[Nope]]\n```\n\n    [[Nope]]\n");
  assertExcludes(html, "wikilink");
  assertIncludes(html, "<code>[[Nope]]</code>");
  assertIncludes(html, "<pre><code>[[Nope]]\n</code></pre>");
});

Deno.test("markdown - invalid WikiLink targets stay text", () => {
  assertEquals(render("[[a<b]] [[ ]] [[..]]"), "<p>[[a&lt;b]] [[ ]] [[..]]</p>\n");
});

Deno.test("markdown - WikiLinks inside emphasis and lists", () => {
  assertEquals(
    render("- *[[Home]]*"),
    '<ul>\n<li><em><a href="http://localhost:8000/w/t/Home" class="wikilink">Home</a></em></li>\n</ul>\n',
  );
});

Deno.test("markdown - frontmatter is not rendered", () => {
  const html = render("---\ntitle: Secret Title\ntags: [a, b]\n---\n# Body\n");
  assertEquals(html, '<h1 id="body">Body</h1>\n');
});

Deno.test("markdown - headings get unique id slugs", () => {
  assertEquals(
    render("# Auth & Tokens\n## Auth & Tokens\n### `code` Überblick"),
    '<h1 id="auth-tokens">Auth &amp; Tokens</h1>\n<h2 id="auth-tokens-2">Auth &amp; Tokens</h2>\n' +
      '<h3 id="code-überblick"><code>code</code> Überblick</h3>\n',
  );
});

Deno.test("markdown - headingId", () => {
  assertEquals(headingId("Auth & Tokens"), "auth-tokens");
  assertEquals(headingId("  Hello   World  "), "hello-world");
  assertEquals(headingId("!!!"), "section");
  assertEquals(headingId("Café"), "café");
});

Deno.test("markdown - external links get rel=nofollow noopener, relative and mailto links do not", () => {
  assertEquals(
    render("[a](https://example.com/x) <https://example.org> [b](/local) [c](mailto:a@b.c)"),
    '<p><a href="https://example.com/x" rel="nofollow noopener">a</a> ' +
      '<a href="https://example.org" rel="nofollow noopener">https://example.org</a> ' +
      '<a href="/local">b</a> <a href="mailto:a@b.c">c</a></p>\n',
  );
});

Deno.test("markdown - images: http(s) kept, lazy and no-referrer", () => {
  assertEquals(
    render("![cat](https://img.example/cat.png)"),
    '<p><img src="https://img.example/cat.png" alt="cat" loading="lazy" referrerpolicy="no-referrer" /></p>\n',
  );
});

Deno.test("markdown - table alignment becomes a class, not a style", () => {
  const html = render("| a | b |\n|--:|:-:|\n| 1 | 2 |");
  assertIncludes(html, '<th class="align-right">a</th>');
  assertIncludes(html, '<td class="align-center">2</td>');
  assertExcludes(html, "style");
});

Deno.test("markdown - fenced code keeps a language class", () => {
  assertEquals(
    render("```ts\nconst x = 1;\n```"),
    '<pre><code class="language-ts">const x = 1;\n</code></pre>\n',
  );
});

Deno.test("markdown - isSafeLinkUrl", () => {
  assertOk(isSafeLinkUrl("https://a.example"));
  assertOk(isSafeLinkUrl("relative/page"));
  assertOk(isSafeLinkUrl("mailto:x@y.z"));
  assertOk(!isSafeLinkUrl(" JavaScript:alert(1)"));
  assertOk(!isSafeLinkUrl("data:text/html,x"));
  assertOk(!isSafeLinkUrl("ftp://x"));
  assertOk(!isSafeLinkUrl("java%09script:alert(1)"));
  assertOk(!isSafeLinkUrl("%6Aavascript:alert(1)"));
});
