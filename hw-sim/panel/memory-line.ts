import type { PanelLine } from '../../device/panel/index.js';

/**
 * Two PanelLines joined back to back in memory (a null-modem cable), for running the driver and
 * the simulated panel under a ManualClock. Bytes are delivered on a later microtask, as a real
 * line would deliver them on a later read, never re-entrantly inside write().
 * `unplug()` closes both ends as a pulled cable does.
 */
export function memoryLinePair(): { host: PanelLine; panel: PanelLine; unplug(): void } {
  const ends = [makeEnd(), makeEnd()] as const;
  ends[0].peer = ends[1];
  ends[1].peer = ends[0];
  return {
    host: ends[0].line,
    panel: ends[1].line,
    unplug: () => ends.forEach((e) => e.end('unplugged')),
  };
}

interface End {
  peer: End | undefined;
  onData: (c: Uint8Array) => void;
  onClose: (reason: string) => void;
  closed: boolean;
  line: PanelLine;
  end(reason: string): void;
}

function makeEnd(): End {
  const e: End = {
    peer: undefined,
    onData: () => undefined,
    onClose: () => undefined,
    closed: false,
    end(reason) {
      if (e.closed) return;
      e.closed = true;
      queueMicrotask(() => e.onClose(reason));
    },
    line: {
      write(bytes) {
        const copy = bytes.slice();
        const peer = e.peer!;
        if (e.closed || peer.closed) return;
        queueMicrotask(() => {
          if (!peer.closed) peer.onData(copy);
        });
      },
      close: async () => {
        e.closed = true;
      },
      listen(data, close) {
        e.onData = data;
        e.onClose = close;
      },
    },
  };
  return e;
}
