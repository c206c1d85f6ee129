/**
 * The load bench's printed tables: the steps as they were measured, the
 * saturation side by side per transport, and the README-ready markdown.
 */
import type { BenchTransport } from "./raw-baselines";
import { MAX_P99_MS, MIN_DELIVERED_SHARE, MIN_SENT_SHARE, type SearchResult, type Side, type StepResult } from "./load-steps";

/** The playground should carry at least this share of what the raw libraries carry. */
export const MIN_RATIO_TO_RAW = 0.5;
/** End-to-end rate the playground should hold on REST and queue chains. */
export const MIN_END_TO_END_RATE = 2_000;
export const END_TO_END_TARGET_TRANSPORTS = new Set<BenchTransport>(["rest", "queue"]);

export const RAW_LIBRARY: Record<BenchTransport, string> = {
  rest: "node:http keep-alive",
  connect: "connect-node h2c",
  queue: "BullMQ add → Worker",
  pubsub: "ioredis publish → subscribe",
};

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const ms = (value: number | undefined) => (value === undefined ? "–" : Number.isNaN(value) ? "none seen" : `${value.toFixed(1)} ms`);
const rate = (value: number) => value.toLocaleString("en-US");

/** One line per step, printed as the search goes. */
export function stepLine(step: StepResult): string {
  const wait = step.waitP99Ms === undefined ? "" : `, wait p99 ${ms(step.waitP99Ms)}`;
  return (
    `${step.transport} ${step.side.padEnd(10)} ${rate(step.rate).padStart(6)} msg/s (${step.clients} client${step.clients === 1 ? "" : "s"}): ` +
    `sent ${(step.sentShare * 100).toFixed(1)} % of offered, delivered ${(step.deliveredShare * 100).toFixed(1)} %, ` +
    `failed ${step.failed}, p99 ${ms(step.p99Ms)}${wait} → ${step.pass ? "ok" : `FAIL (${step.why})`}  ` +
    `[${step.latencySource}; load ${step.load1.toFixed(1)}]`
  );
}

export const STEP_HEADER = ["transport", "side", "offered msg/s", "clients", "sent/offered", "delivered", "failed", "round-trip p99", "wait p99", "load", "verdict"];

export function stepRows(steps: readonly StepResult[]): string[][] {
  return steps.map((s) => [
    s.transport,
    s.side,
    rate(s.rate),
    String(s.clients),
    `${(s.sentShare * 100).toFixed(1)} %`,
    `${(s.deliveredShare * 100).toFixed(1)} %`,
    String(s.failed),
    ms(s.p99Ms),
    ms(s.waitP99Ms),
    s.load1.toFixed(1),
    s.pass ? "ok" : `fail: ${s.why}`,
  ]);
}

/** "3,000", "≥ 10,000" when no tried rate failed, "< 500" when none passed. */
export function maxLabel(search: SearchResult, lowest: number): string {
  if (search.max === 0) return `< ${rate(lowest)}`;
  return search.firstFail === undefined ? `≥ ${rate(search.max)}` : rate(search.max);
}

export const SATURATION_HEADER = [
  "transport",
  "chain (hop 1 → hop 2)",
  "raw max msg/s",
  "playground max msg/s",
  "ratio",
  `≥ ${MIN_RATIO_TO_RAW}× raw`,
  `≥ ${rate(MIN_END_TO_END_RATE)} msg/s`,
  "playground p99 at max (round trip / wait)",
];

/**
 * Playground max / raw max, with what is known when a side's max is not exact:
 * a raw side that never failed makes the ratio an upper bound, and a playground
 * that failed the lowest rate bounds it by lowest / raw max. A bound can show
 * "below" but never "ok".
 */
function ratioCells(raw: SearchResult, playground: SearchResult, lowest: number): [string, string] {
  if (raw.max === 0) return ["–", "–"];
  if (playground.max === 0) {
    const bound = lowest / raw.max;
    return [`< ${bound.toFixed(2)}×`, bound <= MIN_RATIO_TO_RAW ? "below" : "? (playground below the lowest rate)"];
  }
  const ratio = playground.max / raw.max;
  const rawIsFloor = raw.firstFail === undefined;
  const verdict = ratio < MIN_RATIO_TO_RAW ? "below" : rawIsFloor ? "? (raw not saturated)" : "ok";
  return [`${rawIsFloor ? "≤ " : ""}${ratio.toFixed(2)}×`, verdict];
}

