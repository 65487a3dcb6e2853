import { MediaError } from './errors.js';

/**
 * File IDs (PS3.10 §8.2, PS3.12 for FAT media): a path of 1 to 8 components, each 1 to 8
 * characters of A–Z, 0–9 and `_`, no extension. Written in (0004,1500) as a multi-valued CS.
 */
export type FileId = readonly string[];

export const FILE_ID_MAX_LEVELS = 8;
const COMPONENT = /^[A-Z0-9_]{1,8}$/;

export function isValidFileIdComponent(c: string): boolean {
  return COMPONENT.test(c);
}

/** Why a File ID is not valid, or undefined when it is. */
export function fileIdProblem(id: FileId): string | undefined {
  if (id.length === 0) return 'a File ID needs at least one component';
  if (id.length > FILE_ID_MAX_LEVELS) return `a File ID has at most ${FILE_ID_MAX_LEVELS} components, this one has ${id.length}`;
  const bad = id.find((c) => !isValidFileIdComponent(c));
  return bad === undefined ? undefined : `File ID component ${JSON.stringify(bad)} is not 1–8 characters of A–Z, 0–9, _`;
}

export function assertValidFileId(id: FileId): void {
  const problem = fileIdProblem(id);
  if (problem) throw new MediaError('MEDIA_BAD_FILE_ID', problem);
}

/** The canonical key of a path on a FAT medium, where names compare without case. */
export function fileIdKey(id: FileId): string {
  return id.map((c) => c.toUpperCase()).join('/');
}

/**
 * Hands out File IDs that collide with nothing already on the medium (paths the DICOMDIR names
 * and paths found on disk, compared without case as FAT does) nor with each other. The layout
 * is DICOM/Pnnnnnnn/Snnnnnnn/Xnnnnnnn/Innnnnnn: patient, study, series, image, five levels.
 * A directory is asked for by the key of the record it holds, so every instance of a series
 * lands in the same directory.
 */
export class FileIdAllocator {
  private readonly taken = new Set<string>();
  private readonly dirs = new Map<string, FileId>();
  private readonly counters = new Map<string, number>();

  constructor(taken: Iterable<string | FileId> = []) {
    for (const t of taken) this.take(typeof t === 'string' ? t.split(/[\\/]/).filter(Boolean) : t);
  }

  /** Marks a path and all its parent directories as used. */
  take(id: FileId): void {
    for (let i = 1; i <= id.length; i++) this.taken.add(fileIdKey(id.slice(0, i)));
  }

  isTaken(id: FileId): boolean {
    return this.taken.has(fileIdKey(id));
  }

  /**
   * The directory for the record `key`, under `parent`, named `prefix` + digits. Asked again
   * with the same key, returns the same directory. `existing` is a directory the record already
   * has on the medium (FSU), used as it is.
   */
  directory(key: string, parent: FileId, prefix: string, existing?: FileId): FileId {
    const known = this.dirs.get(key);
    if (known) return known;
    const dir = existing ?? this.fresh(parent, prefix);
    this.dirs.set(key, dir);
    this.take(dir);
    return dir;
  }

  /** A new file name in `dir`. */
  file(dir: FileId, prefix = 'I'): FileId {
    const id = this.fresh(dir, prefix);
    this.take(id);
    return id;
  }

  private fresh(parent: FileId, prefix: string): FileId {
    if (parent.length >= FILE_ID_MAX_LEVELS) {
      throw new MediaError('MEDIA_BAD_FILE_ID', `no room for another File ID level under ${parent.join('\\')}`);
    }
    const width = 8 - prefix.length;
    const counterKey = `${fileIdKey(parent)}|${prefix}`;
    let n = this.counters.get(counterKey) ?? 0;
    const limit = 10 ** width;
    for (;;) {
      n++;
      if (n >= limit) throw new MediaError('MEDIA_FILE_IDS_EXHAUSTED', `no free File ID ${prefix}… left in ${parent.join('\\') || 'the root'}`);
      const id = [...parent, prefix + String(n).padStart(width, '0')];
      if (!this.isTaken(id)) {
        this.counters.set(counterKey, n);
        assertValidFileId(id);
        return id;
      }
    }
  }
}
