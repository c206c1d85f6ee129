/**
 * The attempt loop with fake time: backoff between attempts, the deadline,
 * the retry budget, and what it counts.
 */
import { describe, expect, it } from "vitest";
import type { CountKey } from "@/lib/metrics/outcomes";
import type { RetrySettings } from "@/lib/resilience/edge-settings";
import { RetryLoop } from "./attempts";

function loop(settings: Partial<RetrySettings>, random = () => 1) {
  const clock = { now: 0 };
  const counts: Partial<Record<CountKey, number>> = {};
  const waits: number[] = [];
  const subject = new RetryLoop(
    { retries: 0, backoffMs: 0, jitter: false, budgetPercent: 0, ...settings },
    {
      count: (key) => (counts[key] = (counts[key] ?? 0) + 1),
      random,
      now: () => clock.now,
      sleep: async (ms) => {
        waits.push(ms);
        clock.now += ms;
      },
    },
  );
  return { subject, counts, waits, clock };
}

const failing = async () => "fail";
const retryable = (result: string) => result === "fail";

describe("RetryLoop", () => {
  it("retries at once without a backoff and counts every attempt", async () => {
    const { subject, counts, waits } = loop({ retries: 3 });
    expect(await subject.run(failing, retryable)).toEqual({ result: "fail", attempts: 4, budgetRefused: false });
    expect(counts).toEqual({ attempts: 4 });
    expect(waits).toEqual([]);
  });

  it("stops at the first result that is not retryable", async () => {
    const { subject, counts } = loop({ retries: 5 });
    let n = 0;
    const result = await subject.run(async () => (++n === 2 ? "ok" : "fail"), retryable);
    expect(result).toEqual({ result: "ok", attempts: 2, budgetRefused: false });
    expect(counts.attempts).toBe(2);
  });

  it("waits base × 2^(n-1) before retry n", async () => {
    const { subject, waits } = loop({ retries: 4, backoffMs: 50 });
    await subject.run(failing, retryable);
    expect(waits).toEqual([50, 100, 200, 400]);
  });

  it("with jitter waits a random share of it", async () => {
    const { subject, waits } = loop({ retries: 2, backoffMs: 100, jitter: true }, () => 0.25);
    await subject.run(failing, retryable);
    expect(waits).toEqual([25, 50]);
  });

  it("does not wait past the deadline: the message ends with its last result", async () => {
    const { subject, waits, counts } = loop({ retries: 5, backoffMs: 100 });
    // 100 + 200 fit before 350; the third wait (400) would not.
    const result = await subject.run(failing, retryable, 350);
    expect(result).toEqual({ result: "fail", attempts: 3, budgetRefused: false });
    expect(waits).toEqual([100, 200]);
    expect(counts["retries refused"]).toBeUndefined();
  });

  it("refuses retries past the budget and counts them", async () => {
    const { subject, counts } = loop({ retries: 5, budgetPercent: 20 });
    // 10 messages fail together; their retries wait on one gate so they are all in progress at once.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let first = 0;
    const attempt = async () => {
      if (first++ < 10) return "fail";
      await gate;
      return "ok";
    };
    const runs = Array.from({ length: 10 }, () => subject.run(attempt, retryable));
    await new Promise((resolve) => setTimeout(resolve, 0));
    open();
    const results = await Promise.all(runs);
    // 10 active requests × 20 % = 2, below the floor of 3: three retries go out, seven are refused.
    expect(results.filter((r) => r.budgetRefused)).toHaveLength(7);
    expect(results.filter((r) => r.result === "ok")).toHaveLength(3);
    expect(counts).toEqual({ attempts: 13, "retries refused": 7 });
  });

  it("without a budget lets every retry through", async () => {
    const { subject, counts } = loop({ retries: 5 });
    await Promise.all(Array.from({ length: 10 }, () => subject.run(failing, retryable)));
    expect(counts).toEqual({ attempts: 60 });
  });
});
