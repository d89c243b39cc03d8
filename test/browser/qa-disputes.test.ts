// Disputes and calibration in the QA workspace, in a real browser: a quality controller's scores are disputed by the
// agent (through the API); a supervisor finds the disputes, opens one beside its recording, reads the reason and the
// scores, and settles it (score changed, or upheld); the agent's "My evaluations" shows the result. Then the
// supervisor scores a call for calibration and both evaluators' scores stand side by side.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { ensureConsoleBuilt, launchBrowser, screenshot, signInAs } from '../support/browser';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { evaluations } from '../../src/db/schema/index';
import { seedStoredCall } from '../support/qa-recording';

type Json = Record<string, any>;

describe('browser console: disputes and calibration in the QA workspace (Chromium)', function () {
  this.timeout(60000);
  let f: SimFixture;
  let dir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let changedRec: number;
  let upheldRec: number;
  let changedEval: number;
  let upheldEval: number;
  const tokens = new Map<string, string>();

  async function api(method: string, url: string, who: string, body?: unknown): Promise<Json> {
    if (!tokens.has(who)) {
      const r = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: who, password: 'hotline-demo' }) });
      tokens.set(who, ((await r.json()) as Json).token as string);
    }
    const res = await fetch(f.base + url, { method, headers: { Authorization: `Bearer ${tokens.get(who)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const json = (await res.json()) as Json;
    expect(res.status, `${method} ${url} as ${who}: ${JSON.stringify(json)}`).to.be.within(200, 201);
    return json;
  }

  /** qc1 scores the call (every item at its best but courtesy at its lowest) and submits; agent1 disputes it. */
  async function scoredAndDisputed(recordingId: number, reason: string): Promise<number> {
    const opened = await api('POST', `/api/recordings/${recordingId}/evaluations`, 'qc1', {});
    const items = (opened.scorecard.definition.sections as Json[]).flatMap((s) => s.items as Json[]);
    const answers = items.map((i) => ({ itemId: i.id, score: i.id === 'courtesy' ? i.scale.min : i.scale.max }));
    await api('PUT', `/api/evaluations/${opened.id}/answers`, 'qc1', { answers });
    await api('POST', `/api/evaluations/${opened.id}/submit`, 'qc1');
    await api('POST', `/api/evaluations/${opened.id}/dispute`, 'agent1', { reason });
    return opened.id as number;
  }
  const stored = (id: number) => f.hotline.db.select().from(evaluations).where(eq(evaluations.id, id)).get()!;

  before(async () => {
    ensureConsoleBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qa-disputes-'));
    const store = new LocalRecordingStore(dir);
    f = await startHotlineWithSimulator({}, { recordingStore: store });
    changedRec = await seedStoredCall(f.hotline.db, store, { n: 1, agent: 'agent1', startedAt: '2026-11-23T02:00:00Z' });
    upheldRec = await seedStoredCall(f.hotline.db, store, { n: 2, agent: 'agent1', startedAt: '2026-11-23T02:30:00Z' });
    changedEval = await scoredAndDisputed(changedRec, '客户先出言不逊，我一直保持礼貌');
    upheldEval = await scoredAndDisputed(upheldRec, '我觉得礼貌分太低');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await f?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
  });
  afterEach(async () => context.close());

  it('a supervisor settles two disputes beside their recordings (score changed, score upheld); the agent sees the results', async () => {
    const before = stored(changedEval).score!;
    await signInAs(page, f.base, 'supervisor1');
    await page.getByRole('link', { name: '质检' }).click();
    const list = page.getByTestId('disputes');
    const row = list.locator(`[data-dispute="${changedEval}"]`);
    await row.waitFor();
    expect(await list.locator('[data-dispute]').count()).to.equal(2);
    expect(await row.textContent()).to.include('陈静').and.include('郑洁').and.include(String(before)).and.include('客户先出言不逊');
    await screenshot(page, 'qa-disputes-list-1366');

    // Opened beside its recording: the reason, the scores as the controller gave them, and the audio to hear.
    await row.getByRole('link', { name: '处理' }).click();
    const panel = page.getByTestId('dispute-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('dispute-reason').textContent()).to.equal('客户先出言不逊，我一直保持礼貌');
    expect(await panel.locator('[data-item=courtesy] input[type=radio]:checked').getAttribute('value')).to.equal('1');
    await page.waitForFunction(() => {
      const a = document.querySelector('[data-testid=audio]') as HTMLAudioElement | null;
      return !!a && a.readyState >= 1 && Number.isFinite(a.duration);
    });
    expect(await page.getByTestId('audio').getAttribute('src')).to.match(new RegExp(`/api/recordings/${changedRec}/audio\\?ticket=`));
    // "Change" needs a changed answer and a note.
    const change = panel.getByRole('button', { name: /按修改后的评分/ });
    expect(await change.isDisabled()).to.equal(true);
    await panel.locator('[data-item=courtesy] input[type=radio][value="5"]').check();
    await panel.getByLabel('处理说明（坐席可见）').fill('复听录音后，礼貌项改为满分');
    await change.click();
    await page.locator('[data-testid=dispute-panel][data-status=resolved]').waitFor();
    const after = stored(changedEval);
    expect(after).to.include({ status: 'resolved', resolution: 'changed', resolutionNote: '复听录音后，礼貌项改为满分' });
    expect(after.score).to.be.greaterThan(before);
    expect(await panel.getByTestId('resolution').textContent()).to.equal(`已改分 (${before} → ${after.score}) · 复听录音后，礼貌项改为满分`);
    expect(await page.getByTestId('server-total').textContent()).to.equal(String(after.score));
    await screenshot(page, 'qa-dispute-resolved-1366');

    // The second one, upheld, by keyboard from the list.
    await page.getByRole('link', { name: /返回列表/ }).first().click();
    await list.locator(`[data-dispute="${changedEval}"]`).waitFor({ state: 'detached' });
    await list.locator(`[data-dispute="${upheldEval}"]`).getByRole('link', { name: '处理' }).focus();
    await page.keyboard.press('Enter');
    await panel.waitFor();
    await panel.getByLabel('处理说明（坐席可见）').focus();
    await page.keyboard.type('评分符合标准，维持');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // "uphold" is the first button after the note
    await page.locator('[data-testid=dispute-panel][data-status=resolved]').waitFor();
    expect(stored(upheldEval)).to.include({ status: 'resolved', resolution: 'upheld', resolutionNote: '评分符合标准，维持' });

    // The agent's own list shows what came of each.
    await context.close();
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    await signInAs(page, f.base, 'agent1');
    await page.getByRole('link', { name: '质检' }).click();
    const mine = page.getByTestId('my-evaluations');
    const changedRow = mine.locator(`[data-evaluation="${changedEval}"][data-status=resolved]`);
    await changedRow.waitFor();
    expect(await changedRow.getByTestId('my-score').textContent()).to.equal(String(after.score));
    expect(await changedRow.getByTestId('my-resolution').textContent()).to.equal('已改分 · 复听录音后，礼貌项改为满分');
    expect(await mine.locator(`[data-evaluation="${upheldEval}"]`).getByTestId('my-resolution').textContent()).to.equal('维持原评分 · 评分符合标准，维持');
    expect(await mine.locator(`[data-evaluation="${upheldEval}"]`).textContent()).to.include('11/23 10:30'); // the call's start, in Shanghai
    await screenshot(page, 'qa-agent-resolutions-1366');
    await page.getByRole('button', { name: 'language' }).click();
    await changedRow.getByText('Score changed · 复听录音后，礼貌项改为满分').waitFor();
    expect(await mine.locator('thead').textContent()).to.include('Evaluator');
    await screenshot(page, 'qa-agent-resolutions-en-1366');
  });

  it('calibration: the supervisor scores a call the controller scored; both evaluators’ scores stand side by side with their spread', async () => {
    await signInAs(page, f.base, 'supervisor1');
    await page.goto(`${f.base}/#/qa/rec/${upheldRec}`);
    await page.getByText('此录音已有正式评分').waitFor();
    await page.getByRole('button', { name: '开始校准评分' }).click();
    const card = page.getByTestId('scorecard').filter({ has: page.getByRole('button', { name: '提交评分' }) });
    await card.waitFor();
    // Everything at its lowest but courtesy at its best: the evaluators disagree on every item.
    for (const item of await card.locator('[data-item]').all()) {
      const id = await item.getAttribute('data-item');
      const values = await item.locator('input[type=radio]:not([value=na])').evaluateAll((els) => els.map((e) => Number((e as HTMLInputElement).value)));
      await item.locator(`input[type=radio][value="${id === 'courtesy' ? Math.max(...values) : Math.min(...values)}"]`).check();
    }
    await card.getByRole('button', { name: '提交评分' }).click();
    const table = page.getByTestId('calibration');
    await table.locator('th', { hasText: '黄蕾' }).waitFor();
    const report = await api('GET', `/api/recordings/${upheldRec}/calibration`, 'qc1');
    expect((report.evaluators as Json[]).map((e) => e.calibration)).to.have.members([false, true]);
    // Each item's row holds both evaluators' scores in the header's order, and the server's spread.
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.slice(1, 3).map((h) => h.replace(/\s*\(.*\)$/, ''))).to.deep.equal((report.evaluators as Json[]).map((e) => (e.evaluatorId === stored(upheldEval).evaluatorId ? '郑洁' : '黄蕾')));
    const courtesy = (report.items as Json[]).find((i) => i.itemId === 'courtesy')!;
    const cells = await table.locator('[data-item=courtesy] td').allTextContents();
    expect(cells.slice(1)).to.deep.equal([...courtesy.scores.map((s: Json) => String(s.score)), String(courtesy.spread), String(courtesy.standardDeviation)]);
    const total = await table.locator('tfoot th').allTextContents();
    expect(total.slice(1)).to.deep.equal([...(report.evaluators as Json[]).map((e) => String(e.score)), String(report.total.spread), String(report.total.standardDeviation)]);
    expect(report.total.spread).to.be.greaterThan(0);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'qa-calibration-1920');

    // The quality controller reads the same comparison.
    await context.close();
    context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    await signInAs(page, f.base, 'qc1');
    await page.getByTestId('disputes').getByText('没有待处理的申诉。').waitFor();
    await page.goto(`${f.base}/#/qa/rec/${upheldRec}`);
    await page.getByTestId('calibration').locator('th', { hasText: '黄蕾' }).waitFor();
    await screenshot(page, 'qa-calibration-qc-1366');
  });
});
