/**
 * C-STORE SCU (PS3.4 Annex B, PS3.7 §9.1.1): sends files on one association, streaming each
 * from disk, and reports one outcome per instance with the conformance §2 status policy
 * (`storageActionFor`): success and warnings go on, A7xx releases the association and leaves
 * the rest for later, any other failure fails that instance only.
 */
import { SOP_CLASS_UID, SOP_INSTANCE_UID, META } from '../../../dicom/part10/index.js';
import { transferSyntaxOrEncapsulated, type TransferSyntax } from '../../../dicom/encoding/index.js';
import { dimse, type acse } from '../../../dicom/net/index.js';
import { readDicomFileHeader, type DicomFileHeader } from '../../files/read-header.js';
import { Association, type AssociationOptions, type Invocation } from '../association.js';
import { STORE_TIMERS } from '../config.js';
import { DimseStatusError, NetError, NoAcceptableContextError, type PeerRef } from '../errors.js';
import { ChunkRing, conversionCost, conversionFor, dataSetChunks, STREAM_CHUNK, type Conversion } from './store-stream.js';
import { UNCOMPRESSED_SYNTAXES } from './services.js';

export type StoreAction = dimse.StorageAction | 'not-sent';

export interface StoreOutcome {
  readonly path: string;
  readonly sopClassUid?: string;
  readonly sopInstanceUid?: string;
  /** The transfer syntax the data set went out in. */
  readonly transferSyntax?: string;
  /** The peer's C-STORE-RSP status, when it answered. */
  readonly status?: dimse.StatusInfo;
  readonly errorComment?: string;
  /** What the caller does with the instance (conformance §2); 'not-sent' when it never went out. */
  readonly action: StoreAction;
  /** Why, for a person. */
  readonly why: string;
  /** What went wrong, when something did (a file error, a NetError …). */
  readonly error?: Error;
}

/** Stored (success or warning): the instance may leave the device. */
export function stored(o: StoreOutcome): boolean {
  return o.action === 'next' || o.action === 'record-warning';
}

export interface StoreOptions extends Omit<AssociationOptions, 'proposals'> {}

interface Identity {
  readonly path: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntax: TransferSyntax;
}

function identify(h: DicomFileHeader): Identity {
  // The data set's own UIDs first: the peer checks the command against them (PS3.4 B.2.2),
  // and a meta header that disagrees with its data set is the meta header's fault.
  const meta = h.file.meta;
  const sopClassUid = h.file.dataset.string(SOP_CLASS_UID) || meta.string(META.mediaStorageSopClass) || '';
  const sopInstanceUid = h.file.dataset.string(SOP_INSTANCE_UID) || meta.string(META.mediaStorageSopInstance) || '';
  if (!sopClassUid || !sopInstanceUid) throw new Error('the file names no SOP Class UID or SOP Instance UID');
  return { path: h.path, sopClassUid, sopInstanceUid, transferSyntax: h.file.transferSyntax };
}

/**
 * What to propose for these objects: per SOP class, one context per compressed syntax they are
 * stored in (sent as they are), and one with the three uncompressed syntaxes (ours first when
 * the files are uncompressed). Separate contexts, because an acceptor picks one syntax per
 * context and might otherwise pick one we cannot produce.
 */
export function storageProposals(objects: readonly { sopClassUid: string; transferSyntax: TransferSyntax }[]): acse.ContextProposal[] {
  const byClass = new Map<string, Set<string>>();
  for (const o of objects) {
    const set = byClass.get(o.sopClassUid) ?? new Set<string>();
    set.add(o.transferSyntax.uid);
    byClass.set(o.sopClassUid, set);
  }
  const out: acse.ContextProposal[] = [];
  for (const [sopClass, syntaxes] of byClass) {
    for (const ts of syntaxes) {
      // Deflated files go out inflated, in the uncompressed context.
      if (!UNCOMPRESSED_SYNTAXES.includes(ts) && !transferSyntaxOrEncapsulated(ts).deflated) out.push({ abstractSyntax: sopClass, transferSyntaxes: [ts] });
    }
    const own = UNCOMPRESSED_SYNTAXES.filter((ts) => syntaxes.has(ts));
    out.push({ abstractSyntax: sopClass, transferSyntaxes: [...own, ...UNCOMPRESSED_SYNTAXES.filter((ts) => !own.includes(ts))] });
  }
  return out;
}

