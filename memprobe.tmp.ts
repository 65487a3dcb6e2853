import { captureCommand } from './device/cli/commands/capture.js';
import { openFrameSource } from './device/main.js';
let peak = { rss: 0 } as NodeJS.MemoryUsage;
const iv = setInterval(() => { const m = process.memoryUsage(); if (m.rss > peak.rss) peak = m; }, 20);
await captureCommand({ kind: 'cine', seconds: process.argv[2] ?? '5', ts: process.argv[3] ?? 'explicit', out: '/tmp/fc1' }, (s) => openFrameSource(s), console.log);
clearInterval(iv);
const mb = (x: number) => (x / 2 ** 20).toFixed(0);
console.log(`peak rss ${mb(peak.rss)} heapTotal ${mb(peak.heapTotal)} heapUsed ${mb(peak.heapUsed)} external ${mb(peak.external)} arrayBuffers ${mb(peak.arrayBuffers)}`);
