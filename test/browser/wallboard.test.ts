// The wallboard in a real browser against the real server in simulator mode: a waiting caller appears and leaves within
// a second, and a dispatcher's action from the wallboard shows on the agent's own screen.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { ensureConsoleBuilt, launchBrowser, screenshot, signInAs } from '../support/browser';
import { api } from '../support/agent-desk';
import { eventually } from '../support/eventually';

const WALL = { width: 1920, height: 1080 };
const LAPTOP = { width: 1366, height: 768 };

describe('browser console: the wallboard (Chromium)', function () {
  this.timeout(60000);
  let f: SimFixture;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    ensureConsoleBuilt();
    // 100 real ms per simulated second: the IVR goes by quickly, a caller can wait over a minute of real time.
    f = await startHotlineWithSimulator({}, { timeScale: 100 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  const open = async (username: string, viewport: { width: number; height: number }, locale = 'zh-CN'): Promise<Page> => {
    const context = await browser.newContext({ viewport, locale });
    contexts.push(context);
    const page = await context.newPage();
    await signInAs(page, f.base, username);
    return page;
  };
  const wallboardOf = async (username: string, viewport: { width: number; height: number }, locale?: string) => {
    const page = await open(username, viewport, locale);
    await page.locator('[data-queue=front-general]').waitFor();
    await page.getByTestId('connection').filter({ hasText: /已连接|Connected/ }).waitFor();
    return page;
  };
  /** Milliseconds from `since` until `selector` is attached (or detached) on the page; fails past a second. */
  const within = async (page: Page, selector: string, state: 'attached' | 'detached', since: number) => {
    await page.waitForSelector(selector, { state, timeout: 1000 });
    return Date.now() - since;
  };

  it('shows a caller waiting in a queue with nobody to answer within a second, their wait ticking, and takes them off within a second when they hang up (1920x1080)', async () => {
    // A one-second service level, so the wait turns late (red) while the caller is still there.
    const rules = f.hotline.acdRepos.queueSettings;
    const general = rules.get('front-general');
    rules.upsert({ ...general, serviceLevelSeconds: 1 });
    try {
      await callerComesAndGoes();
    } finally {
      rules.upsert(general);
    }
  });

  async function callerComesAndGoes() {
    const page = await wallboardOf('dispatcher1', WALL);
    expect(await page.getByTestId('waiting-front-general').textContent()).to.equal('0');
    const call = f.dial('+8613900139001', [{ press: '1' }, { press: '0' }, { wait: 900 }]);
    let queuedAt = 0;
    await eventually(() => {
      expect(f.hotline.repos.queue.forCall(call.sid)?.status).to.equal('waiting');
      queuedAt = Date.now();
    }, 20000);
    const row = `[data-queue=front-general] [data-call=${call.sid}]`;
    const shownAfter = await within(page, row, 'attached', queuedAt);
    expect(await page.getByTestId('waiting-front-general').textContent()).to.equal('1');
    expect(await page.getByTestId('total-waiting').textContent()).to.equal('1');
    const firstWait = await page.locator(`${row} .wait`).textContent();
    expect(firstWait).to.match(/^0:0\d$/);
    await page.waitForFunction((sel) => /^0:0[1-9]$/.test(document.querySelector(sel)?.textContent ?? ''), `${row} .wait`, { timeout: 3000 });
    await page.locator('[data-queue=front-general] dd .late').waitFor(); // the longest wait, past the service level
    await screenshot(page, 'wallboard-caller-waiting-1920');
    // The caller's dialog names the queue and says which way priority goes.
    await page.locator(row).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.locator('h3').textContent()).to.match(/^综合咨询 · P\d+ · …/);
    expect(await dialog.locator('#wb-priority-hint').textContent()).to.include('数字越大越先接听');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    expect(f.hotline.repos.queue.forCall(call.sid)?.status, 'still waiting at the screenshot').to.equal('waiting');
    call.hangup();
    let leftAt = 0;
    await eventually(() => {
      expect(f.hotline.repos.queue.forCall(call.sid)?.status).to.not.equal('waiting');
      leftAt = Date.now();
    }, 10000);
    const goneAfter = await within(page, row, 'detached', leftAt);
    expect(await page.getByTestId('waiting-front-general').textContent()).to.equal('0');
    expect(shownAfter, 'shown within a second').to.be.below(1000);
    expect(goneAfter, 'gone within a second').to.be.below(1000);
    // Nobody waits: the longest wait is "—", no longer red.
    expect(await page.locator('[data-queue=front-general] dd .late').count()).to.equal(0);
    await screenshot(page, 'wallboard-caller-left-1920');
  }

  it('a dispatcher ends an agent’s break and moves them to another desk from the wallboard; the agent’s own screen follows, a wrong input shows the server’s message (1366x768)', async () => {
    const agentPage = await open('agent3', LAPTOP);
    await agentPage.getByTestId('agent-state').waitFor();
    const token = await agentPage.evaluate(() => (JSON.parse(sessionStorage.getItem('hotline.session')!) as { token: string }).token);
    const agentId = (f.hotline.db.$client.prepare("SELECT id FROM staff WHERE username = 'agent3'").get() as { id: number }).id;
    expect((await api(f, 'PUT', '/api/agents/me/state', token, { state: 'available' })).status).to.equal(200);
    expect((await api(f, 'PUT', '/api/agents/me/state', token, { state: 'break', reason: 'rest' })).status).to.equal(200);
    await agentPage.waitForFunction(() => document.querySelector('[data-testid=agent-state]')?.getAttribute('data-state') === 'break');

    const board = await wallboardOf('dispatcher1', LAPTOP, 'en-US');
    const tile = (desk: string) => board.locator(`[data-desk=${desk}] [data-agent="${agentId}"]`);
    await tile('front').waitFor();
    expect(await tile('front').locator('.state').textContent()).to.equal('Break · Rest'); // the reason, in the board's language

    // End the break: keyboard only, from the agent's tile to the dialog's button.
    await tile('front').locator('button').focus();
    await board.keyboard.press('Enter');
    const dialog = board.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel('End break').check();
    await dialog.getByLabel('Reason (audited)').fill('queue is building up');
    await screenshot(board, 'wallboard-end-break-dialog-1366');
    await board.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await agentPage.waitForFunction(() => document.querySelector('[data-testid=agent-state]')?.getAttribute('data-state') === 'available', undefined, { timeout: 2000 });
    await board.waitForFunction((id) => document.querySelector(`[data-desk=front] [data-agent="${id}"] .state`)?.textContent?.includes('Available'), agentId, { timeout: 2000 });
    expect(f.hotline.presence.get(agentId).state).to.equal('available');

    // A reason too short: the server's message in the dialog, nothing moved.
    await tile('front').locator('button').click();
    await dialog.waitFor();
    await dialog.getByLabel('Move to').selectOption('middle');
    await dialog.getByLabel('Reason (audited)').evaluate((el: HTMLInputElement) => el.removeAttribute('minlength'));
    await dialog.getByLabel('Reason (audited)').fill('x');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').textContent()).to.contain('reason');
    await dialog.getByLabel('Reason (audited)').fill('middle office is short today');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await dialog.waitFor({ state: 'detached' });
    await tile('middle').waitFor({ timeout: 2000 });
    expect(await tile('front').count()).to.equal(0);
    const desks = f.hotline.db.$client.prepare('SELECT desk FROM agent_desks WHERE staff_id = ?').all(agentId) as { desk: string }[];
    expect(desks.map((d) => d.desk)).to.deep.equal(['middle']);
    await board.locator('.wb-actions li').filter({ hasText: 'middle office is short today' }).waitFor();
    await screenshot(board, 'wallboard-after-move-1366');
    await screenshot(agentPage, 'agent-after-dispatcher-1366');
  });

  it('an alert reads in the board’s language, and the laptop board with an alert band still fits 1366x768', async () => {
    const context = await browser.newContext({ viewport: LAPTOP, locale: 'zh-CN' });
    contexts.push(context);
    // A long wait in the general queue, as issue 9's floor snapshot carries it (the server's sentence is English).
    await context.route('**/api/floor', async (route) => {
      const response = await route.fetch();
      const floor = (await response.json()) as { alerts?: unknown[] };
      const alert = { id: 9001, kind: 'longest_wait', subject: 'front-general', agentId: null, teamId: null, raisedValue: 125, raiseAt: 60, clearAt: 45, message: 'front-general: longest wait 125 s (over 60 s)', raisedAt: new Date().toISOString() };
      await route.fulfill({ response, json: { ...floor, alerts: [...(floor.alerts ?? []), alert] } });
    });
    const page = await context.newPage();
    await signInAs(page, f.base, 'dispatcher1');
    const alerts = page.getByTestId('alerts');
    await alerts.getByText('综合咨询：最长等待 2:05（超过 1:00）').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).to.be.at.most(LAPTOP.height);
    await screenshot(page, 'wallboard-alert-1366');
    await page.getByRole('button', { name: 'language' }).click();
    await alerts.getByText('General enquiries: longest wait 2:05 (over 1:00)').waitFor();
  });

  it('a team lead watches but the wallboard does not let them act; the board follows the language switch', async () => {
    const page = await wallboardOf('lead1', WALL, 'en-US');
    await page.getByText('Waiting').first().waitFor();
    // Queues by their names, not the flows' ids.
    expect(await page.getByTestId('queue-name-front-general').textContent()).to.equal('General enquiries');
    expect(await page.getByTestId('queue-name-front-vip').textContent()).to.equal('VIP line');
    const agentId = (f.hotline.db.$client.prepare("SELECT id FROM staff WHERE username = 'agent3'").get() as { id: number }).id;
    await page.locator(`[data-desk=middle] [data-agent="${agentId}"] button`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('button').allTextContents()).to.deep.equal(['Cancel']);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'language' }).click();
    await page.getByText('排队').first().waitFor();
    expect(await page.getByTestId('queue-name-front-general').textContent()).to.equal('综合咨询');
    expect(await page.getByTestId('queue-name-front-complaints').textContent()).to.equal('投诉');
    await screenshot(page, 'wallboard-team-lead-zh-1920');
  });
});
