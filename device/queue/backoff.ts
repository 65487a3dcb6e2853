/** Exponential back-off with a cap: initialMs, initialMs·factor, … up to maxMs. */

export interface RetryPolicy {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** After this many tries that reached the network a transient failure fails the job; absent = never give up. */
  readonly maxAttempts?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 5_000, factor: 2, maxMs: 10 * 60_000 };

/** The wait before try `failures + 1`, after `failures` (≥ 1) consecutive failures. */
export function backoffMs(policy: RetryPolicy, failures: number): number {
  let d = policy.initialMs;
  // Stops at the cap, so a week-long outage neither loops long nor overflows.
  for (let i = 1; i < failures && d < policy.maxMs; i++) d *= policy.factor;
  return Math.round(Math.min(d, policy.maxMs));
}

export function checkRetryPolicy(p: RetryPolicy): string | undefined {
  if (!(p.initialMs > 0)) return 'initialMs must be > 0';
  if (!(p.factor >= 1)) return 'factor must be ≥ 1';
  if (!(p.maxMs >= p.initialMs)) return 'maxMs must be ≥ initialMs';
  if (p.maxAttempts !== undefined && !(Number.isInteger(p.maxAttempts) && p.maxAttempts >= 1)) return 'maxAttempts must be an integer ≥ 1';
  return undefined;
}
