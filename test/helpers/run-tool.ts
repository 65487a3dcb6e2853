/**
 * Runs the real third-party tools (DCMTK, dicom3tools, pydicom, …) that the interop tests check
 * our output against. Every run is bounded in time, and its exit code, stdout and stderr are
 * returned whole so a test can show the tool's own words when it disagrees with us.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; input?: string | Uint8Array; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 256 * 1024 * 1024,
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          // Spawn failure (ENOENT …), not a non-zero exit.
          reject(new Error(`${cmd}: ${(err as NodeJS.ErrnoException).code}: ${err.message}`));
          return;
        }
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** The repository root, where a user runs `npx sonicart`. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** The command line as a user starts it (bundle, or sources through tsx when newer). */
export const SONICART_BIN = join(REPO_ROOT, 'bin', 'sonicart.js');

/** `sonicart …args` from the repository root, bounded (default 120 s) like every tool run. */
export function runSonicart(args: readonly string[], opts: Parameters<typeof runTool>[2] = {}): Promise<ToolResult> {
  return runTool(process.execPath, [SONICART_BIN, ...args], { cwd: REPO_ROOT, timeoutMs: 120_000, ...opts });
}

/** Debian's python3, which sees Debian's pydicom (the first python3 on PATH may not). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Runs a Python snippet with Debian's pydicom available; `args` become sys.argv[1:]. */
export function runPython(script: string, args: readonly string[] = [], timeoutMs = 60_000): Promise<ToolResult> {
  return runTool(DEBIAN_PYTHON, ['-c', script, ...args], { timeoutMs });
}

/** Where Debian's python3-pydicom keeps its third-party test corpus. */
export const PYDICOM_DATA = '/usr/lib/python3/dist-packages/pydicom/data';

/** A fresh scratch directory, removed by the returned cleanup. */
export async function scratchDir(prefix = 'sonicart-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
