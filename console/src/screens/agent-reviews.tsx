// Middle and back office: the special-order review list and the RMA review list, with claims and the decisions the API
// gives. Only the lists of the agent's desks are asked for (middle: orders, back: RMAs); a list the server still refuses
// (403: the desks changed meanwhile) is not shown.
import { useEffect, useState } from 'preact/hooks';
import type { reviewedOrderJson } from '../../../src/http/order-review.routes';
import type { reviewedRmaJson } from '../../../src/http/rma-review.routes';
import { t } from '../i18n';
import { ApiError, api } from '../session';
import { ErrorLine } from '../error-line';

type Order = ReturnType<typeof reviewedOrderJson>;
type Rma = ReturnType<typeof reviewedRmaJson>;

const yuan = (fen: number | null) => (fen === null ? '' : `¥${(fen / 100).toFixed(2)}`);

function useList<T>(path: string | null): { items: T[] | null; reload: () => Promise<void>; hidden: boolean } {
  const [items, setItems] = useState<T[] | null>(null);
  const [hidden, setHidden] = useState(path === null);
  const reload = async () => {
    if (path === null) return;
    await api<{ items: T[] }>('GET', path).then(
      (r) => setItems(r.items),
      (e: unknown) => setHidden(e instanceof ApiError && e.status === 403),
    );
  };
  useEffect(() => {
    void reload();
  }, [path]);
  return { items, reload, hidden };
}

export function ReviewLists({ me, desks }: { me: number; desks: readonly string[] }) {
  const orders = useList<Order>(desks.includes('middle') ? '/api/orders/review?limit=20' : null);
  const rmas = useList<Rma>(desks.includes('back') ? '/api/rmas/review?limit=20' : null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  if ((orders.hidden || !orders.items) && (rmas.hidden || !rmas.items)) return null;
  const act = async (path: string, body: unknown, reload: () => Promise<void>) => {
    setError('');
    try {
      await api('POST', path, body);
      setNote('');
      await reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const claimButtons = (base: string, claim: { agentId: number } | null, reload: () => Promise<void>) =>
    claim?.agentId === me ? (
      <button type="button" class="ad-small" onClick={() => void act(`${base}/release`, {}, reload)}>
        {t('release')}
      </button>
    ) : (
      <button type="button" class="ad-small" disabled={!!claim} onClick={() => void act(`${base}/claim`, {}, reload)}>
        {t('claim')}
      </button>
    );
  return (
    <section class="ad-callbacks" aria-label={t('reviews')} data-testid="review-lists">
      <h3>{t('reviews')}</h3>
      {/* The note goes with a decision: shown only when there is something to decide on. */}
      {(orders.items?.length ?? 0) + (rmas.items?.length ?? 0) > 0 && (
        <label class="ad-note">
          {t('reviewNote')}
          <input value={note} onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)} maxLength={2000} />
        </label>
      )}
      <ErrorLine error={error} />
      {!orders.hidden && orders.items && (
        <>
          <h4>{t('orderReviews')}</h4>
          {orders.items.length === 0 && <p class="ad-muted">{t('noReviews')}</p>}
          <table class="ad-list">
            <tbody>
              {orders.items.map((o) => {
                const base = `/api/orders/${encodeURIComponent(o.number)}`;
                const mine = o.claim?.agentId === me;
                return (
                  <tr key={o.number} data-order={o.number}>
                    <td>
                      <strong>{o.number}</strong> {yuan(o.amountFen)} · {t(o.payment === 'cod' ? 'payCod' : 'payPrepaid')}
                      <div class="ad-muted">{o.holdReasons.map((h) => h.detail ?? h.rule).join('; ')}</div>
                      {o.openQuestion && (
                        <div class="ad-warn">
                          {t('askedCustomer')}: {o.openQuestion.question}
                        </div>
                      )}
                    </td>
                    <td>
                      {claimButtons(base, o.claim, orders.reload)}
                      <button type="button" class="ad-small" disabled={!mine} onClick={() => void act(`${base}/approve`, note ? { note } : {}, orders.reload)}>
                        {t('approve')}
                      </button>
                      <button type="button" class="ad-small" disabled={!mine || !note} onClick={() => void act(`${base}/need-info`, { question: note }, orders.reload)}>
                        {t('needInfo')}
                      </button>
                      <button type="button" class="ad-small" disabled={!mine || !note} onClick={() => void act(`${base}/cancel`, { reason: note }, orders.reload)}>
                        {t('cancelOrder')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {!rmas.hidden && rmas.items && (
        <>
          <h4>{t('rmaReviews')}</h4>
          {rmas.items.length === 0 && <p class="ad-muted">{t('noReviews')}</p>}
          <table class="ad-list">
            <tbody>
              {rmas.items.map((r) => {
                const base = `/api/rmas/${encodeURIComponent(r.number)}`;
                const mine = r.claim?.agentId === me;
                return (
                  <tr key={r.number} data-rma={r.number}>
                    <td>
                      <strong>{r.number}</strong> {[t(r.kind === 'exchange' ? 'rkExchange' : 'rkReturn'), r.orderNumber, r.itemName, yuan(r.paidFen)].filter(Boolean).join(' · ')}
                      <div class="ad-muted">
                        {r.reason ?? ''} {r.qcPassed === false ? '· QC ✗' : r.qcPassed ? '· QC ✓' : ''}
                      </div>
                    </td>
                    <td>
                      {claimButtons(base, r.claim, rmas.reload)}
                      {r.kind === 'return' ? (
                        <button type="button" class="ad-small" disabled={!mine} onClick={() => void act(`${base}/approve-return`, { itemSku: r.itemSku, refund: ((r.paidFen ?? 0) / 100).toFixed(2) }, rmas.reload)}>
                          {t('approve')}
                        </button>
                      ) : (
                        <button type="button" class="ad-small" disabled={!mine} onClick={() => void act(`${base}/approve-exchange`, { replacementSku: r.replacementSku ?? r.itemSku }, rmas.reload)}>
                          {t('approve')}
                        </button>
                      )}
                      <button type="button" class="ad-small" disabled={!mine || !note} onClick={() => void act(`${base}/reject`, { reason: note }, rmas.reload)}>
                        {t('reject')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
