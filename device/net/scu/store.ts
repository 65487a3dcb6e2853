/**
 * C-STORE SCU (PS3.4 Annex B, PS3.7 §9.1.1): sends files on one association, streaming each
 * from disk, and reports one outcome per instance with the conformance §2 status policy
 * (`storageActionFor`): success and warnings go on, A7xx releases the association and leaves
 * the rest for later, any other failure fails that instance only.
 *
 * Each instance goes out in the syntax the peer accepted (conformance §2): as stored when it
 * can, else re-encoded (uncompressed ↔ uncompressed, deflated → inflated), else transcoded by
 * device/codecs (JPEG Baseline / Lossless ↔ uncompressed, → JPEG Lossless), never lossless →
 * lossy unless the caller set `allowLossy`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DicomError, SonicartError } from '../../../dicom/core/index.js';
import { SOP_CLASS_UID, SOP_INSTANCE_UID, META } from '../../../dicom/part10/index.js';
import {
  EXPLICIT_VR_BE,
  EXPLICIT_VR_LE,
  IMPLICIT_VR_LE,
  JPEG_BASELINE,
  JPEG_LOSSLESS_SV1,
  transferSyntaxOrEncapsulated,
  type TransferSyntax,
} from '../../../dicom/encoding/index.js';
import { dimse, type acse } from '../../../dicom/net/index.js';
import { openDicomFileHeader, pixelExtent, readDicomFileHeader, type DicomFileHeader } from '../../files/read-header.js';
import type { FileHandle } from 'node:fs/promises';
import { assertPixelConsistency, PixelConsistencyError } from '../../../dicom/iod/index.js';
import { Association, type AssociationOptions, type Invocation } from '../association.js';
import { STORE_TIMERS } from '../config.js';
import { ConnectionClosedError, DimseStatusError, NetError, NoAcceptableContextError, PeerProtocolError, type PeerRef } from '../errors.js';
import { TranscodeError } from '../../codecs/transcode-errors.js';
import { ChunkRing, conversionFor, dataSetChunks, STREAM_CHUNK } from './store-stream.js';
import { UNCOMPRESSED_SYNTAXES } from './services.js';
import { Tags } from '../../../dicom/dictionary/index.js';

export type StoreAction = dimse.StorageAction | 'not-sent';

export interface StoreOutcome {
  readonly path: string;
  readonly sopClassUid?: string;
  readonly sopInstanceUid?: string;
  /** The transfer syntax the data set went out in. */
  readonly transferSyntax?: string;
  /** Set when the data set went out in another syntax than the file's (from → to). */
  readonly conversion?: ConversionReport;
  /** The peer's C-STORE-RSP status, when it answered. */
  readonly status?: dimse.StatusInfo;
  readonly errorComment?: string;
  /** What the caller does with the instance (conformance §2); 'not-sent' when it never went out. */
  readonly action: StoreAction;
  /** Why, for a person. */
  readonly why: string;
  /** What went wrong, when something did (a file error, a NetError …). */
  readonly error?: Error;
  /** Rules the stored file broke that were mended on the way out (odd lengths padded, tags sorted). */
  readonly warnings?: readonly string[];
}

/** Stored (success or warning): the instance may leave the device. */
export function stored(o: StoreOutcome): boolean {
  return o.action === 'next' || o.action === 'record-warning';
}

/** How an instance was converted on its way out. */
export interface ConversionReport {
  /** The file's transfer syntax UID. */
  readonly from: string;
  /** The syntax sent. */
  readonly to: string;
  /** 're-encode': the same pixels in another uncompressed encoding (or inflated); 'transcode': a pixel codec ran. */
  readonly kind: 're-encode' | 'transcode';
  /** The conversion added a lossy compression step (only ever with `allowLossy`). */
  readonly lossy: boolean;
}

export interface StoreOptions extends Omit<AssociationOptions, 'proposals'> {
  /**
   * The user chose lossy compression for this send: a lossless object may then go out as JPEG
   * Baseline when that is all the peer accepts (Lossy Image Compression is set). Default never.
   */
  readonly allowLossy?: boolean;
  /**
   * Where the transcoder spools JPEG output (a file per instance, removed once sent). Default: a
   * directory made under os.tmpdir() when first needed and removed when the association ends.
   */
  readonly spoolDir?: string;
}

