"use client";

/**
 * A queue edge's dead letters while its run is up: the jobs that failed every
 * attempt (ListDeadLetters), each with the time its last attempt failed, its
 * attempts and the reason, a link to its trace, and a redrive — one job or all
 * of them (RedriveDeadLetters) — after which the list is read again. A
 * redriven job is a message sent again: the edge's books count it in `sent`.
 *
 * Mount it for a QUEUE edge while the run is RUNNING:
 *   <DeadLetters runId={runId} token={token} edgeId={edge.id} />
 * It follows the edge's dead-lettered count from the run store, so new dead
 * letters appear without a click.
 */
import { ConnectError } from "@connectrpc/connect";
import { RotateCcw, RefreshCw, SquareArrowOutUpRight } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import type { DeadLetter } from "@/lib/gen/ipcplay/v1/playground_pb";
import { controlClient, withToken } from "@/components/state/control-client";
import { loadTrace } from "@/components/state/run-actions";
import { useRunStore } from "@/components/state/run-store";
import { Button } from "@/components/ui/Button";
import { Section } from "@/components/ui/fields";
import { formatClock } from "@/components/ui/format";
import { Spinner } from "@/components/ui/Spinner";
import { attemptsText, deadLetterCountText, reasonText, redriveResultText, redrivenSoFarText } from "./dead-letters-text";

/** Dead letters the view lists (the newest); "Redrive all" puts back every one. */
const LIST_LIMIT = 50;

export interface DeadLettersProps {
  runId: string;
  token: string;
  /** A QUEUE edge of the run. */
  edgeId: string;
}

type ListState =
  | { status: "loading" }
  | { status: "error"; message: string }
  | { status: "ready"; letters: DeadLetter[]; total: number };

function messageOf(err: unknown): string {
  const ce = ConnectError.from(err);
  return ce.rawMessage || ce.message;
}

export function DeadLetters({ runId, token, edgeId }: DeadLettersProps) {
  const [list, setList] = useState<ListState>({ status: "loading" });
  /** The redrive under way: "all", or the job id. */
  const [busy, setBusy] = useState<string | null>(null);
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  // Read again when the edge's books say a job died or went back (live, from the run's stream).
  const deadLettered = useRunStore((s) => s.edgeCounters[edgeId]?.deadLettered ?? 0);
  const redriven = useRunStore((s) => s.edgeCounters[edgeId]?.redriven ?? 0);
  /** Only the latest read may set the list (an older answer can arrive last). */
  const readSeq = useRef(0);

  const read = useCallback(async () => {
    const seq = ++readSeq.current;
    try {
      const res = await controlClient().listDeadLetters({ runId, edgeId, limit: LIST_LIMIT }, withToken(token));
      if (seq === readSeq.current) setList({ status: "ready", letters: res.deadLetters, total: res.total });
    } catch (err) {
      if (seq === readSeq.current) setList({ status: "error", message: messageOf(err) });
    }
  }, [runId, token, edgeId]);

  // A new edge or run starts from "loading"; the counts only refresh what is shown.
  useEffect(() => {
    setList({ status: "loading" });
    setResult(null);
  }, [runId, edgeId]);

  useEffect(() => {
    void read();
  }, [read, deadLettered, redriven]);

  async function redrive(jobIds: string[]) {
    setBusy(jobIds.length === 0 ? "all" : jobIds[0]);
    setResult(null);
    try {
      const res = await controlClient().redriveDeadLetters({ runId, edgeId, jobIds }, withToken(token));
      if (res.run) useRunStore.getState().applyRunInfo(res.run);
      setResult({ text: redriveResultText(res.redriven, jobIds.length === 0 ? undefined : jobIds.length), error: false });
    } catch (err) {
      setResult({ text: `Could not redrive: ${messageOf(err)}`, error: true });
    } finally {
      setBusy(null);
      await read();
    }
  }

  const ready = list.status === "ready" ? list : null;
  const soFar = redrivenSoFarText(redriven);

  return (
    <Section
      title="Dead letters"
      aside={
        <span className="flex items-center gap-1">
          <Button
            size="sm"
            variant="ghost"
            aria-label="Read the dead letters again"
            title="Read again"
            disabled={list.status === "loading"}
            onClick={() => void read()}
            data-testid="dead-letters-refresh"
          >
            <RefreshCw className="size-3.5" />
          </Button>
          <Button
            size="sm"
            variant="secondary"
            disabled={!ready || ready.total === 0 || busy !== null}
            onClick={() => void redrive([])}
            title="Put every dead letter of this queue back, with its attempts again"
            data-testid="dead-letters-redrive-all"
          >
            {busy === "all" ? <Spinner /> : <RotateCcw className="size-3.5" />}
            Redrive all
          </Button>
        </span>
      }
    >
      <div className="flex flex-col gap-2" data-testid="dead-letters" data-edge-id={edgeId}>
        {list.status === "loading" && (
          <p className="flex items-center gap-2 text-2xs text-zinc-500" data-testid="dead-letters-loading">
            <Spinner /> Reading the queue's dead letters…
          </p>
        )}
        {list.status === "error" && (
          <div className="flex items-start justify-between gap-2 text-2xs" role="alert" data-testid="dead-letters-error">
            <span className="text-red-600">{list.message}</span>
            <Button size="sm" variant="secondary" onClick={() => void read()}>
              Try again
            </Button>
          </div>
        )}
        {ready && (
          <p className="tabular text-2xs text-zinc-500" data-testid="dead-letters-count">
            {deadLetterCountText(ready.letters.length, ready.total)}
            {ready.total === 0 && ": every job of this queue completed or is still being tried."}
            {ready.total > 0 && " — jobs that failed every attempt, newest first."}
          </p>
        )}
        {ready && ready.letters.length > 0 && (
          <ul className="flex flex-col divide-y divide-zinc-100 rounded-md border border-zinc-100" data-testid="dead-letter-list">
            {ready.letters.map((letter) => (
              <DeadLetterRow
                key={letter.jobId}
                letter={letter}
                busy={busy === letter.jobId}
                disabled={busy !== null}
                onRedrive={() => void redrive([letter.jobId])}
              />
            ))}
          </ul>
        )}
        {result && (
          <p className={result.error ? "text-2xs text-red-600" : "text-2xs text-zinc-600"} role={result.error ? "alert" : "status"} data-testid="dead-letters-result">
            {result.text}
          </p>
        )}
        {soFar && <p className="tabular text-2xs text-zinc-500">{soFar}.</p>}
      </div>
    </Section>
  );
}

