import { describe, expect, it } from "vitest";
import { erlangB, erlangC, mmc } from "./erlang-c";

// Published values, each also checked by computing the closed form with factorials (below).
describe("Erlang C against published values", () => {
  it("c = 2, λ = 1, μ = 1 → P_w = 1/3, W_q = 1/3 (M/M/2 by hand from the M/M/m formulas, Kleinrock, Queueing Systems vol. 1: P_0 = 1/3, P_w = a²/(2!(1−ρ))·P_0 = 1/3)", () => {
    const p = mmc(1, 1, 2);
    expect(p.probabilityOfWaiting).toBeCloseTo(1 / 3, 12);
    expect(p.expectedWait).toBeCloseTo(1 / 3, 12);
    expect(p.utilisation).toBe(0.5);
  });

  it("10 agents, 8 Erlangs of traffic → P_w ≈ 0.409 (the widely used call-centre example)", () => {
    expect(erlangC(8, 10)).toBeCloseTo(0.409, 3);
  });

  it("c = 3, a = 2 Erlangs → P_w = 4/9", () => {
    expect(erlangC(2, 3)).toBeCloseTo(4 / 9, 12);
  });

  it("Erlang B: 1 server, 1 Erlang → 1/2; 2 servers, 1 Erlang → 1/5 (B(2,1) = (1/2)/(1+1+1/2))", () => {
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 12);
    expect(erlangB(1, 2)).toBeCloseTo(0.2, 12);
  });

  it("agrees with the factorial closed form where that is still finite", () => {
    const direct = (a: number, c: number) => {
      let term = 1;
      let sum = 0;
      for (let k = 0; k < c; k++) {
        if (k > 0) term *= a / k;
        sum += term;
      }
      const last = ((term * a) / c) * (c / (c - a));
      return last / (sum + last);
    };
    for (const [a, c] of [[0.3, 1], [1, 2], [8, 10], [10, 11], [25, 30], [90, 100]] as const) {
      expect(erlangC(a, c)).toBeCloseTo(direct(a, c), 10);
    }
  });
});

describe("edge cases", () => {
  it("c = 1 reduces to M/M/1: P_w = ρ, W_q = ρ / (μ − λ)", () => {
    for (const [lambda, mu] of [[0.5, 1], [3, 4], [9, 10]] as const) {
      const p = mmc(lambda, mu, 1);
      const rho = lambda / mu;
      expect(p.probabilityOfWaiting).toBeCloseTo(rho, 12);
      expect(p.expectedWait).toBeCloseTo(rho / (mu - lambda), 12);
    }
  });

  it("ρ ≥ 1 is unstable: P_w = 1, W_q = ∞", () => {
    for (const [lambda, mu, c] of [[2, 1, 2], [5, 1, 2], [1, 1, 1]] as const) {
      const p = mmc(lambda, mu, c);
      expect(p.stable).toBe(false);
      expect(p.probabilityOfWaiting).toBe(1);
      expect(p.expectedWait).toBe(Infinity);
    }
  });

  it("no arrivals: nobody waits", () => {
    const p = mmc(0, 1, 4);
    expect(p.probabilityOfWaiting).toBe(0);
    expect(p.expectedWait).toBe(0);
  });

  it("stays finite and in [0, 1] for thousands of servers (no factorials)", () => {
    const pw = erlangC(1900, 2000);
    expect(Number.isFinite(pw)).toBe(true);
    expect(pw).toBeGreaterThan(0);
    expect(pw).toBeLessThan(1);
    expect(mmc(1900, 1, 2000).expectedWait).toBeGreaterThan(0);
  });

  it("refuses nonsense", () => {
    expect(() => mmc(1, 0, 1)).toThrow(RangeError);
    expect(() => mmc(-1, 1, 1)).toThrow(RangeError);
    expect(() => erlangC(1, 0)).toThrow(RangeError);
    expect(() => erlangC(1, 1.5)).toThrow(RangeError);
  });
});
