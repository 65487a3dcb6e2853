/**
 * A sonographer's day on the kiosk, by touch, in real headless Chromium against `sonicart serve`
 * (a child process, simulated grabber and media) and real hospital peers on loopback: DCMTK
 * wlmscpfs as the worklist (patients in every character set of conformance §6, dated today),
 * DCMTK storescp as the PACS, and a scripted PACS that refuses every image with A700.
 *
 * Pick the Japanese patient, store a still and a cine, end the exam, watch it stored at the
 * PACS and refused (with the reason and the retry) at the other, review the thumbnails, export
 * to a simulated stick and eject it, then the worklist server goes down: the cached list
 * shows its age and the alarm is shown in Japanese from the kiosk's catalog. Along the way:
 * the live image is measured in the page and compared with the frame the simulator drew
 * (decoded by jpeg-js, not by us or by the browser); every screen in every language is saved
 * as a screenshot and its CJK text checked for missing glyphs.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedFrameSource } from '../../hw-sim/frame-grabber/index.js';
import { SIM_VOLUME_MARKER } from '../../hw-sim/media/simulated-watcher.js';
import { launchChromium, type KioskBrowser } from '../helpers/browser.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { acceptAssociation, answerRelease, answerStore, readMessage, startScriptedPeer, type ScriptedPeer } from '../helpers/scripted-peer.js';
import { startServe, type ServedCart } from '../helpers/serve-process.js';
import { CHARSET_ENTRIES, writeWorklistFiles } from '../helpers/worklist-files.js';

const ARTIFACTS = process.env['SONICART_ARTIFACTS'] ?? join(import.meta.dirname, '../../test-artifacts/kiosk');
const LANGS = ['en', 'ja', 'zh'] as const;
const SCREENS = ['worklist', 'scan', 'review', 'sending', 'media', 'service'] as const;

let dir: string;
let cleanup: () => Promise<void>;
let wlm: PeerProcess;
let pacs: PeerProcess;
let refuser: ScriptedPeer;
let cart: ServedCart;
let kb: KioskBrowser;
let page: Page;
let cdp: CDPSession;
const pacsDir = (): string => join(dir, 'pacs');
const dataDir = (): string => join(dir, 'data');

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

async function startWorklist(port: number): Promise<PeerProcess> {
  return startPeer('wlmscpfs', ['-csk', '-dfp', join(dir, 'wlm'), String(port)], port);
}

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-kiosk-'));
  await mkdir(join(dir, 'wlm', 'WLM'), { recursive: true });
  await writeFile(join(dir, 'wlm', 'WLM', 'lockfile'), '');
  await writeWorklistFiles(join(dir, 'wlm', 'WLM'), CHARSET_ENTRIES.map((e) => ({ ...e, date: today() })));
  await mkdir(pacsDir());
  const [wlmPort, pacsPort] = [await freePort(), await freePort()];
  [wlm, pacs] = await Promise.all([startWorklist(wlmPort), startPeer('storescp', ['--fork', '-aet', 'PACS', '+xa', '-od', pacsDir(), String(pacsPort)], pacsPort)]);
  // A PACS out of resources: every C-STORE gets A700, then the cart releases (conformance §2).
  refuser = await startScriptedPeer(async (c) => {
    await acceptAssociation(c);
    answerStore(c, await readMessage(c), 0xa700);
    await answerRelease(c);
  });
  cart = await startServe(dir, {
    aeTitle: 'US_CART',
    dataDir: dataDir(),
    destinations: [
      { name: 'PACS', host: '127.0.0.1', port: pacsPort, calledAe: 'PACS', roles: ['store'] },
      { name: 'PACS_B', host: '127.0.0.1', port: refuser.port, calledAe: 'PACS_B', roles: ['store'] },
      { name: 'RIS', host: '127.0.0.1', port: wlmPort, calledAe: 'WLM', roles: ['worklist'] },
    ],
    capture: { ringSeconds: 8, maxCineSeconds: 8, transferSyntax: 'jpeg-baseline' },
    worklist: { refreshIntervalS: 0 },
    service: { pin: '2468' },
  });
  await mkdir(ARTIFACTS, { recursive: true });
  kb = await launchChromium({ width: 1280, height: 800 });
  page = await kb.browser.newPage();
  cdp = await kb.browser.newCDPSession(page);
  await page.goto(`${cart.base}/`);
  // First paint after navigation, as the page itself measured it (a figure, not a limit).
  const fcp = await page.evaluate<number>(`new Promise((resolve) => {
    const have = () => performance.getEntriesByName('first-contentful-paint')[0];
    const tick = () => (have() ? resolve(have().startTime) : setTimeout(tick, 20));
    tick();
  })`);
  console.log(`kiosk first contentful paint ${fcp.toFixed(0)} ms after navigation`);
}, 120_000);

afterAll(async () => {
  await kb?.close();
  const code = await cart?.stop();
  await refuser?.close();
  await Promise.all([wlm?.stop(), pacs?.stop()]);
  await cleanup?.();
  expect(code, cart?.output()).toBe(0);
}, 60_000);

const tap = (selector: string): Promise<void> => page.locator(selector).first().click();
const nav = (screen: (typeof SCREENS)[number]): Promise<void> => tap(`[data-nav="${screen}"]`);

/**
 * Every element whose own text holds CJK characters must have had each of them drawn by a
 * Noto CJK font, as Chromium reports through the DevTools protocol: a missing font shows as
 * glyphs counted against some other family (the missing-glyph box), which fails here.
 */
