import type { Clock } from '../clock.js';

/**
 * Resolves once `url` answers 2xx: the moment to send READY=1, so that "started" in systemd means
 * "the kiosk can load" and not merely "the process exists". Polls every `intervalMs` on the
 * clock; a refused connection or a 5xx just means "not yet". Stops (rejects) on `signal`.
 */
export async function waitUntilAnswering(
  url: string,
  options: { clock: Clock; intervalMs?: number; signal?: AbortSignal; fetch?: typeof fetch },
): Promise<void> {
  const get = options.fetch ?? fetch;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const res = await get(url, { signal: options.signal ?? null });
      await res.body?.cancel();
      if (res.ok) return;
    } catch (e) {
      if (options.signal?.aborted) throw e;
    }
    await new Promise<void>((resolve) => options.clock.setTimeout(resolve, options.intervalMs ?? 100));
  }
}
