/**
 * Handlers of ipcplay.v1.PlaygroundService. Thin by design: every topology goes
 * through the one gate (parseTopology), everything else is a RunManager call.
 */
import { create, toJson } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  PlaygroundService,
  WatchRunResponseSchema,
  type RunEvent,
  type WatchRunResponse,
} from "@/lib/gen/ipcplay/v1/playground_pb";
import { TopologySchema, type Topology } from "@/lib/gen/ipcplay/v1/topology_pb";
import { LIMITS, utf8ByteLength } from "@/lib/topology/limits";
import { hugeListProblems, parseTopology, type ParseResult } from "@/lib/topology/parse";
import type { ControlRuns } from "@/server/runtime/run-manager";
import { toOtlpJson } from "@/lib/trace/otlp";
import { RAW_TOPOLOGY } from "./adapter";
import { requireRunToken } from "./auth";
import { invalidTopologyError, toConnectError } from "./errors";

/** Routes of the control plane: `controlPlaneHandler({ routes: controlRoutes(runs), … })`. */
export function controlRoutes(runs: ControlRuns): (router: ConnectRouter) => void {
  return (router) => router.service(PlaygroundService, playgroundService(runs));
}

/**
 * The one gate, fed the topology as the client wrote it when it came as JSON
 * (so unknown fields and wrong types are problems with paths), or the decoded
 * message's JSON form when it came as protobuf.
 */
function gate(topology: Topology | undefined, context: HandlerContext): ParseResult {
  const raw = context.values.get(RAW_TOPOLOGY);
  if (raw) return parseTopology(raw.json);
  if (!topology) return parseTopology(undefined);
  // Before toJson, which would cost as much as the lists are long.
  const huge = hugeListProblems(topology);
  if (huge.length > 0) return { ok: false, problems: huge };
  return parseTopology(toJson(TopologySchema, topology));
}

/** Runs `body`, turning runtime errors into Connect errors with the right code. */
async function call<T>(body: () => Promise<T> | T): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toConnectError(error);
  }
}

export function playgroundService(runs: ControlRuns): ServiceImpl<typeof PlaygroundService> {
  return {
    validateTopology(request, context) {
      const result = gate(request.topology, context);
      return { valid: result.ok, problems: result.problems, topology: result.ok ? result.topology : undefined };
    },

    async startRun(request, context) {
      const result = gate(request.topology, context);
      if (!result.ok || !result.topology) throw invalidTopologyError(result.problems);
      const topology = result.topology;
      return call(() => runs.start(topology, { detach: request.detach }));
    },

    async stopRun(request, context) {
      await requireRunToken(runs, request.runId, context);
      return call(async () => ({ summary: await runs.stop(request.runId) }));
    },

    async getRun(request, context) {
      await requireRunToken(runs, request.runId, context);
      return call(async () => ({ run: await runs.get(request.runId) }));
    },

    async sendMessage(request, context) {
      await requireRunToken(runs, request.runId, context);
      const count = request.count || 1;
      if (count > LIMITS.maxSendCount) {
        throw new ConnectError(`count: at most ${LIMITS.maxSendCount} messages per call`, Code.InvalidArgument);
      }
      const payloadBytes = utf8ByteLength(request.payload);
      if (payloadBytes > LIMITS.maxPayloadBytes) {
        throw new ConnectError(`payload: ${payloadBytes} bytes in UTF-8; at most ${LIMITS.maxPayloadBytes} are allowed`, Code.InvalidArgument);
      }
      if (!request.nodeId) throw new ConnectError("nodeId is required", Code.InvalidArgument);
      const payload = request.payload === "" ? undefined : request.payload;
      return call(async () => ({ traceIds: await runs.sendMessage(request.runId, request.nodeId, count, payload) }));
    },

    async getTrace(request, context) {
      await requireRunToken(runs, request.runId, context);
      if (!request.traceId) throw new ConnectError("traceId is required", Code.InvalidArgument);
      return call(async () => {
        const spans = await runs.getTrace(request.runId, request.traceId);
        if (spans.length === 0) throw new ConnectError(`no trace ${request.traceId} in run ${request.runId}`, Code.NotFound);
        return { spans };
      });
    },

    async exportTraces(request, context) {
      await requireRunToken(runs, request.runId, context);
      return call(async () => {
        const traceIds = request.traceId
          ? [request.traceId]
          : (await runs.listTraces(request.runId, Number.MAX_SAFE_INTEGER)).map((trace) => trace.traceId);
        const spans = (await Promise.all(traceIds.map((traceId) => runs.getTrace(request.runId, traceId)))).flat();
        if (request.traceId && spans.length === 0) throw new ConnectError(`no trace ${request.traceId} in run ${request.runId}`, Code.NotFound);
        return { otlpJson: toOtlpJson(spans), traces: traceIds.length, spans: spans.length };
      });
    },

    async getMetrics(request, context) {
      await requireRunToken(runs, request.runId, context);
      return call(async () => ({ metrics: await runs.getMetrics(request.runId, request.sinceUnixMs) }));
    },

    async listTraces(request, context) {
      await requireRunToken(runs, request.runId, context);
      return call(async () => ({ traces: await runs.listTraces(request.runId, Math.min(request.limit || 50, LIMITS.maxTracesPerRun)) }));
    },

    async injectFault(request, context) {
      await requireRunToken(runs, request.runId, context);
      const { runId, $typeName: _type, $unknown: _unknown, ...fault } = request;
      return call(async () => ({ run: await runs.injectFault(runId, fault) }));
    },

    async clearFault(request, context) {
      await requireRunToken(runs, request.runId, context);
      return call(async () => ({
        run: await runs.clearFault(request.runId, {
          nodeId: request.nodeId || undefined,
          edgeId: request.edgeId || undefined,
          kind: request.kind,
        }),
      }));
    },

    async updateRun(request, context) {
      await requireRunToken(runs, request.runId, context);
      const result = gate(request.topology, context);
      if (!result.ok || !result.topology) throw invalidTopologyError(result.problems);
      const topology = result.topology;
      return call(() => runs.updateRun(request.runId, topology));
    },

    async listDeadLetters(request, context) {
      await requireRunToken(runs, request.runId, context);
      return call(() => runs.listDeadLetters(request.runId, request.edgeId, request.limit));
    },

    async redriveDeadLetters(request, context) {
      await requireRunToken(runs, request.runId, context);
      return call(() => runs.redriveDeadLetters(request.runId, request.edgeId, request.jobIds));
    },

    async *watchRun(request, context) {
      await requireRunToken(runs, request.runId, context);
      yield* watchEvents(runs, request.runId, context);
    },
  };
}

/**
 * Adapts the RunManager's listener to an async stream that ends when the
 * client goes away or the run's summary has been sent.
 */
async function* watchEvents(runs: ControlRuns, runId: string, context: HandlerContext): AsyncGenerator<WatchRunResponse> {
  const pending: RunEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = call(() =>
    runs.watch(runId, (event) => {
      pending.push(event);
      wake?.();
    }),
  );
  const stop = await unsubscribe;
  const aborted = new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve(), { once: true }));
  try {
    while (!context.signal.aborted) {
      while (pending.length > 0) {
        const event = pending.shift()!;
        yield create(WatchRunResponseSchema, { event });
        if (event.event.case === "summary") return;
      }
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      wake = undefined;
    }
  } finally {
    stop();
  }
}
