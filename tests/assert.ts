/**
 * @module
 * Assertion helpers for tests (node:assert/strict, since JSR's @std/assert is unreachable here), with the
 * @std/assert-style names the suite uses.
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
}

/** Asserts a truthy value. */
export function assertOk(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}

/** Asserts that `text` contains `part`. */
export function assertIncludes(text: string, part: string, message?: string): void {
  assert.ok(
    text.includes(part),
    message ?? `expected ${JSON.stringify(text.slice(0, 400))} to include ${JSON.stringify(part)}`,
  );
}

/** Asserts that `text` does not contain `part`. */
export function assertExcludes(text: string, part: string, message?: string): void {
  const i = text.indexOf(part);
  assert.ok(
    i < 0,
    message ??
      `expected not to include ${JSON.stringify(part)}, found near ${
        JSON.stringify(text.slice(Math.max(0, i - 80), i + 80))
      }`,
  );
}

/** Asserts that `fn` throws an instance of `ErrorClass` whose message includes `msgIncludes`. Returns the error. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  ErrorClass: new (...args: never[]) => E,
  msgIncludes?: string,
): E {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  return checkError(caught, ErrorClass, msgIncludes);
}

/** Async variant of {@link assertThrows}. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  ErrorClass: new (...args: never[]) => E,
  msgIncludes?: string,
): Promise<E> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  return checkError(caught, ErrorClass, msgIncludes);
}

function checkError<E extends Error>(caught: unknown, ErrorClass: new (...args: never[]) => E, msg?: string): E {
  assert.ok(caught !== undefined, `expected ${ErrorClass.name} to be thrown, nothing was`);
  assert.ok(caught instanceof ErrorClass, `expected ${ErrorClass.name}, got ${String(caught)}`);
  if (msg !== undefined) {
    assert.ok(
      (caught as E).message.includes(msg),
      `expected message to include ${JSON.stringify(msg)}, got ${JSON.stringify((caught as E).message)}`,
    );
  }
  return caught as E;
}

/**
 * Awaits `promise`, failing with "timed out waiting for {what}" if it has not settled after `ms` (a hang guard, not
 * a timing claim: tests await the event itself, this only turns a hang into a readable failure).
 */
export async function withHangGuard<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}
