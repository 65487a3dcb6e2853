import { SerialPort } from 'serialport';
import type { OpenLine, PanelLine } from './line.js';

/**
 * Opens a serial port (serialport 13) as a PanelLine: 8N1, no flow control, exclusive (a second
 * process opening the panel would steal half its bytes). Does not touch DTR/RTS: pseudo-terminals
 * have none and the panel does not use them.
 */
export const openSerialLine: OpenLine = (path, baudRate) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true, hupcl: false });
    port.open((err) => {
      if (err) {
        reject(err);
        return;
      }
      let closed = false;
      let onClose: (reason: string) => void = () => undefined;
      const ended = (reason: string): void => {
        if (closed) return;
        closed = true;
        onClose(reason);
      };
      // 'error' must always have a listener (an EventEmitter throws otherwise); a write or read
      // error means the line is unusable, so it is reported as closing.
      port.on('error', (e) => {
        ended(`serial error: ${e.message}`);
        if (port.isOpen) port.close(() => undefined);
      });
      port.on('close', (e?: Error | null) => ended(e ? `line closed: ${e.message}` : 'line closed'));
      const line: PanelLine = {
        write(bytes) {
          if (closed || !port.isOpen) return;
          port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        },
        close: () =>
          new Promise<void>((done) => {
            closed = true;
            if (!port.isOpen) return done();
            port.close(() => done());
          }),
        listen(data, close) {
          onClose = close;
          port.on('data', (chunk: Buffer) => data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
        },
      };
      resolve(line);
    });
  });