export function saturationRow(transport: BenchTransport, result: Record<Side, SearchResult>, lowest: number): string[] {
  const raw = result.raw;
  const playground = result.playground;
  const [ratioLabel, ratioVerdict] = ratioCells(raw, playground, lowest);
  const atMax = playground.steps.find((s) => s.rate === playground.max && s.pass);
  const p99 = atMax ? `${ms(atMax.p99Ms)}${atMax.waitP99Ms === undefined ? "" : ` / ${ms(atMax.waitP99Ms)}`}` : "–";
  return [
    transport,
    `client →REST→ gw →${RAW_LIBRARY[transport]}→ be`,
    maxLabel(raw, lowest),
    maxLabel(playground, lowest),
    ratioLabel,
    ratioVerdict,
    END_TO_END_TARGET_TRANSPORTS.has(transport) ? (playground.max >= MIN_END_TO_END_RATE ? "ok" : "below") : "n/a",
    p99,
  ];
}

/** What each figure of the saturation table measures, for the README. */
export function saturationLegend(options: {
  windowMs: number;
  warmupMs: number;
  clientRate: number;
  rates: readonly number[];
  latencyWindowMs: number;
}): string[] {
  return [
    `- **Shape:** client process(es) → gw process → be process on one machine, 0 ms of work, concurrency 256, 128-byte payloads. ` +
      `The first hop (client → gw) is REST in every row; the transport named is the second hop (gw → be). ` +
      `One client process per ${rate(options.clientRate)} msg/s offered, on both sides.`,
    `- **Raw:** the same processes written with the library alone, no tracing: node:http keep-alive agents, connect-node over h2c, ` +
      `BullMQ \`Queue.add\` with a default queue edge's job options → \`Worker\` (concurrency 256, the playground's lock settings), ` +
      `ioredis \`publish\` → a subscriber. gw answers the client after its hand-off to be (awaiting the reply when sync).`,
    `- **Max msg/s:** the highest offered rate (open loop, steps ${options.rates.map(rate).join(", ")}, stopping at a side's first failing step, ` +
      `then one bisection) at which, over ${options.windowMs / 1000} s measured after ${options.warmupMs / 1000} s of warm-up: ` +
      `be took ≥ ${MIN_DELIVERED_SHARE * 100} % of what the clients sent (counter deltas), the clients' round-trip p99 < ${MAX_P99_MS} ms, ` +
      `for queue and pub/sub the hand-off → consumer start p99 < ${MAX_P99_MS} ms, and the clients managed ≥ ${MIN_SENT_SHARE * 100} % of the offered sends. ` +
      `The sides alternate at each rate, so machine drift hits both, and each step starts once the playground's warm pool ` +
      `of hosts has refilled, so its forks land in no measured window.`,
    `- **p99s** cover the runtime's live latency window (the last ${options.latencyWindowMs / 1000} s up to the end of the measured window, ` +
      `so warm-up is included when warm-up + window is shorter; a measured window of ${options.latencyWindowMs / 1000} s or more ` +
      `leaves it out), alike on both sides. ` +
      `Raw: every message's round trip at the clients, every hand-off → start at be. Playground: the client edges' \`p99Ms\` ` +
      `(the highest of them) and the gw → be edge's \`waitP99Ms\` from GetRun — or, when a field is not filled, the spans of the traces ` +
      `kept in that window (sampled; tail sampling keeps slow ones, so it leans pessimistic); the step log names the source used.`,
    `- **Delivered:** raw, be's count of messages taken over the clients' count sent; playground, GetRun's gw → be \`delivered\` over ` +
      `the client edges' \`sent\`. Both as deltas over the measured window, which is whole counter reports long so every host's counts ` +
      `lag alike at both ends.`,
    `- **Ratio:** playground max / raw max. "≥" marks a side that passed every rate tried (its max is a floor), "<" one that failed ` +
      `the lowest; the ratio is then a bound ("≤", "<") and its check says "?" unless the bound already fails it.`,
  ];
}
