/**
 * `npx tsx bench/service-send.ts`: the service's store-and-forward path beside DCMTK, in one run.
 *
 *   (a) 200 single-frame 800×600 RGB instances, in the service: enqueue → every job completed
 *       (InstanceStore + JobQueue + Forwarder wired as createDevice wires them: audit rows in
 *       the outcome's group commit, associations lingering 2 s), with 1 and 4 associations, vs
 *       the wall time of `storescu` sending the same files; beside them the CLI path
 *       (`storeFiles`, what `sonicart send` runs) in this process, so the queue's own cost shows;
 *   (b) one 150 MB cine (104 frames 800×600 RGB), the same way;
 *   (c) scale: 100,000 instances and 200,000 jobs in the database (and 100,000 files on disk
 *       for the start-up scan): start-up time (open + migrate + reconcile + recover + summary)
 *       and a filtered, paged queue list's p50/p99.
 *
 * storescp runs with TCP_NODELAY forced on its sockets by an LD_PRELOAD shim (compiled here
 * with cc), so that its delayed ACK / Nagle wait (~40 ms per response) does not hide our cost.
 * Options: --files N (default 200), --reps N (default 1; medians), --skip-big, --skip-send, --skip-scale,
 * --scale-instances N.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPLICIT_VR_LE, transferSyntax } from '../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../dicom/part10/index.js';
import { auditSends, DbAuditLog } from '../device/audit/index.js';
import { systemClock } from '../device/clock.js';
import { openDatabase } from '../device/db/index.js';
import { Forwarder, JobQueue, JOB_STATES, type StoreDestination } from '../device/queue/index.js';
import { InstanceStore } from '../device/storage/index.js';
import { STORE_TIMERS } from '../device/net/config.js';
import { associationOptions } from '../device/net/peer-config.js';
import { storeFiles, stored } from '../device/net/scu/store.js';
import { freePort, startPeer } from '../test/helpers/net-peers.js';
import { buildNoDelayShim } from './nodelay-shim.js';
import { testImageDataSet } from '../test/unit/device-net/fixtures.js';

function flag(name: string): boolean {
  return process.argv.includes(name);
}
function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}


function wall(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: env ?? process.env });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 300)}`))));
  });
}

async function writeImage(path: string, frames: number): Promise<void> {
  const { ds, sopClassUid, sopInstanceUid } = testImageDataSet({ rows: 600, columns: 800, samples: 3, frames });
  const ts = transferSyntax(EXPLICIT_VR_LE)!;
  await writeFile(path, writePart10(buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid: ts.uid }), ds, ts));
}

/** Imports the files into a fresh service data directory; returns the rig. */
async function serviceWith(dataDir: string, files: readonly string[], destinations: readonly StoreDestination[]) {
  const db = openDatabase(join(dataDir, 'cart.db'));
  const store = new InstanceStore(db, { dataDir, clock: systemClock });
  const queue = new JobQueue(db, { clock: systemClock, onSettled: auditSends(new DbAuditLog(db, systemClock)) });
  const forwarder = new Forwarder({ queue, dataDir, destinations, clock: systemClock });
  const uids: string[] = [];
  for (const f of files) uids.push((await store.importFile(f, { examId: 'BENCH' })).sopInstanceUid);
  return { db, store, queue, forwarder, uids };
}

/**
 * Enqueue → every job of `dest` committed completed, in seconds (the lingering associations are
 * then stopped, untimed).
 */
async function sendAll(rig: Awaited<ReturnType<typeof serviceWith>>, dest: string, cpu: number[]): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let s = 0;
  const all = new Promise<void>((resolve) => {
    let done = 0;
    const sub = rig.queue.events$.subscribe((e) => {
      if (e.type === 'job' && e.job.destination === dest && e.job.state !== 'in-progress' && e.job.state !== 'scheduled' && ++done === rig.uids.length) {
        s = (performance.now() - t0) / 1000;
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1e6);
        sub.unsubscribe();
        resolve();
      }
    });
  });
  rig.queue.enqueue({ sopInstanceUids: rig.uids }, [dest]);
  rig.forwarder.start();
  rig.forwarder.kick(dest);
  // All done, or every association ended (a failure: the count below says so).
  await Promise.race([all, rig.forwarder.idle()]);
  if (s === 0) {
    s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  await rig.forwarder.stop();
  const done = rig.queue.count({ destination: dest, state: 'completed' });
  if (done !== rig.uids.length) throw new Error(`${dest}: ${done} of ${rig.uids.length} completed: ${JSON.stringify(rig.queue.list({ destination: dest, state: ['failed', 'retry'] }, { limit: 3 }))}`);
  return s;
}

/** --skip-send: straight to the scale part. */
class SkipSend extends Error {}

