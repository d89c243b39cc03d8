// What people call the queues: the flows name them by id (`front-vip`), the floor and the agents by what they serve.
import { lang, t, type TextKey } from './i18n';

/** The demo hotline's queues (ivr-flows/hotline.yaml, src/acd/queue-settings.repo.ts DEMO_QUEUES). */
const KNOWN: Record<string, { zh: string; en: string }> = {
  'front-vip': { zh: 'VIP 专线', en: 'VIP line' },
  'front-complaints': { zh: '投诉', en: 'Complaints' },
  'front-returns': { zh: '退换货', en: 'Returns and exchanges' },
  'front-general': { zh: '综合咨询', en: 'General enquiries' },
};

/**
 * A queue's name for people, in the console's language: a known queue's own name, else its desk and the rest of its
 * id (`middle-invoices` → "中台 · invoices"), so a queue added in a flow still reads sensibly before it gets a name here.
 */
export function queueName(id: string): string {
  const known = KNOWN[id];
  if (known) return known[lang.value];
  const m = /^(front|middle|back)-(.+)$/.exec(id);
  return m ? `${t(`wbDesk_${m[1]}` as TextKey)} · ${m[2]}` : id;
}
