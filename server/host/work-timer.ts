/**
 * Works (holds the slot) for at least `ms`. Node fires a timer by its loop's
 * millisecond clock, which can be up to a millisecond behind the precise one:
 * a 40 ms timer may wake after 39.7 ms. Work is what the span measures, so a
 * service set to work 40 ms never reports less — the rest is waited out.
 */
export async function workFor(ms: number): Promise<void> {
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(left))));
  }
}
