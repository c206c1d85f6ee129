/**
 * Pushes a run's sampled spans to an OpenTelemetry collector over OTLP/HTTP,
 * when the standard environment says where: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * (used as is) or OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces).
 *
 * - Encoding and sending are the official packages': OTLPTraceExporter of
 *   @opentelemetry/exporter-trace-otlp-proto (http/protobuf, the spec's
 *   default) or -otlp-http (http/json), chosen by
 *   OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL. The
 *   exporters read OTEL_EXPORTER_OTLP_[TRACES_]HEADERS / TIMEOUT / COMPRESSION
 *   themselves.
 * - Batched by the SDK's BatchSpanProcessor (OTEL_BSP_* honoured), its queue
 *   bounded (OTEL_BSP_MAX_QUEUE_SIZE, default 2048): a collector that is down
 *   or slow never holds up the run — the hub hands spans over and returns;
 *   past the bound they are dropped, and counted.
 * - Counted for GetRun (RunInfo.otlp_push): spans exported, spans dropped
 *   (at the full queue, or in an export that failed), the last error.
 *
 * The hub (trace-hub.ts) calls `offer` with every span it ingests: the spans
 * hosts ship are the sampled (and tail-kept) ones, so "every sampled span".
 */
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { create } from "@bufbuild/protobuf";
import { OtlpPushSchema, type OtlpPush as OtlpPushInfo } from "@/lib/gen/ipcplay/v1/playground_pb";
import { ResourceCache, toReadableSpan, type SpanLike } from "@/lib/trace/otlp";

export type OtlpProtocol = "http/protobuf" | "http/json";

export interface OtlpPushConfig {
  /** The traces URL spans are POSTed to. */
  endpoint: string;
  protocol: OtlpProtocol;
  /** Why a setting was not used as given (e.g. grpc asked for), if any. */
  notice?: string;
  maxQueueSize: number;
}

type Env = Record<string, string | undefined>;

const DEFAULT_MAX_QUEUE = 2048;

/** What the environment asks for; undefined when no endpoint is set (no push). */
export function otlpPushConfigFromEnv(env: Env = process.env): OtlpPushConfig | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!traces && !base) return undefined;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const endpoint = traces || `${base!.replace(/\/+$/, "")}/v1/traces`;
  const asked = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || "http/protobuf").trim().toLowerCase();
  const protocol: OtlpProtocol = asked === "http/json" ? "http/json" : "http/protobuf";
  const notice = asked === "http/json" || asked === "http/protobuf" ? undefined : `OTLP protocol "${asked}" is not supported here: pushing over http/protobuf`;
  const queue = Number(env.OTEL_BSP_MAX_QUEUE_SIZE);
  return { endpoint, protocol, ...(notice ? { notice } : {}), maxQueueSize: Number.isInteger(queue) && queue > 0 ? queue : DEFAULT_MAX_QUEUE };
}

/**
 * Counts what the exporter is handed and how each export ended; the
 * BatchSpanProcessor's own drop count is private, so spans still queued are
 * offered − handed over − dropped here.
 */
class CountingExporter implements SpanExporter {
  handed = 0;
  exported = 0;
  failed = 0;
  lastError = "";

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter["export"]>[1]): void {
    this.handed += spans.length;
    this.inner.export(spans, (result) => {
      // ExportResultCode.SUCCESS (@opentelemetry/core) is 0.
      if (result.code === 0) {
        this.exported += spans.length;
        this.lastError = "";
      } else {
        this.failed += spans.length;
        this.lastError = result.error?.message ?? "export failed";
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

export class OtlpPush {
  private readonly exporter: CountingExporter;
  private readonly processor: BatchSpanProcessor;
  private readonly resources = new ResourceCache();
  private offered = 0;
  private droppedAtQueue = 0;
  private closed = false;

  constructor(readonly config: OtlpPushConfig) {
    // The exporters take the URL from here and the headers, timeout and compression from the environment.
    const inner = config.protocol === "http/json" ? new JsonExporter({ url: config.endpoint }) : new ProtobufExporter({ url: config.endpoint });
    this.exporter = new CountingExporter(inner);
    this.processor = new BatchSpanProcessor(this.exporter, { maxQueueSize: config.maxQueueSize });
  }

  /** Starts a push when the environment asks for one. */
  static fromEnv(env: Env = process.env): OtlpPush | undefined {
    const config = otlpPushConfigFromEnv(env);
    return config ? new OtlpPush(config) : undefined;
  }

  /** Spans the hub took in: converted and queued, or dropped (counted) when the queue is full. Never blocks. */
  offer(spans: readonly SpanLike[]): void {
    if (this.closed) return;
    for (const span of spans) {
      if (this.queued >= this.config.maxQueueSize) {
        this.offered++;
        this.droppedAtQueue++;
        continue;
      }
      this.offered++;
      this.processor.onEnd(toReadableSpan(span, this.resources));
    }
  }

  /** Spans waiting in the processor's queue (offered, not yet handed to the exporter, not dropped). */
  private get queued(): number {
    return this.offered - this.exporter.handed - this.droppedAtQueue;
  }

  info(): OtlpPushInfo {
    return create(OtlpPushSchema, {
      endpoint: this.config.endpoint,
      protocol: this.config.protocol,
      exported: this.exporter.exported,
      dropped: this.droppedAtQueue + this.exporter.failed,
      lastError: this.exporter.lastError || this.config.notice || "",
    });
  }

  /** Sends what is queued (within `timeoutMs`) and stops; never rejects. */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([this.processor.shutdown().catch(() => {}), deadline]);
    clearTimeout(timer);
  }
}
