// Simulated calls through every branch of ivr-flows/hotline.yaml, asserting what the caller heard and what was stored.
import { expect } from 'chai';
import { CALLBACK_MODES, startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AFTER_HOURS } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import type { PathEntry } from '../../src/ivr/flow-types';

const VIP = '+8613800138000';
const LI_NA = '+8613911112222';
const ZHANG_WEI = '+8613700001111';
const STRANGER = '+8615012345678';

for (const mode of CALLBACK_MODES) describe(`hotline end to end through the carrier simulator (${mode.name})`, function () {
  this.timeout(30000);
  let f: SimFixture;
  beforeEach(async () => (f = await startHotlineWithSimulator({}, { callbackOrder: mode.order })));
  afterEach(async () => f.close());

  const heard = (c: { heard(): string[] }) => c.heard().join(' | ');
  const stored = (sid: string) => eventually(() => {
    const call = f.hotline.repos.calls.get(sid)!;
    expect(call.status).to.equal('completed');
    return { ...call, path: JSON.parse(call.ivrPath) as PathEntry[] };
  });
  const noErrors = (c: { transcript: { kind: string; text?: string }[] }) =>
    expect(c.transcript.filter((t) => t.kind === 'error'), JSON.stringify(c.transcript.filter((t) => t.kind === 'error'))).to.deep.equal([]);

  it('VIP: greeted by name and queued straight to the VIP desk; hanging up while waiting is abandonment', async () => {
    const c = await f.call(VIP, [{ press: '1' }, { wait: 40 }, { hangup: true }]);
    noErrors(c);
    expect(heard(c)).to.include('尊敬的王芳，您好');
    expect(c.transcript.some((t) => t.kind === 'enqueue' && (t.text ?? JSON.stringify(t)).includes('front-vip'))).to.equal(true);
    expect(heard(c)).to.match(/您是下一位|您前面还有/);
    const call = await stored(c.sid);
    expect(call.path.map((p) => p.node)).to.include.members(['welcome', 'language', 'hours', 'recognize', 'greetVip', 'vipQueue']);
    const entry = await eventually(() => {
      const e = f.hotline.repos.queue.forCall(c.sid)!;
      expect(e.status).to.equal('abandoned');
      return e;
    });
    expect(entry).to.include({ queue: 'front-vip', desk: 'front', priority: 40, reason: 'vip' });
  });

  it('known caller: greeted by name, hears the status of their latest order, hangs up', async () => {
    const c = await f.call(ZHANG_WEI, [{ press: '1' }, { press: '1' }, { press: '1' }, { hangup: true }]);
    noErrors(c);
    expect(heard(c)).to.include('张伟，您好，欢迎您再次来电');
    expect(heard(c)).to.include('Y T 2 0 2 6 1 1 1 8 0 0 0 3');
    expect(heard(c)).to.include('已确认，正在仓库备货');
    const call = await stored(c.sid);
    expect(call.customerId).to.be.a('number');
    expect(call.path.map((p) => p.node)).to.include.members(['orderChoice', 'latestOrder', 'afterLookup']);
  });

  it('stranger in English: types an order number and hears its tracking', async () => {
    const c = await f.call(STRANGER, [{ press: '2' }, { press: '1' }, { press: '202611200001#' }, { press: '1' }, { press: '0' }, { wait: 15 }, { hangup: true }]);
    noErrors(c);
    expect(heard(c)).to.include('For order and delivery status, press 1');
    expect(heard(c)).to.include('has shipped with SF Express, tracking number S F 1 2 3 4 5 6 7 8 9 0');
    const call = await stored(c.sid);
    expect(call.language).to.equal('en');
    expect(call.path.find((p) => p.node === 'orderNumber' && p.input)).to.include({ input: 'pressed 202611200001' });
    expect(f.hotline.repos.queue.forCall(c.sid)).to.include({ queue: 'front-general', priority: 10 });
  });

  it('an order number that does not exist, then an agent', async () => {
    const c = await f.call(STRANGER, [{ press: '1' }, { press: '1' }, { press: '999999999999#' }, { press: '0' }, { wait: 5 }, { hangup: true }]);
    noErrors(c);
    expect(heard(c)).to.include('抱歉，没有找到这个订单');
    expect(f.hotline.repos.queue.forCall(c.sid)).to.include({ queue: 'front-general', reason: 'agent' });
  });

  it('a too-short order number is asked again', async () => {
    const c = await f.call(STRANGER, [{ press: '1' }, { press: '1' }, { press: '123#' }, { hangup: true }]);
    noErrors(c);
    expect(heard(c)).to.include('订单号应为12位数字');
  });

  it('returns: reads the open RMA, then queues for the returns team', async () => {
    const c = await f.call(LI_NA, [{ press: '1' }, { press: '2' }, { wait: 5 }, { hangup: true }]);
    noErrors(c);
    expect(heard(c)).to.include('您的退货申请 R M A 2 0 2 6 1 1 0 1，正在审核中');
    expect(f.hotline.repos.queue.forCall(c.sid)).to.include({ queue: 'front-returns', priority: 20 });
  });

  it('complaints go to the high-priority queue, also when said rather than pressed', async () => {
    const pressed = await f.call(STRANGER, [{ press: '1' }, { press: '3' }, { hangup: true }]);
    const spoken = await f.call('+8615099998888', [{ press: '1' }, { say: '我要投诉' }, { hangup: true }]);
    for (const c of [pressed, spoken]) {
      noErrors(c);
      expect(heard(c)).to.include('正在为您优先转接投诉专席');
      expect(f.hotline.repos.queue.forCall(c.sid)).to.include({ queue: 'front-complaints', priority: 30 });
    }
  });

  it('speech as a recognizer returns it: a misheard word is asked again, then "转人工，谢谢。" and "Press three." are understood', async () => {
    const misheard = await f.call(STRANGER, [{ press: '1' }, { say: '我要投诉', heardAs: '我要头诉' }, { say: '转人工，谢谢' }, { hangup: true }]);
    noErrors(misheard);
    expect(heard(misheard)).to.include('抱歉，您的输入有误');
    expect(misheard.transcript.filter((t) => t.kind === 'recognized').map((t) => t.text)).to.deep.equal(['我要头诉。', '转人工，谢谢。']);
    expect(f.hotline.repos.queue.forCall(misheard.sid)).to.include({ queue: 'front-general' });
    const english = await f.call('+8615099990000', [{ press: '2' }, { say: 'press three' }, { hangup: true }]);
    noErrors(english);
    expect(english.transcript.find((t) => t.kind === 'recognized')?.text).to.equal('Press 3.');
    expect(f.hotline.repos.queue.forCall(english.sid)).to.include({ queue: 'front-complaints' });
  });

  it('silence at the main menu: two re-prompts, then an agent', async () => {
    const c = await f.call(STRANGER, [{ press: '1' }, { wait: 6 }, { wait: 6 }, { wait: 6 }, { wait: 3 }, { hangup: true }]);
    noErrors(c);
    expect(heard(c).match(/没有听到您的选择/g)).to.have.length(2);
    expect(f.hotline.repos.queue.forCall(c.sid)).to.include({ queue: 'front-general' });
  });

  it('after hours: a callback request is stored and the caller is told', async () => {
    f.clock.set(AFTER_HOURS);
    const c = await f.call(ZHANG_WEI, [{ press: '1' }, { press: '1' }]);
    noErrors(c);
    expect(heard(c)).to.include('现在是非工作时间');
    expect(heard(c)).to.include('我们已记录您的回电请求');
    expect(c.transcript.at(-1)?.kind).to.equal('hangup');
    const request = await eventually(() => f.hotline.repos.callbacks.forCall(c.sid)!);
    expect(request).to.include({ phone: ZHANG_WEI, reason: 'after-hours', status: 'open', desk: 'front' });
    expect(request.customerId).to.be.a('number');
    // On the one callback list: a returning customer's priority, their time zone, called back at 09:00 their time.
    expect(request).to.include({ source: 'ivr', priority: 20, timeZone: 'Asia/Shanghai' });
    expect(request.dueAt.toISOString()).to.equal(new Date(AFTER_HOURS).toISOString());
    expect(request.eligibleAt.toISOString()).to.equal('2026-11-24T01:00:00.000Z');
  });

  it('after hours: a voicemail is recorded and stored', async () => {
    f.clock.set(AFTER_HOURS);
    const c = await f.call(STRANGER, [{ press: '1' }, { press: '2' }, { say: '请给我回电话，我的订单还没到' }, { press: '#' }]);
    noErrors(c);
    expect(heard(c)).to.include('请在提示音后留言');
    expect(heard(c)).to.include('您的留言已收到');
    const vm = await eventually(() => f.hotline.repos.voicemails.forCall(c.sid)!);
    expect(vm.recordingUrl).to.match(/\/Recordings\/RE[0-9a-f]{32}$/);
    expect(vm.durationSeconds).to.be.greaterThan(0);
    expect(f.hotline.repos.outbox.byJobId(`voicemail:${vm.recordingSid}`)).to.include({ queue: 'recordings', name: 'voicemail-download' });
  });

  it('a holiday is outside business hours', async () => {
    f.clock.set('2027-02-06T03:00:00Z');
    const c = await f.call(STRANGER, [{ press: '1' }, { hangup: true }]);
    expect(heard(c)).to.include('现在是非工作时间');
  });
});
