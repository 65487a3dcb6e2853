/**
 * The crash test (issue 9): runs the service's persistence and sending in a child process
 * against a real storescp, captures and ends exams continuously, and SIGKILLs the child at a
 * random moment (during a capture's write, its commit, a send, an enqueue), restarting it each
 * time. At the end it lets the queue drain and checks:
 *   - every instance ever acknowledged is at storescp (or still queued, when not drained),
 *   - every file in the store is complete (dcmdump reads it) and no temporary file is left,
 *   - no job is lost: every instance of an ended exam has its store job,
 *   - storescp received nothing but instances the cart holds (a duplicate only as the same UID).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { uidFromRandom } from '../../dicom/core/index.js';
import { openDatabase } from '../../device/db/index.js';
import { readDicomFileHeader } from '../../device/files/read-header.js';
import { Tags } from '../../dicom/dictionary/index.js';
import { runTool } from './run-tool.js';
import { spawnServe, waitForState, type ServeChild } from './serve-process.js';
import { mulberry32 } from '../../hw-sim/frame-grabber/prng.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHILD_SOURCE = join(ROOT, 'test', 'helpers', 'crash-child.ts');

/**
 * The child bundled once per run with esbuild (as the CLI is), so a restart costs Node's start
 * and not a TypeScript transform: more kills per minute of CI. Written under node_modules/.cache
 * so its bare imports (better-sqlite3, rxjs) resolve.
 */
