/**
 * Helpers for the benchmarks: wall-clock timing, bounded child processes (third-party tools and
 * our own Node children), small statistics and the result table.
 *
 * Every child is started with a time limit and killed by its own pid when it overruns, so a hung
 * tool costs a bounded time and the run goes on.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Times an async function; returns its result and the wall time in ms. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = now();
  const value = await fn();
  return { value, ms: now() - t0 };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Wall time from spawn to exit, ms. */
  wallMs: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Send stdout to /dev/null instead of capturing it (no pipe-reading cost in the timing). */
  discardStdout?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a process to completion, bounded in time; never rejects for a non-zero exit. */
export function runProcess(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const devnull = opts.discardStdout ? openSync('/dev/null', 'w') : undefined;
    const t0 = now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', devnull ?? 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 64 * 1024) stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      if (devnull !== undefined) closeSync(devnull);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const wallMs = now() - t0;
      clearTimeout(timer);
      if (devnull !== undefined) closeSync(devnull);
      resolve({ code, signal, wallMs, stdout, stderr, timedOut });
    });
  });
}

/** The absolute path of an executable on PATH (or the path itself when absolute), or undefined. */
export async function findExecutable(name: string): Promise<string | undefined> {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Debian's python3, which sees Debian's pydicom (the first python3 on PATH may not). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** The pydicom version Debian's python3 imports, or undefined when there is none. */
export async function pydicomVersion(): Promise<string | undefined> {
  if (!(await findExecutable(DEBIAN_PYTHON))) return undefined;
  const r = await runProcess(DEBIAN_PYTHON, ['-c', 'import pydicom; print(pydicom.__version__)'], { timeoutMs: 20_000 });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** Runs a Python snippet that prints one JSON object on its last stdout line. */
export async function runPythonJson<T>(script: string, args: readonly string[], timeoutMs: number): Promise<T & { wallMs: number }> {
  const r = await runProcess(DEBIAN_PYTHON, ['-c', script, ...args], { timeoutMs });
  if (r.code !== 0 || r.timedOut) throw new Error(`python exited ${r.timedOut ? 'on timeout' : r.code}: ${r.stderr.trim().slice(-800)}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(last) as T), wallMs: r.wallMs };
}

/**
 * Runs a TypeScript module in a fresh Node process (through tsx's loader), so that its memory
 * figures start from a clean heap. The child prints one JSON object on its last stdout line.
 */
export async function runNodeChildJson<T>(
  modulePath: string,
  args: readonly string[],
  opts: { timeoutMs: number; nodeFlags?: readonly string[] },
): Promise<T & { wallMs: number }> {
  const r = await runProcess(process.execPath, [...(opts.nodeFlags ?? []), '--import', 'tsx', modulePath, ...args], {
    timeoutMs: opts.timeoutMs,
  });
  if (r.code !== 0 || r.timedOut) throw new Error(`node child exited ${r.timedOut ? 'on timeout' : r.code}: ${r.stderr.trim().slice(-800)}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(last) as T), wallMs: r.wallMs };
}

// ── formatting ──────────────────────────────────────────────────────────────────────────────

export function fmtSeconds(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const s = ms / 1000;
  return s >= 10 ? `${s.toFixed(1)} s` : s >= 1 ? `${s.toFixed(2)} s` : `${s.toFixed(3)} s`;
}

export function fmtRatio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return '—';
  return (a / b).toFixed(2);
}

export function fmtMB(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? '—' : `${(bytes / 1e6).toFixed(1)} MB`;
}

export interface TableRow {
  benchmark: string;
  sonicart: string;
  dcmdump: string;
  pydicom: string;
  vsDcmdump: string;
  vsPydicom: string;
  goal: string;
  verdict: 'PASS' | 'FAIL' | 'n/a';
}

export function renderTable(rows: readonly TableRow[]): string {
  const head: TableRow = {
    benchmark: 'benchmark',
    sonicart: 'sonicart',
    dcmdump: 'dcmdump',
    pydicom: 'pydicom',
    vsDcmdump: 'ratio vs dcmdump',
    vsPydicom: 'ratio vs pydicom',
    goal: 'goal',
    verdict: '' as TableRow['verdict'],
  };
  const cols: (keyof TableRow)[] = ['benchmark', 'sonicart', 'dcmdump', 'pydicom', 'vsDcmdump', 'vsPydicom', 'goal', 'verdict'];
  const all = [head, ...rows];
  const width = cols.map((c) => Math.max(...all.map((r) => String(r[c]).length)));
  return all.map((r) => cols.map((c, i) => String(r[c]).padEnd(width[i]!)).join('  ').trimEnd()).join('\n');
}
