// The floor alerts' rules: raised once when crossed, cleared once when back, never flapping on a figure that hovers.
import { expect } from 'chai';
import { ALERT_KINDS } from '../../src/db/schema/index';
import { DEFAULT_ALERT_SETTINGS, alertMessage, alertSettingProblems, evaluateAlerts, type AlertKind, type AlertSetting, type AlertTrack, type Reading } from '../../src/floor/alert-rules';

type Settings = Record<AlertKind, AlertSetting>;
const settings = (over: Partial<Record<AlertKind, Partial<AlertSetting>>> = {}): Settings =>
  Object.fromEntries(ALERT_KINDS.map((k) => [k, { ...DEFAULT_ALERT_SETTINGS[k], ...over[k] }])) as Settings;

/** Runs one reading per second through the rules; returns the changes as `t:raised` / `t:cleared`. */
function run(kind: AlertKind, values: (number | undefined)[], s: Settings, subject = 'front-general'): string[] {
  const tracks = new Map<string, AlertTrack>();
  const out: string[] = [];
  values.forEach((value, t) => {
    const readings: Reading[] = [{ kind, subject, value, label: subject }];
    for (const c of evaluateAlerts(readings, s, tracks, t * 1000)) out.push(`${t}:${c.change}`);
  });
  return out;
}

describe('floor alert rules (pure)', () => {
  it('a longest wait hovering around the raise level raises once and clears once, where one level would flap', () => {
    const hovering = [10, 55, 61, 59, 62, 58, 61, 40, 35, 31, 29, 33, 28];
    const s = settings({ longest_wait: { raiseAt: 60, clearAt: 30, holdSeconds: 0 } });
    expect(run('longest_wait', hovering, s)).to.deep.equal(['2:raised', '10:cleared']);
    // The same sequence with the clear level at the raise level: what hysteresis prevents (the rules refuse that setting).
    const flappy = { ...s, longest_wait: { ...s.longest_wait, clearAt: 60 } };
    expect(run('longest_wait', hovering, flappy)).to.deep.equal(['2:raised', '3:cleared', '4:raised', '5:cleared', '6:raised', '7:cleared']);
    expect(alertSettingProblems(flappy.longest_wait).join()).to.match(/cannot flap/);
  });

  it('a hold time ignores spikes shorter than it, both ways', () => {
    const s = settings({ longest_wait: { raiseAt: 60, clearAt: 30, holdSeconds: 3 } });
    // Spikes of 1-2 s over 60 never raise; 4 s over it raises once 3 s after it began; dips under 30 shorter than 3 s never clear.
    const values = [0, 70, 0, 70, 70, 0, 70, 70, 70, 70, 20, 20, 70, 20, 20, 20, 20, 20];
    expect(run('longest_wait', values, s)).to.deep.equal(['9:raised', '16:cleared']);
  });

  it('a service level under target raises (an "under" kind), and clears only back above the clear level', () => {
    const s = settings({ service_level: { raiseAt: 80, clearAt: 85, holdSeconds: 0 } });
    expect(run('service_level', [90, 79, 81, 79, 84, 86, 84, 79], s)).to.deep.equal(['1:raised', '5:cleared', '7:raised']);
  });

  it('no reading clears an active alert (the agent left the state, the queue is gone) and raises nothing', () => {
    const s = settings({ wrap_up_too_long: { raiseAt: 120, clearAt: 120, holdSeconds: 0 } });
    expect(run('wrap_up_too_long', [100, 121, 130, undefined, undefined, 5, 121], s, 'agent:7')).to.deep.equal(['1:raised', '3:cleared', '6:raised']);
    const tracks = new Map<string, AlertTrack>();
    const s2 = settings({ longest_wait: { holdSeconds: 2 } });
    const raised = evaluateAlerts([{ kind: 'longest_wait', subject: 'front-vip', value: 500, label: 'front-vip' }], s2, tracks, 0);
    expect(raised).to.deep.equal([]);
    expect(evaluateAlerts([{ kind: 'longest_wait', subject: 'front-vip', value: 502, label: 'front-vip' }], s2, tracks, 2000).map((c) => c.change)).to.deep.equal(['raised']);
    // The queue is not on the board any more: its alert clears once (after the hold time, as any clear), then nothing more.
    expect(evaluateAlerts([], s2, tracks, 3000)).to.deep.equal([]);
    expect(evaluateAlerts([], s2, tracks, 5000).map((c) => `${c.change}:${c.reading.subject}`)).to.deep.equal(['cleared:front-vip']);
    expect(evaluateAlerts([], s2, tracks, 6000)).to.deep.equal([]);
  });

  it('a disabled kind raises nothing and clears what it had raised', () => {
    const tracks = new Map<string, AlertTrack>();
    const on = settings({ abandon_rate: { raiseAt: 10, clearAt: 7, holdSeconds: 0 } });
    const r: Reading[] = [{ kind: 'abandon_rate', subject: 'front-general', value: 25, label: 'front-general' }];
    expect(evaluateAlerts(r, on, tracks, 0).map((c) => c.change)).to.deep.equal(['raised']);
    const off = { ...on, abandon_rate: { ...on.abandon_rate, enabled: false } };
    expect(evaluateAlerts(r, off, tracks, 1000).map((c) => c.change)).to.deep.equal(['cleared']);
    expect(evaluateAlerts(r, off, tracks, 2000)).to.deep.equal([]);
  });

  it('refuses settings whose clear level is on the wrong side, bad percentages and bad hold times', () => {
    expect(alertSettingProblems({ ...DEFAULT_ALERT_SETTINGS.longest_wait, clearAt: 90 })).to.have.length(1);
    expect(alertSettingProblems({ ...DEFAULT_ALERT_SETTINGS.service_level, clearAt: 70 })[0]).to.match(/at or above raiseAt/);
    expect(alertSettingProblems({ ...DEFAULT_ALERT_SETTINGS.abandon_rate, raiseAt: 120 })[0]).to.match(/percentages/);
    expect(alertSettingProblems({ ...DEFAULT_ALERT_SETTINGS.agents_available, holdSeconds: -1 })[0]).to.match(/holdSeconds/);
    for (const k of ALERT_KINDS) expect(alertSettingProblems(DEFAULT_ALERT_SETTINGS[k]), k).to.deep.equal([]);
  });

  it('writes a message a dispatcher can read', () => {
    const reading: Reading = { kind: 'longest_wait', subject: 'front-general', value: 75, label: 'front-general' };
    expect(alertMessage({ change: 'raised', reading, value: 75, setting: DEFAULT_ALERT_SETTINGS.longest_wait })).to.equal('front-general: longest wait 75 s (over 60 s)');
    expect(alertMessage({ change: 'cleared', reading, value: 12, setting: DEFAULT_ALERT_SETTINGS.longest_wait })).to.equal('front-general: longest wait 12 s (back to 30 s)');
  });
});
