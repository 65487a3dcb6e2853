import { SonicartError, type ErrorPeer, type ErrorStatus } from './errors.js';

/** Any failure as plain data, for an API response, a log line or the UI. */
export interface ErrorReport {
  /** Stable: branch on this. SonicartError codes as raised; `IO_<errno>` for a system call; `INTERNAL` for anything else. */
  readonly code: string;
  readonly message: string;
  /** The error's class name (DicomParseError, TimerExpiredError, …). */
  readonly kind: string;
  readonly peer?: ErrorPeer;
  readonly step?: string;
  readonly status?: { readonly code: number; readonly hex: string; readonly meaning: string };
  readonly file?: string;
  readonly offset?: number;
}

/**
 * Maps any thrown value to one report. Our errors (all under SonicartError) give their own code
 * and context; a system-call failure (an errno error from the platform, e.g. ENOENT on open)
 * becomes IO_<errno> with its path and syscall; anything else is INTERNAL, a bug to report.
 */
export function errorToReport(e: unknown): ErrorReport {
  if (e instanceof SonicartError) {
    return {
      code: e.code,
      message: e.message,
      kind: e.name,
      ...(e.peer ? { peer: { aeTitle: e.peer.aeTitle, host: e.peer.host, port: e.peer.port } } : {}),
      ...(e.step !== undefined ? { step: e.step } : {}),
      ...(e.status ? { status: statusOf(e.status) } : {}),
      ...(e.file !== undefined ? { file: e.file } : {}),
      ...(e.offset !== undefined ? { offset: e.offset } : {}),
    };
  }
  const sys = e as { code?: unknown; syscall?: unknown; path?: unknown; message?: unknown; name?: unknown } | null;
  if (e instanceof Error && typeof sys?.code === 'string' && typeof sys.syscall === 'string') {
    return {
      code: `IO_${sys.code}`,
      message: e.message,
      kind: e.name,
      step: sys.syscall,
      ...(typeof sys.path === 'string' ? { file: sys.path } : {}),
    };
  }
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), kind: e instanceof Error ? e.name : typeof e };
}

function statusOf(s: ErrorStatus): ErrorReport['status'] {
  return { code: s.code, hex: s.hex, meaning: s.meaning };
}
