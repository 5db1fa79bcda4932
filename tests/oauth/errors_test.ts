/**
 * 5xx answers of the OAuth endpoints: a `ServerError` or an unexpected exception (forced by a failing store) gives
 * ONE log line with the internal detail and a request id, and the response carries the same id (`X-Request-Id`, and
 * `request_id` in an OAuth JSON body), never the detail. Plus: an unknown wiki is an RFC `invalid_request` (404),
 * and no OAuth JSON error body is written outside lib/oauth/errors.ts.
 */
import {
  approveFlow,
  authorizeUrl,
  connect,
  pkce,
  postForm,
  register,
  setupHttp,
} from "../routes/wiki/oauth/http_helpers.ts";
import { assertEquals, assertOk } from "../assert.ts";
import { InvalidGrantError, oauthErrorResponse, ServerError } from "../../lib/oauth/errors.ts";

/** The store's failure modes the tests switch on. */
interface Faults {
  /** Every atomic commit loses its check (a write that keeps conflicting). */
  conflict: boolean;
  /** Reading an authorization code throws (a bug below the endpoint). */
  codeReadThrows: boolean;
  /** Storing a pending consent throws. */
  consentWriteThrows: boolean;
}

/** Wraps `kv` so that the switched-on faults happen. */
function faulty(kv: Deno.Kv, faults: Faults): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          return new Proxy(op, {
            get(o, p) {
              if (p === "commit" && faults.conflict) return () => Promise.resolve({ ok: false });
              const v = Reflect.get(o, p, o);
              return typeof v === "function" ? v.bind(o) : v;
            },
          });
        };
      }
      if (prop === "getMany") {
        return (keys: Deno.KvKey[], opts?: { consistency?: Deno.KvConsistencyLevel }) => {
          if (faults.codeReadThrows && keys.some((k) => k[0] === "oauth_code")) {
            throw new RangeError("index corrupted under oauth_code (internal detail)");
          }
          return target.getMany(keys, opts);
        };
      }
      if (prop === "set") {
        return (key: Deno.KvKey, value: unknown, opts?: { expireIn?: number }) => {
          if (faults.consentWriteThrows && key[0] === "oauth_consent") {
            throw new TypeError("consent store rejected the record (internal detail)");
          }
          return target.set(key, value, opts);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Runs `fn` with console.error and console.warn captured; returns the lines they wrote. */
async function capturingLogs(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const { error, warn } = console;
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  console.error = capture;
  console.warn = capture;
  try {
    await fn();
  } finally {
    console.error = error;
    console.warn = warn;
  }
  return lines;
}

/** Asserts one log line naming `id` and containing `detail`, and no other line naming the detail. */
function assertOneLine(lines: string[], id: string, detail: string): void {
  const withDetail = lines.filter((l) => l.includes(detail));
  assertEquals(withDetail.length, 1, `log lines: ${JSON.stringify(lines)}`);
  assertOk(withDetail[0].includes(id), `the log line does not name request ${id}: ${withDetail[0]}`);
  assertOk(!withDetail[0].includes("\n"), "one line");
}

const FAULTS_OFF: Faults = { conflict: false, codeReadThrows: false, consentWriteThrows: false };

Deno.test("5xx - a ServerError on /token is logged with its detail and a request id the response carries", async () => {
  const faults = { ...FAULTS_OFF };
  const f = await setupHttp("path", { wrapKv: (kv) => faulty(kv, faults) });
  try {
    const c = await connect(f, { public: true });
    faults.conflict = true;
    let res: Awaited<ReturnType<typeof postForm>> | null = null;
    const lines = await capturingLogs(async () => {
      res = await postForm(f, "token", {
        grant_type: "refresh_token",
        refresh_token: c.refresh,
        client_id: c.clientId,
      });
    });
    const r = res!;
    assertEquals(r.status, 500);
    assertEquals(r.body.error, "server_error");
    const id = r.headers.get("x-request-id");
    assertOk(id && id.length >= 8, `X-Request-Id: ${id}`);
    assertEquals(r.body.request_id, id);
    assertEquals(JSON.stringify(r.body).includes("conflicting"), false);
    assertEquals(r.headers.get("cache-control"), "no-store");
    assertOneLine(lines, id, "refresh kept conflicting");
  } finally {
    f.close();
  }
});

Deno.test("5xx - an unexpected exception in /token is an OAuth server_error with a logged request id", async () => {
  const faults = { ...FAULTS_OFF, codeReadThrows: true };
  const f = await setupHttp("path", { wrapKv: (kv) => faulty(kv, faults) });
  try {
    const reg = await register(f, { client_name: "x", redirect_uris: ["https://app.example/cb"] });
    const code = `rwac_g_${"a".repeat(20)}.${"b".repeat(43)}`;
    let res: Response | null = null;
    const lines = await capturingLogs(async () => {
      res = await f.fetch(f.urls.wiki("alice", "/token"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          code_verifier: "v".repeat(43),
          client_id: reg.body.client_id as string,
          client_secret: reg.body.client_secret as string,
        }).toString(),
      });
    });
    const r = res! as Response;
    assertEquals(r.status, 500);
    const text = await r.text();
    const body = JSON.parse(text);
    assertEquals(body.error, "server_error");
    assertOk(typeof body.error_description === "string");
    const id = r.headers.get("x-request-id");
    assertOk(id, "no X-Request-Id");
    assertEquals(body.request_id, id);
    assertEquals(text.includes("corrupted"), false);
    assertEquals(text.includes("RangeError"), false);
    assertOneLine(lines, id, "index corrupted under oauth_code");
  } finally {
    f.close();
  }
});

