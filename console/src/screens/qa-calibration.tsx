// Calibration of one recording: every evaluator's submitted scores side by side, per item and in total, with the
// spread (max − min) and standard deviation the server computed; items where the evaluators disagree stand out.
import { useEffect, useState } from 'preact/hooks';
import type { CalibrationReport } from '../../../src/quality/evaluations.service';
import { t } from '../i18n';
import { api } from '../session';
import { ErrorLine } from '../error-line';

/** A spread at or above this share of the item's scale is highlighted (the evaluators read the item differently). */
const WIDE = 0.5;

export function CalibrationView(props: { recordingId: number; names: Map<number, string>; /** Changes when the recording's evaluations do: the report is read again. */ version: string }) {
  const [report, setReport] = useState<CalibrationReport | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<CalibrationReport>('GET', `/api/recordings/${props.recordingId}/calibration`).then(setReport, (e: Error) => setError(e.message));
  }, [props.recordingId, props.version]);
  if (error)
    return <ErrorLine error={error} />;
  if (!report) return <p>{t('loading')}</p>;
  if (report.evaluators.length === 0) return <p class="qa-muted">{t('calibrationNone')}</p>;
  const who = (id: number) => props.names.get(id) ?? `#${id}`;
  return (
    <div class="qa-scroll">
      <table class="qa-table qa-calibration" data-testid="calibration">
        <thead>
          <tr>
            <th>{t('item')}</th>
            {report.evaluators.map((e) => (
              <th key={e.evaluationId} data-evaluator={e.evaluatorId} class="num">
                {who(e.evaluatorId)}
                {e.calibration && <small class="qa-muted"> ({t('calibrationShort')})</small>}
              </th>
            ))}
            <th class="num">{t('spread')}</th>
            <th class="num">{t('stdDev')}</th>
          </tr>
        </thead>
        <tbody>
          {report.items.map((i) => {
            const wide = i.spread !== null && i.scale.max > i.scale.min && i.spread / (i.scale.max - i.scale.min) >= WIDE;
            return (
              <tr key={i.itemId} data-item={i.itemId} class={wide ? 'qa-wide' : undefined}>
                <td>
                  {i.title} <small class="qa-muted">({i.scale.min}–{i.scale.max})</small>
                </td>
                {report.evaluators.map((e, k) => (
                  <td key={e.evaluationId} class="num">
                    {i.scores[k]?.score ?? t('naOption')}
                  </td>
                ))}
                <td class="num">{i.spread ?? '—'}</td>
                <td class="num">{i.standardDeviation ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr data-item="total">
            <th>{t('calibrationTotal')}</th>
            {report.evaluators.map((e) => (
              <th key={e.evaluationId} class="num">
                {e.score ?? '—'}
              </th>
            ))}
            <th class="num">{report.total.spread ?? '—'}</th>
            <th class="num">{report.total.standardDeviation ?? '—'}</th>
          </tr>
        </tfoot>
      </table>
      <p class="qa-muted">
        {t('calibrationMean')} {report.total.mean ?? '—'}
      </p>
    </div>
  );
}
