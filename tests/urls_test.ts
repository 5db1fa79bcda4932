import { assertEquals } from "./assert.ts";
import { decodePagePath, encodePagePath, pagePathUrl, Urls } from "../lib/urls.ts";

const pathMode = new Urls({ publicOrigin: "http://localhost:8000", addressing: "path", wikiDomain: null });
const subMode = new Urls({ publicOrigin: "https://robot.wtf", addressing: "subdomain", wikiDomain: "robot.wtf" });
const localSub = new Urls({ publicOrigin: "http://localhost:8000", addressing: "subdomain", wikiDomain: "localhost" });

Deno.test("urls - path mode builds wiki, MCP, issuer and metadata URLs", () => {
  assertEquals(pathMode.wikiBase("alice"), "http://localhost:8000/w/alice");
  assertEquals(pathMode.mcp("alice"), "http://localhost:8000/w/alice/mcp");
  assertEquals(pathMode.issuer("alice"), "http://localhost:8000/w/alice");
  assertEquals(
    pathMode.protectedResourceMetadata("alice"),
    "http://localhost:8000/.well-known/oauth-protected-resource/w/alice/mcp",
  );
  assertEquals(
    pathMode.authorizationServerMetadata("alice"),
    "http://localhost:8000/.well-known/oauth-authorization-server/w/alice",
  );
  assertEquals(pathMode.page("alice", "Design/Auth Flow"), "http://localhost:8000/w/alice/Design/Auth_Flow");
  assertEquals(pathMode.system("alice", "history", "Home"), "http://localhost:8000/w/alice/-/history/Home");
});

Deno.test("urls - subdomain mode puts the wiki at the host root", () => {
  assertEquals(subMode.wikiBase("alice"), "https://alice.robot.wtf");
  assertEquals(subMode.mcp("alice"), "https://alice.robot.wtf/mcp");
  assertEquals(subMode.issuer("alice"), "https://alice.robot.wtf");
  assertEquals(
    subMode.protectedResourceMetadata("alice"),
    "https://alice.robot.wtf/.well-known/oauth-protected-resource/mcp",
  );
  assertEquals(
    subMode.authorizationServerMetadata("alice"),
    "https://alice.robot.wtf/.well-known/oauth-authorization-server",
  );
  assertEquals(localSub.wikiBase("demo"), "http://demo.localhost:8000");
  assertEquals(subMode.platform("/app/"), "https://robot.wtf/app/");
});

Deno.test("urls - pages whose first segment is reserved are served under /-/page/", () => {
  assertEquals(pagePathUrl("mcp"), "/-/page/mcp");
  assertEquals(pagePathUrl("token/x"), "/-/page/token/x");
  assertEquals(pagePathUrl("Token"), "/Token");
  assertEquals(pagePathUrl("wiki.git"), "/-/page/wiki.git", "the git repository's address is not a page's");
  assertEquals(pagePathUrl("wiki.git/notes"), "/-/page/wiki.git/notes");
  assertEquals(pagePathUrl("a?b#c/d%e"), "/a%3Fb%23c/d%25e");
  assertEquals(encodePagePath("Über uns/Fünf Punkte"), "%C3%9Cber_uns/F%C3%BCnf_Punkte");
  assertEquals(decodePagePath("%C3%9Cber_uns/F%C3%BCnf_Punkte"), "Über_uns/Fünf_Punkte");
  assertEquals(decodePagePath("bad%zz"), "bad%zz");
});

Deno.test("urls - resolve maps requests to tenants in path mode", () => {
  const r = (u: string) => pathMode.resolve(new URL(u));
  assertEquals(r("http://localhost:8000/"), { kind: "platform" });
  assertEquals(r("http://localhost:8000/w/alice"), { kind: "wiki", slug: "alice", rest: "/" });
  assertEquals(r("http://localhost:8000/w/alice/Design/Auth"), { kind: "wiki", slug: "alice", rest: "/Design/Auth" });
  assertEquals(r("http://localhost:8000/w/Alice/x"), { kind: "platform" });
  assertEquals(r("http://localhost:8000/.well-known/oauth-protected-resource/w/alice/mcp"), {
    kind: "wiki",
    slug: "alice",
    rest: "/.well-known/oauth-protected-resource/mcp",
  });
  assertEquals(r("http://localhost:8000/.well-known/oauth-authorization-server/w/alice"), {
    kind: "wiki",
    slug: "alice",
    rest: "/.well-known/oauth-authorization-server",
  });
  assertEquals(r("http://localhost:8000/.well-known/oauth-authorization-server"), { kind: "platform" });
});

Deno.test("urls - resolve maps hosts to tenants in subdomain mode", () => {
  const r = (u: string, host?: string) => subMode.resolve(new URL(u), host);
  assertEquals(r("https://robot.wtf/app/"), { kind: "platform" });
  assertEquals(r("https://alice.robot.wtf/mcp"), { kind: "wiki", slug: "alice", rest: "/mcp" });
  assertEquals(r("https://x/", "ALICE.robot.wtf:443"), { kind: "wiki", slug: "alice", rest: "/" });
  assertEquals(r("https://alice.robot.wtf./"), { kind: "wiki", slug: "alice", rest: "/" });
  assertEquals(r("https://a.b.robot.wtf/"), { kind: "unknown-host" });
  assertEquals(r("https://evil.example/"), { kind: "unknown-host" });
  assertEquals(localSub.resolve(new URL("http://demo.localhost:8000/-/search?q=x")), {
    kind: "wiki",
    slug: "demo",
    rest: "/-/search",
  });
});

Deno.test("urls - isOwnUrl accepts only the app's own origins", () => {
  assertEquals(subMode.isOwnUrl("https://robot.wtf/app/"), true);
  assertEquals(subMode.isOwnUrl("https://alice.robot.wtf/x"), true);
  assertEquals(subMode.isOwnUrl("http://alice.robot.wtf/x"), false);
  assertEquals(subMode.isOwnUrl("https://robot.wtf.evil.com/"), false);
  assertEquals(subMode.isOwnUrl("https://evilrobot.wtf/"), false);
  assertEquals(subMode.isOwnUrl("https://user:pw@robot.wtf/"), false);
  assertEquals(subMode.isOwnUrl("https://alice.robot.wtf:444/"), false);
  assertEquals(subMode.isOwnUrl("//evil.com"), false);
  assertEquals(subMode.isOwnUrl("javascript:alert(1)"), false);
  assertEquals(pathMode.isOwnUrl("http://localhost:8000/w/alice/"), true);
  assertEquals(pathMode.isOwnUrl("http://localhost:8001/"), false);
});