/**
 * The compressed syntaxes the sender can produce and so proposes for every storage SOP class
 * besides the ones the files are stored in (conformance §2: the three uncompressed syntaxes,
 * JPEG Baseline and JPEG Lossless SV1). JPEG Baseline is offered so that lossy objects can go
 * out in it, and so that a peer that takes nothing else gets a clear "would be lossy" refusal
 * rather than "no context".
 */
export const CONVERSION_TARGETS: readonly string[] = [JPEG_LOSSLESS_SV1, JPEG_BASELINE];

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
  if (!sopClassUid || !sopInstanceUid) throw new DicomError('STORE_NO_SOP_IDENTITY', 'the file names no SOP Class UID or SOP Instance UID');
  // An object whose image attributes contradict its pixel data is never sent (issue 8).
  assertPixelConsistency(h.file.dataset, pixelExtent(h));
  return { path: h.path, sopClassUid, sopInstanceUid, transferSyntax: h.file.transferSyntax };
}

/**
 * What to propose for these objects: per SOP class, one context per compressed syntax they are
 * stored in (sent as they are), one with the three uncompressed syntaxes (ours first when the
 * files are uncompressed; a compressed file is offered them too, decoded on the way), and one
 * per syntax of `convertTo` not already proposed (what the sender can encode into). Separate
 * contexts, because an acceptor picks one syntax per context and might otherwise pick one we
 * cannot produce.
 */
export function storageProposals(
  objects: readonly { sopClassUid: string; transferSyntax: TransferSyntax }[],
  convertTo: readonly string[] = [],
): acse.ContextProposal[] {
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
    for (const ts of convertTo) if (!syntaxes.has(ts)) out.push({ abstractSyntax: sopClass, transferSyntaxes: [ts] });
  }
  return out;
}

/** How an instance gets from its file to the wire in one accepted context. */
export type Route =
  | { readonly kind: 'as-is' | 're-encode' }
  /** A pixel codec runs (device/codecs/transcode.ts); `lossy`: it adds a lossy step. */
  | { readonly kind: 'transcode'; readonly lossy: boolean };

export interface Candidate {
  readonly context: acse.AcceptedContext;
  readonly target: TransferSyntax;
  readonly route: Route;
}

/** The transcoder's verdict on a conversion (device/codecs transcodeSupport), passed in so that the codecs load only when needed. */
export type TranscodeSupportFn = (
  source: TransferSyntax,
  target: TransferSyntax,
  o: { allowLossy?: boolean; sourceLossy?: boolean },
) => { readonly ok: true; readonly lossy: boolean } | { readonly ok: false; readonly reason: string };

export interface PickOptions {
  /** Without it, only what store-stream.ts does alone is considered (as-is, re-encode). */
  readonly transcodeSupport?: TranscodeSupportFn;
  readonly allowLossy?: boolean;
  /** The object already went through lossy compression (Lossy Image Compression 01). */
  readonly sourceLossy?: boolean;
}

const UNCOMPRESSED_ORDER: readonly string[] = [EXPLICIT_VR_LE, IMPLICIT_VR_LE, EXPLICIT_VR_BE];

/**
 * Our order of preference (lower first). Without a codec: the file's own syntax, then another
 * uncompressed one (the same pixel bytes re-encoded: cheap, exact). When only a codec will do: a
 * lossless compressed syntax, then Explicit VR LE, Implicit VR LE, Explicit VR BE, and last a
 * lossy one (which transcodeSupport lets through only for a lossy source or with `allowLossy`).
 */
function rank(c: Candidate): number {
  if (c.route.kind === 'as-is') return 0;
  const u = UNCOMPRESSED_ORDER.indexOf(c.target.uid);
  if (c.route.kind === 're-encode') return 1 + Math.max(u, 0);
  if (c.target.encapsulated && !c.target.lossy && !(c.route.kind === 'transcode' && c.route.lossy)) return 10;
  if (u >= 0) return 11 + u;
  return 20;
}

/**
 * Every accepted context this object can be sent in, best first (see rank), and why the others
 * will not do. A codec route is checked with `transcodeSupport` only: bit depth and photometric
 * are checked when the transcoder opens the file, so a caller tries the next candidate when the
 * best one fails before its first byte.
 */
