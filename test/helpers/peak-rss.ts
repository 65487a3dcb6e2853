/**
 * Runs a Node.js script in a child process and returns that process's peak resident set size:
 * the kernel's high-water mark VmHWM from /proc/self/status, read by a preloaded hook as the
 * process exits, so no sampling can miss a short peak. Worker threads are part of the process
 * and counted; child processes it starts (ffmpeg) are not: it is Node's own memory.
 */
import { spawn } from 'node:child_process';

export interface PeakRssResult {
  readonly code: number | null;
  readonly peakMiB: number;
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

const MARK = 'SONICART_PEAK_RSS_KIB=';
const HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { readFileSync } from 'node:fs';
     process.on('exit', () => {
       const m = /VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
       process.stderr.write('\\n${MARK}' + (m ? m[1] : 'NaN') + '\\n');
     });`,
  );

export function runNodeWithPeakRss(script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<PeakRssResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', HOOK, script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const i = stderr.lastIndexOf(MARK);
      const kib = i < 0 ? NaN : Number.parseInt(stderr.slice(i + MARK.length), 10);
      if (!(kib > 0)) return reject(new Error(`no peak RSS reported by ${script}: ${stderr.slice(-400)}`));
      resolve({ code, peakMiB: kib / 1024, wallMs: performance.now() - t0, stdout, stderr: stderr.slice(0, i).trimEnd() });
    });
  });
}
