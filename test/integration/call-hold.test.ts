// The hold pieces on their own: the signed hold-music webhook, and CallHoldService's rules against a scripted carrier
// (a customer gone from the conference is 409 and stores nothing; a carrier failure stores nothing; no double holds).
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { startHotline, callSid, type Fixture } from '../support/hotline-fixture';
import { CallHoldService, type HoldCarrier } from '../../src/acd/call-hold.service';
import { CallHoldsRepo } from '../../src/acd/call-holds.repo';
import { CallGone } from '../../src/acd/dispatcher';
import { Conflict, NotFound } from '../../src/errors/domain-errors';
import { callHolds } from '../../src/db/schema/index';
import { createLogger } from '../../src/logging/logger';
import { transactor } from '../../src/db/transaction';
import { rejection } from '../support/rejection';

describe('call hold: hold-music webhook and the hold rules', function () {
  this.timeout(20000);
  let f: Fixture;
  beforeEach(async () => {
    f = await startHotline();
  });
  afterEach(async () => {
    await f.close();
  });

  it('the hold music is a signed webhook: unsigned 403, signed a looping <Play> of HOLD_MUSIC_URL', async () => {
    const params = { AccountSid: f.config.twilio.accountSid, CallSid: callSid(), ConferenceSid: `CF${'1'.repeat(32)}` };
    expect((await f.post('/twilio/acd/hold-music', params, { signature: null })).status).to.equal(403);
    expect((await f.post('/twilio/acd/hold-music', params, { signature: 'bm90IGl0' })).status).to.equal(403);
    const ok = await f.post('/twilio/acd/hold-music', params);
    expect(ok.status).to.equal(200);
    expect(ok.body).to.equal(`<?xml version="1.0" encoding="UTF-8"?><Response><Play loop="0">${f.config.holdMusicUrl}</Play></Response>`);
  });

  describe('CallHoldService', () => {
    let carrier: { calls: { conference: string; callSid: string; hold: boolean }[]; next?: () => Promise<void> };
    let service: CallHoldService;
    let agentId: number;
    let ix: { id: number; callSid: string; conference: string };

    beforeEach(() => {
      carrier = { calls: [] };
      const holdCarrier: HoldCarrier = {
        setCustomerHold: (o) => {
          carrier.calls.push(o);
          return carrier.next ? carrier.next() : Promise.resolve();
        },
      };
      const { hotline } = f;
      service = new CallHoldService({ holds: new CallHoldsRepo(hotline.db), interactions: hotline.acdRepos.interactions, carrier: holdCarrier, transact: transactor(hotline.db), clock: f.clock, events: hotline.events, log: createLogger('error', true) });
      agentId = (hotline.db.$client.prepare("select id from staff where username = 'agent1'").get() as { id: number }).id;
      const sid = callSid();
      const now = f.clock.now();
      hotline.repos.calls.insert({ sid, direction: 'inbound', from: '+8613911112222', to: f.config.hotlineNumber, status: 'in-progress', startedAt: now });
      hotline.repos.queue.enqueue({ callSid: sid, queue: 'front-general', desk: 'front', priority: 10, reason: 'test', status: 'waiting', enqueuedAt: now });
      const entry = hotline.repos.queue.forCall(sid)!;
      const offered = hotline.acdRepos.interactions.offer({ callSid: sid, queueEntryId: entry.id, agentId, at: now });
      hotline.acdRepos.interactions.transition(offered.id, 'offered', { status: 'connected', answeredAt: now });
      ix = { id: offered.id, callSid: sid, conference: offered.conference };
    });
    const rows = () => f.hotline.db.select().from(callHolds).where(eq(callHolds.interactionId, ix.id)).all();

    it('holds and resumes the customer leg of the conversation, one row with who and when', async () => {
      f.clock.set('2026-11-23T03:01:00Z');
      const held = await service.hold(agentId);
      expect(held).to.include({ interactionId: ix.id, onHold: true });
      f.clock.set('2026-11-23T03:01:42Z');
      await service.resume(agentId);
      expect(carrier.calls).to.deep.equal([
        { conference: ix.conference, callSid: ix.callSid, hold: true },
        { conference: ix.conference, callSid: ix.callSid, hold: false },
      ]);
      const [row] = rows();
      expect(row).to.include({ callSid: ix.callSid, startedBy: agentId });
      expect(row.endedAt!.getTime() - row.startedAt.getTime()).to.equal(42_000);
    });

    it('a customer gone from the conference is a 409 (Conflict) and stores nothing; a carrier failure stores nothing either', async () => {
      carrier.next = () => Promise.reject(new CallGone(ix.callSid));
      expect(await rejection(service.hold(agentId))).to.be.instanceOf(Conflict);
      carrier.next = () => Promise.reject(new Error('carrier unreachable'));
      expect(String(await rejection(service.hold(agentId)))).to.include('carrier unreachable');
      expect(rows()).to.deep.equal([]);
    });

    it('refuses a second hold while the first is still at the carrier, and a hold with no live call', async () => {
      let release!: () => void;
      carrier.next = () => new Promise<void>((r) => (release = r));
      const first = service.hold(agentId);
      expect(await rejection(service.hold(agentId))).to.be.instanceOf(Conflict);
      release();
      await first;
      expect(rows()).to.have.length(1);
      expect(carrier.calls).to.have.length(1);
      const other = (f.hotline.db.$client.prepare("select id from staff where username = 'agent2'").get() as { id: number }).id;
      expect(await rejection(service.hold(other))).to.be.instanceOf(NotFound);
    });
  });
});
