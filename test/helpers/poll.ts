/** Polls `probe` (real time) until it returns a value; throws naming `what` (and `context()`) after `ms`. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000, context: () => string = () => ''): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`not reached in ${ms} ms: ${what}${context() ? `\n${context()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
