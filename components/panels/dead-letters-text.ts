/**
 * Words of the dead-letter view (DeadLetters.tsx), kept pure so they are tested
 * without a browser.
 */
import { formatCount } from "@/components/ui/format";

/** "No dead letters", "1 dead letter", "12 dead letters", "showing 50 of 812 dead letters". */
export function deadLetterCountText(shown: number, total: number): string {
  if (total === 0) return "No dead letters";
  const noun = total === 1 ? "dead letter" : "dead letters";
  if (shown >= total) return `${formatCount(total)} ${noun}`;
  return `Showing the newest ${formatCount(shown)} of ${formatCount(total)} ${noun}`;
}

/** "1 attempt", "3 attempts". */
export function attemptsText(attempts: number): string {
  return `${formatCount(attempts)} ${attempts === 1 ? "attempt" : "attempts"}`;
}

/** The reason as shown in a row: "—" when BullMQ kept none. */
export function reasonText(reason: string): string {
  const trimmed = reason.trim();
  return trimmed === "" ? "—" : trimmed;
}

/**
 * What a redrive did, in a sentence: how many went back, and, when fewer than
 * asked for, why the rest did not (they were no dead letters any more).
 * `asked` is the number of jobs named, or undefined for "all".
 */
export function redriveResultText(redriven: number, asked: number | undefined): string {
  const went = redriven === 1 ? "1 dead letter went back to the queue" : `${formatCount(redriven)} dead letters went back to the queue`;
  if (redriven === 0) {
    return asked === undefined ? "There was no dead letter to put back." : "Nothing went back: it is no dead letter any more.";
  }
  const missed = asked === undefined ? 0 : asked - redriven;
  const rest = missed > 0 ? ` (${formatCount(missed)} no longer dead)` : "";
  return `${went}${rest}; each is a message sent again, counted in sent.`;
}

/** "3 redriven so far (counted in sent)" for the edge's books; empty when none. */
export function redrivenSoFarText(redriven: number): string {
  return redriven > 0 ? `${formatCount(redriven)} redriven so far (counted in sent)` : "";
}