export function rankContexts(
  n: acse.Negotiated,
  sopClassUid: string,
  source: TransferSyntax,
  o: PickOptions = {},
): { candidates: Candidate[]; refusals: string[] } {
  const contexts = n.byAbstractSyntax.get(sopClassUid) ?? [];
  const candidates: Candidate[] = [];
  const refusals: string[] = [];
  for (const context of contexts) {
    const target = transferSyntaxOrEncapsulated(context.transferSyntax);
    const plain = conversionFor(source, target);
    if (plain.ok) {
      candidates.push({ context, target, route: { kind: plain.kind } });
      continue;
    }
    if (!o.transcodeSupport || target.deflated) {
      refusals.push(plain.reason);
      continue;
    }
    const s = o.transcodeSupport(source, target, {
      ...(o.allowLossy !== undefined ? { allowLossy: o.allowLossy } : {}),
      ...(o.sourceLossy !== undefined ? { sourceLossy: o.sourceLossy } : {}),
    });
    if (s.ok) candidates.push({ context, target, route: { kind: 'transcode', lossy: s.lossy } });
    else refusals.push(s.reason);
  }
  // Stable: among equals, the peer's order of acceptance.
  candidates.sort((a, b) => rank(a) - rank(b));
  return { candidates, refusals: [...new Set(refusals)] };
}

/**
 * Sends `paths` on one association and yields each instance's outcome as soon as it is known.
 * Headers are read twice (once to build the proposal, once to send) rather than kept: a
 * thousand headers in memory would cost more than a second read from the page cache.
 * (A thin driver of storeEach: the paths are its list of work.)
 */
export async function* storeFiles(paths: readonly string[], options: StoreOptions): AsyncGenerator<StoreOutcome> {
  const identities: Identity[] = [];
  for (const path of paths) {
    try {
      identities.push(identify(await readDicomFileHeader(path)));
    } catch (e) {
      const why = e instanceof PixelConsistencyError ? `refused: ${e.message} [${e.code}]` : `not a readable DICOM file: ${(e as Error).message}`;
      yield { path, action: 'not-sent', why, error: e as Error };
    }
  }
  if (identities.length === 0) return;
  let pulled = 0;
  let stop: Error | undefined;
  try {
    for await (const o of storeEach(identities, async () => identities[pulled++], options, { stopped: (e) => void (stop = e) })) {
      const { item: _item, deferred: _deferred, ...outcome } = o;
      yield outcome;
    }
  } catch (e) {
    // Only the association's opening throws; nothing was pulled, so nothing was sent.
    if (pulled > 0) throw e;
    stop = e as Error;
  }
  for (const id of identities.slice(pulled)) if (id) yield notSent(id, stop ?? new Error('not sent'));
}

/** What storeEach sends: a file and what its header says (as in the database's instance rows). */
export type StoreItem = Identity;

export interface StoreEachHooks<T extends StoreItem = StoreItem> {
  /** Called once when the association stops taking work (A7xx, association lost), with why. */
  stopped?(reason: Error): void;
  /**
   * Bytes of an instance's data set handed to the association so far (after each chunk of at
   * most STREAM_CHUNK), and the data set's size when it is known before sending (sent as
   * stored; a conversion's size is only known at its end). Not throttled: at most one call per
   * MiB.
   */
  progress?(item: T, bytesSent: number, bytesTotal: number | undefined): void;
}

/** What `next()` may know of the association it feeds (a caller that waits for work watches it). */
export interface StoreLink {
  /** The association can still carry a request. */
  readonly open: boolean;
  /** Resolves when the association has ended (released, aborted, lost). */
  readonly closed: Promise<void>;
}

/**
 * The sender a queue feeds: opens one association proposing contexts for `proposeFor` (the
 * classes and syntaxes the work will need), then pulls one item at a time with `next()` (the
 * next is pulled while the current one waits for its response) and yields each outcome as soon
 * as it is known, until `next()` returns undefined (then releases) or the association stops
 * being usable: A7xx (the conformance §2 "release, retry later") or a lost association. An item
 * pulled but never sent is yielded as not-sent with `deferred: true`, so the caller can hand it
 * back without counting a try. Throws only when the association cannot be opened, before any
 * pull.
 */
