// The agent desktop in a real browser against the server in simulator mode: sign in, go available, a VIP caller's pop
// (王芳) before the answer, answer (by click and by keyboard), hang up, disposition, available again; keyboard-only.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { ensureConsoleBuilt, launchBrowser, screenshot } from '../support/browser';
import { eventually } from '../support/eventually';
import { insertHeldOrder } from '../support/office-records';
import { OPEN_HOURS } from '../support/hotline-fixture';

const VIP = '+8613800138000'; // 王芳

describe('browser console: the agent desktop takes a VIP call end to end (Chromium, simulated softphone)', function () {
  this.timeout(60000);
  let f: SimFixture;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agentId: number;
  let consoleErrors: string[];

  before(async () => {
    ensureConsoleBuilt();
    // 150 real ms per simulated second: the IVR takes a few real seconds and an offer rings 2.25 s (15 simulated s).
    f = await startHotlineWithSimulator({}, { timeScale: 150, acdTickMs: 20 });
    browser = await launchBrowser();
    agentId = (f.hotline.db.$client.prepare("SELECT id FROM staff WHERE username = 'agent1'").get() as { id: number }).id;
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    page = await context.newPage();
    consoleErrors = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });
  afterEach(async () => context.close());

  const state = () => page.getByTestId('agent-state').getAttribute('data-state');
  const waitState = (s: string) => page.locator(`[data-testid=agent-state][data-state=${s}]`).waitFor();
  const waitPhone = (s: string) => page.locator(`[data-testid=phone-status][data-status=${s}]`).waitFor();
  const interactions = (sid: string) => f.hotline.acdRepos.interactions.forCall(sid);

  /** Signs in with the keyboard only (the username field has the focus). */
  async function signInByKeyboard(): Promise<void> {
    await page.goto(`${f.base}/`);
    // The form takes the focus once the page has run: type only then (a cold first load may take a moment).
    await page.locator('input[name=username]:focus').waitFor();
    await page.keyboard.type('agent1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('hotline-demo');
    await page.keyboard.press('Enter');
    await waitPhone('idle'); // the simulated softphone is registered
    await page.getByTestId('connection').filter({ hasText: '已连接' }).waitFor();
  }

  /** A VIP caller who asks for an agent: the pop shows 王芳 while it rings, before anyone answered. */
  async function vipRings() {
    const call = f.dial(VIP, [{ press: '1' }, { press: '0' }, { wait: 600 }]);
    await page.getByTestId('pop-name').filter({ hasText: '王芳' }).waitFor({ timeout: 15000 });
    await waitPhone('ringing');
    expect(interactions(call.sid).map((i) => i.status)).to.deep.equal(['offered']);
    expect(interactions(call.sid)[0].answeredAt).to.equal(null);
    expect(f.hotline.presence.get(agentId).state).to.equal('reserved');
    expect(await page.getByTestId('screen-pop').textContent()).to.include('VIP');
    // The queue by its name and what the caller pressed in the IVR, in the console's language.
    expect(await page.getByTestId('pop-queue').textContent()).to.equal('VIP 专线');
    expect(await page.getByTestId('pop-ivr').textContent()).to.include('按键 1').and.not.include('pressed');
    return call;
  }

  it('click answer, next state queued during the call, hang up by keyboard, disposition, available again; refusals show the server’s reason', async () => {
    await signInByKeyboard();
    // A front and middle desk agent's desk loads without a refused request (no RMA list asked for) or a missing file.
    await page.getByTestId('review-lists').waitFor();
    expect(consoleErrors).to.deep.equal([]);
    await page.keyboard.press('Alt+R');
    await waitState('available');
    expect(f.hotline.presence.get(agentId).state).to.equal('available');
    // Available again is not a legal change: the server's reason shows, in the agent's language.
    await page.keyboard.press('Alt+R');
    expect(await page.getByTestId('desk-error').textContent()).to.equal('您已经是「就绪」状态。'); // the server's "cannot go from available to available", in the console's words

    const call = await vipRings();
    await screenshot(page, 'agent-desk-offer-1366');
    await page.getByRole('button', { name: /接听/ }).click();
    await waitPhone('connected');
    await waitState('on_call');
    // The clicked Answer is disabled now: the focus moved on to Hang up (Enter would hang up).
    await eventually(async () => expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).to.match(/^挂断/));
    expect(interactions(call.sid).map((i) => i.status)).to.deep.equal(['connected']);

    // Hold and recording pause go through the server: the flags show once it agreed.
    await page.keyboard.press('Alt+O');
    await page.locator('.ad-flag', { hasText: '客户保持中' }).waitFor();
    await page.keyboard.press('Alt+P');
    await page.locator('.ad-flag', { hasText: '录音已暂停' }).waitFor();
    await page.keyboard.press('Alt+O');
    await page.getByRole('button', { name: /^保持/ }).waitFor();
    await page.keyboard.press('Alt+P');
    await page.getByRole('button', { name: /^暂停录音/ }).waitFor();
    expect(await page.getByTestId('desk-error').count()).to.equal(0);

    // A break asked for during the call waits as the next state.
    await page.keyboard.press('Alt+B');
    await page.getByTestId('next-state').filter({ hasText: '小休' }).waitFor();
    expect(f.hotline.presence.get(agentId)).to.include({ state: 'on_call', nextState: 'break', nextReason: 'rest' });
    await screenshot(page, 'agent-desk-on-call-1366');

    await page.keyboard.press('Alt+H');
    await waitState('wrap_up');
    await page.getByTestId('wrap-up-left').waitFor();
    // The call is over and the focused Hang up disabled: the disposition has the focus.
    await eventually(async () => expect(await page.evaluate(() => document.activeElement?.id)).to.equal('ad-disposition'));
    // Alt+E extends the wrap-up by 30 s on the server.
    const until = Date.parse(f.hotline.presence.get(agentId).wrapUpUntil!.toISOString());
    await page.keyboard.press('Alt+E');
    await eventually(() => expect(f.hotline.presence.get(agentId).wrapUpUntil!.getTime() - until).to.equal(30_000));
    await page.keyboard.press('Alt+D');
    await page.keyboard.press('ArrowDown'); // the first code: resolved
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId('disposition-saved').waitFor();
    const [ix] = interactions(call.sid);
    expect(ix.status).to.equal('ended');
    expect(ix.disposition).to.equal('resolved');
    await screenshot(page, 'agent-desk-wrap-up-1366');

    await page.keyboard.press('Alt+R');
    await waitState('available');
    expect(f.hotline.presence.get(agentId)).to.include({ state: 'available', nextState: null });
    expect(await page.getByTestId('pop-name').count()).to.equal(0); // the desk is free for the next caller
  });

  it('says when it is offline and reconnects by itself', async () => {
    let down = false;
    const open: { close(): Promise<void> }[] = [];
    await page.routeWebSocket('**/ws', (ws) => {
      if (down) return void ws.close({ code: 1011, reason: 'test: server away' });
      ws.connectToServer();
      open.push(ws);
    });
    await signInByKeyboard();
    down = true;
    await Promise.all(open.map((ws) => ws.close()));
    await page.getByTestId('desk-offline').waitFor();
    expect(await page.getByTestId('connection').textContent()).to.equal('连接中断，正在重连…');
    await screenshot(page, 'agent-desk-offline-1366');
    down = false;
    await page.getByTestId('connection').filter({ hasText: '已连接' }).waitFor({ timeout: 15000 });
    expect(await page.getByTestId('desk-offline').count()).to.equal(0);
    // In English too.
    await page.getByRole('button', { name: 'language' }).click();
    await page.getByRole('button', { name: /^Available/ }).waitFor();
    expect(await page.getByTestId('phone-mode').textContent()).to.equal('Simulated softphone');
    await screenshot(page, 'agent-desk-en-1366');
  });

  it('keyboard only: Alt+A answers, Alt+M mutes, a reload keeps the call, Alt+H hangs up, a disposition, Alt+R available (at 1920x1080 too)', async () => {
    await signInByKeyboard();
    await page.keyboard.press('Alt+R');
    await waitState('available');
    const call = await vipRings();
    await page.keyboard.press('Alt+A');
    await waitPhone('connected');
    await waitState('on_call');
    await page.keyboard.press('Alt+M');
    await page.getByRole('button', { name: /取消静音/ }).waitFor();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'agent-desk-on-call-1920');
    await page.setViewportSize({ width: 1366, height: 768 });
    // A reload during the call: the server sends the pop again and the softphone still has the call to hang up.
    await page.reload();
    await page.getByTestId('pop-name').filter({ hasText: '王芳' }).waitFor();
    await waitPhone('connected');
    await page.keyboard.press('Alt+H');
    await waitState('wrap_up');
    await page.keyboard.press('Alt+D');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown'); // work_order_opened
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId('disposition-saved').waitFor();
    expect(interactions(call.sid)[0].disposition).to.equal('work_order_opened');
    // The work order opened from the call, still in wrap-up: tied to the call and the caller's order.
    await page.getByText('新建工单').click();
    await page.locator('textarea[name=description]').fill('客户询问订单发货时间，需仓库确认');
    await page.locator('.ad-workorder button[type=submit]').click();
    const created = await page.getByTestId('work-order-created').textContent();
    const number = created!.split(': ')[1];
    const wo = f.hotline.db.$client.prepare('SELECT category, status, call_sid AS callSid, order_number AS orderNumber FROM work_orders WHERE number = ?').get(number) as Record<string, string>;
    expect(wo).to.deep.equal({ category: 'inquiry', status: 'open', callSid: call.sid, orderNumber: 'YT202611200001' });
    await screenshot(page, 'agent-desk-work-order-1366');
    await page.keyboard.press('Alt+R');
    await waitState('available');
    expect(await state()).to.equal('available');
    expect(f.hotline.presence.get(agentId).state).to.equal('available');
  });

  it('a middle-office agent claims a held order and asks the customer for what is missing; a refusal shows the server’s reason; a dispatcher’s move shows at once', async () => {
    insertHeldOrder(f.hotline.db, { number: 'YT-BROWSER-0001', heldAt: new Date(OPEN_HOURS), reasons: [{ rule: 'missing_info', detail: 'no invoice title' }] });
    await page.goto(`${f.base}/`);
    await page.fill('input[name=username]', 'agent5');
    await page.fill('input[name=password]', 'hotline-demo');
    await page.keyboard.press('Enter');
    const row = page.locator('[data-order=YT-BROWSER-0001]');
    await row.waitFor();
    expect(await row.textContent()).to.include('no invoice title');
    await row.getByRole('button', { name: '领取' }).click();
    await row.getByRole('button', { name: '释放' }).waitFor();
    // The checklist is not done: the server refuses the approval and says why.
    await row.getByRole('button', { name: '通过' }).click();
    await page.getByTestId('review-lists').getByRole('alert').waitFor();
    await page.getByLabel('问题 / 原因 / 备注').fill('请提供发票抬头');
    await row.getByRole('button', { name: '需补充信息' }).click();
    await eventually(() => {
      const q = f.hotline.db.$client.prepare("SELECT c.question FROM callback_requests c JOIN orders o ON o.id = c.order_id WHERE o.number = 'YT-BROWSER-0001'").get() as { question: string } | undefined;
      expect(q?.question).to.equal('请提供发票抬头');
    });
    await row.getByText('已向客户询问: 请提供发票抬头').waitFor();
    await screenshot(page, 'agent-desk-order-review-1366');

    // A dispatcher moves agent5 to the back desk: the desktop shows it at once and the order list goes.
    expect(await page.getByTestId('my-desks').textContent()).to.equal('前台3 · 中台4');
    const agent5 = (f.hotline.db.$client.prepare("SELECT id FROM staff WHERE username = 'agent5'").get() as { id: number }).id;
    const login = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'dispatcher1', password: 'hotline-demo' }) });
    const token = ((await login.json()) as { token: string }).token;
    const moved = await fetch(`${f.base}/api/floor/agents/${agent5}/move`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ from: 'middle', to: 'back', reason: 'RMA backlog' }),
    });
    expect(moved.status).to.equal(200);
    await page.getByTestId('my-desks').filter({ hasText: '后台' }).waitFor({ timeout: 2000 });
    expect(await page.getByTestId('my-desks').textContent()).to.not.include('中台');
    await page.locator('[data-order=YT-BROWSER-0001]').waitFor({ state: 'detached' });
    await screenshot(page, 'agent-desk-moved-1366');
  });
});
