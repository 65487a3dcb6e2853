import { describe, expect, it } from 'vitest';
import { ConnectError, ConnectionClosedError, NoAcceptableContextError } from '../../../device/net/errors.js';
import { backoffMs, checkRetryPolicy, classifyOutcome } from '../../../device/queue/index.js';

const peer = { aeTitle: 'PACS', host: '127.0.0.1', port: 104 };

describe('conformance §2 status policy → job event', () => {
  const cases: [number, string, string][] = [
    [0x0000, 'stored', '0000'],
    [0xb000, 'stored-with-warning', 'B000'],
    [0xb006, 'stored-with-warning', 'B006'],
    [0xb007, 'stored-with-warning', 'B007'],
    [0x0001, 'stored-with-warning', '0001'],
    [0xa700, 'refused', 'A700'],
    [0xa7ff, 'refused', 'A7FF'],
    [0xa900, 'rejected', 'A900'],
    [0xc000, 'rejected', 'C000'],
    [0xc123, 'rejected', 'C123'],
    [0x0122, 'rejected', '0122'],
    [0x0124, 'rejected', '0124'],
    [0x0211, 'rejected', '0211'],
    [0xfe00, 'rejected', 'FE00'],
    [0xff00, 'rejected', 'FF00'],
  ];
  for (const [code, event, hex] of cases) {
    it(`status ${hex} → ${event}`, () => {
      const c = classifyOutcome({ statusCode: code }, 0, undefined);
      expect(c.event).toBe(event);
      expect(c.status?.hex).toBe(hex);
    });
  }

  it('network failures are transient; no acceptable context and local errors are not', () => {
    expect(classifyOutcome({ error: new ConnectError(peer, 'connect', 'ECONNREFUSED') }, 0, undefined).event).toBe('transient-failure');
    expect(classifyOutcome({ error: new ConnectionClosedError(peer, 'C-STORE 1.2', 'closed') }, 0, undefined).event).toBe('transient-failure');
    expect(classifyOutcome({ error: new NoAcceptableContextError(peer, 'C-STORE 1.2', 'no context') }, 0, undefined).event).toBe('unsendable');
    expect(classifyOutcome({ error: Object.assign(new Error('ENOENT'), { code: 'ENOENT' }) }, 0, undefined).event).toBe('unsendable');
  });

  it('deferred wins over any error: the instance never went out', () => {
    expect(classifyOutcome({ deferred: true, error: new ConnectionClosedError(peer, 'x', 'y') }, 3, 4).event).toBe('deferred');
  });

  it('maxAttempts turns the last transient failure or A7xx into attempts-exhausted, not earlier', () => {
    const err = new ConnectionClosedError(peer, 'C-STORE 1.2', 'closed');
    expect(classifyOutcome({ error: err }, 1, 3).event).toBe('transient-failure');
    expect(classifyOutcome({ error: err }, 2, 3).event).toBe('attempts-exhausted');
    expect(classifyOutcome({ statusCode: 0xa700 }, 2, 3).event).toBe('attempts-exhausted');
    expect(classifyOutcome({ statusCode: 0xc000 }, 2, 3).event).toBe('rejected');
  });
});

describe('back-off', () => {
  const p = { initialMs: 1000, factor: 2, maxMs: 30_000 };
  it('doubles from initialMs and stops at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(p, n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffMs(p, 1e9)).toBe(30_000);
    expect(backoffMs({ initialMs: 500, factor: 1, maxMs: 500 }, 10)).toBe(500);
  });
  it('checks the policy', () => {
    expect(checkRetryPolicy(p)).toBeUndefined();
    expect(checkRetryPolicy({ ...p, initialMs: 0 })).toMatch(/initialMs/);
    expect(checkRetryPolicy({ ...p, factor: 0.5 })).toMatch(/factor/);
    expect(checkRetryPolicy({ ...p, maxMs: 10 })).toMatch(/maxMs/);
    expect(checkRetryPolicy({ ...p, maxAttempts: 0 })).toMatch(/maxAttempts/);
  });
});
