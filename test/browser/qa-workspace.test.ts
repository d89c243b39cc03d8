// The QA workspace and the admin pages in a real browser: a quality controller plays a stored two-channel recording,
// seeks on the waveform, changes the speed, pins a comment to a moment and submits a score whose total the server
// computed; an admin changes a queue's rule and reads the IVR flows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { ensureConsoleBuilt, launchBrowser, screenshot, signInAs } from '../support/browser';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { evaluationComments, evaluations, queueSettings, staff } from '../../src/db/schema/index';
import { QA_CALL_SECONDS as SECONDS, seedStoredCall } from '../support/qa-recording';

describe('browser console: QA workspace and admin pages (Chromium)', function () {
  this.timeout(60000);
  let f: SimFixture;
  let dir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let recordingId: number;

  before(async () => {
    ensureConsoleBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qa-workspace-'));
    const store = new LocalRecordingStore(dir);
    f = await startHotlineWithSimulator({}, { recordingStore: store });
    // 20 s: the customer speaks first, then the agent; a silence from 9 s to 14 s; both talk at once from 16 s.
    recordingId = await seedStoredCall(f.hotline.db, store, { n: 1, agent: 'agent1', startedAt: '2026-11-23T02:00:00Z', pauses: [{ start: 2, end: 3 }] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await f?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  const audioState = () =>
    page.$eval('[data-testid=audio]', (a) => {
      const el = a as HTMLAudioElement;
      return { currentTime: el.currentTime, paused: el.paused, played: el.played.length, rate: el.playbackRate, duration: el.duration, src: el.currentSrc };
    });

  it('a quality controller plays a recording, seeks on the waveform, pins a comment and submits a score with the server’s total', async () => {
    await signInAs(page, f.base, 'qc1');
    // The call's disposition by its label, not its code.
    await page.locator(`[data-recording="${recordingId}"] [data-testid=recording-disposition]`).getByText('已解决').waitFor();
    await page.locator(`[data-recording="${recordingId}"] a`).click();
    await page.getByTestId('waveform').waitFor();
    // The playback ticket's URL is the audio's source, and the browser reads the WAV's length from it.
    await page.waitForFunction(() => {
      const a = document.querySelector('[data-testid=audio]') as HTMLAudioElement | null;
      return !!a && a.readyState >= 1 && Number.isFinite(a.duration);
    });
    const loaded = await audioState();
    expect(loaded.src).to.match(new RegExp(`/api/recordings/${recordingId}/audio\\?ticket=`));
    expect(loaded.duration).to.be.closeTo(SECONDS, 0.05);

    await page.getByTestId('play').click();
    await page.waitForFunction(() => {
      const a = document.querySelector('[data-testid=audio]') as HTMLAudioElement;
      return !a.paused && a.currentTime > 0.5;
    });
    await page.getByTestId('play').click();
    const played = await audioState();
    expect(played.paused).to.equal(true);
    expect(played.played).to.be.at.least(1);

    // A click at three quarters of the waveform's width puts the audio at three quarters of the recording.
    const box = (await page.getByTestId('waveform').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    await page.waitForFunction(() => Math.abs((document.querySelector('[data-testid=audio]') as HTMLAudioElement).currentTime - 15) < 0.3);
    expect((await audioState()).currentTime).to.be.closeTo(15, 0.3);
    expect(await page.getByTestId('time').textContent()).to.match(/^0:1[45] \/ 0:20$/);
    // The keyboard seeks too: the waveform has focus after the click.
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => Math.abs((document.querySelector('[data-testid=audio]') as HTMLAudioElement).currentTime - 10) < 0.3);

    await page.getByTestId('speed').selectOption('1.5');
    expect((await audioState()).rate).to.equal(1.5);
    await page.getByTestId('play').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid=audio]') as HTMLAudioElement).currentTime > 10.6);
    await page.getByTestId('play').click();
    await screenshot(page, 'qa-player');

    // The comment sits at the moment the playhead shows, in an evaluation opened for it.
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.waitForFunction(() => Math.abs((document.querySelector('[data-testid=audio]') as HTMLAudioElement).currentTime - 10) < 0.3);
    await page.getByRole('textbox', { name: '批注内容' }).fill('这里静音太久');
    await page.getByRole('button', { name: /在当前时间添加批注/ }).click();
    await page.getByTestId('comments').getByText('这里静音太久').waitFor();
    const stored = f.hotline.db.select().from(evaluationComments).all();
    expect(stored).to.have.length(1);
    expect(stored[0].atSeconds).to.be.closeTo(10, 0.3);
    expect(stored[0].text).to.equal('这里静音太久');

    // Everything at its best but courtesy and accuracy at 1: docs/quality.md's example, 80.8.
    const card = page.getByTestId('scorecard');
    await card.waitFor();
    for (const item of await card.locator('[data-item]').all()) {
      const id = await item.getAttribute('data-item');
      const values = await item.locator('input[type=radio]:not([value=na])').evaluateAll((els) => els.map((e) => Number((e as HTMLInputElement).value)));
      const pick = id === 'courtesy' || id === 'accuracy' ? Math.min(...values) : Math.max(...values);
      await item.locator(`input[type=radio][value="${pick}"]`).check();
    }
    await card.getByRole('button', { name: '提交评分' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=server-total]')?.textContent === '80.8');
    const row = f.hotline.db.select().from(evaluations).where(eq(evaluations.recordingId, recordingId)).get()!;
    expect(row.status).to.equal('submitted');
    expect(row.score).to.equal(80.8);
    expect(stored[0].evaluationId).to.equal(row.id);
    await screenshot(page, 'qa-scored');

    // Back in the list, the call reads as scored, and the scored filter finds it.
    await page.getByRole('link', { name: /返回列表/ }).first().click();
    await page.locator('select[name=scored]').selectOption('true');
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator(`[data-recording="${recordingId}"]`).getByText(/80\.8/).waitFor();
    await screenshot(page, 'qa-list');
  });

  it('the agent sees their evaluation and acknowledges it; the player is theirs to hear, not to score, and renews an expired ticket', async () => {
    await signInAs(page, f.base, 'agent1');
    await page.getByRole('link', { name: '质检' }).click();
    const mine = page.getByTestId('my-evaluations');
    await mine.getByText('80.8').waitFor();
    await mine.getByRole('button', { name: '确认' }).click();
    await mine.getByText('已确认').waitFor();
    expect(await page.locator('select[name=agentId]').count(), 'an agent is offered no choice of agent').to.equal(0);
    expect(f.hotline.db.select().from(evaluations).where(eq(evaluations.recordingId, recordingId)).get()!.status).to.equal('acknowledged');
    await page.locator(`[data-recording="${recordingId}"] a`).click();
    await page.getByTestId('waveform').waitFor();
    expect(await page.getByRole('button', { name: '开始评分' }).count()).to.equal(0);
    expect(await page.getByRole('button', { name: /在当前时间添加批注/ }).count()).to.equal(0);
    await screenshot(page, 'qa-agent-view');

    // A playback ticket lasts 5 minutes: when the browser comes back for audio after that, the player asks for a
    // new ticket and plays on. (The stale URL is made unique so that the browser's cache cannot answer it.)
    await page.waitForFunction(() => (document.querySelector('[data-testid=audio]') as HTMLAudioElement).readyState >= 1);
    const first = await page.$eval('[data-testid=audio]', (a) => (a as HTMLAudioElement).currentSrc);
    f.clock.set(new Date(f.clock.now().getTime() + 6 * 60_000).toISOString());
    const stale = await page.evaluate(async (url) => (await fetch(`${url}&probe=1`)).status, first);
    expect(stale).to.be.within(400, 499);
    await page.$eval('[data-testid=audio]', (a, url) => void ((a as HTMLAudioElement).src = `${url}&again=1`), first);
    await page.waitForFunction((old) => {
      const a = document.querySelector('[data-testid=audio]') as HTMLAudioElement;
      return !a.currentSrc.startsWith(old) && a.readyState >= 1 && Number.isFinite(a.duration);
    }, first);
    expect(await page.getByRole('alert').count()).to.equal(0);
  });

  it('an admin changes a queue’s service level (and sees a refusal’s reason), reads the IVR flows, adds a staff member and an integration key shown once', async () => {
    await context.close();
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'en-US' });
    page = await context.newPage();
    await signInAs(page, f.base, 'admin1');
    await page.getByRole('link', { name: 'Queue settings' }).click();
    const row = page.locator('[data-queue=front-general]');
    expect(await row.locator('td').first().textContent()).to.include('General enquiries').and.include('front-general'); // its name, and the id the flows use
    await row.locator('input[name=serviceLevelSeconds]').fill('20');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText('Saved').waitFor();
    const q = f.hotline.db.select().from(queueSettings).where(eq(queueSettings.name, 'front-general')).get()!;
    expect(q.serviceLevelSeconds).to.equal(20);
    // A rule the server refuses shows its reason, and nothing changes.
    await row.locator('input[name=maxWaitSeconds]').fill('10');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('alert').waitFor();
    expect(await row.getByRole('alert').textContent()).to.match(/maxWaitSeconds/);
    expect(f.hotline.db.select().from(queueSettings).where(eq(queueSettings.name, 'front-general')).get()!.maxWaitSeconds).to.equal(q.maxWaitSeconds);
    await screenshot(page, 'admin-queues');

    await page.getByRole('link', { name: 'IVR flows' }).click();
    await page.locator('#node-hotline-vipQueue').waitFor();
    expect(await page.locator('#node-hotline-vipQueue').textContent()).to.contain('front-vip');
    await screenshot(page, 'admin-ivr');
    await page.getByRole('link', { name: 'Staff and teams' }).click();
    await page.locator('[data-staff=agent1]').waitFor();
    await page.fill('input[name=new-username]', 'agent7');
    await page.fill('input[name=new-displayName]', '钱芳');
    await page.fill('input[name=new-password]', 'a-long-enough-password-7');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('[data-staff=agent7]').waitFor();
    expect(f.hotline.db.select().from(staff).where(eq(staff.username, 'agent7')).get()).to.include({ displayName: '钱芳', role: 'agent', active: true });
    await screenshot(page, 'admin-staff');

    // The new key is shown once; the list keeps only its prefix.
    await page.getByRole('link', { name: 'Integration keys' }).click();
    await page.fill('input[name=key-name]', 'erp');
    await page.getByRole('button', { name: 'New key' }).click();
    const key = (await page.getByTestId('new-key').locator('code').textContent())!;
    expect(key.length).to.be.at.least(20);
    // The list is read again after the key is made: wait for the new row, then check it shows no secret.
    await page.getByTestId('keys').getByText('erp', { exact: true }).first().waitFor();
    expect(await page.getByTestId('keys').textContent()).to.contain('erp').and.not.contain(key);
    await screenshot(page, 'admin-keys');
  });

  it('a supervisor has the admin pages the API lets them use: staff read-only, no integration keys', async () => {
    await signInAs(page, f.base, 'supervisor1');
    await page.getByRole('link', { name: '管理' }).click();
    await page.locator('[data-staff=agent1]').waitFor();
    expect(await page.getByRole('link', { name: '接口密钥' }).count()).to.equal(0);
    expect(await page.getByRole('button', { name: '创建' }).count()).to.equal(0);
    expect(await page.locator('[data-staff=agent1] select').count()).to.equal(0);
    await page.getByRole('link', { name: '岗位' }).click();
    await page.locator('[data-agent=agent1]').waitFor();
    await screenshot(page, 'admin-desks-supervisor');
  });
});