async function bundleChild(): Promise<string> {
  const { build } = await import('esbuild');
  const out = join(ROOT, 'node_modules', '.cache', 'sonicart-test', `crash-child-${process.pid}.mjs`);
  await build({ entryPoints: [CHILD_SOURCE], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
  return out;
}

export interface CrashOptions {
  readonly dataDir: string;
  readonly storescpPort: number;
  readonly storescpOut: string;
  readonly kills: number;
  /** A kill lands uniformly in [minMs, maxMs] after the child is ready. */
  readonly minMs?: number;
  readonly maxMs?: number;
  /** Stills per exam (one cine of `cineFrames` frames is added to every third exam). */
  readonly stillsPerExam?: number;
  readonly cineFrames?: number;
  /** Deterministic kill moments (default: random). */
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface CrashReport {
  readonly kills: number;
  readonly acknowledged: number;
  readonly exams: number;
  readonly endedExams: number;
  /** Acknowledged instances not found at storescp after the drain (must be empty). */
  readonly lostAtPeer: readonly string[];
  /** Acknowledged instances without a row or file in the store (must be empty). */
  readonly lostLocally: readonly string[];
  /** Files of the store dcmdump could not read, temporary files left (must be empty). */
  readonly brokenFiles: readonly string[];
  /** Instances of ended exams without a store job (must be empty). */
  readonly missingJobs: readonly string[];
  /** Instances at storescp the cart does not hold (must be empty). */
  readonly strangers: readonly string[];
  /** Instances received more than once (allowed; always the same UID). */
  readonly duplicatesAtPeer: number;
  /** Instances stored but never acknowledged (killed between commit and answer): allowed. */
  readonly unacknowledgedStored: number;
  /** Jobs not completed at the end (must be 0 after the drain). */
  readonly unfinishedJobs: number;
}

/** The fields of a report that must be empty (or 0) after a crash test, for one comparison. */
export function crashViolations(r: CrashReport): Pick<CrashReport, 'lostAtPeer' | 'lostLocally' | 'brokenFiles' | 'missingJobs' | 'strangers' | 'unfinishedJobs'> {
  const { lostAtPeer, lostLocally, brokenFiles, missingJobs, strangers, unfinishedJobs } = r;
  return { lostAtPeer, lostLocally, brokenFiles, missingJobs, strangers, unfinishedJobs };
}

/** What crashViolations() is when nothing was lost. */
export const NO_CRASH_VIOLATIONS: ReturnType<typeof crashViolations> = { lostAtPeer: [], lostLocally: [], brokenFiles: [], missingJobs: [], strangers: [], unfinishedJobs: 0 };

interface Child {
  readonly proc: ChildProcess;
  send(line: string): void;
  /** Resolves with the next line starting with `prefix` (rejects if the child dies). */
  expect(prefix: string): Promise<string>;
  readonly exited: Promise<void>;
}

function startChild(o: CrashOptions, script: string): Promise<Child> {
  const proc = spawn(process.execPath, [script, o.dataDir, String(o.storescpPort)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const waiters: { prefix: string; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  const exited = new Promise<void>((r) =>
    proc.once('exit', () => {
      for (const w of waiters.splice(0)) w.reject(new Error('child exited'));
      r();
    }),
  );
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (line.startsWith('ERR ')) o.log?.(`child: ${line}`);
    const i = waiters.findIndex((w) => line.startsWith(w.prefix));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(line);
  });
  proc.stdin!.on('error', () => undefined);
  const child: Child = {
    proc,
    exited,
    send: (l) => void (proc.stdin!.writable && proc.stdin!.write(l + '\n')),
    expect: (prefix) => new Promise((resolveP, reject) => waiters.push({ prefix, resolve: resolveP, reject })),
  };
  return Promise.race([
    child.expect('READY').then(() => child),
    exited.then(() => {
      throw new Error(`child exited before READY:\n${stderr}`);
    }),
  ]);
}

export async function runCrashTest(o: CrashOptions): Promise<CrashReport> {
  const rand = mulberry32(o.seed ?? Date.now());
  const minMs = o.minMs ?? 100;
  const maxMs = o.maxMs ?? 900;
  const stills = o.stillsPerExam ?? 4;
  const acked = new Map<string, string>();
  const ended = new Set<string>();
  const exams: { id: string; study: string; captured: number }[] = [];
  const newExam = () => {
    const e = { id: `X${exams.length + 1}`, study: uidFromRandom(randomBytes(16)), captured: 0 };
    exams.push(e);
    return e;
  };
  let exam = newExam();

  /** Drives captures and ends until the child dies. */
  const drive = async (c: Child): Promise<void> => {
    for (;;) {
      if (exam.captured < stills + (exams.length % 3 === 0 ? 1 : 0)) {
        const cine = exam.captured === stills;
        c.send(`capture ${exam.id} ${exam.study} ${cine ? (o.cineFrames ?? 30) : 1}`);
        const line = await c.expect(`ACK ${exam.id} `);
        acked.set(line.split(' ')[2]!, exam.id);
        exam.captured++;
      } else {
        c.send(`end ${exam.id}`);
        await c.expect(`ENDED ${exam.id} `);
        ended.add(exam.id);
        exam = newExam();
      }
    }
  };

  const script = await bundleChild();
  for (let k = 1; k <= o.kills; k++) {
    const c = await startChild(o, script);
    const delay = minMs + rand() * (maxMs - minMs);
    const killer = setTimeout(() => c.proc.kill('SIGKILL'), delay);
    await drive(c).catch(() => undefined);
    clearTimeout(killer);
    await c.exited;
    o.log?.(`kill ${k}/${o.kills} after ${delay.toFixed(0)} ms: ${acked.size} acknowledged, ${ended.size} exams ended`);
  }

  // Last start: end every exam that has instances, drain, stop.
  const c = await startChild(o, script);
  await rm(script, { force: true });
  for (const e of exams) {
    if (e.captured === 0 && ![...acked.values()].includes(e.id)) continue;
    c.send(`end ${e.id}`);
    await c.expect(`ENDED ${e.id} `);
    ended.add(e.id);
  }
  c.send('drain');
  await c.expect('DRAINED');
  c.proc.stdin!.end();
  await c.exited;

  return check(o, join(o.dataDir, 'cart.db'), acked, ended, exams.length);

}

/** The checks, from the outside: the database file, the store's files, what storescp wrote. */
async function check(o: CrashOptions, dbFile: string, acked: ReadonlyMap<string, string>, ended: ReadonlySet<string>, examCount: number): Promise<CrashReport> {
  const db = openDatabase(dbFile);
  try {
    const rows = new Map(db.prepare<{ u: string; exam: string | null; state: string; path: string }>('SELECT sop_instance_uid AS u, exam_id AS exam, state, path FROM instances').all().map((r) => [r.u, r]));
    const jobs = db.prepare<{ u: string; state: string }>("SELECT sop_instance_uid AS u, state FROM jobs WHERE destination = 'pacs'").all();
    const jobOf = new Map(jobs.map((j) => [j.u, j.state]));
    const lostLocally = [...acked.keys()].filter((u) => rows.get(u)?.state !== 'ok');
    const missingJobs = [...rows.values()].filter((r) => r.exam !== null && ended.has(r.exam) && !jobOf.has(r.u)).map((r) => r.u);
    const unfinishedJobs = jobs.filter((j) => j.state !== 'completed').length;

    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else files.push(join(d, e.name));
      }
    };
    await walk(join(o.dataDir, 'instances'));
    const brokenFiles = files.filter((f) => !f.endsWith('.dcm'));
    for (let i = 0; i < files.length; i += 100) {
      const batch = files.slice(i, i + 100).filter((f) => f.endsWith('.dcm'));
      const r = await runTool('dcmdump', ['-q', ...batch]);
      if (r.code !== 0) {
        for (const f of batch) if ((await runTool('dcmdump', ['-q', f])).code !== 0) brokenFiles.push(f);
      }
    }

    const atPeer = new Map<string, number>();
    const strangers: string[] = [];
    for (const f of await readdir(o.storescpOut)) {
      let uid: string | undefined;
      try {
        uid = (await readDicomFileHeader(join(o.storescpOut, f))).file.dataset.string(Tags.SOPInstanceUID);
      } catch {
        continue; // a transfer storescp did not finish (the sender was killed): not a stored instance
      }
      if (!uid) continue;
      atPeer.set(uid, (atPeer.get(uid) ?? 0) + 1);
      if (!rows.has(uid)) strangers.push(uid);
    }
    const lostAtPeer = [...acked.keys()].filter((u) => !atPeer.has(u) && jobOf.get(u) === 'completed');
    const notSent = [...acked.keys()].filter((u) => !atPeer.has(u) && jobOf.get(u) !== 'completed');
    return {
      kills: o.kills,
      acknowledged: acked.size,
      exams: examCount,
      endedExams: ended.size,
      lostAtPeer: [...lostAtPeer, ...notSent],
      lostLocally,
      brokenFiles,
      missingJobs,
      strangers,
      duplicatesAtPeer: [...atPeer.values()].filter((n) => n > 1).length,
      unacknowledgedStored: [...rows.keys()].filter((u) => !acked.has(u)).length,
      unfinishedJobs,
    };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The whole service: `sonicart serve` driven through its HTTP API.

export interface ServiceCrashOptions extends CrashOptions {
  /** A free port for the service's own DICOM listener (the SCP), so runs never collide. */
  readonly listenPort: number;
  readonly uiPort: number;
}

/** `sonicart serve --config` on o.uiPort (every restart on the same port), once /api/state answers. */
async function serve(o: ServiceCrashOptions, config: string): Promise<ServeChild> {
  const s = await spawnServe(dirname(config), ['--config', config], { port: o.uiPort });
  await waitForState(s);
  return s;
}

async function post(o: ServiceCrashOptions, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`http://127.0.0.1:${o.uiPort}${path}`, {
    method: 'POST',
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const j = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

/**
 * The crash test proper: the service (`sonicart serve`, simulated grabber) against
 * storescp; exams started, stills and cines stored and exams ended through the API; SIGKILL at
 * a random moment, restart (which ends and queues an exam the kill left open), again. An
 * instance counts as acknowledged when the API answered 201 with its SOP Instance UID.
 */
export async function runServiceCrashTest(o: ServiceCrashOptions): Promise<CrashReport> {
  const rand = mulberry32(o.seed ?? Date.now());
  // A still takes 0.1–1 s here, a cine 1.5 s: the window spans several of them.
  const minMs = o.minMs ?? 300;
  const maxMs = o.maxMs ?? 4000;
  const stills = o.stillsPerExam ?? 4;
  const config = join(o.dataDir, '..', `crash-config-${process.pid}.json`);
  await import('node:fs/promises').then((fs) =>
    fs.writeFile(
      config,
      JSON.stringify({
        dataDir: o.dataDir,
        uiPort: o.uiPort,
        listenPort: o.listenPort,
        destinations: [{ name: 'pacs', host: '127.0.0.1', port: o.storescpPort, calledAe: 'STORESCP', roles: ['store'], concurrency: 2 }],
        retry: { initialDelayS: 0.2, maxDelayS: 2, factor: 2, maxAttempts: 0 },
        capture: { transferSyntax: 'jpeg-lossless', ringSeconds: 4, maxCineSeconds: 2 },
      }),
    ),
  );
  const acked = new Map<string, string>();
  const ended = new Set<string>();
  const examIds = new Set<string>();

  const drive = async (): Promise<void> => {
    for (;;) {
      const { examId } = (await post(o, '/api/exams', { patient: { name: 'CRASH^TEST', id: 'CRASH-1' } })) as { examId: string };
      examIds.add(examId);
      for (let i = 0; i < stills; i++) acked.set(String((await post(o, '/api/exams/current/stills')).sopInstanceUid), examId);
      if (examIds.size % 3 === 0) {
        // Right after a restart the ring may not hold 1 s yet (that is a 409, not a shorter cine).
        while (((await (await fetch(`http://127.0.0.1:${o.uiPort}/api/state`)).json()) as { capture: { ring: { heldSeconds: number } } }).capture.ring.heldSeconds < 1) await new Promise((r) => setTimeout(r, 100));
        acked.set(String((await post(o, '/api/exams/current/cines', { seconds: 1, mode: 'retrospective' })).sopInstanceUid), examId);
      }
      await post(o, '/api/exams/current/end');
      ended.add(examId);
    }
  };

  for (let k = 1; k <= o.kills; k++) {
    const s = await serve(o, config);
    const delay = minMs + rand() * (maxMs - minMs);
    const killer = setTimeout(() => s.child.kill('SIGKILL'), delay);
    await Promise.race([drive().catch((e: Error) => o.log?.(`drive stopped: ${e.message.slice(0, 200)}`)), s.exit]);
    clearTimeout(killer);
    s.child.kill('SIGKILL');
    await s.exit;
    o.log?.(`kill ${k}/${o.kills} after ${delay.toFixed(0)} ms: ${acked.size} acknowledged, ${ended.size} exams ended through the API`);
  }

  // Last start: the exam a kill left open is ended by the service itself; wait for the queue.
  const s = await serve(o, config);
  for (;;) {
    const st = (await (await fetch(`http://127.0.0.1:${o.uiPort}/api/state`)).json()) as { queue: { counts: Record<string, number> } };
    const c = st.queue.counts;
    if ((c['scheduled'] ?? 0) + (c['in-progress'] ?? 0) + (c['retry'] ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  s.child.kill('SIGTERM');
  await s.exit;
  await rm(config, { force: true });
  // Every exam is ended now (by the API or by the restart): all count as ended for the job check.
  for (const e of examIds) ended.add(e);
  const db = openDatabase(join(o.dataDir, 'sonicart.db'));
  try {
    for (const e of db.prepare<{ e: string }>('SELECT exam_id AS e FROM exams').column() as string[]) ended.add(e);
  } finally {
    db.close();
  }
  return check(o, join(o.dataDir, 'sonicart.db'), acked, ended, examIds.size);
}
