// What people call the queues: the flows name them by id (`front-vip`), the floor and the agents by what they serve.
import { lang, t, type TextKey } from './i18n';

/** The demo hotline's queues (ivr-flows/hotline.yaml, src/acd/queue-settings.repo.ts DEMO_QUEUES). */
const KNOWN: Record<string, { zh: string; en: string }> = {
  'front-vip': { zh: 'VIP 专线', en: 'VIP line' },
  'front-complaints': { zh: '投诉', en: 'Complaints' },
  'front-returns': { zh: '退换货', en: 'Returns' },
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

/**
 * Why a callback is on the list, for the agent who makes it: the server stores a code (`queue:front-general`, the IVR
 * node's `after-hours`, `need_info:<order>`, `rma_status:<rma>: <status>: <text>`); anything else (an imported list's
 * own reason, a supervisor's note) is shown as it is.
 */
export function callbackReason(reason: string): string {
  const zh = lang.value === 'zh';
  const queue = /^queue:(.+)$/.exec(reason);
  if (queue) return zh ? `排队时请求回电 · ${queueName(queue[1])}` : `Asked while waiting · ${queueName(queue[1])}`;
  const needInfo = /^need_info:(.+)$/.exec(reason);
  if (needInfo) return zh ? `订单 ${needInfo[1]} 需向客户补充信息` : `Order ${needInfo[1]}: information needed from the customer`;
  const rma = /^rma_status:([^:]+): ?([^:]+): ?(.*)$/s.exec(reason);
  if (rma) return zh ? `退换货 ${rma[1]} 进展通知：${rma[3]}` : `Return ${rma[1]} update: ${rma[3]}`;
  const fixed: Record<string, { zh: string; en: string }> = {
    'after-hours': { zh: '非工作时间来电，请求回电', en: 'Called after hours, asked for a callback' },
    vip: { zh: 'VIP 客户请求回电', en: 'VIP customer asked for a callback' },
    returns: { zh: '退换货咨询', en: 'Returns and exchanges' },
    complaint: { zh: '投诉', en: 'Complaint' },
    agent: { zh: '请求人工服务', en: 'Asked for an agent' },
  };
  return fixed[reason]?.[zh ? 'zh' : 'en'] ?? reason;
}
