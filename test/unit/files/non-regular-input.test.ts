/**
 * Inputs that are not regular files — a FIFO (opening it would block until a writer comes), a
 * character device (/dev/zero never ends), a unix socket — are refused at once, by name, by
 * dump, convert, send and export (issue 8: all four hung).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli-capture.js';
import { freePort } from '../../helpers/net-peers.js';
import { scratchDir } from '../../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: Server;
const inputs: { path: string; kind: RegExp }[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const sock = join(dir, 'sock');
  server = createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  inputs.push({ path: fifo, kind: /a FIFO/ }, { path: '/dev/zero', kind: /a character device/ }, { path: sock, kind: /a socket/ });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await cleanup();
});

async function run(...args: string[]): Promise<{ code: number; text: string }> {
  const r = await runCli(args);
  return { code: r.code, text: [...r.out, ...r.err].join('\n') };
}

describe('inputs that are not regular files', () => {
  it('dump and convert: exit 1 naming the file, what it is, and FILE_NOT_REGULAR', async () => {
    for (const { path, kind } of inputs) {
      const d = await run('dump', path);
      expect(d.code).toBe(1);
      expect(d.text).toMatch(new RegExp(`^${path}: .*not a regular file.*\\[FILE_NOT_REGULAR\\]$`));
      expect(d.text).toMatch(kind);
      const c = await run('convert', path, '--ts', 'explicit', '-o', join(dir, 'out.dcm'));
      expect(c.code).toBe(1);
      expect(c.text).toMatch(/FILE_NOT_REGULAR/);
    }
  });

  it('send: each refused by name, before any connection (nothing listens on the port)', async () => {
    const port = await freePort();
    const r = await run('send', '--host', '127.0.0.1', '--port', String(port), '--called-ae', 'NOBODY', ...inputs.map((i) => i.path));
    expect(r.code).toBe(1);
    for (const { path } of inputs) expect(r.text).toMatch(new RegExp(`${path}\\t.*not a regular file`));
    expect(r.text).not.toMatch(/ECONNREFUSED/);
  });

  it('export: refused by name, nothing written', async () => {
    const medium = join(dir, 'medium');
    await mkdir(medium);
    const r = await run('export', '--profile', 'STD-GEN-USB-JPEG', '--out', medium, inputs[0]!.path);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/fifo.*not a regular file.*FILE_NOT_REGULAR/);
    expect(await readdir(medium)).toEqual([]);
  });
});
