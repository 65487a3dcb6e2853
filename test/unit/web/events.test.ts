/**
 * /api/events mechanics: per-job throttling (first change at once, last value always delivered,
 * a state change never held behind progress), and a slow client that stops reading: the server
 * stops queueing for it at the high-water mark instead of buffering without bound, and once it
 * reads again it gets a fresh full state.
 */
import { Subject, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { systemClock } from '../../../device/clock.js';
import { nullLogger } from '../../../device/log/logger.js';
import type { ApiEvent, ApiEventBody, DeviceState } from '../../../device/web/api-types.js';
import { EventsEndpoint, throttlePerKey } from '../../../device/web/events.js';
import { Router } from '../../../device/web/router.js';
import { startHttpApi, type Endpoint, type HttpApi } from '../../../device/web/server.js';

describe('throttlePerKey', () => {
  it('passes the first value, then at most one per window with the last kept; keys and phases apart', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      type J = { id: string; state: string; n: number };
      const v = (id: string, state: string, n: number): J => ({ id, state, n });
      const values = { a: v('1', 'run', 1), b: v('1', 'run', 2), c: v('1', 'run', 3), d: v('2', 'run', 1), e: v('1', 'done', 4) };
      //                  0ms a, 1ms b, 2ms c, 3ms d, 300ms e
      const source = cold('abcd 296ms e|', values);
      // a at once; d at once (other key); c (the last of key 1's window) at 250; e at once (new phase).
      expectObservable(throttlePerKey(source, (j) => j.id, (j) => j.state, 250)).toBe('a 2ms d 246ms c 49ms e|', values);
    });
  });

  it('never sends a value of an older phase after a newer one of the same key', () => {
    // An export's last progress step (state running) is held for the window; 'completed' comes
    // 2 ms later. Sent after 'completed', that running value left the kiosk showing
    // "writing 2 of 2" for good (kiosk e2e). Each value is the key's whole state, so the newer
    // phase replaces the held one.
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      type J = { id: string; state: string; n: number };
      const v = (id: string, state: string, n: number): J => ({ id, state, n });
      const values = { a: v('1', 'running', 1), b: v('1', 'running', 2), c: v('1', 'completed', 3), x: v('2', 'running', 1), y: v('2', 'running', 2) };
      //                  0ms a, 1ms b, 2ms c, 3ms x, 4ms y, 305ms end
      const source = cold('abcxy 300ms |', values);
      // a at once, b held, then c at once and b never; key 2 keeps its own window (y at 3 + 250).
      expectObservable(throttlePerKey(source, (j) => j.id, (j) => j.state, 250)).toBe('a 1ms cx 249ms y 51ms |', values);
    });
  });

  it('a state change drops the progress still held from the state before (no "in progress" after "completed")', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      type J = { id: string; state: string; sent: number };
      const v = (state: string, sent: number): J => ({ id: '1', state, sent });
      const values = { a: v('in-progress', 0), b: v('in-progress', 1), c: v('in-progress', 2), e: v('completed', 3), f: v('in-progress', 0), g: v('in-progress', 5) };
      // a at 0, b at 10, c at 20, e (completed) at 100; later a retry runs: f at 1000, g at 1010, source ends at 2000.
      const source = cold('a 9ms b 9ms c 79ms e 899ms f 9ms g 989ms |', values);
      // c is never sent: completed came first. g (the last of its window) comes at 1250.
      expectObservable(throttlePerKey(source, (j) => j.id, (j) => j.state, 250)).toBe('a 99ms e 899ms f 249ms g 749ms |', values);
    });
  });
});

let api: HttpApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('slow /api/events clients', () => {
  it('are dropped to a state resync at the high-water mark, not buffered without bound', async () => {
    const bodies = new Subject<ApiEventBody>();
    let states = 0;
    const state = (): DeviceState => {
      states++;
      return { marker: states } as unknown as DeviceState;
    };
    const HIGH = 256 * 1024;
    const events = new EventsEndpoint({ bodies, state, clock: systemClock, log: nullLogger, highWater: HIGH, lowWater: 16 * 1024 });
    api = await startHttpApi({ router: new Router<Endpoint>(), log: nullLogger, host: '127.0.0.1', port: 0, websockets: { '/api/events': events } });
    const ws = new WebSocket(`ws://127.0.0.1:${api.port()}/api/events`);
    const got: ApiEvent[] = [];
    let onMessage: (() => void) | undefined;
    ws.on('message', (d: Buffer) => {
      got.push(JSON.parse(d.toString('utf8')) as ApiEvent);
      onMessage?.();
    });
    /** Resolves once `pred` holds, checked now and after each message. */
    const until = (pred: () => boolean): Promise<void> =>
      new Promise<void>((r) => {
        if (pred()) return r();
        onMessage = () => {
          if (pred()) {
            onMessage = undefined;
            r();
          }
        };
      });
    await new Promise((r) => ws.on('open', r));
    await until(() => got.length >= 1);
    expect(got[0]).toMatchObject({ seq: 1, type: 'state' });
    // The client stops reading: its socket is paused, so the kernel buffers fill and then the
    // server's ws buffer grows.
    (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const big = 'x'.repeat(16 * 1024);
    const body: ApiEventBody = { type: 'log', entry: { time: '2026-01-01T00:00:00.000Z', level: 'warn', msg: big, fields: {} } };
    let sent = 0;
    // Keep publishing until the endpoint reports the client lagging (event-driven, no timer).
    while (events.stats().lagging === 0) {
      bodies.next(body);
      sent++;
      if (sent % 64 === 0) await new Promise((r) => setImmediate(r));
      expect(sent).toBeLessThan(100_000);
    }
    for (let i = 0; i < 500; i++) bodies.next(body);
    const stats = events.stats();
    expect(stats.dropped).toBeGreaterThanOrEqual(500);
    // What the server holds for this client stays near the high-water mark: one message over it at most.
    const wsServerSide = [...(events as unknown as { clients: Set<{ ws: WebSocket }> }).clients][0]!.ws;
    expect(wsServerSide.bufferedAmount).toBeLessThan(HIGH + 64 * 1024);
    // It reads again: it receives what was buffered, then a fresh state.
    const statesBefore = states;
    (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(() => got.at(-1)?.type === 'state' && got.length > 1);
    expect(states).toBe(statesBefore + 1);
    const last = got.at(-1)!;
    expect(last.seq).toBeGreaterThan(got.at(-2)!.seq + 499);
    expect(events.stats().lagging).toBe(0);
    // And the live stream carries on.
    bodies.next({ type: 'alarms', alarms: [] });
    await until(() => got.at(-1)?.type === 'alarms');
    expect(got.at(-1)!.seq).toBe(last.seq + 1);
    ws.close();
  });

  it('the state comes first even when a source replays on subscription', async () => {
    const events = new EventsEndpoint({ bodies: of<ApiEventBody>({ type: 'alarms', alarms: [] }), state: () => ({}) as DeviceState, clock: systemClock, log: nullLogger });
    api = await startHttpApi({ router: new Router<Endpoint>(), log: nullLogger, host: '127.0.0.1', port: 0, websockets: { '/api/events': events } });
    const ws = new WebSocket(`ws://127.0.0.1:${api.port()}/api/events`);
    const got: ApiEvent[] = [];
    await new Promise<void>((r) =>
      ws.on('message', (d: Buffer) => {
        got.push(JSON.parse(d.toString('utf8')) as ApiEvent);
        if (got.length === 2) r();
      }),
    );
    expect(got.map((e) => [e.seq, e.type])).toEqual([
      [1, 'state'],
      [2, 'alarms'],
    ]);
    ws.close();
  });
});
