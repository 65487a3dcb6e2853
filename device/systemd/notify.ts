/**
 * The sd_notify protocol (READY, STATUS, WATCHDOG, STOPPING) from Node.
 *
 * sd_notify is one datagram on the AF_UNIX socket named by $NOTIFY_SOCKET, and Node has no
 * datagram unix sockets. The ways round that, and why this one:
 * - spawn systemd-notify(1) per message (chosen). It ships with systemd itself, so it is on
 *   every machine that has a NOTIFY_SOCKET; it speaks the protocol exactly (abstract sockets,
 *   credentials), and since systemd 246 it waits on a barrier (BARRIER=1 with a pipe fd) until
 *   the manager has processed the message, which removes the old race where a short-lived
 *   sender exited before systemd could attribute it to the unit. Its messages come from its own
 *   PID, so the unit needs NotifyAccess=all (systemd/sonicart.service has it). Cost: one short
 *   process per message — READY and STOPPING once, WATCHDOG every WatchdogSec/2 (15 s).
 * - a long-lived `socat STDIN UNIX-SENDTO:` child: one more package on the cart, and a child
 *   that keeps running would keep pinging for a hung parent if it buffered (it does not, but
 *   the per-message process makes that impossible by construction).
 * - a native addon (unix-dgram): a compiled dependency for five words of protocol.
 * - a Python helper: Python is not otherwise needed on the cart.
 *
 * Nothing here throws into the service: outside systemd (no NOTIFY_SOCKET: development, tests,
 * `npm start`) every call is a no-op that returns false; a failed systemd-notify is logged and
 * returns false.
 */
import { spawn } from 'node:child_process';
import { nullLogger, type Logger } from '../log/logger.js';

export interface SystemdNotifierOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The systemd-notify binary (default: found on PATH). */
  readonly command?: string;
  readonly logger?: Logger;
}

export interface SystemdNotifier {
  /** Whether systemd asked for notifications ($NOTIFY_SOCKET is set). */
  readonly enabled: boolean;
  /** READY=1 (with a STATUS line): the service answers requests now. */
  ready(status?: string): Promise<boolean>;
  status(text: string): Promise<boolean>;
  /** WATCHDOG=1: send only while healthy (see Watchdog). */
  watchdog(): Promise<boolean>;
  /** STOPPING=1: shutdown has begun (so `systemctl status` says so while sends drain). */
  stopping(status?: string): Promise<boolean>;
}

/** STATUS= is one line of the datagram; a newline would start a bogus assignment. */
const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ').slice(0, 200);

export function systemdNotifier(options: SystemdNotifierOptions = {}): SystemdNotifier {
  const env = options.env ?? process.env;
  const command = options.command ?? 'systemd-notify';
  const log = (options.logger ?? nullLogger).child({ component: 'systemd-notify' });
  const enabled = Boolean(env['NOTIFY_SOCKET']);
  // Messages go out in order (READY before the STATUS that follows it).
  let chain: Promise<unknown> = Promise.resolve();

  const send = (assignments: string[]): Promise<boolean> => {
    if (!enabled) return Promise.resolve(false);
    const run = (): Promise<boolean> =>
      new Promise((resolve) => {
        let stderr = '';
        const child = spawn(command, assignments, { env, stdio: ['ignore', 'ignore', 'pipe'] });
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        child.once('error', (e) => {
          log.error('cannot run systemd-notify', { error: e, assignments });
          resolve(false);
        });
        child.once('close', (code) => {
          if (code === 0) resolve(true);
          else {
            log.warn('systemd-notify failed', { exitCode: code, stderr: stderr.trim(), assignments });
            resolve(false);
          }
        });
      });
    const p = chain.then(run, run);
    chain = p;
    return p;
  };

  return {
    enabled,
    ready: (status) => send(['READY=1', ...(status !== undefined ? [`STATUS=${oneLine(status)}`] : [])]),
    status: (text) => send([`STATUS=${oneLine(text)}`]),
    watchdog: () => send(['WATCHDOG=1']),
    stopping: (status) => send(['STOPPING=1', ...(status !== undefined ? [`STATUS=${oneLine(status)}`] : [])]),
  };
}

/**
 * The watchdog period systemd expects, from WATCHDOG_USEC (set when the unit has WatchdogSec=);
 * undefined when there is none or when WATCHDOG_PID names another process (the variables were
 * inherited by a child that is not the service).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number | undefined {
  const usec = Number(env['WATCHDOG_USEC']);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  const wpid = env['WATCHDOG_PID'];
  if (wpid !== undefined && wpid !== '' && Number(wpid) !== pid) return undefined;
  return usec / 1000;
}