/** The accepted context that costs the least conversion, or why none will do. */
export function pickContext(
  n: acse.Negotiated,
  sopClassUid: string,
  source: TransferSyntax,
): { context: acse.AcceptedContext; target: TransferSyntax; conversion: Conversion } | { reason: string } {
  const candidates = n.byAbstractSyntax.get(sopClassUid) ?? [];
  if (candidates.length === 0) return { reason: `the peer accepted no presentation context for SOP class ${sopClassUid}` };
  let best: { context: acse.AcceptedContext; target: TransferSyntax; conversion: Conversion } | undefined;
  const refusals: string[] = [];
  for (const context of candidates) {
    const target = transferSyntaxOrEncapsulated(context.transferSyntax);
    const conversion = conversionFor(source, target);
    if (!conversion.ok) refusals.push(conversion.reason);
    else if (!best || conversionCost(conversion) < conversionCost(best.conversion)) best = { context, target, conversion };
  }
  return best ?? { reason: refusals.join('; ') };
}

/**
 * Sends `paths` on one association and yields each instance's outcome as soon as it is known.
 * Headers are read twice (once to build the proposal, once to send) rather than kept: a
 * thousand headers in memory would cost more than a second read from the page cache.
 *
 * The next instance is made ready (header read, context picked, file open, its first chunk
 * read) while the current one waits for its C-STORE-RSP, which with a peer that leaves Nagle
 * on is ~40 ms of idle wire per instance: the next request then leaves the moment the response
 * is in, its command and first data in one write. Only the request is early; operations stay
 * one at a time (no asynchronous operations window is negotiated).
 */
export async function* storeFiles(paths: readonly string[], options: StoreOptions): AsyncGenerator<StoreOutcome> {
  const identities: Identity[] = [];
  for (const path of paths) {
    try {
      identities.push(identify(await readDicomFileHeader(path)));
    } catch (e) {
      yield { path, action: 'not-sent', why: `not a readable DICOM file: ${(e as Error).message}`, error: e as Error };
    }
  }
  if (identities.length === 0) return;

  const timers = { ...STORE_TIMERS, ...options.timers };
  let assoc: Association;
  try {
    assoc = await Association.open({ ...options, timers, proposals: storageProposals(identities) });
  } catch (e) {
    for (const id of identities) yield notSent(id, e as Error);
    return;
  }

  let stop: Error | undefined;
  const ring = new ChunkRing();
  /** The instance after the current one, being made ready. */
  const ahead: { next?: Promise<Prepared> | undefined } = {};
  const disposeAhead = async (): Promise<void> => {
    const unsent = ahead.next;
    ahead.next = undefined;
    if (unsent) await (await unsent).dispose();
  };
  try {
    for (let i = 0; i < identities.length; i++) {
      const id = identities[i]!;
      if (stop) {
        yield notSent(id, stop);
        continue;
      }
      const prepared = await (ahead.next ?? prepare(assoc, id, ring));
      ahead.next = undefined;
      const prepareNext = (): void => {
        if (!ahead.next && i + 1 < identities.length) ahead.next = prepare(assoc, identities[i + 1]!, ring);
      };
      const outcome = await storeOne(assoc, prepared, prepareNext);
      yield outcome;
      if (outcome.action === 'release-retry-later') stop = new Error(`not sent: the peer is out of resources (${outcome.status?.hex}); retry later`);
      else if (outcome.error instanceof NetError && !assoc.established) stop = outcome.error;
      if (stop) await disposeAhead();
      else prepareNext();
    }
  } finally {
    // The caller stopped early, or something threw: the file made ready is closed.
    await disposeAhead();
  }
  if (assoc.established) {
    try {
      await assoc.release();
    } catch {
      // Everything sent has its outcome already; a failed release changes none of them.
    }
  } else await assoc.closed;
}

function notSent(id: Identity, e: Error): StoreOutcome {
  return {
    path: id.path,
    sopClassUid: id.sopClassUid,
    sopInstanceUid: id.sopInstanceUid,
    action: 'not-sent',
    why: e instanceof NetError ? e.describe() : e.message,
    error: e,
  };
}

/** An instance ready to go: its context, and its data set with the first chunk already read. */
type Prepared =
  | {
      readonly ok: true;
      readonly id: Identity;
      readonly pick: { context: acse.AcceptedContext; target: TransferSyntax };
      readonly data: AsyncIterable<Uint8Array>;
      /** Closes the file when the instance is not sent after all. */
      dispose(): Promise<void>;
    }
  | { readonly ok: false; readonly outcome: StoreOutcome; dispose(): Promise<void> };

