import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { startHotline, callSid, type Fixture } from '../support/hotline-fixture';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

// Under load the carrier can carry out a redirect after the server gave up on it (REST timeout): the caller then asks
// /twilio/acd/join for an offer that was withdrawn, while their call is already ringing another agent. That late join
// once freed the entry, the ACD offered the call a second time, the unique index refused it, and every dispatch after
// that failed on the same call (bench:day at 35 calls/s: hundreds of callers never answered).
describe('a late join for an older offer (carrier slower than the server)', () => {
  let f: Fixture;
  beforeEach(async () => (f = await startHotline()));
  afterEach(async () => f.close());

  const agentId = (username: string) => (f.hotline.db.$client.prepare('SELECT id FROM staff WHERE username = ?').get(username) as { id: number }).id;

  it('leaves the call held for the agent ringing now, answers the caller with the queue, and frees it once that offer ends', async () => {
    const { repos, acdRepos } = f.hotline;
    const sid = callSid();
    const now = f.clock.now();
    repos.calls.insert({ sid, direction: 'inbound', from: '+8613700001111', to: f.config.hotlineNumber, status: 'in-progress', startedAt: now });
    repos.queue.enqueue({ callSid: sid, queue: 'front-general', desk: 'front', priority: 10, reason: 'test', status: 'waiting', enqueuedAt: now });
    const entry = repos.queue.forCall(sid)!;
    // The first offer, to agent1: answered, then withdrawn because the carrier did not confirm the redirect in time.
    const first = acdRepos.interactions.offer({ callSid: sid, queueEntryId: entry.id, agentId: agentId('agent1'), at: now });
    expect(acdRepos.interactions.transition(first.id, 'offered', { status: 'withdrawn', endedAt: now })).to.equal(true);
    // The call waits again and rings agent2 now.
    expect(repos.queue.reserve(entry.id, agentId('agent2'))).to.equal(true);
    const second = acdRepos.interactions.offer({ callSid: sid, queueEntryId: entry.id, agentId: agentId('agent2'), at: now });

    // The late join for the first offer.
    const res = await f.post(`/twilio/acd/join?ix=${first.id}`, { CallSid: sid, AccountSid: 'AC' + '0'.repeat(32), From: '+8613700001111', To: f.config.hotlineNumber, CallStatus: 'in-progress' });
    expect(xml.parse(res.body).Response.Enqueue['#text']).to.equal('front-general');
    expect(repos.queue.forCall(sid)).to.include({ status: 'waiting', reservedBy: agentId('agent2') });

    // Bridged by the second offer: a late join must not make it waiting again either.
    repos.queue.end(sid, 'bridged', now);
    acdRepos.interactions.transition(second.id, 'offered', { status: 'connected', answeredAt: now });
    repos.queue.reopen(sid);
    expect(repos.queue.forCall(sid)!.status).to.equal('bridged');

    // Once no offer is live, the caller really waits again (the carrier could not bring them over).
    acdRepos.interactions.transition(second.id, 'connected', { status: 'withdrawn', endedAt: now });
    expect(repos.queue.reopen(sid)).to.include({ status: 'waiting', reservedBy: null });
  });
});