export async function* storeEach<T extends StoreItem>(
  proposeFor: readonly { sopClassUid: string; transferSyntax: TransferSyntax }[],
  next: (link: StoreLink) => Promise<T | undefined>,
  options: StoreOptions,
  hooks: StoreEachHooks<T> = {},
): AsyncGenerator<StoreOutcome & { readonly item: T; readonly deferred?: true }> {
  const { allowLossy, spoolDir, ...assocOptions } = options;
  const timers = { ...STORE_TIMERS, ...assocOptions.timers };
  const assoc = await Association.open({ ...assocOptions, timers, proposals: storageProposals(proposeFor, CONVERSION_TARGETS) });

  // A spool directory of our own is made when the first instance needs the transcoder.
  let ownSpool: Promise<string> | undefined;
  const ctx: PrepareContext = {
    ring: new ChunkRing(),
    allowLossy: allowLossy === true,
    spoolDir: () => (spoolDir !== undefined ? Promise.resolve(spoolDir) : (ownSpool ??= mkdtemp(join(tmpdir(), 'sonicart-send-')))),
  };
  interface Ahead {
    readonly item: T;
    readonly prepared: Promise<Prepared>;
  }
  /** The instance after the current one, being made ready (undefined: none pulled yet). */
  let ahead: Promise<Ahead | undefined> | undefined;
  const link: StoreLink = {
    get open() {
      return assoc.established;
    },
    closed: assoc.closed,
  };
  const pull = (): Promise<Ahead | undefined> =>
    next(link).then((item) => (item ? { item, prepared: prepare(assoc, item, ctx) } : undefined));
  let stop: Error | undefined;
  try {
    let current = await pull();
    while (current) {
      const cur = current;
      const prepared = await cur.prepared;
      ahead = undefined;
      const prepareNext = (): void => {
        ahead ??= pull();
      };
      const progress = hooks.progress;
      const outcome = await storeOne(assoc, prepared, prepareNext, progress ? (sent, total) => progress(cur.item, sent, total) : undefined);
      yield { ...outcome, item: cur.item };
      if (outcome.action === 'release-retry-later') stop = new SonicartError('STORE_RETRY_LATER', `not sent: the peer is out of resources (${outcome.status?.hex}); retry later`, outcome.status ? { status: outcome.status } : {});
      else if (outcome.error instanceof NetError && !assoc.established) stop = outcome.error;
      if (stop) break;
      current = await (ahead ?? pull());
    }
    if (stop) {
      hooks.stopped?.(stop);
      const unsent = await ahead;
      ahead = undefined;
      if (unsent) {
        await (await unsent.prepared).dispose();
        yield { ...notSent(unsent.item, stop), item: unsent.item, deferred: true };
      }
    }
    if (assoc.established) {
      try {
        await assoc.release();
      } catch {
        // Everything sent has its outcome already; a failed release changes none of them.
      }
    } else await assoc.closed;
  } finally {
    // The caller stopped early, or something threw: the file made ready is closed.
    const unsent = await ahead?.catch(() => undefined);
    if (unsent) await (await unsent.prepared).dispose();
    if (assoc.established) assoc.abort();
    const spool = await ownSpool?.catch(() => undefined);
    if (spool) await rm(spool, { recursive: true, force: true }).catch(() => undefined);
  }
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
      readonly conversion?: ConversionReport;
      readonly warnings?: readonly string[];
      readonly data: AsyncIterable<Uint8Array>;
      /** The data set's size in bytes when known before sending (as stored, not re-encoded). */
      readonly bytesTotal?: number;
      /** Closes the file when the instance is not sent after all. */
      dispose(): Promise<void>;
    }
  | { readonly ok: false; readonly outcome: StoreOutcome; dispose(): Promise<void> };

interface PrepareContext {
  /** File chunks' buffers, shared by the instances of one association (store-stream.ts). */
  readonly ring: ChunkRing;
  readonly allowLossy: boolean;
  spoolDir(): Promise<string>;
}

const nothing = async (): Promise<void> => undefined;

type Transcoder = typeof import('../../codecs/transcode.js');
let transcoder: Promise<Transcoder> | undefined;
/** The codecs load on first use only: a send of files the peer takes as they are never needs them. */
function loadTranscoder(): Promise<Transcoder> {
  return (transcoder ??= import('../../codecs/transcode.js'));
}

/**
 * Never rejects: a failure is an outcome, and the instance is not sent. The accepted contexts
 * are tried best first (rankContexts); a conversion the transcoder turns down before its first
 * byte (bit depth, photometric …) moves on to the next one.
 */
