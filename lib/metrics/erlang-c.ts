/**
 * The M/M/c queue (Poisson arrivals at rate λ, exponential service at rate μ
 * per server, c servers, an unbounded waiting line): Erlang C.
 *
 * Computed through the Erlang B recursion — B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))
 * with a = λ/μ the offered load in Erlangs — then C = B / (1 − ρ(1 − B)), ρ = a/c.
 * No factorials or powers, so it stays finite for thousands of servers.
 */

export interface MmcPrediction {
  /** Offered load a = λ/μ, in Erlangs. */
  offeredLoad: number;
  /** Utilisation ρ = λ/(cμ). */
  utilisation: number;
  /** False when ρ ≥ 1: the line grows without bound, P_w = 1 and W_q = ∞. */
  stable: boolean;
  /** Erlang C: the probability that an arrival waits for a server. */
  probabilityOfWaiting: number;
  /** Expected wait in the line, W_q = P_w / (cμ − λ), in the unit of 1/μ (∞ when unstable). */
  expectedWait: number;
  /** Expected number waiting, L_q = λ·W_q. */
  expectedWaiting: number;
}

/** Erlang B (the blocking probability of M/M/c/c) for offered load `a` and `c` servers. */
export function erlangB(a: number, c: number): number {
  checkArgs(a, c);
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C (the probability of waiting in M/M/c); 1 when the load is at or past c. */
export function erlangC(a: number, c: number): number {
  checkArgs(a, c);
  const rho = a / c;
  if (rho >= 1) return 1;
  const b = erlangB(a, c);
  return b / (1 - rho * (1 - b));
}

/** The M/M/c prediction for arrival rate λ, service rate μ (per server) and c servers. */
export function mmc(lambda: number, mu: number, c: number): MmcPrediction {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`λ must be a finite number ≥ 0, got ${lambda}`);
  if (!(mu > 0) || !Number.isFinite(mu)) throw new RangeError(`μ must be a finite number > 0, got ${mu}`);
  const a = lambda / mu;
  checkArgs(a, c);
  const rho = a / c;
  if (rho >= 1) {
    return { offeredLoad: a, utilisation: rho, stable: false, probabilityOfWaiting: 1, expectedWait: Infinity, expectedWaiting: Infinity };
  }
  const pw = erlangC(a, c);
  const wq = pw / (c * mu - lambda);
  return { offeredLoad: a, utilisation: rho, stable: true, probabilityOfWaiting: pw, expectedWait: wq, expectedWaiting: lambda * wq };
}

function checkArgs(a: number, c: number): void {
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`c must be an integer ≥ 1, got ${c}`);
  if (!(a >= 0) || !Number.isFinite(a)) throw new RangeError(`the offered load must be a finite number ≥ 0, got ${a}`);
}
