import type { PlannedWrite } from './plan.js';

/** One independent file-set of a split export: whole studies where they fit, else whole series. */
export interface FileSetPortion {
  readonly studies: readonly string[];
  readonly writes: readonly PlannedWrite[];
  readonly bytes: number;
}

export interface SplitPlan {
  readonly portions: readonly FileSetPortion[];
  /** Writes that fit on no medium of this capacity, even alone. */
  readonly tooLarge: readonly PlannedWrite[];
}

/**
 * When an export does not fit on the medium, PS3.11 allows no multi-volume file-set: it is
 * offered as independent file-sets instead, each complete in itself. Studies are packed whole
 * (largest first, first fit) into portions of at most `capacity` bytes; a study larger than
 * one medium is split by series, and a series larger than one medium by instance. `overhead`
 * is what each file costs beyond its bytes (cluster slack, DICOMDIR record). Nothing is
 * written until the user has chosen.
 */
export function splitIntoFileSets(writes: readonly PlannedWrite[], capacity: number, overhead = 0): SplitPlan {
  const cost = (w: PlannedWrite): number => w.bytes + overhead;
  const tooLarge = writes.filter((w) => cost(w) > capacity);
  const fit = writes.filter((w) => cost(w) <= capacity);

  // Units to pack: a study if it fits, else its series, else its instances.
  const units: { study: string; writes: PlannedWrite[]; bytes: number }[] = [];
  for (const [study, ws] of groupBy(fit, (w) => w.studyUid)) {
    const total = ws.reduce((s, w) => s + cost(w), 0);
    if (total <= capacity) {
      units.push({ study, writes: ws, bytes: total });
      continue;
    }
    for (const [, series] of groupBy(ws, (w) => w.seriesUid)) {
      const st = series.reduce((s, w) => s + cost(w), 0);
      if (st <= capacity) units.push({ study, writes: series, bytes: st });
      else for (const w of series) units.push({ study, writes: [w], bytes: cost(w) });
    }
  }
  units.sort((a, b) => b.bytes - a.bytes);
  const bins: { studies: Set<string>; writes: PlannedWrite[]; bytes: number }[] = [];
  for (const u of units) {
    let bin = bins.find((b) => b.bytes + u.bytes <= capacity);
    if (!bin) bins.push((bin = { studies: new Set(), writes: [], bytes: 0 }));
    bin.studies.add(u.study);
    bin.writes.push(...u.writes);
    bin.bytes += u.bytes;
  }
  return {
    portions: bins.map((b) => ({ studies: [...b.studies], writes: b.writes, bytes: b.bytes })),
    tooLarge,
  };
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const g = m.get(k);
    if (g) g.push(x);
    else m.set(k, [x]);
  }
  return m;
}
