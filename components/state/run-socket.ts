/**
 * The one owner of the socket.io client. Joins a run's room with its token,
 * validates every payload with fromJson, and hands events to the run store.
 * Nothing else in the browser opens a socket.
 */
import { fromJson } from "@bufbuild/protobuf";
import { io, type Socket } from "socket.io-client";
import { isOffline, OfflineError } from "./offline";
import { RunEventSchema, type RunSummary } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { ClientToServerEvents, ServerToClientEvents, WatchAck } from "@/lib/run/socket-events";
import { keepStoppedRun } from "@/components/history/keep-run";
import { useRunStore } from "./run-store";

type RunSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 10_000;

let socket: RunSocket | null = null;
let watching: { runId: string; token: string } | null = null;

function getSocket(): RunSocket {
  // A replay opens no socket (components/state/offline.ts).
  if (isOffline()) throw new OfflineError();
  if (socket) return socket;
  // tryAllTransports: a server with runners (IPCPLAY_RUNNERS=remote) takes WebSocket only, so no
  // load balancer needs sticky sessions; its refusal of the polling handshake moves the client on
  // to WebSocket. A single server (embedded) accepts polling first, as always.
  const s: RunSocket = io({ path: "/socket.io", autoConnect: true, tryAllTransports: true });
  s.on("run-event", (payload) => {
    let event;
    try {
      event = fromJson(RunEventSchema, payload, { ignoreUnknownFields: true });
    } catch (err) {
      console.warn("dropped a malformed run-event", err);
      return;
    }
    // A run that ended without this page's Stop (its lifetime ran out, another tab stopped it) goes into the history too.
    const endedElsewhere = event.event.case === "summary" && watching !== null && useRunStore.getState().phase !== "stopping";
    const ended = endedElsewhere ? { ...watching!, summary: event.event.value as RunSummary } : undefined;
    useRunStore.getState().applyEvent(event);
    if (ended) void keepStoppedRun(ended.runId, ended.token, ended.summary, Promise.resolve());
  });
  // After a reconnect the server has forgotten our room: join it again.
  s.io.on("reconnect", () => {
    if (watching) void emitWatch(s, watching.runId, watching.token).catch((err) => console.warn(err));
  });
  socket = s;
  return s;
}

function emitWatch(s: RunSocket, runId: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.timeout(ACK_TIMEOUT_MS).emit("watch", { runId, token }, (err: Error | null, ack: WatchAck) => {
      if (err) reject(new Error("The server did not answer the watch request in time."));
      else if (!ack.ok) reject(new Error(ack.error));
      else resolve();
    });
  });
}

/** Joins the run's room; events flow into the run store until unwatch. */
export async function watchRun(runId: string, token: string): Promise<void> {
  const s = getSocket();
  if (watching && watching.runId !== runId) unwatchRun();
  watching = { runId, token };
  await emitWatch(s, runId, token);
}

/** A replay opened: the socket goes quiet (no polling, no events into the run store it borrows). */
export function pauseSocket(): void {
  if (!socket) return;
  // No reconnection attempt either (one may be under way: a server that closed the socket after a stop).
  socket.io.reconnection(false);
  socket.disconnect();
}

/** The replay closed: the socket comes back and joins the watched run's room again. */
export function resumeSocket(): void {
  const s = socket;
  if (!s) return;
  s.io.reconnection(true);
  if (s.connected) return;
  if (watching) {
    const w = watching;
    s.once("connect", () => void emitWatch(s, w.runId, w.token).catch((err) => console.warn(err)));
  }
  s.connect();
}

export function unwatchRun(): void {
  if (!socket || !watching) return;
  socket.emit("unwatch", { runId: watching.runId });
  watching = null;
}
