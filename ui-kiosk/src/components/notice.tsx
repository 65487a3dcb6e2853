/** An error or progress line that says what happened and what to do. */
import type { ComponentChildren } from 'preact';

export function Notice({ kind, children }: { kind: 'error' | 'warning' | 'info' | 'progress'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {kind === 'progress' ? <span class="spinner" aria-hidden="true" /> : null}
      <span>{children}</span>
    </div>
  );
}

export function ProgressBar({ done, total }: { done: number; total: number }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
      <div class="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
