/**
 * dcmjs-dimse as MPPS / storage commitment (and storage) SCP in a child process
 * (dimse-scp.mjs), on a free loopback port, and what it recorded, read back as JSON lines.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startPeer, type PeerProcess } from './net-peers.js';

/** One thing dcmjs-dimse received or answered (see dimse-scp.mjs). */
export interface DimseRecord {
  type: string;
  sopClass?: string;
  sopInstance?: string;
  actionTypeId?: number;
  status?: number;
  dataset?: Record<string, unknown>;
  calling?: string;
  mode?: string;
}

export interface DimseScp {
  readonly peer: PeerProcess;
  records(): Promise<DimseRecord[]>;
}

/** `mode`: where the commitment report goes (the same association, a new one to `cart`, or nowhere). */
export async function startDimseScp(dir: string, name: string, mode: 'same' | 'new' | 'none', cart?: { port: number; aeTitle: string }): Promise<DimseScp> {
  const port = await freePort();
  const record = join(dir, `dimse-${name}.jsonl`);
  await writeFile(record, '');
  const args = [join(import.meta.dirname, 'dimse-scp.mjs'), String(port), record, mode, ...(cart ? [String(cart.port), cart.aeTitle] : [])];
  const peer = await startPeer(process.execPath, args, port, { cwd: join(import.meta.dirname, '../..') });
  return {
    peer,
    records: async () =>
      (await readFile(record, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as DimseRecord),
  };
}