async function cjkProblems(): Promise<string[]> {
  // A string, not a function: the test program has no DOM types (they would leak into device/).
  const marked = await page.evaluate<number>(`(() => {
    const cjk = /[\\u3040-\\u30ff\\u3400-\\u9fff\\uff66-\\uff9f]/g;
    let n = 0;
    for (const el of document.querySelectorAll('[data-cjk]')) el.removeAttribute('data-cjk');
    for (const el of document.body.querySelectorAll('*')) {
      const own = Array.from(el.childNodes).filter((c) => c.nodeType === 3).map((c) => c.textContent || '').join('');
      const count = (own.match(cjk) || []).length;
      if (count > 0 && el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) el.setAttribute('data-cjk', n++ + ':' + count);
    }
    return n;
  })()`);
  const problems: string[] = [];
  if (marked === 0) return problems;
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: '[data-cjk]' });
  for (const nodeId of nodeIds) {
    // The kiosk keeps updating (live image state, queue): a node may be replaced meanwhile.
    const checked = await checkNode(nodeId).catch(() => undefined);
    if (checked) problems.push(checked);
  }
  return problems;
}

async function checkNode(nodeId: number): Promise<string | null> {
  const attrs = (await cdp.send('DOM.getAttributes', { nodeId })).attributes;
  const count = Number(attrs[attrs.indexOf('data-cjk') + 1]!.split(':')[1]);
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  // No font at all: the text was not laid out (inside a closed <details>), so nothing was drawn.
  if (fonts.length === 0) return null;
  const cjkGlyphs = fonts.filter((f) => /CJK/.test(f.familyName) || /CJK/.test(f.postScriptName ?? '')).reduce((a, f) => a + f.glyphCount, 0);
  if (cjkGlyphs >= count) return null;
  const text = (await cdp.send('DOM.getOuterHTML', { nodeId })).outerHTML.slice(0, 120);
  return `${text}: ${count} CJK characters, ${cjkGlyphs} drawn by a CJK font (${fonts.map((f) => `${f.familyName}×${f.glyphCount}`).join(', ')})`;
}

async function shoot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

