import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, type Manager } from './kiln.js';

/** Debian's Chromium, driven headless through playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Folder of screenshots and other artefacts kept for review (git-ignored). */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test/artifacts');
/** The built web UI the manager serves. */
export const WEB_DIST = join(REPO_ROOT, 'packages/web/dist');

/** Flags that keep headless Chromium off the network and away from the user's profile. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A Chromium with a fresh profile in a temp directory; `close` stops it and removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Checks that packages/web/dist exists.
 * @throws Error telling how to build it.
 */
export async function assertWebBuilt(): Promise<void> {
  try {
    await access(join(WEB_DIST, 'index.html'));
  } catch {
    throw new Error(`the web UI is not built: ${WEB_DIST}/index.html is missing; run \`npm run build -w @kiln/web\``);
  }
}

/** Starts headless Chromium with a fresh --user-data-dir. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'kiln-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 720 },
  });
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport !== undefined) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Base URL of the manager's web UI. */
export function webUrl(manager: Manager): string {
  return `http://${manager.http}`;
}

/** Opens the UI at `path` and signs in with the manager's API token on the login screen. */
export async function signIn(page: Page, manager: Manager, path = '/'): Promise<void> {
  await page.goto(`${webUrl(manager)}${path}`);
  await page.getByLabel('API token').fill(manager.apiToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.login').waitFor({ state: 'detached' });
}

/** Saves a full-page screenshot under test/artifacts and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
