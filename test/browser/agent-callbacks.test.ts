// An agent works their callback list in a real browser against the server in simulator mode, with the dialer and its
// worker (bull on real Redis): Call (preview dialing rings the agent's simulated softphone first, then the customer in
// the simulator), talk, hang up, and record the outcome (reached, retry at a time, wrong number); the list follows.
import { expect } from 'chai';
import Redis from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callbackSettings } from '../../src/db/schema/index';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { startWorker } from '../support/outbound-fixture';
import { ensureConsoleBuilt, launchBrowser, screenshot } from '../support/browser';
import { eventually } from '../support/eventually';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LI_NA = '+8613911112222'; // 李娜, a returning customer
const ZHANG_WEI = '+8613700001111'; // 张伟
const STRANGER = '+8613812340001'; // nobody we know

describe('browser console: an agent calls back from their list (preview dialing, simulated softphone and customer)', function () {
  this.timeout(120000);
  const prefix = `hotline-test-browser-cb-${process.pid}-${Date.now().toString(36)}`;
  let f: SimFixture;
  let worker: ReturnType<typeof startWorker>;
  let redis: Redis;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agent5: number;

  before(async () => {
    ensureConsoleBuilt();
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    expect(await redis.ping()).to.equal('PONG');
    // 300 real ms per simulated second: the agent's ring (15 simulated seconds) lasts 4.5 real seconds, time enough for
    // a person, or a test on a busy machine, to answer it.
    f = await startHotlineWithSimulator({}, { timeScale: 300, acdTickMs: 20, dialer: true });
    worker = startWorker(f, { prefix });
    // Preview mode: the agent decides when to call (progressive items would be offered by themselves).
    f.hotline.db.update(callbackSettings).set({ mode: 'preview' }).run();
    f.hotline.repos.callbacks.reloadSettings();
    agent5 = (f.hotline.db.$client.prepare("SELECT id FROM staff WHERE username = 'agent5'").get() as { id: number }).id;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await worker?.stop();
    await f?.close();
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `${prefix}:*`, count: 500 })) keys.push(...(batch as string[]));
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
  });

  const customerId = (phone: string) => (f.hotline.db.$client.prepare('SELECT customer_id AS id FROM customer_phones WHERE phone = ?').get(phone) as { id: number } | undefined)?.id ?? null;
  const addCallback = (phone: string, reason: string, o: { owner?: number | null; question?: string } = {}) =>
    f.hotline.repos.callbacks.add({
      phone,
      customerId: customerId(phone),
      source: 'need_info',
      desk: 'middle',
      reason,
      question: o.question ?? null,
      ownerId: o.owner === undefined ? agent5 : o.owner,
      timeZone: 'Asia/Shanghai',
      requestedAt: f.clock.now(),
    })!;
  const item = (id: number) => f.hotline.repos.callbacks.get(id)!;
  const attempts = (id: number) => f.hotline.attempts.forCallback(id);
  const row = (id: number) => page.locator(`[data-callback="${id}"]`);
  const waitState = (s: string) => page.locator(`[data-testid=agent-state][data-state=${s}]`).waitFor();
  const waitPhone = (s: string) => page.locator(`[data-testid=phone-status][data-status=${s}]`).waitFor();
  /** The customer's leg of the callback, talking in the simulator. */
  const customerTalking = (phone: string) =>
    eventually(() => {
      const c = f.sim.calls().find((x) => x.to === phone && x.status === 'in-progress');
      expect(c, `the simulator has ${phone} on the line`).to.not.equal(undefined);
      return c!;
    }, 20000);

  /** The text of the focused element (a button's label). */
  const focused = () => page.evaluate(() => (document.activeElement?.textContent ?? '').trim());
  const FINAL = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];
  const liveCallsTo = (phone: string) => f.sim.calls().filter((c) => c.to === phone && !FINAL.includes(c.status));

  /** Call on a row (pressed by `call`): the agent's softphone rings first (the customer is not dialed yet), the agent answers, the customer is dialed and joins. */
  async function callAndConnect(id: number, phone: string, call: () => Promise<void>, answer: () => Promise<void>) {
    await call();
    await waitPhone('ringing');
    expect(await page.getByTestId('screen-pop').textContent()).to.include(phone);
    expect(attempts(id).at(-1)).to.include({ state: 'offered', agentId: agent5 });
    expect(liveCallsTo(phone), 'the customer is dialed only once the agent answered').to.deep.equal([]);
    expect(await row(id).textContent()).to.include('正在拨打');
    await answer();
    await waitState('on_call');
    await customerTalking(phone);
    // The customer joined the agent's conference: the desk has the call, and the item waits for the agent's word.
    await row(id).getByTestId('callback-outcome').waitFor();
    await page.locator('.ad-wrapup').waitFor();
    // Until the customer joined, the softphone said it was dialing them; now it is a call.
    await page.getByTestId('phone-status').filter({ hasText: /^通话中$/ }).waitFor();
  }

  it('calls three customers back: reached (keyboard), retry at a chosen time with a note, wrong number; the list follows', async () => {
    const reach = addCallback(LI_NA, '订单需补充发票抬头', { question: '发票抬头是什么？' });
    const retry = addCallback(ZHANG_WEI, '退货地址确认', { owner: null }); // the middle desk's pool
    const wrong = addCallback(STRANGER, 'queue:front-general'); // pressed 1 while waiting in the general queue
    f.sim.scriptNumber(LI_NA, { outcomes: ['human'], talkSeconds: 600 });
    f.sim.scriptNumber(ZHANG_WEI, { outcomes: ['human'], talkSeconds: 15 });
    f.sim.scriptNumber(STRANGER, { outcomes: ['human'], talkSeconds: 600 });

    await page.goto(`${f.base}/`);
    await page.locator('input[name=username]:focus').waitFor();
    await page.keyboard.type('agent5');
    await page.keyboard.press('Tab');
    await page.keyboard.type('hotline-demo');
    await page.keyboard.press('Enter');
    await waitPhone('idle');
    await row(reach).waitFor();
    expect(await row(reach).textContent()).to.include('李娜').and.include('发票抬头是什么？').and.include('到期 11/23 11:00'); // due now, in Shanghai
    expect(await row(retry).textContent()).to.include('张伟');
    expect(await row(wrong).textContent()).to.include(STRANGER);
    // The stored reason code reads as what happened, the queue by its name (not "queue:front-general").
    expect(await row(wrong).getByTestId('callback-reason').textContent()).to.equal('排队时请求回电 · 综合咨询');
    // Offline agents cannot place a call: the button says so and waits.
    expect(await row(reach).getByRole('button', { name: '拨打' }).isDisabled()).to.equal(true);
    await screenshot(page, 'agent-callbacks-list-1366');

    // 1. Keyboard only: Alt+R, Enter on the row's Call; the focus follows the call: Enter answers the ring, Enter
    // hangs up, the disposition is next; Alt+C goes to the outcome, Tab to "reached", Enter.
    await page.keyboard.press('Alt+R');
    await waitState('available');
    const call = row(reach).getByRole('button', { name: '拨打' });
    await eventually(async () => expect(await call.isEnabled()).to.equal(true));
    await callAndConnect(
      reach,
      LI_NA,
      async () => {
        await call.focus();
        await page.keyboard.press('Enter');
      },
      async () => {
        await eventually(async () => expect(await focused()).to.match(/^接听/));
        await page.keyboard.press('Enter');
      },
    );
    expect(attempts(reach).at(-1)).to.include({ state: 'placed', agentId: agent5 });
    expect(f.hotline.presence.get(agent5).state).to.equal('on_call');
    // The desk shows whom the agent is calling back and what to ask.
    expect(await page.getByTestId('pop-name').textContent()).to.equal('李娜');
    expect(await page.getByTestId('screen-pop').textContent()).to.include('需询问: 发票抬头是什么？');
    await screenshot(page, 'agent-callbacks-talking-1366');
    await eventually(async () => expect(await focused()).to.match(/^挂断/));
    await page.keyboard.press('Enter');
    await waitState('wrap_up');
    await eventually(async () => expect(await page.evaluate(() => document.activeElement?.id)).to.equal('ad-disposition'));
    await eventually(() => expect(attempts(reach).at(-1)).to.include({ state: 'ended', result: 'answered' }), 20000);
    await page.keyboard.press('Alt+C');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).to.equal('note');
    await page.keyboard.type('抬头：上海某某公司');
    // The busiest the desk gets at 1366×768 (wrap-up, the callback's pop, three rows, one asking for its outcome): no
    // scrolling, the outcome's buttons are on screen.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).to.be.at.most(768);
    await screenshot(page, 'agent-callbacks-outcome-three-1366');
    // English labels are longer: still no taller (then back to Chinese, the note kept).
    await page.getByRole('button', { name: 'language' }).click();
    await row(reach).getByText('Record the outcome').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).to.be.at.most(768);
    await screenshot(page, 'agent-callbacks-outcome-three-en-1366');
    // The left column holds its own: nothing in it (the disposition's long English labels, the phone's buttons) reaches
    // under the right one.
    const [left, right] = await Promise.all(['.ad-left', '.ad-right'].map((sel) => page.locator(sel).evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect)));
    expect(left.right).to.be.at.most(right.left);
    const overflowing = await page.locator('.ad-left').evaluate((col) => [...col.querySelectorAll('button, select, input')].filter((el) => el.getBoundingClientRect().right > col.getBoundingClientRect().right + 1 && el.getClientRects().length > 0).map((el) => el.textContent || el.tagName));
    expect(overflowing).to.deep.equal([]);
    await page.getByRole('button', { name: 'language' }).click();
    await row(reach).getByRole('textbox', { name: '备注' }).focus();
    // The retry time's fields come first (Chromium tabs through a date-time field's parts), then the buttons.
    for (let i = 0; i < 12 && (await focused()) !== '已联系'; i++) await page.keyboard.press('Tab');
    expect(await focused()).to.equal('已联系');
    await page.keyboard.press('Enter');
    await row(reach).waitFor({ state: 'detached' });
    expect(item(reach)).to.include({ status: 'done', outcome: 'reached', attempts: 1 });
    expect(attempts(reach).at(-1)!.note).to.equal('抬头：上海某某公司');

    // 2. The pool's item: the customer hangs up by themselves; "call again tomorrow at 10:00" with a note.
    await page.keyboard.press('Alt+R');
    await waitState('available');
    await callAndConnect(retry, ZHANG_WEI, () => row(retry).getByRole('button', { name: '拨打' }).click(), () => page.getByRole('button', { name: /接听/ }).click());
    await waitState('wrap_up'); // the customer hung up after 15 simulated seconds
    await eventually(() => expect(attempts(retry).at(-1)).to.include({ state: 'ended', result: 'answered' }), 20000);
    await screenshot(page, 'agent-callbacks-outcome-1366');
    const tomorrow = '2026-11-24T10:00';
    await row(retry).getByLabel('再拨时间（可选）').fill(tomorrow);
    await row(retry).getByLabel('备注').fill('客户在开会，明早再打');
    await row(retry).getByRole('button', { name: '稍后再拨' }).click();
    await page.locator(`[data-callback="${retry}"][data-status=open]`).waitFor();
    const dueAt = '2026-11-24T02:00:00.000Z'; // 10:00 in Shanghai, the browser's time zone
    expect(item(retry)).to.include({ status: 'open', attempts: 1 });
    expect(item(retry).dueAt.toISOString()).to.equal(dueAt);
    expect(attempts(retry).at(-1)!.note).to.equal('客户在开会，明早再打');
    expect(await row(retry).getByTestId('callback-attempts').textContent()).to.equal('已拨 1 · 已接通');
    expect(await row(retry).textContent()).to.include('到期 11/24 10:00');
    expect(await row(retry).getByRole('button', { name: '拨打' }).count()).to.equal(1);

    // 3. A wrong number: closed for good, off the list.
    await page.keyboard.press('Alt+R');
    await waitState('available');
    await callAndConnect(wrong, STRANGER, () => row(wrong).getByRole('button', { name: '拨打' }).click(), () => page.getByRole('button', { name: /接听/ }).click());
    await row(wrong).getByRole('button', { name: '号码错误' }).click(); // during the call: the server takes it
    await row(wrong).waitFor({ state: 'detached' });
    expect(item(wrong)).to.include({ status: 'failed', outcome: 'wrong_number' });
    await page.keyboard.press('Alt+H');
    await waitState('wrap_up');
    expect(await page.getByTestId('callback-error').count()).to.equal(0);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'agent-callbacks-after-1920');
    // In English too: the attempts and their result.
    await page.getByRole('button', { name: 'language' }).click();
    await row(retry).getByText('Attempts 1 · answered').waitFor();
    expect(await row(retry).getByTestId('callback-reason').textContent()).to.equal('退货地址确认'); // free text stays as written
    expect(await page.getByTestId('callback-list').textContent()).to.include('My callbacks').and.include('Due 24/11, 10:00');
    await screenshot(page, 'agent-callbacks-en-1920');
  });
});
