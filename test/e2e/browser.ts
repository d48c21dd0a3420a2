/**
 * Browser test harness: a real Clara server (test/support/test-app.ts, on its own database cloned
 * from the template that test/run.ts prepares) listening on a free port and serving web/dist, driven
 * by Debian's Chromium through playwright-core. No browser is downloaded: CHROMIUM_PATH or
 * /usr/bin/chromium. `npm run test:e2e` builds the app first.
 *
 * CLARA_SCREENSHOTS=1 saves screenshots of the main pages into docs/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/test-app.js';

const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');

export interface E2E {
  clara: TestApp;
  baseUrl: string;
  browser: Browser;
  /**
   * A fresh browser context signed in as the admin (unless signIn is false), with error tracking;
   * colorScheme is the system preference the page sees (light unless told).
   */
  page(options?: { signIn?: boolean; colorScheme?: 'light' | 'dark' }): Promise<Page>;
  /** Console errors and uncaught exceptions seen on every page so far. */
  errors: string[];
  close(): Promise<void>;
}

/** `env` configures the server (e.g. Twilio against the local fake in test/support/twilio.ts). */
export async function startE2E(env: Record<string, string> = {}): Promise<E2E> {
  const clara = await createTestApp(env);
  const address = await clara.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    // Root in CI has no user namespaces for Chromium's sandbox; /dev/shm may be tiny in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  return {
    clara,
    baseUrl: address,
    browser,
    errors,
    async page(options = {}) {
      const context = await browser.newContext({
        baseURL: address,
        viewport: { width: 1280, height: 800 },
        locale: 'en-US',
        timezoneId: 'UTC',
        colorScheme: options.colorScheme ?? 'light',
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on('console', (message) => {
        // Failed requests are checked below, with their URL; the console only repeats them.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
      });
      page.on('response', (response) => {
        const url = new URL(response.url());
        // Asking who is signed in, or signing in with a wrong password, is allowed to answer 401.
        const expected = response.status() === 401 && /^\/api\/v1\/auth\/(me|login)$/.test(url.pathname);
        if (response.status() >= 400 && !expected) errors.push(`http ${response.status()}: ${response.request().method()} ${url.pathname}`);
      });
      page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
      if (options.signIn !== false) await signIn(page);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await clara.close();
    },
  };
}

/** Signs in and lands on `next` (the leads list: the dashboard is left to the tests about it). */
export async function signIn(page: Page, email = ADMIN_EMAIL, password = ADMIN_PASSWORD, next = '/leads'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CLARA_SCREENSHOTS !== '1') return;
  await mkdir(SCREENSHOTS, { recursive: true });
  // The picture shows what a person would see once the page has settled: fonts loaded, finite CSS
  // transitions and animations finished (a spinner's endless one is not waited for), and a frame
  // painted after them. State, not a pause.
  await page.evaluate(async () => {
    await document.fonts.ready;
    const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
    await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Errors other than those a test provoked on purpose (pass patterns to allow). */
export function realErrors(errors: string[], ...allowed: RegExp[]): string[] {
  return errors.filter((e) => !allowed.some((pattern) => pattern.test(e)));
}
