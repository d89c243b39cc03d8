import path from 'node:path';
import { expect } from 'chai';
import { FlowRegistry } from '../../src/ivr/flow-registry';
import { advance, startCall } from '../../src/ivr/engine';
import type { CallerFacts, CallState, EngineContext, Instruction, OrderFacts, StepInput } from '../../src/ivr/flow-types';
import { isOpen } from '../../src/ivr/business-hours';

const flow = FlowRegistry.load(path.resolve('ivr-flows')).get('hotline')!;

const order: OrderFacts = {
  number: 'YT202611200001', status: 'shipped', amountFen: 328000, payment: 'prepaid', shippingCarrier: '顺丰速运',
  trackingNumber: 'SF1234567890', placedAt: new Date('2026-11-20T02:00:00Z'), updatedAt: new Date('2026-11-21T02:00:00Z'), customerId: 1,
};
const ctx = (now = '2026-11-23T03:00:00Z'): EngineContext => ({
  now: new Date(now), // Monday 11:00 in Shanghai
  timeZone: 'Asia/Shanghai',
  lookup: {
    orderByNumber: (n) => (n === order.number ? order : undefined),
    latestOrder: (id) => (id === 1 ? order : undefined),
    latestOpenRma: (id) => (id === 2 ? { number: 'RMA20261101', kind: 'return', status: 'under_review', orderNumber: 'YT202611100002', updatedAt: new Date() } : undefined),
  },
});
const stranger: CallerFacts = { known: false, hasOpenRma: false };
const known: CallerFacts = { known: true, customerId: 1, name: '张伟', tier: 'returning', hasOpenRma: false };

const said = (is: Instruction[]): string[] =>
  is.flatMap((i) => (i.kind === 'say' ? [i.text] : i.kind === 'gather' ? said(i.prompts) : []));
const press = (digits: string): StepInput => ({ kind: 'gather', digits });
const silence: StepInput = { kind: 'gather' };

function run(caller: CallerFacts, inputs: StepInput[], now?: string) {
  let r = advance(flow, startCall(flow, caller), undefined, ctx(now));
  const heard = [...said(r.instructions)];
  for (const input of inputs) {
    r = advance(flow, r.state, input, ctx(now));
    heard.push(...said(r.instructions));
  }
  return { ...r, heard };
}

describe('IVR engine on the hotline flow', () => {
  it('greets, asks for a language and waits for the key', () => {
    const r = run(stranger, []);
    expect(r.state.awaiting).to.equal(true);
    expect(r.state.node).to.equal('language');
    expect(r.heard[0]).to.include('欢迎致电');
    const gather = r.instructions.find((i) => i.kind === 'gather');
    expect(gather).to.include({ kind: 'gather', numDigits: 1 });
  });

  it('greets a known caller by name and reads their latest order', () => {
    const r = run(known, [press('1'), press('1'), press('1')]);
    expect(r.heard.join()).to.include('张伟，您好');
    expect(r.heard.join()).to.include('已由顺丰速运发出，运单号 S F 1 2 3 4 5 6 7 8 9 0');
    expect(r.state.node).to.equal('afterLookup');
  });

  it('speaks English after 2 and finds an order typed by number', () => {
    const r = run(stranger, [press('2'), press('1'), press('202611200001')]);
    expect(r.state.language).to.equal('en');
    expect(r.heard.join()).to.include('has shipped with SF Express, tracking number S F 1 2 3 4 5 6 7 8 9 0');
  });

  it('re-prompts on no input and invalid keys, then takes the default', () => {
    const r1 = run(stranger, [press('1'), silence]);
    expect(r1.state.node).to.equal('mainMenu');
    expect(r1.heard.join()).to.include('没有听到您的选择');
    const r2 = run(stranger, [press('1'), press('7'), press('8'), press('9')]);
    expect(r2.state.ended).to.equal(true);
    expect(r2.effects).to.deep.equal([{ kind: 'queued', queue: 'front-general', desk: 'front', priority: 10, reason: 'agent' }]);
  });

  it('matches spoken keywords', () => {
    const r = run(stranger, [press('1'), { kind: 'gather', speech: '我要投诉' }]);
    expect(r.effects[0]).to.include({ kind: 'queued', queue: 'front-complaints', priority: 30 });
  });

  it('sends VIPs straight to the priority front desk', () => {
    const r = run({ ...known, tier: 'vip', name: '王芳' }, [press('1')]);
    expect(r.heard.join()).to.include('尊敬的王芳');
    expect(r.effects[0]).to.include({ kind: 'queued', queue: 'front-vip', priority: 40 });
  });

  it('offers callback or voicemail outside business hours', () => {
    const night = '2026-11-23T15:30:00Z'; // 23:30 in Shanghai
    const cb = run(stranger, [press('1'), press('1')], night);
    expect(cb.effects[0]).to.deep.equal({ kind: 'callbackRequested', desk: 'front', reason: 'after-hours' });
    expect(cb.instructions.at(-1)).to.deep.equal({ kind: 'hangup' });
    const vm = run(stranger, [press('1'), press('2')], night);
    expect(vm.instructions.map((i) => i.kind)).to.deep.equal(['say', 'record']);
    const done = advance(flow, vm.state, { kind: 'record', recordingUrl: 'https://x/RE1', recordingSid: 'RE1', durationSeconds: 12 }, ctx(night));
    expect(done.effects[0]).to.include({ kind: 'voicemailRecorded', durationSeconds: 12 });
  });

  it('reads an open RMA before queueing for returns', () => {
    const r = run({ known: true, customerId: 2, name: '李娜', tier: 'returning', hasOpenRma: true }, [press('1'), press('2')]);
    expect(r.heard.join()).to.include('退货申请 R M A 2 0 2 6 1 1 0 1，正在审核中');
    expect(r.effects[0]).to.include({ queue: 'front-returns', priority: 20 });
  });

  it('records the path taken', () => {
    const r = advance(flow, startCall(flow, stranger), undefined, ctx());
    const r2 = advance(flow, r.state as CallState, press('1'), ctx());
    expect(r2.path.map((p) => p.node)).to.deep.equal(['language', 'hours', 'recognize', 'mainMenu']);
    expect(r2.path[0]).to.include({ input: 'pressed 1' });
  });
});

describe('business hours', () => {
  const cal = { weekly: { mon: ['08:00-22:00'] }, holidays: ['2026-11-30'], workdays: { '2026-11-29': 'mon' as const } };
  it('reads the calendar in the center time zone, with holidays and extra working days', () => {
    expect(isOpen(cal, new Date('2026-11-23T00:30:00Z'), 'Asia/Shanghai')).to.equal(true); // Mon 08:30
    expect(isOpen(cal, new Date('2026-11-22T23:30:00Z'), 'Asia/Shanghai')).to.equal(false); // Mon 07:30
    expect(isOpen(cal, new Date('2026-11-30T03:00:00Z'), 'Asia/Shanghai')).to.equal(false); // holiday
    expect(isOpen(cal, new Date('2026-11-29T03:00:00Z'), 'Asia/Shanghai')).to.equal(true); // Sunday made a workday
    expect(isOpen(cal, new Date('2026-11-23T03:00:00Z'), 'America/New_York')).to.equal(false);
  });
});
