/**
 * The cart's storage SCP alone in a process, for bench/scp-receive.ts: listens on PORT, keeps
 * what it receives in DIR (fsync per file unless --no-sync), prints "ready" and, on SIGTERM, its
 * peak RSS (VmHWM, KiB) and exits.
 * Run: npx tsx bench/scp-receive.child.ts DIR PORT [--no-sync]
 */
import { readFileSync } from 'node:fs';
import { SCP_ACCEPTANCE } from '../device/net/scp/acceptance.js';
import { DirectorySink } from '../device/net/scp/directory-sink.js';
import { DicomListener } from '../device/net/scp/listener.js';
import { composeHandler, verificationScp } from '../device/net/scp/services.js';
import { storageScp } from '../device/net/scp/storage-scp.js';
import { nullLogger } from '../device/log/logger.js';

const [dir, port] = process.argv.slice(2) as [string, string];
const sync = !process.argv.includes('--no-sync');
const listener = await DicomListener.start({
  aeTitle: 'US_CART',
  port: Number(port),
  host: '127.0.0.1',
  handler: composeHandler(SCP_ACCEPTANCE, { verification: verificationScp, storage: storageScp(new DirectorySink(dir, { sync }), nullLogger) }),
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void listener.close(1000).then(() => {
    // VmHWM, not getrusage's maxrss: the latter keeps the spawning parent's peak across fork+exec.
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    process.stdout.write(`maxrss ${hwm ?? process.resourceUsage().maxRSS}\n`);
    process.exit(0);
  });
});
