import { MediaError, type Refusal, type SplitPlan } from '../../dicom/media/index.js';

/** How many refused files the one-line summary names. */
export const REFUSED_NAMED = 5;

/** Instances the profile does not allow, or that are not DICOM: nothing was written. */
export class MediaRefusedError extends MediaError {
  override readonly name = 'MediaRefusedError';
  constructor(readonly refused: readonly Refusal[]) {
    const first = refused[0]!;
    // One line however many: a folder of 10,000 photos must not print 10,000 lines.
    const names = refused.slice(0, REFUSED_NAMED).map((r) => r.source);
    const more = refused.length - names.length;
    super(
      'MEDIA_REFUSED',
      `${refused.length} file(s) cannot go on this medium, nothing was written; first: ${first.source}: ${first.message} [${first.code}]` +
        (refused.length > 1 ? `; also ${names.slice(1).join(', ')}${more > 0 ? ` and ${more} more` : ''}` : ''),
    );
  }
}

/**
 * The export does not fit: nothing was written. `split` proposes independent file-sets, each of
 * which fits a medium like this one, for the user to choose from.
 */
export class MediaNoSpaceError extends MediaError {
  override readonly name = 'MediaNoSpaceError';
  constructor(
    readonly needed: number,
    readonly free: number,
    readonly split: SplitPlan,
  ) {
    super(
      'MEDIA_NO_SPACE',
      `the export needs ${mib(needed)} and the medium has ${mib(free)} free; nothing was written. ` +
        (split.tooLarge.length > 0
          ? `${split.tooLarge.length} file(s) are larger than the free space on their own.`
          : `It fits as ${split.portions.length} independent file-sets on media like this one: ` +
            split.portions.map((p, i) => `#${i + 1}: ${p.studies.length} stud${p.studies.length === 1 ? 'y' : 'ies'}, ${p.writes.length} files, ${mib(p.bytes)}`).join('; ')),
    );
  }
}

/**
 * Writing failed part way (medium full, pulled out, I/O error) or was cancelled. The files
 * written by this export were removed where the medium still allowed it, and the DICOMDIR was
 * not replaced: the old file-set (or none) is what the medium holds.
 */
export class MediaWriteError extends MediaError {
  override readonly name = 'MediaWriteError';
}

export function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

/** Classifies an errno from the medium into what the technologist needs to hear. */
export function writeErrorFrom(e: unknown, path: string): MediaWriteError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const detail = e instanceof Error ? e.message : String(e);
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    return new MediaWriteError('MEDIA_FULL', `the medium filled up while writing ${path} (${code}); the export was undone`, { cause: e });
  }
  if (code === 'ENOENT' || code === 'EIO' || code === 'ENODEV' || code === 'ENXIO' || code === 'ESTALE' || code === 'ENOTDIR') {
    return new MediaWriteError('MEDIA_REMOVED', `the medium went away while writing ${path} (${code}); the export did not complete`, { cause: e });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new MediaWriteError('MEDIA_READ_ONLY', `the medium refuses writes at ${path} (${code})`, { cause: e });
  }
  return new MediaWriteError('MEDIA_WRITE_FAILED', `writing ${path} failed: ${detail}`, { cause: e });
}