const nothing = async (): Promise<void> => undefined;

/** Never rejects: a failure is an outcome, and the instance is not sent. */
async function prepare(assoc: Association, id: Identity, ring: ChunkRing): Promise<Prepared> {
  const base = { path: id.path, sopClassUid: id.sopClassUid, sopInstanceUid: id.sopInstanceUid };
  let header: DicomFileHeader;
  try {
    header = await readDicomFileHeader(id.path);
  } catch (e) {
    return { ok: false, outcome: { ...base, action: 'not-sent', why: `file unreadable: ${(e as Error).message}`, error: e as Error }, dispose: nothing };
  }
  if (!assoc.established) {
    // It ended while the header was read: the outcome is the association's failure.
    const err = assoc.failure ?? new Error('association ended');
    return { ok: false, outcome: notSent(id, err), dispose: nothing };
  }
  const pick = pickContext(assoc.negotiated, id.sopClassUid, header.file.transferSyntax);
  if ('reason' in pick) {
    const err = new NoAcceptableContextError(assoc.peer, `C-STORE ${id.sopInstanceUid}`, pick.reason);
    return { ok: false, outcome: { ...base, action: 'not-sent', why: err.describe(), error: err }, dispose: nothing };
  }
  // The ring is free: prepare() runs once the previous request is out in full.
  const chunks = dataSetChunks(header, pick.target, STREAM_CHUNK, ring);
  let first: IteratorResult<Uint8Array>;
  try {
    first = await chunks.next();
  } catch (e) {
    // Nothing went out yet: this instance fails, the association goes on.
    return {
      ok: false,
      outcome: { ...base, transferSyntax: pick.target.uid, action: 'not-sent', why: `file unreadable: ${(e as Error).message}`, error: e as Error },
      dispose: nothing,
    };
  }
  async function* data(): AsyncGenerator<Uint8Array> {
    try {
      for (let r = first; !r.done; r = await chunks.next()) yield r.value;
    } finally {
      await chunks.return(undefined);
    }
  }
  return { ok: true, id, pick, data: data(), dispose: async () => void (await chunks.return(undefined)) };
}

/** Sends one prepared instance; `sent` is called once its request is out in full. */
async function storeOne(assoc: Association, prepared: Prepared, sent: () => void): Promise<StoreOutcome> {
  if (!prepared.ok) return prepared.outcome;
  const { id, pick } = prepared;
  const base = { path: id.path, sopClassUid: id.sopClassUid, sopInstanceUid: id.sopInstanceUid };
  const step = `C-STORE ${id.sopInstanceUid}`;
  let inv: Invocation | undefined;
  try {
    let rsp: { status: dimse.StatusInfo; comment?: string } | undefined;
    inv = assoc.invoke({
      contextId: pick.context.id,
      command: {
        type: 'C-STORE-RQ',
        hasDataSet: true,
        affectedSopClassUid: id.sopClassUid,
        affectedSopInstanceUid: id.sopInstanceUid,
        priority: dimse.PRIORITY.medium,
      },
      service: 'C-STORE',
      data: prepared.data,
      step,
    });
    inv.sent.then(sent, () => undefined);
    for await (const r of inv) rsp = { status: r.status, ...(r.command.errorComment ? { comment: r.command.errorComment } : {}) };
    await inv.sent;
    if (!rsp) throw new Error('no C-STORE response');
    const decision = dimse.storageActionFor(rsp.status.code);
    const failed = decision.action === 'fail-instance-continue' || decision.action === 'release-retry-later';
    return {
      ...(failed ? { error: new DimseStatusError(assoc.peer, step, rsp.status, rsp.comment) } : {}),
      ...base,
      transferSyntax: pick.target.uid,
      status: rsp.status,
      ...(rsp.comment ? { errorComment: rsp.comment } : {}),
      action: decision.action,
      why: `${rsp.status.meaning}${rsp.comment ? ` (${rsp.comment})` : ''}`,
    };
  } catch (e) {
    const err = e as Error;
    return { ...base, transferSyntax: pick.target.uid, action: 'not-sent', why: err instanceof NetError ? err.describe() : err.message, error: err };
  } finally {
    // The file is closed whether or not the request got as far as reading it.
    if (inv) await inv.sent.catch(() => undefined);
    await prepared.dispose();
  }
}

export type { PeerRef };