const rows: string[][] = [];
const dir = await mkdtemp(join(tmpdir(), 'sonicart-bench-svc-'));
const stops: (() => Promise<void>)[] = [];
try {
  // the TCP_NODELAY shim
  const shim = buildNoDelayShim(dir);
  const port = await freePort();
  const scp = await startPeer('storescp', ['--ignore', '--fork', String(port)], port, { env: { ...process.env, LD_PRELOAD: shim } });
  stops.push(() => scp.stop());
  const peer = { host: '127.0.0.1', port, calledAeTitle: 'STORESCP', callingAeTitle: 'US_CART' };
  const destinations: StoreDestination[] = [
    { name: 'pacs', peer, concurrency: 1, lingerMs: 2000 },
    { name: 'pacs4', peer, concurrency: 4, lingerMs: 2000 },
  ];

  if (flag('--skip-send')) throw new SkipSend();
  const n = arg('--files', 200);
  const src = join(dir, 'src');
  await mkdir(src);
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = join(src, `img${String(i).padStart(4, '0')}.dcm`);
    await writeImage(p, 1);
    files.push(p);
  }
  // --reps N: storescu and the service take turns N times; medians (the machine is shared).
  const reps = arg('--reps', 1);
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const tScu: number[] = [];
  const tOne: number[] = [];
  const tFour: number[] = [];
  const tCli: number[] = [];
  const cOne: number[] = [];
  const cFour: number[] = [];
  const cCli: number[] = [];
  const { proposals: _p, ...cliOptions } = await associationOptions({ timers: STORE_TIMERS, ...peer }, []);
  for (let r = 0; r < reps; r++) {
    tScu.push(await wall('storescu', ['-aec', 'STORESCP', '127.0.0.1', String(port), ...files]));
    const c0 = performance.now();
    const u0 = process.cpuUsage();
    let ok = 0;
    for await (const o of storeFiles(files, cliOptions)) if (stored(o)) ok++;
    if (ok !== files.length) throw new Error(`storeFiles: ${ok} of ${files.length} stored`);
    tCli.push((performance.now() - c0) / 1000);
    const u = process.cpuUsage(u0);
    cCli.push((u.user + u.system) / 1e6);
    const rig = await serviceWith(join(dir, `data-a${r}`), files, destinations);
    tOne.push(await sendAll(rig, 'pacs', cOne));
    tFour.push(await sendAll(rig, 'pacs4', cFour));
    await rig.forwarder.stop();
    rig.db.close();
    await rm(join(dir, `data-a${r}`), { recursive: true, force: true });
  }
  const storescu = med(tScu);
  const one = med(tOne);
  const four = med(tFour);
  const cli = med(tCli);
  rows.push([`(a) ${n} × 800×600 RGB, CLI path (storeFiles)`, `${cli.toFixed(2)} s`, `${med(cCli).toFixed(2)} s`, `${storescu.toFixed(2)} s`, (cli / storescu).toFixed(2), '']);
  rows.push([`(a) ${n} × 800×600 RGB, 1 association`, `${one.toFixed(2)} s`, `${med(cOne).toFixed(2)} s`, `${storescu.toFixed(2)} s`, (one / storescu).toFixed(2), '≤ 0.30']);
  rows.push([`(a) same, 4 associations`, `${four.toFixed(2)} s`, `${med(cFour).toFixed(2)} s`, `${storescu.toFixed(2)} s`, (four / storescu).toFixed(2), '≤ 0.15']);

  if (!flag('--skip-big')) {
    const big = join(dir, 'big.dcm');
    await writeImage(big, 104);
    const tTheirs: number[] = [];
    const tOurs: number[] = [];
    const cOurs: number[] = [];
    for (let r = 0; r < reps; r++) {
      tTheirs.push(await wall('storescu', ['-aec', 'STORESCP', '127.0.0.1', String(port), big]));
      const rigB = await serviceWith(join(dir, `data-b${r}`), [big], destinations);
      tOurs.push(await sendAll(rigB, 'pacs', cOurs));
      await rigB.forwarder.stop();
      rigB.db.close();
      await rm(join(dir, `data-b${r}`), { recursive: true, force: true });
    }
    const theirs = med(tTheirs);
    const ours = med(tOurs);
    rows.push(['(b) 1 × 150 MB cine, 104 frames', `${ours.toFixed(2)} s`, `${med(cOurs).toFixed(2)} s`, `${theirs.toFixed(2)} s`, (ours / theirs).toFixed(2), '≤ 1.0']);
  }

  const head = ['case', 'service', 'cpu', 'storescu', 'ratio', 'goal'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\nin-service send (median of ${reps}) — loopback, storescp --ignore --fork with TCP_NODELAY (LD_PRELOAD shim), node ${process.version}`);
  console.log(fmt(head));
  for (const r of rows) console.log(fmt(r));
  console.log('service = enqueue → last job committed completed (in process, no start-up); cpu = this process\'s CPU time in that span (less swayed by the');
  console.log(`machine's load than wall time); storescu = its process wall time, same files, same storescp. Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}.`);

  if (!flag('--skip-scale')) await scale(join(dir, 'scale'), arg('--scale-instances', 100_000));
} catch (e) {
  if (!(e instanceof SkipSend)) throw e;
  if (!flag('--skip-scale')) await scale(join(dir, 'scale'), arg('--scale-instances', 100_000));
} finally {
  for (const s of stops) await s();
  await rm(dir, { recursive: true, force: true });
}

