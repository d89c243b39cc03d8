// HOTLINE_HOURS pins the hotline open or closed whatever the hour (what the README's first examples rely on).
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { loadConfig, ConfigError } from '../../src/config/config';
import { AFTER_HOURS, OPEN_HOURS, callSid, startHotline, type Fixture } from '../support/hotline-fixture';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const ZHANG_WEI = '+8613700001111';

/** Calls in as 张伟, chooses Mandarin, and returns what the caller hears next. */
async function afterLanguage(f: Fixture): Promise<string> {
  const sid = callSid();
  const params = { CallSid: sid, From: ZHANG_WEI, To: '+864008008888', CallStatus: 'ringing', Direction: 'inbound' };
  expect((await f.post('/twilio/voice', params)).status).to.equal(200);
  const res = await f.post('/twilio/ivr?s=1', { ...params, CallStatus: 'in-progress', Digits: '1' });
  expect(res.status).to.equal(200);
  return JSON.stringify(xml.parse(res.body));
}

const MAIN_MENU = '查询订单和物流请按1';
const AFTER_HOURS_MENU = '现在是非工作时间';

describe('HOTLINE_HOURS (through signed webhooks)', () => {
  let f: Fixture | undefined;
  afterEach(async () => f?.close());

  it('calendar (the default) follows the flow: open at 11:00 in Shanghai, closed at 23:30', async () => {
    f = await startHotline();
    expect(f.config.hotlineHours).to.equal('calendar');
    expect(await afterLanguage(f)).to.include(MAIN_MENU);
    f.clock.set(AFTER_HOURS);
    expect(await afterLanguage(f)).to.include(AFTER_HOURS_MENU);
  });

  it('open: the main menu at 23:30 in Shanghai', async () => {
    f = await startHotline({ HOTLINE_HOURS: 'open' });
    f.clock.set(AFTER_HOURS);
    expect(await afterLanguage(f)).to.include(MAIN_MENU);
  });

  it('closed: the after-hours menu at 11:00 in Shanghai', async () => {
    f = await startHotline({ HOTLINE_HOURS: 'closed' });
    f.clock.set(OPEN_HOURS);
    expect(await afterLanguage(f)).to.include(AFTER_HOURS_MENU);
  });

  it('refuses another value with one line naming the variable', () => {
    expect(() => loadConfig({ HOTLINE_HOURS: 'always' })).to.throw(ConfigError, /^Invalid HOTLINE_HOURS="always": /);
  });
});
