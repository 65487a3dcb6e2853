/**
 * Debian's Chromium driven by playwright-core (pinned exactly in package.json, so a Chromium
 * update that breaks the DevTools protocol fails the launch smoke test loudly instead of
 * flaking the kiosk tests). Flags as this machine needs them: no sandbox as root, no GPU, and
 * no background networking, which a closed network refuses many times a second.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface KioskBrowser {
  readonly browser: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<KioskBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'sonicart-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser: context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser };
