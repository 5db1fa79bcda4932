/**
 * Opening the KV store (`KV_PATH`): a KV Connect URL reaches `Deno.openKv` unchanged and nothing is created on disk
 * for it; a file path still gets its parent directory; `:memory:` and the platform default create nothing.
 */
import { assertEquals } from "../assert.ts";
import { openKv, type OpenKvIo } from "../../lib/kv/open.ts";
import { loadConfig } from "../../lib/config.ts";

/** An opener that records what it was asked to do and opens an in-memory store. */
function recordingIo(): OpenKvIo & { opened: (string | undefined)[]; made: string[] } {
  const opened: (string | undefined)[] = [];
  const made: string[] = [];
  return {
    opened,
    made,
    open(path) {
      opened.push(path);
      return Deno.openKv(":memory:");
    },
    mkdir(dir) {
      made.push(dir);
      return Promise.resolve();
    },
  };
}

Deno.test("openKv - a KV Connect URL is passed through unchanged, and no folder is made for it", async () => {
  for (
    const url of [
      "http://127.0.0.1:4512",
      "https://kv.example.com:4512/",
      "http://denokv.internal:4512/v2",
      "HTTPS://KV.EXAMPLE.COM",
    ]
  ) {
    const io = recordingIo();
    const kv = await openKv(url, io);
    kv.close();
    assertEquals(io.opened, [url], url);
    assertEquals(io.made, [], url);
  }
});

Deno.test("openKv - KV_PATH from the environment reaches the opener as written", async () => {
  const config = loadConfig((n) => ({ KV_PATH: "http://10.0.0.5:4512" } as Record<string, string>)[n]);
  const io = recordingIo();
  (await openKv(config.kvPath, io)).close();
  assertEquals(io.opened, ["http://10.0.0.5:4512"]);
  assertEquals(io.made, []);
});

Deno.test("openKv - a file path gets its folder; :memory: and the platform default get none", async () => {
  const file = recordingIo();
  (await openKv("./data/sub/robot.kv", file)).close();
  assertEquals(file.made, ["./data/sub/"]);
  assertEquals(file.opened, ["./data/sub/robot.kv"]);
  const mem = recordingIo();
  (await openKv(":memory:", mem)).close();
  assertEquals([mem.made, mem.opened], [[], [":memory:"]]);
  const platform = recordingIo();
  (await openKv(null, platform)).close();
  assertEquals([platform.made, platform.opened], [[], [undefined]]);
});
