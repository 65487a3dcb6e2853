/**
 * How a medium is unmounted on the cart. The service runs as the unprivileged `sonicart` user, so
 * umount(8) of a udev-made mount is refused there; the polkit rule systemd/50-sonicart-media.rules
 * lets that user stop exactly the media-sonicart-*.mount units, which is what
 * `systemd-mount --umount` asks systemd to do. So: systemd-mount first where it exists (never
 * prompting: a service has no one to type a password), plain umount as the fallback (a
 * development machine, a root service, a mount not made by our udev rule).
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface UnmountCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** The first executable `name` on `path` (like `command -v`), or undefined. */
export async function findOnPath(name: string, path = process.env['PATH'] ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The unmount commands to try for `mountPoint`, in order. */
export async function unmountCommands(mountPoint: string, path?: string): Promise<UnmountCommand[]> {
  const umount = (await findOnPath('umount', path)) ?? 'umount';
  const systemdMount = await findOnPath('systemd-mount', path);
  return [
    ...(systemdMount ? [{ command: systemdMount, args: ['--no-ask-password', '--umount', mountPoint] }] : []),
    { command: umount, args: [mountPoint] },
  ];
}

export type UnmountOutcome =
  | { readonly ok: true; readonly by: UnmountCommand; readonly failures: readonly string[] }
  | { readonly ok: false; readonly failures: readonly string[] };

/** Tries each command until one succeeds; `failures` names each command that failed and why. */
export async function unmount(commands: readonly UnmountCommand[]): Promise<UnmountOutcome> {
  const failures: string[] = [];
  for (const c of commands) {
    try {
      await run(c.command, [...c.args], { timeout: 60_000 });
      return { ok: true, by: c, failures };
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      const why = (err.stderr?.trim() || err.message).split('\n')[0]!;
      failures.push(`${c.command.split('/').pop()}: ${why}`);
    }
  }
  return { ok: false, failures };
}
