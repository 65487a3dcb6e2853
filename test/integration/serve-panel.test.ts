/**
 * `sonicart serve` with the built-in defaults (what `npm start` runs) has the simulated control
 * panel on a socat pty pair: the service opens the pty and the panel says HELLO (no panel alarm,
 * the log names the pty). And when the service is SIGKILLed, which no handler can see, socat does
 * not live on as an orphan: its pty links disappear.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killServes, spawnServe } from '../helpers/serve-process.js';

const dirs: string[] = [];

afterEach(async () => {
  await killServes();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('sonicart serve with the simulated panel', () => {
  it('connects to the simulated panel on a pty; SIGKILL of the service takes socat with it', async () => {
    const h = await mkdtemp(join(tmpdir(), 'sonicart-serve-panel-'));
    dirs.push(h);
    const s = await spawnServe(h);
    // the serial driver logs the HELLO reply of the simulated panel
    while (!/"msg":"panel connected"/.test(s.stderr())) {
      if (s.child.exitCode !== null) throw new Error(`serve exited: ${s.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const hostPath = /"msg":"simulated control panel on a pty pair"[^\n]*"path":"([^"]+)"/.exec(s.stderr())![1]!;
    expect(existsSync(hostPath)).toBe(true);
    const state = (await (await fetch(`http://127.0.0.1:${s.port}/api/state`)).json()) as { alarms: { code: string }[] };
    expect(state.alarms.filter((a) => a.code.startsWith('PANEL_'))).toEqual([]);

    s.child.kill('SIGKILL');
    await s.exit;
    while (existsSync(hostPath)) await new Promise((r) => setTimeout(r, 50));
  }, 30_000);
});
