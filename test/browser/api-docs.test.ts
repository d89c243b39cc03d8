// The API reference page in a real browser: Swagger UI loads from the hotline alone, under the page's own CSP, and
// shows every operation of the document (Chromium; nothing may be fetched from anywhere else).
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { API_ROUTES } from '../../src/http/api-description';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { launchBrowser, screenshot } from '../support/browser';

describe('browser: the API reference at /api/docs (Chromium)', function () {
  this.timeout(60000);
  let f: Fixture;
  let browser: Browser;

  before(async () => {
    f = await startHotline();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });

  it('renders every operation with no CSP violation, no script error and no request off the server', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(f.base) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${f.base}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30000 });
    // swagger-ui keeps only the operations near the viewport in the page: scroll through it and collect them all.
    const seen = new Set<string>();
    const tags = new Set<string>();
    for (let i = 0; i < 400 && seen.size < API_ROUTES.length; i++) {
      const ids = await page.locator('.opblock').evaluateAll((els) => els.map((e) => e.id));
      for (const id of ids) seen.add(id);
      for (const t of await page.locator('.opblock-tag').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag') ?? ''))) tags.add(t);
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(30);
    }
    const operations = seen.size;
    expect(operations).to.equal(API_ROUTES.length);
    expect(await page.locator('.info .title').textContent()).to.include('Hotline call-center API');
    expect(tags.has('intake'), 'the intake section').to.equal(true);
    await screenshot(page, 'api-docs');
    expect(problems).to.deep.equal([]);
    expect(foreign).to.deep.equal([]);
    await context.close();
  });
});
