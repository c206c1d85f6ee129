/**
 * Words about sending on demand, shared by the Send buttons, their notices
 * and the trace list's empty state. Pure.
 */

/** "1 message", "10 messages". */
export function messagesText(count: number): string {
  return `${count} ${count === 1 ? "message" : "messages"}`;
}

/**
 * What the empty trace list says while a run is up. When no client sends on
 * its own (every rate is 0), waiting would last forever: it says what to do.
 *
 * @example emptyTracesText([0]) // "Nothing sends on its own: press Send on a client …"
 * @example emptyTracesText([3, 0]) // "Waiting for the first message to finish…"
 */
export function emptyTracesText(clientRates: readonly number[]): string {
  if (clientRates.some((r) => r > 0)) return "Waiting for the first message to finish…";
  return "Nothing sends on its own: press Send on a client (1, 10 or 100 messages), on its card or in its inspector.";
}
