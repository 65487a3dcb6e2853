/**
 * `sonicart serve` as a child process, the way `npm start` and the cart run it: spawned with its
 * own HOME and XDG_DATA_HOME, its output kept for a failing test, waited for until
 * GET /api/state answers, stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './net-peers.js';
import { SONICART_BIN } from './run-tool.js';

export { SONICART_BIN };
const running = new Set<ChildProcess>();

export interface ServeChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exit: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

export interface SpawnServeOptions {
  /** The UI port (default: a free one); a test that restarts serve on the same port names it. */
  readonly port?: number;
  /** Added to the environment, e.g. NOTIFY_SOCKET and WATCHDOG_USEC as systemd sets them. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Spawns `sonicart serve --ui-port <port> [--listen-port 0] …extra` with HOME=home, XDG_DATA_HOME=home/data. */
export async function spawnServe(home: string, extra: readonly string[] = [], opts: SpawnServeOptions = {}): Promise<ServeChild> {
  const port = opts.port ?? (await freePort());
  // The DICOM listener on a free port unless the test chose (a configuration file, or the flag):
  // parallel tests must not compete for the default 11112.
  const listen = extra.includes('--config') || extra.includes('--listen-port') ? [] : ['--listen-port', '0'];
  const child = spawn(process.execPath, [SONICART_BIN, 'serve', '--ui-port', String(port), ...listen, ...extra], {
    env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      running.delete(child);
      r(code);
    }),
  );
  return { child, port, exit, stdout: () => out, stderr: () => err };
}

/** Resolves with the first GET /api/state answer and how long after the call it came; throws if serve exits first. */
export async function waitForState(s: ServeChild, timeoutMs = Infinity): Promise<{ body: Record<string, unknown>; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    if (s.child.exitCode !== null) throw new Error(`serve exited ${s.child.exitCode}:\n${s.stdout()}${s.stderr()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${s.port}/api/state`);
      if (r.ok) return { body: (await r.json()) as Record<string, unknown>, ms: Date.now() - t0 };
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > timeoutMs) {
      s.child.kill('SIGKILL');
      throw new Error(`serve did not answer /api/state in ${timeoutMs} ms:\n${s.stdout()}${s.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * SIGKILLs every serve this helper started that is still running and waits for them to exit (for
 * afterEach: their data directory is removed next, and a process still writing would race that).
 */
export async function killServes(): Promise<void> {
  const alive = [...running];
  running.clear();
  await Promise.all(
    alive.map((c) => {
      if (c.exitCode !== null || c.signalCode !== null) return undefined;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGKILL');
      return gone;
    }),
  );
}

export interface ServedCart {
  readonly pid: number;
  readonly port: number;
  readonly base: string;
  /** Resolves with the exit code (for a test that signals the process itself). */
  readonly exit: Promise<number | null>;
  output(): string;
  /** SIGTERM (drain), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** `sonicart serve --config` with `config` written into `configDir`, once /api/state answers. */
export async function startServe(configDir: string, config: Record<string, unknown>, opts: { readyTimeoutMs?: number } = {}): Promise<ServedCart> {
  const file = join(configDir, 'sonicart.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  const s = await spawnServe(configDir, ['--config', file]);
  await waitForState(s, opts.readyTimeoutMs ?? 30_000);
  const pid = s.child.pid!;
  return {
    pid,
    port: s.port,
    base: `http://127.0.0.1:${s.port}`,
    exit: s.exit,
    output: () => s.stdout() + s.stderr(),
    async stop(graceMs = 15_000) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) return s.child.exitCode;
      process.kill(pid, 'SIGTERM');
      const t = setTimeout(() => s.child.exitCode === null && process.kill(pid, 'SIGKILL'), graceMs);
      const code = await s.exit;
      clearTimeout(t);
      return code;
    },
  };
}

/**
 * The base of a test cart's configuration file: its data directory, a free listen port, no
 * panel, no worklist refresh, quotas that a test machine's disk does not trip; `more` overrides.
 */
export function testCartConfig(dataDir: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataDir,
    listenPort: 0,
    panel: { path: 'none' },
    worklist: { refreshIntervalS: 0 },
    quotas: { warnFreeMb: 1, refuseFreeMb: 0 },
    ...more,
  };
}
