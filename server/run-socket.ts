/**
 * socket.io fan-out of run events: one room per run, joined with the run's
 * token. One RunManager subscription per room, however many browsers watch.
 */
import type { Server as HttpServer } from "node:http";
import { create, toJson } from "@bufbuild/protobuf";
import { Server } from "socket.io";
import { RunEventSchema, type RunEvent } from "@/lib/gen/ipcplay/v1/playground_pb";
import type { ClientToServerEvents, ServerToClientEvents, WatchAck } from "@/lib/run/socket-events";
import type { RunManager } from "@/server/runtime/run-manager";

const roomOf = (runId: string) => `run:${runId}`;

function isWatchRequest(value: unknown): value is { runId: string; token: string } {
  if (typeof value !== "object" || value === null) return false;
  const { runId, token } = value as Record<string, unknown>;
  return typeof runId === "string" && typeof token === "string" && runId.length <= 64 && token.length <= 128;
}

export function attachRunSocket(httpServer: HttpServer, runs: RunManager): Server<ClientToServerEvents, ServerToClientEvents> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    // Same origin only: the UI is served from this port.
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
  });
  const subscriptions = new Map<string, () => void>();

  const emit = (runId: string, event: RunEvent) => io.to(roomOf(runId)).emit("run-event", toJson(RunEventSchema, event));

  function subscribe(runId: string): void {
    if (subscriptions.has(runId)) return;
    const unsubscribe = runs.watch(runId, (event) => {
      emit(runId, event);
      if (event.event.case === "summary") release(runId);
    });
    subscriptions.set(runId, unsubscribe);
  }

  function release(runId: string): void {
    subscriptions.get(runId)?.();
    subscriptions.delete(runId);
  }

  io.of("/").adapter.on("delete-room", (room: string) => {
    if (room.startsWith("run:")) release(room.slice(4));
  });

  io.on("connection", (socket) => {
    socket.on("watch", (request, ack) => {
      const reply = typeof ack === "function" ? ack : (_: WatchAck) => undefined;
      if (!isWatchRequest(request)) return reply({ ok: false, error: "watch needs { runId, token }" });
      if (!runs.checkToken(request.runId, request.token)) return reply({ ok: false, error: "no run with that id and token" });
      const room = roomOf(request.runId);
      const alreadyWatched = subscriptions.has(request.runId);
      void socket.join(room);
      if (alreadyWatched) {
        // The room's subscription sent its snapshot long ago; give this one its own.
        try {
          socket.emit("run-event", toJson(RunEventSchema, create(RunEventSchema, { event: { case: "run", value: runs.get(request.runId) } })));
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
