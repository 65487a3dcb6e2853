/**
 * A byte line to the panel: the serial port on the cart, a pseudo-terminal in tests. The
 * driver needs only this, so it can be run over any transport that carries bytes.
 */
export interface PanelLine {
  /** Queues bytes; a failure shows up as the line closing, never as a throw. */
  write(bytes: Uint8Array): void;
  /** Closes the line; resolves when it is closed (also when it already was). */
  close(): Promise<void>;
  /** Sets the receivers of incoming chunks and of the line closing (once, with why). */
  listen(onData: (chunk: Uint8Array) => void, onClose: (reason: string) => void): void;
}

export type OpenLine = (path: string, baudRate: number) => Promise<PanelLine>;
