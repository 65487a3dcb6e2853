/**
 * The control panel the configuration names (config.panel.path): none, a serial device, or the
 * simulated panel on a socat pty pair. The simulator itself is handed in by the composition root
 * (device/main.ts is the only module that may import hw-sim/), so this stays free of it.
 *
 * Never throws for the panel's sake: a simulator that cannot be started (socat missing) leaves a
 * SerialPanel on a path that does not exist, which reports PANEL_ABSENT like an unplugged cable.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { ControlPanel } from './control-panel.js';
import { SerialPanel } from './serial-panel.js';

export interface OpenedPanel {
  readonly panel: ControlPanel;
  /** Ends what was started for the panel (the simulator and its pty pair); the panel itself is stopped by its binding. */
  close(): Promise<void>;
}

export type StartSimulatedPanel = () => Promise<{ hostPath: string; stop(): Promise<void> }>;

export async function openConfiguredPanel(
  path: string,
  o: { simulate: StartSimulatedPanel; clock: Clock; log: Logger; hostVersion?: string },
): Promise<OpenedPanel | undefined> {
  if (path === 'none') return undefined;
  const make = (p: string): ControlPanel =>
    new SerialPanel({ path: p, clock: o.clock, logger: o.log, ...(o.hostVersion ? { hostVersion: o.hostVersion } : {}) });
  if (path !== 'sim') return { panel: make(path), close: async () => undefined };
  try {
    const sim = await o.simulate();
    o.log.info('simulated control panel on a pty pair', { path: sim.hostPath });
    return { panel: make(sim.hostPath), close: () => sim.stop() };
  } catch (e) {
    o.log.warn('simulated control panel not started', { error: e });
    return { panel: make('/dev/null/sonicart-simulated-panel-unavailable'), close: async () => undefined };
  }
}
