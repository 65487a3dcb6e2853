/**
 * Loads the annotated PDU byte fixtures of test/fixtures/pdu: hex bytes, "#" comments.
 * A malformed fixture states what it must raise in a comment line "expect: CODE at OFFSET".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PDU_FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/pdu');

export interface PduFixture {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly comment: string;
  readonly expect?: { readonly code: string; readonly offset: number };
}

export function parseHexFixture(name: string, text: string): PduFixture {
  const hex: string[] = [];
  const comments: string[] = [];
  for (const line of text.split('\n')) {
    const hash = line.indexOf('#');
    const data = hash >= 0 ? line.slice(0, hash) : line;
    if (hash >= 0) comments.push(line.slice(hash + 1).trim());
    for (const tok of data.trim().split(/\s+/)) {
      if (tok === '') continue;
      if (!/^[0-9a-fA-F]{2}$/.test(tok)) throw new Error(`${name}: bad hex token ${tok}`);
      hex.push(tok);
    }
  }
  const bytes = Uint8Array.from(hex.map((h) => parseInt(h, 16)));
  const comment = comments.join('\n');
  const m = /expect: (\w+) at (\d+)/.exec(comment);
  return { name, bytes, comment, ...(m ? { expect: { code: m[1]!, offset: Number(m[2]) } } : {}) };
}

function load(dir: string): PduFixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => parseHexFixture(f.replace(/\.hex$/, ''), readFileSync(join(dir, f), 'utf8')));
}

export const validFixtures = (): PduFixture[] => load(PDU_FIXTURE_DIR);
export const malformedFixtures = (): PduFixture[] => load(join(PDU_FIXTURE_DIR, 'malformed'));

export function fixture(name: string): Uint8Array {
  const f = validFixtures().find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f.bytes;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
