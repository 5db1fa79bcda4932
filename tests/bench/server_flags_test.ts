/**
 * The benchmarks that measure the app's memory start it with the V8 flags `deno task start` uses
 * (bench/stats.ts `SERVER_V8_FLAGS`), so their RSS figures are those of the app as it runs.
 */
import { assertEquals } from "../assert.ts";
import { SERVER_V8_FLAGS } from "../../bench/stats.ts";

Deno.test("bench - deno task start and dev run the app with the benchmarks' V8 flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  for (const task of ["start", "dev"]) {
    const main = (config.tasks[task] as string).split("&&").at(-1)!;
    assertEquals(main.includes(` ${SERVER_V8_FLAGS} `), true, `${task}: ${main}`);
  }
});
