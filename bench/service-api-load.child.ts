/**
 * The service of bench/service-api.ts's responsiveness run, in its own process: startService
 * (the real service: createDevice + API) with the simulated grabber (800×600, 30 frames/s) and
 * simulated media, one store destination. Measures its own event-loop delay
 * (monitorEventLoopDelay). Prints {"port": N}; stdin lines: "insert" (a medium goes in),
 * "reset" (histogram), "stats" → {"p50","p99","max"} in ms, "exit".
 * argv: dataDir mediaRoot pacsPort uiPort
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseDeviceConfig } from '../device/config/index.js';
import { nullLogger } from '../device/log/logger.js';
import { startService } from '../device/service.js';
import { SimulatedMediaWatcher } from '../hw-sim/media/simulated-watcher.js';

const [dataDir, mediaRoot, pacsPort, uiPort] = process.argv.slice(2) as [string, string, string, string];
const watcher = new SimulatedMediaWatcher(mediaRoot);
const config = parseDeviceConfig({
  dataDir,
  uiPort: Number(uiPort),
  destinations: [{ name: 'PACS', host: '127.0.0.1', port: Number(pacsPort), calledAe: 'STORESCP', roles: ['store'] }],
  worklist: { refreshIntervalS: 0 },
  capture: { ringSeconds: 12, maxCineSeconds: 10 },
});
const service = await startService(config, { log: nullLogger, configSource: 'bench', overrides: { mediaWatcher: watcher } });
const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
console.log(JSON.stringify({ port: service.api.port() }));
const ms = (ns: number): number => ns / 1e6;
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'insert') {
    await watcher.insert('STICK', { size: 8 * 2 ** 30 });
    console.log(JSON.stringify({ ok: true }));
  } else if (line === 'reset') {
    h.reset();
    console.log(JSON.stringify({ ok: true }));
  } else if (line === 'stats') {
    console.log(JSON.stringify({ p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) }));
  } else if (line === 'exit') break;
}
await service.stop({ drain: false });
process.exit(0);