describe("a sonographer's day on the kiosk", () => {
  it('shows the worklist in every character set and starts the Japanese patient by touch', async () => {
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    await page.locator('.row.item').nth(CHARSET_ENTRIES.length - 1).waitFor();
    expect(await page.locator('.row.item').count()).toBe(CHARSET_ENTRIES.length);
    await tap('[data-lang="ja"]');
    expect(await page.locator('[data-nav="worklist"]').textContent()).toBe('ワークリスト');
    const row = page.locator('[data-patient-id="CS-IR87"]');
    // All three component groups of the name are shown.
    expect(await row.locator('.pn').innerText()).toMatch(/Yamada Tarou\s+山田 太郎\s+やまだ たろう/);
    await row.click();
    await tap('[data-action="start-exam"]');
    await page.locator('[data-screen="scan"] [data-action="still"]').waitFor();
    expect(await page.locator('[data-testid="banner"]').innerText()).toContain('山田 太郎');
    expect(await cjkProblems()).toEqual([]);
  });

  it('keeps the live image current, and what it shows is the frame the simulator drew', async () => {
    await page.waitForFunction(() => ((globalThis as { __sonicartLive?: { frames: number } }).__sonicartLive?.frames ?? 0) >= 60, undefined, { timeout: 30_000 });
    const probe = await page.evaluate(() => {
      const p = (globalThis as unknown as { __sonicartLive: { ages: number[]; arrivals: number[]; lastJpeg: Uint8Array; lastHeader: { sequence: number; width: number; height: number } } }).__sonicartLive;
      return { ages: [...p.ages], arrivals: [...p.arrivals], jpeg: Array.from(p.lastJpeg), header: p.lastHeader };
    });
    const sorted = [...probe.ages].sort((a, b) => a - b);
    const fps = (probe.arrivals.length - 1) / ((probe.arrivals.at(-1)! - probe.arrivals[0]!) / 1000);
    console.log(`kiosk live image: ${fps.toFixed(1)} fps, frame age p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, p95 ${sorted[Math.floor(sorted.length * 0.95)]!.toFixed(0)} ms over ${sorted.length} frames`);
    expect(fps).toBeGreaterThan(1);
    // Decoded by jpeg-js and compared with the simulator's own rendering of that sequence number.
    const got = jpeg.decode(Uint8Array.from(probe.jpeg), { useTArray: true, formatAsRGBA: false });
    expect([got.width, got.height]).toEqual([probe.header.width, probe.header.height]);
    const sim = new SimulatedFrameSource({});
    expect([sim.info.width, sim.info.height]).toEqual([got.width, got.height]);
    const want = sim.renderFrame(probe.header.sequence);
    let se = 0;
    for (let i = 0; i < want.length; i++) se += (want[i]! - got.data[i]!) ** 2;
    const psnr = 10 * Math.log10((255 * 255) / (se / want.length));
    console.log(`kiosk live frame ${probe.header.sequence} vs simulator: PSNR ${psnr.toFixed(1)} dB`);
    expect(psnr).toBeGreaterThan(28);
    // And against another sequence number it is clearly not the same picture.
    const other = sim.renderFrame(probe.header.sequence + 15);
    let se2 = 0;
    for (let i = 0; i < other.length; i++) se2 += (other[i]! - got.data[i]!) ** 2;
    expect(10 * Math.log10((255 * 255) / (se2 / other.length))).toBeLessThan(psnr);
  });

  it('stores a still and a cine, ends the exam and shows each destination on its own policy', async () => {
    await tap('[data-action="still"]');
    await page.locator('[data-testid="scan-message"]').filter({ hasText: '1件' }).waitFor({ timeout: 30_000 });
    await tap('[data-clip="3"]');
    await tap('[data-mode="retrospective"]');
    await tap('[data-action="cine"]');
    await page.locator('[data-testid="scan-message"]').filter({ hasText: '2件' }).waitFor({ timeout: 60_000 });
    await shoot('day-scan-after-stores');
    await tap('[data-action="end"]');
    await page.locator('[data-screen="sending"]').waitFor();
    await page.locator('[data-destination="PACS"][data-state="completed"]').nth(1).waitFor({ timeout: 60_000 });
    // The image that met A700 says why; the others of that destination wait behind it.
    const refused = page.locator('[data-destination="PACS_B"][data-state="retry"]').filter({ hasText: 'A700' }).first();
    await refused.waitFor({ timeout: 60_000 });
    // "PACS_B refused the images: <reason> [A700]; retrying in …" — what happened and what happens next.
    const detail = await refused.locator('[data-testid="job-detail"]').innerText();
    expect(detail).toMatch(/PACS_B.*A700.*後に再試行/);
    await shoot('day-sending-refused');
    const stored = (await readdir(pacsDir())).filter((f) => !f.startsWith('.'));
    expect(stored).toHaveLength(2);
    const r = await runPython(
      'import sys, pydicom\nfor p in sys.argv[1:]:\n  d = pydicom.dcmread(p)\n  print(d.PatientName, d.PatientID, d.SOPClassUID, getattr(d, "NumberOfFrames", 1))',
      stored.map((f) => join(pacsDir(), f)),
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').sort();
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l.startsWith('Yamada^Tarou=山田^太郎=やまだ^たろう CS-IR87 ')).toBe(true);
    expect(lines.some((l) => l.includes('1.2.840.10008.5.1.4.1.1.3.1'))).toBe(true);
  });

  it('reviews the thumbnails, which jpeg-js decodes', async () => {
    await nav('review');
    await page.locator('.thumb img').nth(1).waitFor();
    const uids = await page.locator('.thumb').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')!));
    expect(uids).toHaveLength(2);
    for (const uid of uids) {
      const res = await page.request.get(`${cart.base}/api/instances/${uid}/thumbnail`);
      expect(res.headers()['content-type']).toBe('image/jpeg');
      const img = jpeg.decode(await res.body(), { useTArray: true });
      expect(Math.max(img.width, img.height)).toBeLessThanOrEqual(160);
      expect(img.width).toBeGreaterThan(16);
    }
    await page.locator('.thumb[data-kind="cine"]').click();
    await page.locator('[data-testid="frame-no"]').waitFor();
    await page.waitForFunction(`document.querySelector('[data-testid="viewer-image"]')?.naturalWidth === 800`);
    await shoot('day-review-cine');
    await tap('.viewer .btn:last-child');
  });

  it('exports the exam to a stick inserted at run time, then ejects it: safe to remove', { timeout: 150_000 }, async () => {
    await nav('media');
    const stick = join(dataDir(), 'sim-media', 'STICK');
    await mkdir(stick, { recursive: true });
    await writeFile(join(stick, SIM_VOLUME_MARKER), JSON.stringify({ fsType: 'vfat', size: 2 ** 30 }));
    await page.locator('[data-volume="sim:STICK"]').waitFor({ timeout: 10_000 });
    await tap('[data-volume="sim:STICK"] [data-action="export"]');
    await page.locator('[data-volume="sim:STICK"] [data-state="completed"]').waitFor({ timeout: 120_000 });
    await shoot('day-media-exported');
    const d = await runTool('dcmdump', ['-q', join(stick, 'DICOMDIR')]);
    expect(d.code, d.stderr).toBe(0);
    const fs = await runPython(
      'import sys\nfrom pydicom.fileset import FileSet\nfs = FileSet(sys.argv[1])\nfor i in fs: print(i.PatientID, i.SOPClassUID)',
      [join(stick, 'DICOMDIR')],
    );
    expect(fs.code, fs.stderr).toBe(0);
    expect(fs.stdout.trim().split('\n')).toHaveLength(2);
    await tap('[data-volume="sim:STICK"] [data-action="eject"]');
    await page.locator('[data-testid="safe-to-remove"]').first().waitFor();
  });

  it('shows the cached worklist with its age when the worklist server is down', async () => {
    await wlm.stop();
    await nav('worklist');
    await tap('[data-action="refresh"]');
    const age = page.locator('[data-testid="cache-age"]');
    await age.waitFor({ timeout: 30_000 });
    expect(await age.innerText()).toMatch(/前のリスト|前/);
    expect(await page.locator('.row.item').count()).toBe(CHARSET_ENTRIES.length);
    // The service's alarm (code and parameters on the wire, an English message for logs) is shown
    // from the kiosk's Japanese catalog, not as the English message.
    const alarm = page.locator('[data-alarm="WORKLIST_UNREACHABLE"]');
    await alarm.waitFor();
    expect(await alarm.innerText()).toBe('ワークリストサーバが応答しません');
    const wire = (await (await fetch(`${cart.base}/api/state`)).json()) as { alarms: { id: string; code: string; message: string; params: { reason: string } }[] };
    const sent = wire.alarms.find((a) => a.id === 'WORKLIST_UNREACHABLE')!;
    expect(sent.code).toBe('WORKLIST_UNREACHABLE');
    expect(sent.message).toMatch(/^worklist server: /);
    expect(sent.params.reason.length).toBeGreaterThan(0);
    await shoot('day-worklist-down');
    wlm = await startWorklist(wlm.port);
  });

  it('saves every screen in every language at 1280×800 and 1920×1080, CJK text drawn by CJK fonts', async () => {
    for (const size of [
      { width: 1280, height: 800 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(size);
      for (const lang of LANGS) {
        await tap(`[data-lang="${lang}"]`);
        for (const s of SCREENS) {
          await nav(s);
          await page.locator(`[data-screen="${s}"]`).waitFor();
          if (s === 'service') {
            for (const k of '2468') await tap(`[data-key="${k}"]`);
            await tap('[data-key="✓"]');
            await page.locator('[data-action="lock"]').waitFor();
          }
          await shoot(`${lang}-${s}-${size.width}x${size.height}`);
          expect((await cjkProblems()).join("\n"), `${lang} ${s}`).toBe("");
          // Touch targets: every visible button at least 48 px high.
          const small = await page.locator('button:visible').evaluateAll((els) =>
            els.filter((e) => e.getBoundingClientRect().height < 48).map((e) => e.outerHTML.slice(0, 80)),
          );
          expect(small, `${lang} ${s}`).toEqual([]);
          if (s === 'service') await tap('[data-action="lock"]');
        }
      }
    }
    await rm(join(dataDir(), 'sim-media'), { recursive: true, force: true });
  }, 180_000);
});
