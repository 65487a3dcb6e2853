/**
 * The driver's timing under a ManualClock, with the simulated panel on an in-memory line:
 * backoff doubling to its cap, the silence watchdog, heartbeats, the reset of the backoff after
 * a HELLO. The same driver and simulator meet on real ptys in test/interop/panel-pty.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../device/clock.js';
import { SerialPanel, type OpenLine, type PanelLine, type PanelStatus } from '../../../device/panel/index.js';
import { SimulatedPanel, memoryLinePair } from '../../../hw-sim/panel/index.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

interface Rig {
  clock: ManualClock;
  panel: SerialPanel;
  opens: number[];
  statuses: PanelStatus[];
  plugIn(): SimulatedPanel;
  unplug(): void;
}

function rig(): Rig {
  const clock = new ManualClock();
  const opens: number[] = [];
  const statuses: PanelStatus[] = [];
  let cable: ReturnType<typeof memoryLinePair> | undefined;
  let pending: PanelLine | undefined;
  const openLine: OpenLine = async (path) => {
    opens.push(clock.monotonicMs());
    if (!pending) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    const l = pending;
    pending = undefined;
    return l;
  };
  const panel = new SerialPanel({ path: '/dev/ttyUSB0', clock, openLine });
  panel.on('status', (s) => statuses.push(s));
  return {
    clock,
    panel,
    opens,
    statuses,
    plugIn() {
      cable = memoryLinePair();
      pending = cable.host;
      return new SimulatedPanel(cable.panel, { clock, announce: false });
    },
    unplug() {
      cable?.unplug();
      pending = undefined;
    },
  };
}

async function step(r: Rig, ms: number, by = 50): Promise<void> {
  for (let t = 0; t < ms; t += by) {
    r.clock.advance(by);
    await flush();
  }
}

describe('SerialPanel timing (ManualClock)', () => {
  it('retries an absent line with backoff 250 ms doubling to 5 s, and never throws', async () => {
    const r = rig();
    r.panel.start();
    await flush();
    await step(r, 20_000);
    const gaps = r.opens.slice(1).map((t, i) => t - r.opens[i]!);
    expect(gaps.slice(0, 7)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(r.panel.status()).toMatchObject({ state: 'connecting', alarm: { code: 'PANEL_ABSENT' } });
    expect(r.panel.status().alarm!.message).toContain('/dev/ttyUSB0');
    // the alarm was emitted once, not on every retry
    expect(r.statuses.map((s) => `${s.state}:${s.alarm?.code ?? '-'}`)).toEqual(['connecting:-', 'connecting:PANEL_ABSENT']);
    await r.panel.stop();
  });

  it('connects when plugged in, heartbeats every second, and a silent panel is dropped after 3 s, then the backoff starts over', async () => {
    const r = rig();
    r.panel.start();
    await flush();
    await step(r, 8000); // backoff has grown
    const sim = r.plugIn();
    await step(r, 5000);
    expect(r.panel.status()).toMatchObject({ state: 'connected', panel: { id: 'SIM-0001' } });
    expect(r.panel.status().alarm).toBeUndefined();
    const beats = () => sim.received.filter((m) => m.message.type === 'heartbeat').length;
    const before = beats();
    await step(r, 5000);
    expect(beats() - before).toBe(5);
    sim.mute(true);
    const mutedAt = r.clock.now().getTime();
    const monoAtMute = r.clock.monotonicMs();
    await step(r, 1950, 10);
    expect(r.panel.status().state).toBe('connected'); // its last heartbeat came < 1 s before the mute
    await step(r, 1100, 10);
    const silent = r.statuses.find((s) => s.alarm?.code === 'PANEL_SILENT');
    expect(silent).toMatchObject({ state: 'connecting' });
    // 3 s after the last heartbeat, which came at most 1 s before the mute
    const after = silent!.alarm!.since.getTime() - mutedAt;
    expect(after).toBeGreaterThan(2000);
    expect(after).toBeLessThanOrEqual(3000);
    // the backoff after a good connection starts again at 250 ms
    await step(r, 300, 10);
    expect(r.opens).toContain(monoAtMute + after + 250);
    await r.panel.stop();
  });

  it('a pulled cable raises PANEL_GONE at once; a HELLO after replug clears it', async () => {
    const r = rig();
    r.plugIn();
    r.panel.start();
    await step(r, 200);
    expect(r.panel.status().state).toBe('connected');
    r.unplug();
    await flush();
    expect(r.panel.status()).toMatchObject({ state: 'connecting', alarm: { code: 'PANEL_GONE' } });
    await step(r, 1000);
    expect(r.panel.status().alarm?.code).toBe('PANEL_ABSENT');
    const sim = r.plugIn();
    await step(r, 3000);
    expect(r.panel.status().state).toBe('connected');
    expect(r.panel.status().alarm).toBeUndefined();
    await r.panel.stop();
    await sim.close();
    expect(r.panel.status().state).toBe('stopped');
    expect(r.clock.pendingCount).toBe(0);
  });

  it('a host version longer than HELLO allows is cut, not an error that keeps the panel away', async () => {
    const clock = new ManualClock();
    const cable = memoryLinePair();
    const panel = new SerialPanel({ path: '/dev/ttyUSB0', clock, hostVersion: '0.1.0-beta.12+g3f2a', hostId: 'sonicart-cart-7·', openLine: async () => cable.host });
    const sim = new SimulatedPanel(cable.panel, { clock });
    panel.start();
    for (let i = 0; i < 5; i++) {
      clock.advance(50);
      await flush();
    }
    expect(panel.status().state).toBe('connected');
    expect(sim.hostHello).toEqual({ id: 'sonicart-car', firmware: '0.1.0-beta.1' });
    await panel.stop();
    await sim.close();
  });
});
