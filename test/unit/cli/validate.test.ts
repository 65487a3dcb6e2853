/**
 * Command-line values are refused with exit 2 before anything touches the network or a file:
 * the table of bad values per check, then each command run against a listening socket that
 * counts connections and with files that do not exist (a read would exit 1, not 2).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../device/cli/main.js';
import { UsageError } from '../../../device/cli/errors.js';
import { aeTitleOption, dateOrRangeOption, integerOption, portOption, secondsOption, sourceOption } from '../../../device/cli/validate.js';
import { cli } from '../../helpers/cli-capture.js';

const NOW = new Date(2026, 3, 30, 10, 0, 0);

describe('validation table', () => {
  it.each([
    ['A'.repeat(17), /longer than 16/],
    ['US\\CART', /backslash/],
    ['US\tCART', /control character 0x09/],
    ['US\nCART', /control character 0x0a/],
    ['    ', /all spaces/],
    ['', /empty/],
    ['ÜS_CART', /non-ASCII/],
  ])('AE title %j refused (%s)', (text, why) => {
    expect(() => aeTitleOption('--called-ae', text)).toThrow(UsageError);
    expect(() => aeTitleOption('--called-ae', text)).toThrow(why);
  });

  it.each(['A'.repeat(16), 'STORESCP', ' PADDED ', 'US_CART-1'])('AE title %j accepted', (text) => {
    expect(aeTitleOption('--called-ae', text)).toBe(text);
  });

  it.each(['20241345', '20240230', '20230229', '20240431', '20240001', '20240100', '18991231', '2024010', '2024-01-01', '20240101-20231231', '20240101-20241345', 'yesterday', '-20240101'])(
    'date %j refused',
    (text) => {
      expect(() => dateOrRangeOption('--date', text, NOW)).toThrow(UsageError);
    },
  );

  it.each([
    ['today', '20260430'],
    ['20240229', '20240229'],
    ['20000229', '20000229'],
    ['20241231', '20241231'],
    ['20240101-20240131', '20240101-20240131'],
    ['20240101-20240101', '20240101-20240101'],
  ])('date %j accepted as %s', (text, want) => {
    expect(dateOrRangeOption('--date', text, NOW)).toBe(want);
  });

  it.each(['0', '65536', '-1', '0x50', '1e3', ' 104', '104 ', '10.5', '', '+104', '99999999999999999999'])('port %j refused', (text) => {
    expect(() => portOption('--port', text)).toThrow(UsageError);
  });

  it.each([
    ['1', 1],
    ['104', 104],
    ['65535', 65535],
  ])('port %j accepted', (text, want) => expect(portOption('--port', text)).toBe(want));

  it.each(['0', '65', '-2', '2.0', 'four', '0x4'])('--parallel %j refused (1–64)', (text) => {
    expect(() => integerOption('--parallel', text, 1, 64)).toThrow(/--parallel must be a whole number 1–64/);
  });

  it.each(['0', '121', '-1', 'NaN', 'Infinity', '1e2', '', '5s'])('--seconds %j refused', (text) => {
    expect(() => secondsOption('--seconds', text, 120)).toThrow(UsageError);
  });

  it.each([
    ['2.5', 2.5],
    ['120', 120],
  ])('--seconds %j accepted', (text, want) => expect(secondsOption('--seconds', text, 120)).toBe(want));

  it.each(['rtsp://cam', 'v4l2:', 'v4l2:video0', 'file:', 'SIM', 'http:x'])('--source %j refused', (text) => {
    expect(() => sourceOption('--source', text)).toThrow(UsageError);
  });

  it.each(['sim', 'v4l2:/dev/video0', 'file:/tmp/loop.mp4'])('--source %j accepted', (text) => expect(sourceOption('--source', text)).toBe(text));
});

describe('each command refuses before the network or a file', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const peer = () => ['--host', '127.0.0.1', '--port', String(port)];
  const MISSING = '/nonexistent/sonicart/input.dcm';
  it.each([
    ['echo, called AE of 17', () => ['echo', ...peer(), '--called-ae', 'A'.repeat(17)], /--called-ae .* is longer than 16/],
    ['echo, calling AE with a backslash', () => ['echo', ...peer(), '--called-ae', 'SCP', '--calling-ae', 'US\\CART'], /--calling-ae .* has a backslash/],
    ['echo, port in hex', () => ['echo', '--host', '127.0.0.1', '--port', '0x50', '--called-ae', 'SCP'], /--port must be a whole number 1–65535/],
    ['send, AE all spaces', () => ['send', ...peer(), '--called-ae', '    ', MISSING], /all spaces/],
    ['send, --parallel 0', () => ['send', ...peer(), '--called-ae', 'SCP', '--parallel', '0', MISSING], /--parallel must be a whole number 1–64/],
    ['send, --parallel 1e1', () => ['send', ...peer(), '--called-ae', 'SCP', '--parallel', '1e1', MISSING], /--parallel/],
    ['worklist, impossible date', () => ['worklist', ...peer(), '--called-ae', 'SCP', '--date', '20241345'], /--date: "20241345" has month 13/],
    ['worklist, 30 February', () => ['worklist', ...peer(), '--called-ae', 'SCP', '--date', '20240230'], /has day 30, but 2024-02 has 29 days/],
    ['worklist, backwards range', () => ['worklist', ...peer(), '--called-ae', 'SCP', '--date', '20240201-20240101'], /ends before it starts/],
    ['worklist, station AE with a control character', () => ['worklist', ...peer(), '--called-ae', 'SCP', '--station-ae', 'US\u0007'], /--station-ae .* control character/],
    ['worklist, --max-matches 0', () => ['worklist', ...peer(), '--called-ae', 'SCP', '--max-matches', '0'], /--max-matches/],
    ['capture, unknown source scheme', () => ['capture', '--kind', 'still', '--source', 'rtsp://cam', '--patient', MISSING, '--out', '/nonexistent/out'], /--source must be sim/],
    ['capture, --seconds 1e2', () => ['capture', '--kind', 'cine', '--seconds', '1e2', '--patient', MISSING, '--out', '/nonexistent/out'], /--seconds/],
    ['export, --wait -1', () => ['export', '--profile', 'STD-GEN-USB-JPEG', '--out', '/nonexistent/out', '--wait', '-1', MISSING], /--wait|option/],
  ])('%s → exit 2, nothing touched', async (_what, argv, why) => {
    const c = cli();
    expect(await main(argv(), c.io)).toBe(2);
    expect(c.err[0]).toMatch(why);
    expect(connections).toBe(0);
  });
});
