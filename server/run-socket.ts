/**
 * socket.io fan-out of run events: one room per run, joined with the run's
 * token. One RunManager subscription per room, however many browsers watch.
 *
 * With a cluster (remote mode: `adapter` + `readerLease`), the room spans the
 * web instances through socket.io's Redis adapter and one subscription serves
 * the whole cluster: the instance holding the run's reader lease reads its
 * events and emits them to the room, every instance's sockets included; an
 * instance with watchers takes the lease over when its holder dies, and the
 * holder lets it go once no instance has a watcher left.
 */
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { create, toJson } from "@bufbuild/protobuf";
import { Server, type ServerOptions } from "socket.io";
import { RunEventSchema, type RunEvent, type Span, type TraceSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { ClientToServerEvents, ServerToClientEvents, WatchAck } from "@/lib/run/socket-events";
import type { ControlRuns } from "@/server/runtime/run-manager";

const roomOf = (runId: string) => `run:${runId}`;

/**
 * Span batches go to a room at most this often, merged: a browser applies
 * each one it gets, and more than a few a second only costs frames.
 */
export const SPAN_EMIT_MS = 250;
/** Bounds of one merged emit, whatever the hub sends meanwhile. */
export const MAX_SPANS_PER_EMIT = 4000;
export const MAX_TRACES_PER_EMIT = 1000;

/** Span batches of one room waiting for the next emit. */
interface SpanBuffer {
  spans: Span[];
  traces: Map<string, TraceSummary>;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * One SpanBatch event from many: spans beyond the bound are the oldest and
 * go (the browser fetches a trace it lacks with GetTrace); summaries keep
 * the newest of each trace, the newest traces first past the bound.
 */
export function mergeSpanBatches(spans: Span[], traces: Iterable<TraceSummary>): RunEvent {
  const shipped = spans.length > MAX_SPANS_PER_EMIT ? spans.slice(-MAX_SPANS_PER_EMIT) : spans;
  let summaries = [...traces];
  if (summaries.length > MAX_TRACES_PER_EMIT) summaries = summaries.sort((a, b) => b.startUnixMs - a.startUnixMs).slice(0, MAX_TRACES_PER_EMIT);
  return create(RunEventSchema, { event: { case: "spans", value: { spans: shipped, traces: summaries } } });
}

function isWatchRequest(value: unknown): value is { runId: string; token: string } {
  if (typeof value !== "object" || value === null) return false;
  const { runId, token } = value as Record<string, unknown>;
  return typeof runId === "string" && typeof token === "string" && runId.length <= 64 && token.length <= 128;
}

/** Which web instance reads a run's events for the cluster's room (server/runner/web-tier.ts). */
export interface ReaderLease {
  /** "mine": this instance reads; "taken": another does; "done": the run's summary went out already. */
  acquire(runId: string): Promise<"mine" | "taken" | "done">;
  /** False when the lease is no longer this instance's. */
  renew(runId: string): Promise<boolean>;
  release(runId: string, done: boolean): Promise<void>;
  readonly renewEveryMs: number;
}

export interface RunSocketOptions {
  /** Why a handshake (polling or WebSocket) is refused, or undefined: the server's Host and Origin check. */
  allowRequest?: (req: IncomingMessage) => string | undefined;
  /** socket.io's cluster adapter (remote mode): rooms span the web instances. */
  adapter?: ServerOptions["adapter"];
  /** With the adapter: one reader of a run's events per cluster, not per instance. */
  readerLease?: ReaderLease;
  /** Accepted transports; remote mode takes WebSocket only, so no request of a session can reach another instance. */
  transports?: ServerOptions["transports"];
}

export function attachRunSocket(httpServer: HttpServer, runs: ControlRuns, options: RunSocketOptions = {}): Server<ClientToServerEvents, ServerToClientEvents> {
  const check = options.allowRequest;
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    ...(options.adapter ? { adapter: options.adapter } : {}),
    ...(options.transports ? { transports: options.transports } : {}),
    // Same origin only: the UI is served from this port. WebSocket upgrades pass
    // no 'request' listener, so the server's guard is asked here too.
    allowRequest: (req, callback) => {
      const why = check?.(req);
      callback(why ?? null, why === undefined);
    },
  });
  const subscriptions = new Map<string, () => void>();
  const buffers = new Map<string, SpanBuffer>();

  // Encoded once per room, whatever the number of watchers.
  const emit = (runId: string, event: RunEvent) => io.to(roomOf(runId)).emit("run-event", toJson(RunEventSchema, event));

  function flushSpans(runId: string): void {
    const buf = buffers.get(runId);
    if (!buf) return;
    if (buf.timer) clearTimeout(buf.timer);
    buf.timer = null;
    if (buf.spans.length === 0 && buf.traces.size === 0) return;
    const event = mergeSpanBatches(buf.spans, buf.traces.values());
    buf.spans = [];
    buf.traces.clear();
    // Volatile: a watcher whose connection is still busy with the last batch
    // skips this one rather than queueing without bound; the next RunInfo and
    // GetTrace make up for it.
    io.to(roomOf(runId)).volatile.emit("run-event", toJson(RunEventSchema, event));
  }

  function bufferSpans(runId: string, spans: readonly Span[], traces: readonly TraceSummary[]): void {
    let buf = buffers.get(runId);
    if (!buf) {
      buf = { spans: [], traces: new Map(), timer: null };
      buffers.set(runId, buf);
    }
    for (const s of spans) buf.spans.push(s);
    // Bounded between emits too: only the newest spans would ship anyway.
    if (buf.spans.length > MAX_SPANS_PER_EMIT * 2) buf.spans = buf.spans.slice(-MAX_SPANS_PER_EMIT);
    for (const t of traces) buf.traces.set(t.traceId, t);
    if (!buf.timer) buf.timer = setTimeout(() => flushSpans(runId), SPAN_EMIT_MS);
  }

  function subscribe(runId: string): void {
    if (subscriptions.has(runId)) return;
    const unsubscribe = runs.watch(runId, (event) => {
      if (event.event.case === "spans") {
        bufferSpans(runId, event.event.value.spans, event.event.value.traces);
        return;
      }
      // Spans first, so the summary is the last thing a watcher gets.
      if (event.event.case === "summary") flushSpans(runId);
      emit(runId, event);
      if (event.event.case === "summary") {
        release(runId);
        if (lease) {
          ended.add(runId);
          void lease.release(runId, true).catch(() => undefined);
        }
      }
    });
    subscriptions.set(runId, unsubscribe);
  }

  function release(runId: string): void {
    subscriptions.get(runId)?.();
    subscriptions.delete(runId);
    const buf = buffers.get(runId);
    if (buf?.timer) clearTimeout(buf.timer);
    buffers.delete(runId);
  }

  const lease = options.readerLease;
  /** Cluster: runs whose summary went to the room; their stream is not read again. */
  const ended = new Set<string>();
  /** Cluster: this instance reads the run's events if no live instance does; what the lease said. */
  async function ensureReader(runId: string): Promise<"mine" | "taken" | "done"> {
    if (!lease) throw new Error("no reader lease");
    if (subscriptions.has(runId)) return "mine";
    const answer = await lease.acquire(runId);
    if (answer === "mine" && !subscriptions.has(runId)) subscribe(runId);
    return answer;
  }

  if (lease) {
    // Rooms span instances: an instance's room emptying says nothing of the others', so
    // a reader stops when no instance has a watcher (checked with the lease's renewal).
    let ticking = false;
    const keep = async (runId: string) => {
      // Renewed first: the cluster-wide question below may wait for a dead instance's answer.
      if (!(await lease.renew(runId).catch(() => true))) {
        release(runId); // another instance took it over (this one was too slow to renew)
        return;
      }
      const room = roomOf(runId);
      if ((io.of("/").adapter.rooms.get(room)?.size ?? 0) > 0) return;
      const watched = await io.in(room).fetchSockets().then((sockets) => sockets.length > 0, () => true);
      if (!watched && subscriptions.has(runId)) {
        release(runId);
        await lease.release(runId, false).catch(() => undefined);
      }
    };
    const tick = async () => {
      await Promise.all([...subscriptions.keys()].map(keep));
      // Watchers here whose reader is gone (its instance died): take over.
      for (const [room, members] of [...io.of("/").adapter.rooms]) {
        const runId = room.slice(4);
        if (!room.startsWith("run:") || members.size === 0 || subscriptions.has(runId) || ended.has(runId)) continue;
        if ((await ensureReader(runId).catch(() => "taken")) === "done") ended.add(runId);
      }
    };
    const timer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      void tick().finally(() => (ticking = false));
    }, lease.renewEveryMs);
    timer.unref();
    httpServer.once("close", () => clearInterval(timer));
    io.of("/").adapter.on("delete-room", (room: string) => {
      if (room.startsWith("run:")) ended.delete(room.slice(4));
    });
  } else {
    io.of("/").adapter.on("delete-room", (room: string) => {
      if (room.startsWith("run:")) release(room.slice(4));
    });
  }

  /** The run as it is now, to one socket. */
  async function snapshotTo(socket: { emit: (event: "run-event", payload: ReturnType<typeof toJson>) => unknown }, runId: string): Promise<void> {
    socket.emit("run-event", toJson(RunEventSchema, create(RunEventSchema, { event: { case: "run", value: await runs.get(runId) } })));
  }

  io.on("connection", (socket) => {
    socket.on("watch", async (request, ack) => {
      const reply = typeof ack === "function" ? ack : (_: WatchAck) => undefined;
      if (!isWatchRequest(request)) return reply({ ok: false, error: "watch needs { runId, token }" });
      const known = await Promise.resolve()
        .then(() => runs.checkToken(request.runId, request.token))
        .catch(() => false);
      if (!known) return reply({ ok: false, error: "no run with that id and token" });
      const room = roomOf(request.runId);
      if (lease) {
        void socket.join(room);
        try {
          const reader = await ensureReader(request.runId);
          if (reader === "done") {
            ended.add(request.runId);
            // Ended: its last events go to this socket alone (a watch of an ended run gives RunInfo and summary).
            const stop = runs.watch(request.runId, (event) => {
              socket.emit("run-event", toJson(RunEventSchema, event));
              if (event.event.case === "summary") stop();
            });
          } else if (reader === "taken") {
            await snapshotTo(socket, request.runId);
          }
          // "mine": the new subscription's first event is the snapshot, to the room.
        } catch (error) {
          return reply({ ok: false, error: error instanceof Error ? error.message : String(error) });
        }
        return reply({ ok: true });
      }
      const alreadyWatched = subscriptions.has(request.runId);
      void socket.join(room);
      if (alreadyWatched) {
        // The room's subscription sent its snapshot long ago; give this one its own.
        try {
          socket.emit("run-event", toJson(RunEventSchema, create(RunEventSchema, { event: { case: "run", value: await runs.get(request.runId) } })));
        } catch (error) {
          return reply({ ok: false, error: error instanceof Error ? error.message : String(error) });
        }
      } else {
        subscribe(request.runId);
      }
      reply({ ok: true });
    });
    socket.on("unwatch", (request) => {
      if (request && typeof request.runId === "string") void socket.leave(roomOf(request.runId));
    });
  });
  return io;
}
