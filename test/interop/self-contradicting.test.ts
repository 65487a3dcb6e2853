/**
 * Objects whose image attributes contradict their pixel data (issue 8): `dump` shows them with a
 * warning; `convert`, `send` (to DCMTK's storescp) and `export` refuse them with the code that
 * names the disagreement, and nothing is written or sent. dcmdump confirms each file is readable
 * as written (the contradiction is in the values, not the encoding).
 */
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliText } from '../helpers/cli-capture.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { selfContradictingFiles } from '../helpers/odd-files.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
let scp: PeerProcess | undefined;
const FILES = selfContradictingFiles();

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  for (const f of FILES) await writeFile(join(dir, f.name), f.bytes);
});
afterAll(async () => {
  await scp?.stop();
  await cleanup();
});

const run = (...args: string[]) => runCliText(args);

describe.each(FILES)('$name', ({ name, code }) => {
  it(`dcmdump reads it; dump shows it and warns ${code}; convert refuses with ${code} and writes nothing`, async () => {
    const f = join(dir, name);
    expect((await runTool('dcmdump', ['-q', f])).code).toBe(0);
    const d = await run('dump', f);
    expect(d.code, d.err).toBe(0);
    expect(d.out).toMatch(new RegExp(`# warning: .*\\[${code}\\]`));
    expect(d.out).toMatch(/\(7FE0,0010\)/);
    const out = join(dir, `converted-${name}`);
    const c = await run('convert', f, '--ts', 'explicit', '-o', out);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(new RegExp(code));
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });
});

describe('send and export refuse them all', () => {
  it('send: each is refused before the association is used, storescp stores nothing, exit 1', async () => {
    const got = join(dir, 'storescp');
    await mkdir(got);
    const port = await freePort();
    scp = await startPeer('storescp', ['--fork', '+xa', '-od', got, String(port)], port);
    const r = await run('send', '--host', '127.0.0.1', '--port', String(port), '--called-ae', 'STORESCP', ...FILES.map((f) => join(dir, f.name)));
    expect(r.code).toBe(1);
    for (const f of FILES) expect(r.out + r.err).toMatch(new RegExp(`${f.name}.*${f.code}`));
    expect(await readdir(got)).toEqual([]);
  });

  it('export: refused by name and code, nothing written to the medium', async () => {
    for (const f of FILES) {
      const medium = join(dir, `medium-${f.name}`);
      await mkdir(medium);
      const r = await run('export', '--profile', 'STD-GEN-USB-JPEG', '--out', medium, join(dir, f.name));
      expect(r.code, r.out).toBe(1);
      expect(r.out + r.err).toMatch(new RegExp(`${f.name}.*${f.code}|${f.code}.*${f.name}`));
      expect(await readdir(medium)).toEqual([]);
    }
  });
});
