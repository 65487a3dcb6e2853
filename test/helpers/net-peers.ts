/**
 * Starting and stopping the real DICOM peers of the network tests (DCMTK storescp, wlmscpfs,
 * Orthanc) on a free loopback port. Every process is stopped by its own PID, never by name,
 * and its output is kept so that a failing test can show what the peer said.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A TCP port nobody listens on right now (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface PeerProcess {
  readonly pid: number;
  readonly port: number;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM to this PID, SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export async function startPeer(
  cmd: string,
  args: readonly string[],
  port: number,
  opts: { cwd?: string; readyTimeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<PeerProcess> {
  const child: ChildProcess = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  child.once('error', (e) => (out += `spawn error: ${e.message}\n`));
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (exited) throw new Error(`${cmd} exited before listening on ${port}:\n${out}`);
    if (await portOpen(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${cmd} did not listen on ${port} in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  return {
    pid,
    port,
    output: () => out,
    stop: async (graceMs = 8000) => {
      if (exited) return;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => !exited && process.kill(pid, 'SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}
