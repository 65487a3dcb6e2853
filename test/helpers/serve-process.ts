/**
 * `sonicart serve` as a child process with a configuration file, the way the cart runs it:
 * waits until GET /api/state answers, keeps its output for a failing test, stops by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './net-peers.js';

const BIN = join(import.meta.dirname, '../../bin/sonicart.js');

export interface ServedCart {
  readonly pid: number;
  readonly port: number;
  readonly base: string;
  output(): string;
  /** SIGTERM (drain), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export async function startServe(configDir: string, config: Record<string, unknown>, opts: { readyTimeoutMs?: number } = {}): Promise<ServedCart> {
  const port = await freePort();
  const file = join(configDir, 'sonicart.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--config', file, '--ui-port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: configDir, XDG_DATA_HOME: join(configDir, 'xdg') },
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${base}/api/state`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not answer /api/state in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    pid,
    port,
    base,
    output: () => out,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      process.kill(pid, 'SIGTERM');
      const t = setTimeout(() => child.exitCode === null && process.kill(pid, 'SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(t);
      return code;
    },
  };
}