function DeadLetterRow({ letter, busy, disabled, onRedrive }: { letter: DeadLetter; busy: boolean; disabled: boolean; onRedrive: () => void }) {
  const reason = reasonText(letter.failedReason);
  return (
    <li className="flex items-center gap-2 px-2 py-1.5 text-2xs" data-testid="dead-letter-row" data-job-id={letter.jobId}>
      <div className="flex min-w-0 flex-1 flex-col gap-0.5">
        <div className="tabular flex items-center gap-2 text-zinc-500">
          <span className="font-mono" title={new Date(letter.failedUnixMs).toISOString()}>
            {letter.failedUnixMs > 0 ? formatClock(letter.failedUnixMs) : "—"}
          </span>
          <span>{attemptsText(letter.attempts)}</span>
        </div>
        <span className="truncate text-zinc-800" title={reason}>
          {reason}
        </span>
      </div>
      <Button
        size="sm"
        variant="ghost"
        disabled={!letter.traceId}
        title={letter.traceId ? `Open trace ${letter.traceId}` : "The job carries no trace"}
        onClick={() => openTrace(letter.traceId)}
        data-testid="dead-letter-trace"
      >
        <SquareArrowOutUpRight className="size-3.5" />
        Trace
      </Button>
      <Button size="sm" variant="secondary" disabled={disabled} onClick={onRedrive} title="Put this job back, with its attempts again" data-testid="dead-letter-redrive">
        {busy ? <Spinner /> : <RotateCcw className="size-3.5" />}
        Redrive
      </Button>
    </li>
  );
}

/** Selects the trace in the run panel's waterfall, fetching its spans when the browser lacks some. */
function openTrace(traceId: string): void {
  const store = useRunStore.getState();
  store.selectTrace(traceId);
  // Its summary's span count when the list has it; otherwise ask the server whenever no span is in hand.
  const expected = store.traces.find((trace) => trace.traceId === traceId)?.spanCount ?? 0;
  void loadTrace(traceId, expected);
}
