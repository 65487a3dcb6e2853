/**
 * /api/live: the live image as binary JPEG messages (layout in api-types.ts), newest frame only,
 * one frame in flight per client. A frame is sent only when the client has acked the previous
 * one; frames arriving meanwhile just replace "the newest", so a slow client (or a slow encoder)
 * gets a lower frame rate and never an older picture. Encoding happens only for a frame some
 * client is ready for, and one encode serves every client ready for the same frame.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LiveFrame, LiveFrames } from '../device.js';
import type { Logger } from '../log/logger.js';
import type { LiveEncoder } from './live-encoder.js';
import { encodeLiveMessage } from './live-frame.js';
import type { UpgradeEndpoint } from './server.js';

interface LiveClient {
  readonly ws: WebSocket;
  /** The sequence sent and not yet acked. */
  awaiting: number | undefined;
  /** Encoding or sending a frame for this client now. */
  busy: boolean;
  lastSent: number | undefined;
}

export interface LiveEndpointOptions {
  readonly live: LiveFrames;
  readonly encode: LiveEncoder;
  readonly log: Logger;
  /** Whether a cine is being recorded (flag bit 1). */
  readonly recording: () => boolean;
}

/** Wall-clock milliseconds with sub-millisecond precision (the header's time base). */
function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

export class LiveEndpoint implements UpgradeEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 256 });
  private readonly clients = new Set<LiveClient>();
  private subscription: Subscription | undefined;
  private encoded: { sequence: number; jpeg: Promise<Uint8Array> } | undefined;

  constructor(private readonly opts: LiveEndpointOptions) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private attach(ws: WebSocket): void {
    const client: LiveClient = { ws, awaiting: undefined, busy: false, lastSent: undefined };
    this.clients.add(client);
    this.subscription ??= this.opts.live.frames$.subscribe((f) => this.onFrame(f));
    ws.on('message', (data, isBinary) => this.onMessage(client, data as Buffer, isBinary));
    ws.on('close', () => {
      this.clients.delete(client);
      if (this.clients.size === 0) {
        this.subscription?.unsubscribe();
        this.subscription = undefined;
        this.encoded = undefined;
      }
    });
    ws.on('error', (e) => this.opts.log.debug('live client error', { error: e }));
    const latest = this.opts.live.latest();
    if (latest) this.deliver(client, latest);
  }

  private onMessage(client: LiveClient, data: Buffer, isBinary: boolean): void {
    let ack: unknown;
    try {
      ack = isBinary ? undefined : (JSON.parse(data.toString('utf8')) as { ack?: unknown }).ack;
    } catch {
      ack = undefined;
    }
    if (typeof ack !== 'number') {
      client.ws.close(1003, 'only {"ack": sequence} messages are accepted');
      return;
    }
    if (ack !== client.awaiting) return;
    client.awaiting = undefined;
    const latest = this.opts.live.latest();
    if (latest && latest.frame.sequence !== client.lastSent) this.deliver(client, latest);
  }

  private onFrame(f: LiveFrame): void {
    for (const c of this.clients) if (c.awaiting === undefined && !c.busy) this.deliver(c, f);
  }

  private jpegOf(f: LiveFrame): Promise<Uint8Array> {
    if (this.encoded?.sequence !== f.frame.sequence) this.encoded = { sequence: f.frame.sequence, jpeg: this.opts.encode(f.frame) };
    return this.encoded.jpeg;
  }

  private deliver(client: LiveClient, f: LiveFrame): void {
    client.busy = true;
    const { frame } = f;
    this.jpegOf(f).then(
      (jpeg) => {
        client.busy = false;
        if (client.ws.readyState !== client.ws.OPEN) return;
        // A newer frame may have come while this one was encoded: send it instead next time, but
        // this one is still the newest this client can have now.
        const skipped = client.lastSent === undefined ? 0 : Math.max(0, (frame.sequence - client.lastSent - 1) >>> 0);
        const msg = encodeLiveMessage(
          {
            frozen: this.opts.live.frozen,
            recording: this.opts.recording(),
            sequence: frame.sequence,
            // The capture time on the wall clock (whole milliseconds, as the device records it).
            captureTimeMs: Date.parse(f.capturedAt),
            sendTimeMs: nowEpochMs(),
            width: frame.width,
            height: frame.height,
            skipped,
          },
          jpeg,
        );
        client.awaiting = frame.sequence >>> 0;
        client.lastSent = frame.sequence;
        client.ws.send(msg, { binary: true });
      },
      (e: unknown) => {
        client.busy = false;
        this.opts.log.warn('live frame encoding failed', { error: e, sequence: frame.sequence });
      },
    );
  }
}
