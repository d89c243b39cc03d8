// Wrap-up of the call on the desk: its disposition (the server's list) and a work order opened from the call.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DEPARTMENTS } from '../../../src/db/schema/staff';
import type { ScreenPopWorkOrder } from '../../../src/acd/screen-pop';
import { t, type TextKey } from '../i18n';
import { api } from '../session';
import { dispositionText, useDispositions } from '../dispositions';
import { takeLostFocus } from '../focus';
import { markDisposition, markWorkOrder, type DeskCall } from './agent-desk-state';
import { phoneStatus } from './agent-softphone';
import { ErrorLine } from '../error-line';

type Category = ScreenPopWorkOrder['category'];
type ComplaintType = NonNullable<ScreenPopWorkOrder['complaintType']>;
type Department = (typeof DEPARTMENTS)[number];

const CATEGORY: Record<Category, TextKey> = { inquiry: 'catInquiry', complaint: 'catComplaint', return_exchange: 'catReturn', other: 'catOther' };
const COMPLAINT: Record<ComplaintType, TextKey> = { product_quality: 'ctQuality', service_attitude: 'ctAttitude', logistics: 'ctLogistics', other: 'catOther' };
const DEPARTMENT: Record<Department, TextKey> = { warehouse: 'deptWarehouse', logistics: 'deptLogistics', finance: 'deptFinance', merchandise: 'deptMerchandise' };
const HANDLING = { open: 'woOpen', resolved: 'woResolved', forwarded: 'woForwarded' } as const satisfies Record<string, TextKey>;

export function WrapUp({ c }: { c: DeskCall }) {
  const { codes, error: listError } = useDispositions();
  const [code, setCode] = useState('');
  const [saveError, setError] = useState('');
  const error = saveError || listError;
  const select = useRef<HTMLSelectElement>(null);
  // The call is over and the hang-up button the agent used is disabled (once the phone says so): the disposition is next.
  const phone = phoneStatus.value;
  useEffect(() => {
    if (c.phase === 'ended') takeLostFocus(select.current);
  }, [c.phase, phone]);
  const save = async (e: Event) => {
    e.preventDefault();
    setError('');
    const chosen = code || select.current?.value || '';
    try {
      await api('POST', `/api/interactions/${c.interactionId}/disposition`, { code: chosen });
      markDisposition(c.interactionId, chosen);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="ad-wrapup" aria-label={t('wrapUp')}>
      <form onSubmit={(e) => void save(e)} class="ad-disposition">
        <label>
          <span>
            {t('disposition')} <kbd>Alt+D</kbd>
          </span>
          <select ref={select} id="ad-disposition" value={code} onChange={(e) => setCode((e.currentTarget as HTMLSelectElement).value)} aria-keyshortcuts="Alt+D" required>
            <option value="">{t('chooseDisposition')}</option>
            {codes.map((d) => (
              <option value={d.code} key={d.code}>
                {dispositionText(codes, d.code)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('save')}</button>
        {c.disposition && (
          <span class="ad-ok" data-testid="disposition-saved" role="status">
            {t('saved')}: {dispositionText(codes, c.disposition)}
          </span>
        )}
      </form>
      <ErrorLine error={error} />
      <WorkOrderForm c={c} />
    </section>
  );
}

function WorkOrderForm({ c }: { c: DeskCall }) {
  const [category, setCategory] = useState<Category>('inquiry');
  const [handling, setHandling] = useState<keyof typeof HANDLING>('open');
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const body: Record<string, string> = { category, description: String(f.get('description') ?? ''), status: handling };
    if (c.callSid) body.callSid = c.callSid;
    const orderNumber = String(f.get('orderNumber') ?? '').trim();
    if (orderNumber) body.orderNumber = orderNumber;
    if (category === 'complaint') body.complaintType = String(f.get('complaintType'));
    if (handling === 'forwarded') body.department = String(f.get('department'));
    try {
      const wo = await api<{ number: string }>('POST', '/api/work-orders', body);
      markWorkOrder(c.interactionId, wo.number);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  if (c.workOrder)
    return (
      <p class="ad-ok" role="status" data-testid="work-order-created">
        {t('woCreated')}: {c.workOrder}
      </p>
    );
  return (
    <details class="ad-workorder">
      <summary>{t('newWorkOrder')}</summary>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          {t('category')}
          <select value={category} onChange={(e) => setCategory((e.currentTarget as HTMLSelectElement).value as Category)}>
            {(Object.keys(CATEGORY) as Category[]).map((k) => (
              <option value={k} key={k}>
                {t(CATEGORY[k])}
              </option>
            ))}
          </select>
        </label>
        {category === 'complaint' && (
          <label>
            {t('complaintType')}
            <select name="complaintType">
              {(Object.keys(COMPLAINT) as ComplaintType[]).map((k) => (
                <option value={k} key={k}>
                  {t(COMPLAINT[k])}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('orderNumber')}
          <input name="orderNumber" defaultValue={c.pop?.ivr?.orderNumber ?? c.pop?.recentOrders[0]?.number ?? ''} />
        </label>
        <label class="ad-wide">
          {t('description')}
          <textarea name="description" rows={2} required maxLength={4000} />
        </label>
        <label>
          {t('woStatus')}
          <select value={handling} onChange={(e) => setHandling((e.currentTarget as HTMLSelectElement).value as keyof typeof HANDLING)}>
            {(Object.keys(HANDLING) as (keyof typeof HANDLING)[]).map((k) => (
              <option value={k} key={k}>
                {t(HANDLING[k])}
              </option>
            ))}
          </select>
        </label>
        {handling === 'forwarded' && (
          <label>
            {t('department')}
            <select name="department">
              {(Object.keys(DEPARTMENT) as Department[]).map((k) => (
                <option value={k} key={k}>
                  {t(DEPARTMENT[k])}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit">{t('save')}</button>
        <ErrorLine error={error} />
      </form>
    </details>
  );
}
