import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A pseudo-terminal pair made by socat, standing in for the USB–serial cable: bytes written to
 * one end come out of the other. `hostPath` is what the service opens (as if /dev/ttyUSB0),
 * `panelPath` is where the simulated panel sits. socat pty pairs carry data only, no DTR/RTS,
 * which our protocol does not use.
 *
 * Unplugging is `stop()` (SIGTERM to this socat's PID: it removes both links and the open ends
 * see the line close); replugging is a new pair on the same paths.
 */
export interface PtyPair {
  readonly hostPath: string;
  readonly panelPath: string;
  readonly pid: number;
  /** Ends socat (by PID) and waits for it; idempotent. */
  stop(): Promise<void>;
}

/**
 * socat under a shell that ends it when our stdin pipe closes: when the Node process dies without
 * stopping the pair (SIGKILL, process.exit on a second SIGTERM), the pipe closes and socat goes
 * too, instead of living on as an orphan holding two ptys. `stop()` closes the pipe the same way.
 */
const TIED = 'socat "$@" & p=$!; read _ignored; kill $p 2>/dev/null; wait $p';

export async function startPtyPair(hostPath: string, panelPath: string, socat = 'socat', options: { tiedToParent?: boolean } = {}): Promise<PtyPair> {
  const args = ['-d', '-d', `pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${panelPath}`];
  const child = options.tiedToParent
    ? spawn('/bin/sh', ['-c', TIED.replace('socat', socat.replace(/[^A-Za-z0-9_./-]/g, '')), 'sh', ...args], { stdio: ['pipe', 'ignore', 'pipe'] })
    : spawn(socat, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (d: Buffer): void => {
      log += d.toString();
      // socat logs this once both ptys exist and their links are made
      if (log.includes('starting data transfer loop')) {
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    child.once('error', (e) => reject(new Error(`cannot start socat: ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`socat exited (${code}) before the pty pair was ready: ${log.trim()}`)));
  });
  const pid = child.pid!;
  return {
    hostPath,
    panelPath,
    pid,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.stdin) child.stdin.end();
  else if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}
