/**
 * Launch smoke test: Debian's Chromium starts under the pinned playwright-core, loads a page from
 * 127.0.0.1, runs script, takes a click and a screenshot. Every kiosk test depends on this; when
 * it fails, the browser or the protocol changed, not the kiosk.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type KioskBrowser } from '../helpers/browser.js';

let server: Server;
let base: string;
let kb: KioskBrowser;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!doctype html><button id="b" onclick="this.textContent=\'clicked 山田\'">press</button>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  kb = await launchChromium();
});

afterAll(async () => {
  await kb?.close();
  await new Promise((r) => server.close(r));
});

describe('chromium launch smoke test', () => {
  it('loads a local page, clicks and screenshots', async () => {
    const page = await kb.browser.newPage();
    await page.goto(base);
    await page.click('#b');
    expect(await page.textContent('#b')).toBe('clicked 山田');
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(kb.browser.browser()?.version()).toMatch(/^\d+\./);
  });
});
