import { mkdtempSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';

/**
 * Real headless Chromium (Debian's `chromium`, never a downloaded one) for checking what people
 * see: the outcomes chart, the return's HTML page. `.ci/run` installs it when missing.
 *
 *   const browser = await startBrowser();
 *   const page = await browser.open(`${await listen(h.app)}/v1/outcomes/chart.svg`, as(...));
 *   await browser.screenshot(page, 'chart');   // → PNG under browser.dir
 *   const boxes = await boxesOf(page, 'rect.bar');
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserSession {
  browser: Browser;
  /** Where screenshots go (a fresh temporary directory). */
  dir: string;
  /** Loads `url` in a new page sending `headers` (e.g. `as(...)`) with every request. */
  open(url: string, headers?: Record<string, string>): Promise<Page>;
  /** A full-page PNG, written under `dir`; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespaces for the sandbox; /dev/shm may be tiny.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'outcomes-browser-'));
  const contexts: BrowserContext[] = [];
  return {
    browser,
    dir,
    async open(url, headers = {}) {
      const context = await browser.newContext({ extraHTTPHeaders: headers });
      contexts.push(context);
      const page = await context.newPage();
      const response = await page.goto(url, { waitUntil: 'load' });
      if (!response?.ok()) throw new Error(`GET ${url}: ${response?.status()}`);
      return page;
    },
    async screenshot(page, name) {
      const path = join(dir, `${name}.png`);
      // A full-page shot of a bare SVG document never settles in Chromium 156 (Playwright waits
      // forever), so an SVG document is shot as its root element; HTML pages in full.
      const root = page.locator(':root');
      if ((await root.evaluate((e) => e.tagName)) === 'svg') await root.screenshot({ path });
      else await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
    },
  };
}

/** Makes a harness's app reachable by a browser: listens on a free local port, returns the base URL. */
export async function listen(app: INestApplication): Promise<string> {
  const server = app.getHttpServer() as { listening: boolean; address(): AddressInfo | null };
  if (!server.listening) await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${server.address()!.port}`;
}

export interface RenderedBox {
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
  /** Computed font size in CSS pixels (0 for non-text elements). */
  fontSize: number;
  attributes: Record<string, string>;
}

/** Rendered boxes (as laid out by Chromium), text and attributes of every match of `selector`. */
export function boxesOf(page: Page, selector: string): Promise<RenderedBox[]> {
  return page.$$eval(selector, (elements) =>
    elements.map((e) => {
      const r = e.getBoundingClientRect();
      const svg = e.namespaceURI === 'http://www.w3.org/2000/svg';
      const isText = !svg || e.tagName === 'text' || e.tagName === 'tspan';
      return {
        x: r.x,
        y: r.y,
        width: r.width,
        height: r.height,
        text: e.textContent ?? '',
        fontSize: isText
          ? parseFloat(e.ownerDocument.defaultView!.getComputedStyle(e).fontSize)
          : 0,
        attributes: Object.fromEntries(
          e.getAttributeNames().map((n: string) => [n, e.getAttribute(n) ?? '']),
        ),
      };
    }),
  );
}

/** Whether two rendered boxes overlap (text that collides cannot be read). */
export const overlap = (a: RenderedBox, b: RenderedBox): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