async function prepare(assoc: Association, id: Identity, ctx: PrepareContext): Promise<Prepared> {
  const base = { path: id.path, sopClassUid: id.sopClassUid, sopInstanceUid: id.sopInstanceUid };
  let header: DicomFileHeader;
  // The file stays open from its header to its data set: one open per instance, not two.
  let handle: FileHandle | undefined;
  try {
    ({ header, handle } = await openDicomFileHeader(id.path));
  } catch (e) {
    return { ok: false, outcome: { ...base, action: 'not-sent', why: `file unreadable: ${(e as Error).message}`, error: e as Error }, dispose: nothing };
  }
  /** Hands the open file to the one stream that will read it (it closes it then). */
  const takeHandle = (): FileHandle | undefined => {
    const h = handle;
    handle = undefined;
    return h;
  };
  try {
    return await prepareOpened(assoc, id, ctx, header, base, takeHandle);
  } finally {
    // Not taken (refused, transcoded, failed): closed here.
    await takeHandle()?.close();
  }
}

async function prepareOpened(
  assoc: Association,
  id: Identity,
  ctx: PrepareContext,
  header: DicomFileHeader,
  base: { path: string; sopClassUid: string; sopInstanceUid: string },
  takeHandle: () => FileHandle | undefined,
): Promise<Prepared> {
  if (!assoc.established) {
    // It ended while the header was read: the outcome is the association's failure.
    const err = assoc.failure ?? new ConnectionClosedError(assoc.peer, `C-STORE ${id.sopInstanceUid}`, 'association ended');
    return { ok: false, outcome: notSent(id, err), dispose: nothing };
  }
  const source = header.file.transferSyntax;
  const step = `C-STORE ${id.sopInstanceUid}`;
  const refuse = (reason: string): Prepared => {
    const err = new NoAcceptableContextError(assoc.peer, step, reason);
    return { ok: false, outcome: { ...base, action: 'not-sent', why: err.describe(), error: err }, dispose: nothing };
  };
  if (!assoc.negotiated.byAbstractSyntax.get(id.sopClassUid)?.length) return refuse(`the peer accepted no presentation context for SOP class ${id.sopClassUid}`);

  // As stored when the peer took the file's own syntax; otherwise every route, codecs included.
  let ranked = rankContexts(assoc.negotiated, id.sopClassUid, source);
  let codecs: Transcoder | undefined;
  if (ranked.candidates[0]?.route.kind !== 'as-is') {
    try {
      codecs = await loadTranscoder();
    } catch (e) {
      ranked.refusals.push(`the pixel data codecs could not be loaded: ${(e as Error).message}`);
    }
    if (codecs) {
      const sourceLossy = source.lossy || header.file.dataset.string(Tags.LossyImageCompression)?.trim() === '01';
      ranked = rankContexts(assoc.negotiated, id.sopClassUid, source, { transcodeSupport: codecs.transcodeSupport, allowLossy: ctx.allowLossy, sourceLossy });
    }
  }

  const turnedDown: string[] = [];
  for (const { context, target, route } of ranked.candidates) {
    const pick = { context, target };
    let inner: AsyncGenerator<Uint8Array>;
    let chunks: AsyncGenerator<Uint8Array>;
    if (route.kind === 'transcode') {
      let spoolDir: string;
      try {
        spoolDir = await ctx.spoolDir();
      } catch (e) {
        turnedDown.push(`${source.name} → ${target.name}: no spool directory: ${(e as Error).message}`);
        continue;
      }
      // A lossy step only here: transcodeSupport let it through for a lossy source or with allowLossy.
      inner = codecs!.transcodedDataSetChunks(header, target, { allowLossy: ctx.allowLossy, spoolDir });
      // The ring is free: prepare() runs once the previous request is out in full.
      chunks = throughRing(inner, ctx.ring);
    } else {
      // The ring is free: prepare() runs once the previous request is out in full.
      inner = chunks = dataSetChunks(header, target, STREAM_CHUNK, ctx.ring, takeHandle());
    }
    const close = async (): Promise<void> => {
      await chunks.return(undefined);
      if (inner !== chunks) await inner.return(undefined);
    };
    let first: IteratorResult<Uint8Array>;
    try {
      first = await chunks.next();
    } catch (e) {
      await close().catch(() => undefined);
      const err = e as Error;
      if (err instanceof TranscodeError && err.refusal) {
        // This conversion cannot be done for this object; another accepted syntax may do.
        turnedDown.push(`converting ${source.name} → ${target.name}: ${err.message}`);
        continue;
      }
      // Nothing went out yet: this instance fails, the association goes on.
      const why = route.kind === 'transcode' ? `converting ${source.name} → ${target.name} failed before anything was sent: ${err.message}` : `file unreadable: ${err.message}`;
      return { ok: false, outcome: { ...base, transferSyntax: target.uid, action: 'not-sent', why, error: err }, dispose: nothing };
    }
    async function* data(): AsyncGenerator<Uint8Array> {
      try {
        for (let r = first; !r.done; r = await chunks.next()) yield r.value;
      } finally {
        await close();
      }
    }
    const conversion: ConversionReport | undefined =
      route.kind === 'as-is' ? undefined : { from: source.uid, to: target.uid, kind: route.kind, lossy: route.kind === 'transcode' && route.lossy };
    const warnings = header.irregular ? { warnings: header.file.warnings } : {};
    // Sent byte for byte as stored: the data set is the file from its offset to the end.
    const asStored = route.kind === 'as-is' && source.uid === target.uid && !header.irregular;
    const size = asStored ? { bytesTotal: header.size - header.file.datasetOffset } : {};
    return { ok: true, id, pick, ...(conversion ? { conversion } : {}), ...warnings, ...size, data: data(), dispose: close };
  }
  return refuse([...ranked.refusals, ...turnedDown].join('; ') || `no accepted presentation context for SOP class ${id.sopClassUid} will do`);
}

