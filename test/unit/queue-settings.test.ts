import { AuditRepo } from '../../src/audit/audit.repo';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { queueSettings } from '../../src/db/schema/index';
import { DEMO_QUEUES, QueueSettingsRepo, defaultQueueSettings, deskOfQueue, seedQueueSettings } from '../../src/acd/queue-settings.repo';
import { QueueSettingsService, queueRuleProblems } from '../../src/acd/queue-settings.service';

describe('queue settings', () => {
  describe('rules (pure)', () => {
    it('takes the desk from the name prefix, else the front desk', () => {
      expect(['front-vip', 'middle-review', 'back-rma', 'backorders', 'general', 'middle'].map(deskOfQueue)).to.deep.equal(['front', 'middle', 'back', 'front', 'front', 'front']);
    });

    it('defaults to the three-rings service level, ten minutes of waiting, callback or voicemail, 30 s wrap-up, no survey', () => {
      expect(defaultQueueSettings('back-rma')).to.deep.equal({
        name: 'back-rma',
        desk: 'back',
        serviceLevelSeconds: 15,
        maxWaitSeconds: 600,
        overflowAction: 'callback_or_voicemail',
        overflowQueue: null,
        wrapUpSeconds: 30,
        postCallSurvey: false,
      });
      expect(queueRuleProblems(defaultQueueSettings('back-rma'))).to.deep.equal([]);
    });

    it('checks ranges, the name, and the overflow fields against each other', () => {
      const q = defaultQueueSettings('front-vip');
      expect(queueRuleProblems({ ...q, serviceLevelSeconds: 0, maxWaitSeconds: 7201, wrapUpSeconds: 600 })).to.deep.equal([
        'serviceLevelSeconds: a whole number of seconds from 1 to 300',
        'maxWaitSeconds: a whole number of seconds from 30 to 7200',
      ]);
      expect(queueRuleProblems({ ...q, serviceLevelSeconds: 300, maxWaitSeconds: 30, wrapUpSeconds: 0 })).to.deep.equal(['maxWaitSeconds: must not be shorter than serviceLevelSeconds']);
      expect(queueRuleProblems({ ...q, name: 'Front VIP' })).to.deep.equal(['name: lower-case letters, digits and single hyphens, at most 64 characters']);
      expect(queueRuleProblems({ ...q, overflowAction: 'queue' })).to.deep.equal(["overflowQueue: required when overflowAction is 'queue'"]);
      expect(queueRuleProblems({ ...q, overflowAction: 'queue', overflowQueue: 'front-vip' })).to.deep.equal(['overflowQueue: must name another queue']);
      expect(queueRuleProblems({ ...q, overflowAction: 'queue', overflowQueue: 'front-general' })).to.deep.equal([]);
      expect(queueRuleProblems({ ...q, overflowAction: 'voicemail', overflowQueue: 'front-general' })).to.deep.equal(["overflowQueue: only used when overflowAction is 'queue'"]);
    });
  });

  describe('repository and service (SQLite in memory)', () => {
    let db: Db;
    beforeEach(() => (db = openDatabase(':memory:')));
    afterEach(() => db.$client.close());

    it('answers the stored rules, or the defaults for a queue nobody configured', () => {
      const repo = new QueueSettingsRepo(db);
      expect(repo.get('middle-review')).to.deep.equal(defaultQueueSettings('middle-review'));
      expect(repo.find('middle-review')).to.equal(undefined);
      repo.upsert({ ...defaultQueueSettings('middle-review'), wrapUpSeconds: 90 });
      expect(repo.get('middle-review').wrapUpSeconds).to.equal(90);
    });

    it('seeds the four demo queues only into an empty table', () => {
      expect(seedQueueSettings(db)).to.equal(4);
      expect(seedQueueSettings(db)).to.equal(0);
      const rows = db.select().from(queueSettings).orderBy(queueSettings.name).all();
      expect(rows.map((r) => [r.name, r.desk, r.serviceLevelSeconds, r.maxWaitSeconds, r.postCallSurvey])).to.deep.equal([
        ['front-complaints', 'front', 15, 600, false],
        ['front-general', 'front', 15, 600, true],
        ['front-returns', 'front', 15, 600, false],
        ['front-vip', 'front', 10, 300, false],
      ]);
      expect(DEMO_QUEUES).to.have.length(4);

      const other = openDatabase(':memory:');
      new QueueSettingsRepo(other).upsert(defaultQueueSettings('back-rma'));
      expect(seedQueueSettings(other)).to.equal(0);
      other.$client.close();
    });

    it('replaces a queue’s rules as a whole: what is left out goes back to its default', () => {
      seedQueueSettings(db);
      const service = new QueueSettingsService({ queues: new QueueSettingsRepo(db), transact: transactor(db), audit: new AuditRepo(db) });
      expect(service.put('front-vip', { wrapUpSeconds: 45 })).to.deep.equal({ settings: { ...defaultQueueSettings('front-vip'), wrapUpSeconds: 45 }, created: false });
      expect(service.put('back-rma', {}).created).to.equal(true);
      expect(service.list().map((q) => q.name)).to.deep.equal(['back-rma', 'front-complaints', 'front-general', 'front-returns', 'front-vip']);
    });
  });
});
