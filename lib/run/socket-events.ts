/**
 * The socket.io event maps, shared by server/main.ts and the browser's one
 * socket owner. Payloads are protobuf JSON (RunEvent), parsed with fromJson on
 * arrival, so they are validated on both sides and never carry bigints.
 */
import type { JsonValue } from "@bufbuild/protobuf";

export interface WatchRequest {
  runId: string;
  token: string;
}

export type WatchAck = { ok: true } | { ok: false; error: string };

export interface ServerToClientEvents {
  /** A RunEvent in its protobuf JSON form. */
  "run-event": (event: JsonValue) => void;
}

export interface ClientToServerEvents {
  /** Join the run's room. The token is checked; the first event is a RunInfo snapshot. */
  watch: (request: WatchRequest, ack: (result: WatchAck) => void) => void;
  unwatch: (request: { runId: string }) => void;
}