Deno.test("5xx - an unexpected exception on the authorization page: request id in its log line and header", async () => {
  const faults = { ...FAULTS_OFF };
  const f = await setupHttp("path", { wrapKv: (kv) => faulty(kv, faults) });
  try {
    const reg = await register(f, { client_name: "x", redirect_uris: ["https://app.example/cb"] });
    const { challenge } = await pkce();
    // A working flow first: the fault is what breaks it.
    await approveFlow(f, reg.body.client_id as string, challenge, { over: { redirect_uri: "https://app.example/cb" } });
    faults.consentWriteThrows = true;
    const cookie = await f.cookie("did:plc:alice0000000000000000000");
    let res: Response | null = null;
    const url = authorizeUrl(f, reg.body.client_id as string, challenge, { redirect_uri: "https://app.example/cb" });
    const lines = await capturingLogs(async () => {
      res = await f.fetch(url, { headers: { cookie } });
    });
    const r = res! as Response;
    assertEquals(r.status, 500);
    const html = await r.text();
    assertEquals(html.includes("consent store rejected"), false);
    const id = r.headers.get("x-request-id");
    assertOk(id, "no X-Request-Id");
    const named = lines.filter((l) => l.includes(id));
    assertEquals(named.length, 1, JSON.stringify(lines));
  } finally {
    f.close();
  }
});

Deno.test("unknown wiki - every OAuth endpoint answers 404 invalid_request from the error classes", async () => {
  const f = await setupHttp("path");
  try {
    const answers = [
      await f.fetch("http://localhost:8000/.well-known/oauth-authorization-server/w/nobody"),
      await f.fetch(f.urls.protectedResourceMetadata("nobody")),
      await f.fetch(f.urls.wiki("nobody", "/token"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=refresh_token",
      }),
      await f.fetch(f.urls.wiki("nobody", "/register"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
      await f.fetch(f.urls.wiki("nobody", "/revoke"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "token=x",
      }),
    ];
    for (const res of answers) {
      assertEquals(res.status, 404, res.url);
      const body = await res.json();
      assertEquals(body.error, "invalid_request", JSON.stringify(body));
      assertOk(String(body.error_description).includes("nobody"), JSON.stringify(body));
      assertEquals(res.headers.get("cache-control"), "no-store");
    }
  } finally {
    f.close();
  }
});

Deno.test("no OAuth JSON error body is written outside lib/oauth/errors.ts", async () => {
  const offenders: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (/\.tsx?$/.test(e.name) && p !== "lib/oauth/errors.ts") {
        const text = await Deno.readTextFile(p);
        // An `error_description` member: the mark of an OAuth error body (or redirect) built by hand.
        if (/["']?error_description["']?\s*:/.test(text)) offenders.push(p);
      }
    }
  };
  await walk("lib");
  await walk("routes");
  assertEquals(offenders, []);
});

Deno.test("oauthErrorResponse - a ServerError's detail goes to one log line with the answer's id", async () => {
  let res: Response | null = null;
  const lines = await capturingLogs(() => {
    res = oauthErrorResponse(new ServerError("grant index missing for g_123"), "POST /token");
    return Promise.resolve();
  });
  const r = res! as Response;
  const id = r.headers.get("x-request-id")!;
  assertOk(id, "no X-Request-Id");
  assertEquals((await r.json()).request_id, id);
  assertOneLine(lines, id, "grant index missing for g_123");
  assertOk(lines[0].includes("POST /token"), lines[0]);
});

Deno.test("oauthErrorResponse - a client error's detail is logged without an id; the answer is unchanged", async () => {
  let res: Response | null = null;
  const lines = await capturingLogs(() => {
    res = oauthErrorResponse(
      new InvalidGrantError("The code is invalid.", { detail: "code replay, grant g_9 revoked" }),
    );
    return Promise.resolve();
  });
  const r = res! as Response;
  assertEquals(r.headers.get("x-request-id"), null);
  assertEquals(await r.text(), '{"error":"invalid_grant","error_description":"The code is invalid."}');
  assertEquals(lines.filter((l) => l.includes("code replay, grant g_9 revoked")).length, 1, JSON.stringify(lines));
  assertEquals(
    (await capturingLogs(async () => void await oauthErrorResponse(new InvalidGrantError("No detail.")).text()))
      .length,
    0,
  );
});
