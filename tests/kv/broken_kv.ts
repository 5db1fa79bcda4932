/** A test double for the limiters: a KV whose commits lose or throw, or whose reads throw, from the first call. */

/** A KV whose atomic commits lose (`ok: false`) or throw, or whose reads throw. */
export function brokenKv(kv: Deno.Kv, mode: "lose" | "throw" | "read"): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "getMany" && mode === "read") return () => Promise.reject(new Error("kv down"));
      if (prop === "atomic" && mode !== "read") {
        return () => {
          const op: Deno.AtomicOperation = new Proxy(target.atomic(), {
            get(t, p) {
              if (p === "commit") {
                return () => mode === "lose" ? Promise.resolve({ ok: false }) : Promise.reject(new Error("kv down"));
              }
              const v = Reflect.get(t, p, t);
              if (typeof v !== "function") return v;
              return (...a: unknown[]) => {
                const r = v.apply(t, a);
                return r === t ? op : r;
              };
            },
          });
          return op;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
