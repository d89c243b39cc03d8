// The console in a real browser: sign-in, the screens of each role, the language switch, the live connection.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { ensureConsoleBuilt, launchBrowser, screenshot, signInAs } from '../support/browser';

describe('browser console: sign-in and the screens of each role (Chromium)', function () {
  this.timeout(60000);
  let f: SimFixture;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    ensureConsoleBuilt();
    f = await startHotlineWithSimulator();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  it('a wrong password says so in the console’s language and signs nobody in (the page and its assets came compressed, cached as they should be)', async () => {
    const responses: Response[] = [];
    page.on('response', (r) => void responses.push(r));
    await signInAs(page, f.base, 'agent1', 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).to.equal('用户名或密码错误。'); // in the console's language, not the API's English
    await screenshot(page, 'sign-in-wrong-password');
    expect(await page.locator('input[name=password]').count()).to.equal(1);
    // Chromium takes brotli: the build's .br copies are sent, hashed assets for a year, the page revalidated.
    const page0 = responses.find((r) => new URL(r.url()).pathname === '/')!;
    expect(await page0.headerValue('content-encoding')).to.equal('br');
    expect(await page0.headerValue('cache-control')).to.equal('no-cache');
    const scripts = responses.filter((r) => /\/assets\/index-[\w-]+\.(js|css)$/.test(new URL(r.url()).pathname));
    expect(scripts.map((r) => new URL(r.url()).pathname.split('.').pop()).sort()).to.deep.equal(['css', 'js']);
    for (const r of scripts) {
      expect(await r.headerValue('content-encoding'), r.url()).to.equal('br');
      expect(await r.headerValue('cache-control')).to.equal('public, max-age=31536000, immutable');
      const { responseBodySize } = await r.request().sizes();
      expect(responseBodySize, 'bytes on the wire').to.be.lessThan((await r.body()).length / 2);
    }
  });

  it('an agent signs in to their desktop, is online, goes available; the wallboard is not theirs; the language switches', async () => {
    await signInAs(page, f.base, 'agent1');
    await page.getByTestId('agent-state').waitFor();
    await page.getByTestId('connection').filter({ hasText: '已连接' }).waitFor();
    await page.getByRole('button', { name: /就绪/ }).click();
    await page.locator('[data-testid=agent-state][data-state=available]').waitFor();
    expect(await page.getByTestId('agent-state').textContent()).to.equal('就绪');
    const agent1 = f.hotline.db.$client.prepare("SELECT id FROM staff WHERE username = 'agent1'").get() as { id: number };
    expect(f.hotline.presence.get(agent1.id).state).to.equal('available');
    await screenshot(page, 'agent-desk-available');
    await page.goto(`${f.base}/#/wallboard`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).to.contain('您的角色不能打开此页面');
    await page.getByRole('button', { name: 'language' }).click();
    await page.getByText('Your role cannot open this page.').waitFor();
    await screenshot(page, 'agent-no-wallboard-en');
    // Signing out while available goes offline first: no call is offered to someone who left.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name=username]').waitFor();
    expect(f.hotline.presence.get(agent1.id).state).to.equal('offline');
  });

  it('a dispatcher sees the wallboard with the demo queues', async () => {
    await signInAs(page, f.base, 'dispatcher1');
    await page.locator('[data-queue=front-general]').waitFor();
    await screenshot(page, 'wallboard');
  });
});
