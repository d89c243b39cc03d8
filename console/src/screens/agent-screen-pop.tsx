// The screen pop: who is calling (account, tier, recent orders, open RMAs, open work orders, what they did in the IVR),
// shown while the call rings, before the agent answers.
import { lang, t, type TextKey } from '../i18n';
import { queueName } from '../queue-names';
import type { ScreenPopOrder, ScreenPopRma, ScreenPopWorkOrder } from '../../../src/acd/screen-pop';
import type { Pop } from './agent-desk-state';

const TIER: Record<string, TextKey> = { vip: 'tierVip', returning: 'tierReturning', new: 'tierNew' };
const ORDER_STATUS: Record<ScreenPopOrder['status'], TextKey> = {
  pending_review: 'osPendingReview',
  confirmed: 'osConfirmed',
  shipped: 'osShipped',
  delivered: 'osDelivered',
  cancelled: 'osCancelled',
};
const RMA_KIND: Record<ScreenPopRma['kind'], TextKey> = { return: 'rkReturn', exchange: 'rkExchange' };
const RMA_STATUS: Record<ScreenPopRma['status'], TextKey> = {
  requested: 'rsRequested',
  under_review: 'rsUnderReview',
  approved: 'rsApproved',
  rejected: 'rsRejected',
  refund_pending: 'rsRefundPending',
  exchange_pending: 'rsExchangePending',
  refunded: 'rsRefunded',
  replacement_shipped: 'rsReplacementShipped',
  closed: 'rsClosed',
};
const WORK_ORDER_STATUS: Record<ScreenPopWorkOrder['status'], TextKey> = { open: 'woOpen', resolved: 'woResolved', forwarded: 'woForwarded', answered: 'wsAnswered', closed: 'wsClosed' };

const yuan = (fen: number) => `¥${(fen / 100).toLocaleString(lang.value === 'zh' ? 'zh-CN' : 'en', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const day = (iso: string) => iso.slice(0, 10);

/** What the IVR heard (the engine's `pressed 1`, `said "…"`, `no input`, `recorded 12s`), in the console's language. */
export function ivrInput(input: string): string {
  const pressed = /^pressed (.+)$/.exec(input);
  if (pressed) return `${t('ivrPressed')} ${pressed[1]}`;
  const said = /^said "(.*)"$/s.exec(input);
  if (said) return lang.value === 'zh' ? `${t('ivrSaid')}“${said[1]}”` : `${t('ivrSaid')} “${said[1]}”`;
  if (input === 'no input') return t('ivrNoInput');
  const recorded = /^recorded (\d+)s$/.exec(input);
  if (recorded) return `${t('ivrRecorded')} ${recorded[1]} ${lang.value === 'zh' ? '秒' : 's'}`;
  return input;
}

export function ScreenPop({ pop }: { pop: Pop }) {
  const c = pop.customer;
  return (
    <section class="ad-pop" aria-label={t('screenPop')} data-testid="screen-pop">
      <header class="ad-pop-head">
        <h3 data-testid="pop-name">{c ? c.name : t('unknownCaller')}</h3>
        {c && <span class={`ad-tier ad-tier-${c.tier}`}>{t(TIER[c.tier] ?? 'tierNew')}</span>}
        <span class="ad-muted">{pop.callerNumber ?? ''}</span>
        {c && (
          <span class="ad-muted">
            {t('account')} {c.accountNumber} · {t('customerSince')} {day(c.customerSince)}
          </span>
        )}
        {pop.queue && (
          <span class="ad-muted">
            {t('queueLabel')} <span data-testid="pop-queue" title={pop.queue}>{queueName(pop.queue)}</span>
          </span>
        )}
      </header>
      {pop.ivr && (
        <p class="ad-ivr" data-testid="pop-ivr">
          <strong>{t('ivrPath')}:</strong> {pop.ivr.nodes.join(' → ')}
          {pop.ivr.inputs.length > 0 && <span class="ad-muted"> ({pop.ivr.inputs.map((i) => `${i.node}: ${ivrInput(i.input)}`).join(', ')})</span>}
          {pop.ivr.orderNumber && (
            <span>
              {' '}
              · {t('orderNumber')} {pop.ivr.orderNumber}
            </span>
          )}
        </p>
      )}
      <div class="ad-pop-grid">
        <div>
          <h4>{t('recentOrders')}</h4>
          {pop.recentOrders.length === 0 ? (
            <p class="ad-muted">{t('none')}</p>
          ) : (
            <table>
              <tbody>
                {pop.recentOrders.map((o) => (
                  <tr key={o.number}>
                    <td>{o.number}</td>
                    <td class="num">{yuan(o.amountFen)}</td>
                    <td class="nowrap">{t(ORDER_STATUS[o.status])}</td>
                    <td>{o.items.map((i) => i.name).join('、')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h4>{t('openRmas')}</h4>
          {pop.openRmas.length === 0 ? (
            <p class="ad-muted">{t('none')}</p>
          ) : (
            <ul>
              {pop.openRmas.map((r) => (
                <li key={r.number}>
                  {r.number} · {t(RMA_KIND[r.kind])} · {t(RMA_STATUS[r.status])} · {r.orderNumber}
                </li>
              ))}
            </ul>
          )}
          <h4>{t('openWorkOrders')}</h4>
          {pop.openWorkOrders.length === 0 ? (
            <p class="ad-muted">{t('none')}</p>
          ) : (
            <ul>
              {pop.openWorkOrders.map((w) => (
                <li key={w.number}>
                  {w.number} · {t(WORK_ORDER_STATUS[w.status])} · {w.description}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
