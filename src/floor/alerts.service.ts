// Owns the floor's alerts: the thresholds supervisors set, judging each tick's board, and storing each raise and clear once.
import type { AuditTrail } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import { ALERT_KINDS, type AlertKind } from '../db/schema/index';
import { Invalid } from '../errors/domain-errors';
import { DEFAULT_ALERT_SETTINGS, alertKey, alertMessage, alertSettingProblems, evaluateAlerts, type AlertSetting, type AlertTrack, type Reading } from './alert-rules';
import type { AlertsRepo, FloorAlertRow } from './alerts.repo';
import type { Board } from './floor-board';

export type FloorAlert = FloorAlertRow;
export type AlertSettings = Record<AlertKind, AlertSetting>;
export type AlertSettingsChange = Partial<Record<AlertKind, Partial<Omit<AlertSetting, 'kind'>>>>;

/** The figures of one board that the rules judge. */
export function boardReadings(board: Board, settings: AlertSettings): Reading[] {
  const readings: Reading[] = [];
  const enough = (kind: AlertKind, offered: number, value: number | null) => (value !== null && offered > 0 && offered >= settings[kind].minCalls ? value : undefined);
  for (const q of board.queues) {
    readings.push({ kind: 'longest_wait', subject: q.name, value: q.longestWaitSeconds, label: q.name });
    readings.push({ kind: 'service_level', subject: q.name, value: enough('service_level', q.last30Minutes.offered, q.last30Minutes.serviceLevel), label: q.name });
    readings.push({ kind: 'abandon_rate', subject: q.name, value: enough('abandon_rate', q.offeredLast15Minutes, q.abandonRateLast15Minutes), label: q.name });
  }
  for (const d of board.desks) {
    // A desk with nobody signed in and nobody waiting is closed, not short of people.
    const open = d.staffed + d.onBreak > 0 || d.waiting > 0;
    readings.push({ kind: 'agents_available', subject: `desk:${d.desk}`, value: open ? d.available : undefined, label: `${d.desk} desk` });
  }
  for (const a of board.roster) {
    const kind = a.state === 'wrap_up' ? 'wrap_up_too_long' : a.state === 'break' ? 'break_too_long' : undefined;
    if (kind) readings.push({ kind, subject: `agent:${a.id}`, value: a.secondsInState ?? undefined, agentId: a.id, teamId: a.team?.id ?? null, label: a.displayName });
  }
  return readings;
}

export class AlertsService {
  private readonly tracks = new Map<string, AlertTrack>();
  private cached?: AlertSettings;
  private activeAlerts: FloorAlert[];

  constructor(private readonly d: { repo: AlertsRepo; transact: Transact; audit: AuditTrail }) {
    // After a restart the alerts still active stay raised: they clear once, when their figure comes back.
    this.activeAlerts = d.repo.active();
    for (const a of this.activeAlerts) this.tracks.set(alertKey(a.kind, a.subject), { active: true });
  }

  settings(): AlertSettings {
    if (this.cached) return this.cached;
    const out = Object.fromEntries(ALERT_KINDS.map((k) => [k, { ...DEFAULT_ALERT_SETTINGS[k] }])) as AlertSettings;
    for (const r of this.d.repo.settings()) out[r.kind] = { kind: r.kind, enabled: r.enabled, raiseAt: r.raiseAt, clearAt: r.clearAt, holdSeconds: r.holdSeconds, minCalls: r.minCalls };
    return (this.cached = out);
  }

  /** Changes some kinds' thresholds (fields left out keep their value); checks every changed kind, stores and audits them. */
  updateSettings(change: AlertSettingsChange, actor: { id: number }, now: Date, ip?: string): AlertSettings {
    const current = this.settings();
    const next = { ...current };
    const problems: string[] = [];
    for (const [kind, fields] of Object.entries(change) as [AlertKind, Partial<AlertSetting>][]) {
      if (!ALERT_KINDS.includes(kind)) {
        problems.push(`${kind}: unknown alert; one of ${ALERT_KINDS.join(', ')}`);
        continue;
      }
      next[kind] = { ...current[kind], ...fields, kind };
      problems.push(...alertSettingProblems(next[kind]).map((p) => `${kind}.${p}`));
    }
    if (problems.length) throw new Invalid(problems.join('; '), problems);
    this.d.transact(() => {
      for (const kind of Object.keys(change) as AlertKind[]) {
        const s = next[kind];
        this.d.repo.saveSetting({ kind, enabled: s.enabled, raiseAt: s.raiseAt, clearAt: s.clearAt, holdSeconds: s.holdSeconds, minCalls: s.minCalls, updatedBy: actor.id, updatedAt: now });
        this.d.audit.record({ at: now, actorId: actor.id, action: 'alert_settings.changed', subjectType: 'alert_setting', subjectId: kind, detail: { from: current[kind], to: s }, ip });
      }
    });
    this.cached = undefined;
    return this.settings();
  }

  /** Judges the board; stores and returns the alerts raised and cleared now (each one once). */
  evaluate(board: Board): { raised: FloorAlert[]; cleared: FloorAlert[] } {
    const settings = this.settings();
    const changes = evaluateAlerts(boardReadings(board, settings), settings, this.tracks, board.at.getTime());
    if (!changes.length) return { raised: [], cleared: [] };
    const raised: FloorAlert[] = [];
    const cleared: FloorAlert[] = [];
    this.d.transact(() => {
      for (const c of changes) {
        const { kind, subject } = c.reading;
        if (c.change === 'raised') {
          const row = this.d.repo.raise({
            kind,
            subject,
            agentId: c.reading.agentId ?? null,
            teamId: c.reading.teamId ?? null,
            raisedValue: c.value ?? 0,
            raiseAt: c.setting.raiseAt,
            clearAt: c.setting.clearAt,
            message: alertMessage(c),
            raisedAt: board.at,
          });
          if (row) raised.push(row);
        } else {
          const row = this.d.repo.clear(kind, subject, board.at, c.value ?? null);
          if (row) cleared.push(row);
        }
      }
    });
    if (raised.length || cleared.length) this.activeAlerts = this.d.repo.active();
    return { raised, cleared };
  }

  active(): FloorAlert[] {
    return this.activeAlerts;
  }

  history(o: { from: Date; to: Date; limit: number }): FloorAlert[] {
    return this.d.repo.history(o);
  }
}