/** A year of a busy cart: N instances (files on disk, empty), 2 jobs each; start-up and list latency. */
async function scale(dataDir: string, instances: number): Promise<void> {
  const perStudy = 100;
  const db0 = openDatabase(join(dataDir, 'cart.db'));
  const t0 = performance.now();
  const states = ['completed', 'completed', 'completed', 'completed', 'warning', 'failed', 'retry', 'scheduled'] as const;
  db0.transaction(() => {
    const insI = db0.prepare(
      `INSERT INTO instances (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, exam_id, path, size, frames, transfer_syntax_uid, created_at)
       VALUES (?, '1.2.840.10008.5.1.4.1.1.6.1', ?, ?, ?, ?, 1440000, 1, '1.2.840.10008.1.2.1', ?)`,
    );
    const insJ = db0.prepare(
      `INSERT INTO jobs (kind, sop_instance_uid, exam_id, destination, state, status, attempts, next_try_at, updated_at, created_at)
       VALUES ('store', ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    );
    for (let i = 0; i < instances; i++) {
      const s = Math.floor(i / perStudy);
      const study = `1.2.826.0.1.3680043.10.1.${s}`;
      const series = `${study}.1`;
      const uid = `${series}.${i % perStudy}`;
      const t = new Date(Date.UTC(2025, 0, 1) + i * 300_000).toISOString();
      insI.run([uid, study, series, `E${s}`, `instances/${study}/${series}/${uid}.dcm`, t]);
      for (const d of ['pacs', 'archive']) {
        const st = states[(i * 7 + d.length) % states.length]!;
        insJ.run([uid, `E${s}`, d, st, st === 'completed' ? 0 : st === 'failed' ? 0xc000 : null, st === 'retry' ? Date.now() + 3_600_000 : null, t, t]);
      }
      if (i % perStudy === 0) mkdirSync(join(dataDir, 'instances', study, series), { recursive: true });
      writeFileSync(join(dataDir, 'instances', study, series, `${uid}.dcm`), '');
    }
  });
  db0.close();
  const fill = (performance.now() - t0) / 1000;

  // Start-up as the service does it, from a cold process state (the page cache is warm).
  const s0 = performance.now();
  const db = openDatabase(join(dataDir, 'cart.db'));
  const store = new InstanceStore(db, { dataDir, clock: systemClock });
  const report = await store.reconcile();
  const queue = new JobQueue(db, { clock: systemClock, onSettled: auditSends(new DbAuditLog(db, systemClock)) });
  queue.recover();
  const summary = queue.summary();
  const startup = performance.now() - s0;
  if (report.missing.length || report.reindexed.length) throw new Error(`reconcile found ${report.missing.length} missing, ${report.reindexed.length} orphans`);

  // Filtered, paged lists the way the kiosk asks: a state and/or destination and/or exam, pages 1–10.
  const lat: number[] = [];
  let rnd = 12345;
  const rand = (k: number): number => ((rnd = (rnd * 1103515245 + 12345) & 0x7fffffff), rnd % k);
  for (let i = 0; i < 2000; i++) {
    const f: Record<string, unknown> = {};
    const kind = rand(5);
    if (kind === 0) f['state'] = JOB_STATES[rand(JOB_STATES.length)];
    else if (kind === 1) f['destination'] = rand(2) ? 'pacs' : 'archive';
    else if (kind === 2) Object.assign(f, { destination: rand(2) ? 'pacs' : 'archive', state: ['failed', 'retry', 'scheduled', 'completed'][rand(4)] });
    else if (kind === 3) f['examId'] = `E${rand(instances / perStudy)}`;
    else f['state'] = ['failed', 'retry'];
    const t = performance.now();
    queue.list(f, { limit: 50, offset: rand(10) * 50 });
    queue.count(f);
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number): number => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;
  const t1 = performance.now();
  const sum = queue.summary();
  const summaryMs = performance.now() - t1;
  db.close();
  console.log(`\nscale — ${instances.toLocaleString('en')} instances (files on disk), ${(instances * 2).toLocaleString('en')} jobs (filled in ${fill.toFixed(1)} s)`);
  console.log(`start-up (open + migrate + reconcile ${instances.toLocaleString('en')} files + recover + summary): ${startup.toFixed(0)} ms   (goal < 2000 ms)`);
  console.log(`GET /api/queue equivalent (list 50 + count, filtered, pages 1–10), 2,000 queries: p50 ${pct(50).toFixed(2)} ms, p99 ${pct(99).toFixed(2)} ms, max ${lat.at(-1)!.toFixed(2)} ms   (goal p99 < 50 ms)`);
  console.log(`queue summary (GET /api/state part): ${summaryMs.toFixed(1)} ms; ${summary.total} jobs, ${sum.byState.retry} in retry`);
}
