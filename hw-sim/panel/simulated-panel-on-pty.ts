import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPtyPair } from './pty-pair.js';
import { SimulatedPanel, type SimulatedPanelOptions } from './simulated-panel.js';

/**
 * For `npm start` and demos: a socat pty pair in a fresh temporary directory with the simulated
 * panel on one end. Give `hostPath` to the service's SerialPanel as if it were /dev/ttyUSB0.
 */
export async function startSimulatedPanelOnPty(options: SimulatedPanelOptions = {}): Promise<{
  hostPath: string;
  panel: SimulatedPanel;
  stop(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'sonicart-panel-'));
  const pair = await startPtyPair(join(dir, 'ttyPANEL-host'), join(dir, 'ttyPANEL-device'), 'socat', { tiedToParent: true });
  const panel = await SimulatedPanel.open(pair.panelPath, options);
  return {
    hostPath: pair.hostPath,
    panel,
    async stop() {
      await panel.close().catch(() => undefined);
      await pair.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
