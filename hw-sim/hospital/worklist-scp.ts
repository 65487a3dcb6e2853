/**
 * Modality Worklist C-FIND SCP of the simulated hospital (PS3.4 Annex K): single-value,
 * wildcard (`*`, `?`), date-range and universal matching on the keys the query gives, at the
 * top level and in the Scheduled Procedure Step item; each match is returned with the keys
 * asked for, in the entry's own character set.
 */
import { SPECIFIC_CHARACTER_SET, type Tag } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import { tagForKeyword } from '../../dicom/dictionary/index.js';
import type { IncomingRequest, RequestResponse } from '../../device/net/association.js';
import { encodeForContext, readSmallDataSet } from '../../device/net/dataset-bytes.js';

const SPS_SEQUENCE = tagForKeyword('ScheduledProcedureStepSequence')!;
const PENDING = 0xff00;

function wildcardRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'su');
}

/** One key: universal when empty; a range for dates/times with '-'; else wildcard or exact. */
function keyMatches(q: DataSet, e: DataSet, t: Tag): boolean {
  const el = q.get(t);
  if (!el || el.value.type !== 'raw' || el.value.bytes.length === 0) return true;
  const want = (q.string(t) ?? '').trim();
  if (want === '') return true;
  const have = (e.string(t) ?? '').trim();
  if ((el.vr === 'DA' || el.vr === 'TM' || el.vr === 'DT') && want.includes('-')) {
    const [from, to] = want.split('-') as [string, string];
    return (from === '' || have >= from) && (to === '' || have.slice(0, to.length) <= to);
  }
  if (want.includes('*') || want.includes('?')) return wildcardRegExp(want).test(have);
  return want === have;
}

function matches(q: DataSet, e: DataSet): boolean {
  for (const t of q.tags()) {
    if (t === SPECIFIC_CHARACTER_SET || (t & 0xffff0000) === 0) continue;
    if (t === SPS_SEQUENCE) {
      const qi = q.items(t)?.[0];
      if (!qi) continue;
      if (!(e.items(t) ?? []).some((ei) => qi.tags().every((k) => keyMatches(qi, ei, k)))) return false;
      continue;
    }
    if (q.get(t)?.value.type === 'sequence') continue; // sequence matching beyond SPS: not offered
    if (!keyMatches(q, e, t)) return false;
  }
  return true;
}

/** The match as returned: the keys asked for (empty when the entry has none), in the entry's character set. */
function answer(q: DataSet, e: DataSet): DataSet {
  const out = new DataSet();
  const cs = e.get(SPECIFIC_CHARACTER_SET);
  if (cs) out.set(cs);
  for (const t of q.tags()) {
    if (t === SPECIFIC_CHARACTER_SET) continue;
    const qel = q.get(t)!;
    if (t === SPS_SEQUENCE) {
      const qi = q.items(t)?.[0];
      const items = (e.items(t) ?? []).map((ei) => {
        const item = new DataSet(out);
        const keys = qi && qi.size > 0 ? qi.tags() : ei.tags();
        for (const k of keys) {
          const v = ei.get(k);
          if (v) item.set(v);
          else item.put(k, qi!.get(k)!.vr, { type: 'raw', bytes: new Uint8Array(0) });
        }
        return item;
      });
      out.putSequence(t, items);
      continue;
    }
    const v = e.get(t);
    if (v) out.set(v);
    else if (qel.value.type === 'sequence') out.putSequence(t, []);
    else out.put(t, qel.vr, { type: 'raw', bytes: new Uint8Array(0) });
  }
  return out;
}

export function worklistScp(entries: () => readonly DataSet[]): (req: IncomingRequest, pending: (r: RequestResponse) => Promise<void>) => Promise<RequestResponse> {
  return async (req, pending) => {
    if (req.command.type !== 'C-FIND-RQ') return { status: 0x0211 };
    let q: DataSet | undefined;
    try {
      q = await readSmallDataSet(req);
    } catch (e) {
      return { status: 0xc000, errorComment: (e as Error).message.slice(0, 64) }; // unable to process
    }
    if (!q) return { status: 0xa900, errorComment: 'no identifier' };
    for (const e of entries()) {
      if (!matches(q, e)) continue;
      await pending({ status: PENDING, dataSet: encodeForContext(answer(q, e), req.context.transferSyntax) });
    }
    return { status: 0x0000 };
  };
}
