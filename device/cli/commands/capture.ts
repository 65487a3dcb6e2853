/**
 * `sonicart capture --kind still|cine|sc|sc-cine [--seconds S] [--ts explicit|jpeg-baseline|jpeg-lossless]
 *  [--patient FILE.json] [--source sim|v4l2:/dev/videoN|file:PATH] --out DIR`
 *
 * Starts the source, captures, stores one Part 10 file in DIR and prints its path. A cine takes
 * the next S seconds (the ring is empty when the command starts).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { uidGenerator } from '../../../dicom/core/index.js';
import { dataSetFromDicomJson, dicomDate, dicomTime, examFromWorklist, IodError, unscheduledExam, type ExamContext } from '../../../dicom/iod/index.js';
import { bytesPerPixel, CaptureSession, captureAndStore, MAX_NATIVE_PIXEL_BYTES, type CaptureKind, type FrameSource } from '../../capture/index.js';
import { CAPTURE_SYNTAXES, encoderFor, type CaptureSyntax } from '../../codecs/index.js';
import { UsageError } from '../errors.js';
import { secondsOption, sourceOption } from '../validate.js';

export const CAPTURE_KINDS = ['still', 'cine', 'sc', 'sc-cine'] as const;

export interface CaptureArgs {
  readonly kind: string;
  readonly seconds?: string;
  readonly ts?: string;
  readonly patient?: string;
  readonly source?: string;
  readonly out: string;
}

export const EQUIPMENT = { manufacturer: 'sonicart', modelName: 'sonicart cart', softwareVersions: '0.1.0', stationName: 'US_CART' } as const;

export async function loadExam(patientFile: string | undefined, now: Date, newUid: () => string): Promise<ExamContext> {
  const when = { date: dicomDate(now), time: dicomTime(now) };
  if (!patientFile) {
    return unscheduledExam({ id: `US${when.date}${when.time.slice(0, 6)}`, name: '' }, when, newUid);
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(patientFile, 'utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new IodError('IOD_BAD_JSON', `--patient: ${patientFile} is not JSON (${e.message})`);
    throw e;
  }
  try {
    return examFromWorklist(dataSetFromDicomJson(json), when, newUid);
  } catch (e) {
    // The JSON path in the message says where; the option says which input.
    if (e instanceof IodError) throw new IodError(e.code, `--patient: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Exit status of a capture that stored a file that is not the capture asked for: frames missing
 * inside the cine (lost by the source, or dropped by a full ring), or a source that ended before
 * the seconds were up. The file is kept (its timing describes the frames it has); the status
 * and the warning on stderr say it is incomplete, so a script does not take it for success.
 */
export const CAPTURE_INCOMPLETE = 3;

/** Captures one object; returns 0, or CAPTURE_INCOMPLETE (with a warning on `err`) when frames are missing. */
export async function captureCommand(
  args: CaptureArgs,
  openSource: (spec: string) => Promise<FrameSource>,
  out: (s: string) => void,
  err: (s: string) => void = () => undefined,
): Promise<number> {
  if (!(CAPTURE_KINDS as readonly string[]).includes(args.kind)) throw new UsageError(`--kind must be one of ${CAPTURE_KINDS.join(', ')}`);
  const ts = args.ts ?? 'explicit';
  if (!(CAPTURE_SYNTAXES as readonly string[]).includes(ts)) throw new UsageError(`--ts must be one of ${CAPTURE_SYNTAXES.join(', ')}`);
  const seconds = args.seconds === undefined ? 3 : secondsOption('--seconds', args.seconds, 120);
  const sourceSpec = sourceOption('--source', args.source ?? 'sim');
  const kind = args.kind as CaptureKind;
  const newUid = uidGenerator((n) => new Uint8Array(randomBytes(n)));
  const exam = await loadExam(args.patient, new Date(), newUid);
  const source = await openSource(sourceSpec);
  const frameBytes = source.info.width * source.info.height * bytesPerPixel(source.info.format);
  const multi = kind === 'cine' || kind === 'sc-cine';
  if (multi && ts === 'explicit' && Math.ceil(seconds * source.info.fps) * frameBytes > MAX_NATIVE_PIXEL_BYTES) {
    await source.stop();
    const most = Math.floor(MAX_NATIVE_PIXEL_BYTES / frameBytes / source.info.fps);
    throw new UsageError(`--seconds ${seconds} of ${source.info.width}×${source.info.height} at ${source.info.fps} frames/s uncompressed exceeds the 4 GiB of a Pixel Data element: at most ${most} s with --ts explicit, or use --ts jpeg-lossless`);
  }
  // Monotonic frame timestamps → wall clock, anchored once.
  const anchorWall = Date.now();
  const anchorMono = performance.now();
  // The command takes what comes next, so the ring keeps almost no history (0.5 s). For a cine
  // its byte cap bounds the frames pinned for the writer while it catches up (the cine streams
  // to disk as it is recorded): 64 MiB is ~1.5 s of 800×600 RGB. A still needs one frame: the
  // newest is kept, and frames arriving while it is written are let go at once (a 4096×3072
  // frame is 36 MiB).
  const session = new CaptureSession(source, { ringSeconds: 0.5, ringMaxBytes: multi ? Math.max(2 * frameBytes, 64 * 2 ** 20) : frameBytes });
  const encoder = encoderFor(ts as CaptureSyntax);
  await encoder.prepare?.(); // worker threads up before the grabber starts
  session.start();
  try {
    const r = await captureAndStore(session, kind, seconds, 'next', {
      encoder,
      exam,
      series: { uid: newUid(), number: 1, description: kind === 'sc' || kind === 'sc-cine' ? 'Screen capture' : 'Ultrasound' },
      equipment: EQUIPMENT,
      instanceNumber: 1,
      sopInstanceUid: newUid(),
      outDir: args.out,
      wallClock: (t) => new Date(anchorWall + (t - anchorMono)),
      // Every frame is on disk: the grabber can stop while the file is written.
      onFramesTaken: () => void session.stop(),
    });
    const s = r.stats;
    out(r.path);
    out(
      `${r.frames} frame(s), ${r.photometric}, ${(r.pixelBytes / 1e6).toFixed(2)} MB pixel data (ratio ${r.ratio.toFixed(2)})` +
        `${r.complete ? '' : ', source ended early'}; frames received ${s.received}, dropped ${s.droppedFull}, wrong size ${s.rejectedSize}, lost by source ${s.sourceGaps}`,
    );
    const problems = [
      ...(r.missingFrames > 0 ? [`${r.missingFrames} frame(s) missing inside the cine (lost by the source or dropped by a full ring)`] : []),
      ...(r.complete ? [] : [`the source ended before ${seconds} s were recorded (${r.frames} frame(s))`]),
    ];
    if (problems.length === 0) return 0;
    err(`sonicart capture: warning: ${r.path} is incomplete: ${problems.join('; ')} [CAPTURE_INCOMPLETE]`);
    return CAPTURE_INCOMPLETE;
  } finally {
    await session.stop();
  }
}