/**
 * The transcoder's chunks (a fresh buffer per frame or fragment, some of a few bytes) copied
 * into the association's ring and re-cut to `size` bytes (the last one shorter), so that a
 * request's memory stays at the ring's three buffers: what holds on to chunks already sent (the
 * fragmenter's queue keeps the chunks of a message until its end) then holds on to the same
 * three buffers, not to a whole cine's worth of frames. Every chunk but the last is far larger
 * than a PDV (≤ 128 KiB), so by the time a buffer comes round again (three chunks later) the
 * fragmenter has taken all of it.
 */
async function* throughRing(chunks: AsyncIterable<Uint8Array>, ring: ChunkRing, size = STREAM_CHUNK): AsyncGenerator<Uint8Array> {
  let turn = 0;
  let buf = ring.buffer(turn, size);
  let used = 0;
  for await (const c of chunks) {
    for (let o = 0; o < c.length; ) {
      const n = Math.min(size - used, c.length - o);
      buf.set(c.subarray(o, o + n), used);
      used += n;
      o += n;
      if (used === size) {
        yield buf.subarray(0, used);
        buf = ring.buffer(++turn, size);
        used = 0;
      }
    }
  }
  if (used > 0) yield buf.subarray(0, used);
}

/** The chunks of `data`, counting the bytes taken so far (each reported once the next is asked for, or at the end). */
async function* counted(data: AsyncIterable<Uint8Array>, total: number | undefined, progress: (sent: number, total: number | undefined) => void): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of data) {
    yield chunk;
    sent += chunk.length;
    progress(sent, total);
  }
}

/**
 * Sends one prepared instance; `sent` is called once its request is out in full, `progress`
 * after each chunk of its data set the association took.
 */
async function storeOne(assoc: Association, prepared: Prepared, sent: () => void, progress?: (sent: number, total: number | undefined) => void): Promise<StoreOutcome> {
  if (!prepared.ok) return prepared.outcome;
  const { id, pick } = prepared;
  const base = {
    path: id.path,
    sopClassUid: id.sopClassUid,
    sopInstanceUid: id.sopInstanceUid,
    ...(prepared.conversion ? { conversion: prepared.conversion } : {}),
    ...(prepared.warnings ? { warnings: prepared.warnings } : {}),
  };
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
      data: progress ? counted(prepared.data, prepared.bytesTotal, progress) : prepared.data,
      step,
    });
    inv.sent.then(sent, () => undefined);
    for await (const r of inv) rsp = { status: r.status, ...(r.command.errorComment ? { comment: r.command.errorComment } : {}) };
    await inv.sent;
    if (!rsp) throw new PeerProtocolError(assoc.peer, step, 'no C-STORE response');
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
