// Turns an order or an RMA into a natural sentence for the caller, in Mandarin or English.
import type { Language, OrderFacts, RmaFacts } from './flow-types';
import { courierInEnglish } from './english-names';

/** Reads codes character by character so the voice does not say "two hundred billion". */
export function spell(code: string, language: Language): string {
  return code.split('').join(language === 'zh' ? ' ' : ' ');
}

function yuan(fen: number, language: Language): string {
  const amount = (fen / 100).toLocaleString('en-US', { maximumFractionDigits: 2 });
  return language === 'zh' ? `${amount}元` : `${amount} yuan`;
}

function day(d: Date, language: Language, timeZone: string): string {
  return language === 'zh'
    ? new Intl.DateTimeFormat('zh-CN', { timeZone, month: 'long', day: 'numeric' }).format(d)
    : new Intl.DateTimeFormat('en-US', { timeZone, month: 'long', day: 'numeric' }).format(d);
}

export function describeOrder(o: OrderFacts, language: Language, timeZone: string): string {
  const no = spell(o.number, language);
  const placed = day(o.placedAt, language, timeZone);
  const amount = yuan(o.amountFen, language);
  const tracking = o.trackingNumber ? spell(o.trackingNumber, language) : '';
  if (language === 'zh') {
    const head = `您${placed}下的订单 ${no}，金额${amount}，`;
    switch (o.status) {
      case 'pending_review': return `${head}正在审核中，审核通过后会尽快为您发货。`;
      case 'confirmed': return `${head}已确认，正在仓库备货，发货后会短信通知您。`;
      case 'shipped': return `${head}已由${o.shippingCarrier ?? '快递'}发出，运单号 ${tracking}，请留意查收。`;
      case 'delivered': return `${head}已于${day(o.updatedAt, language, timeZone)}签收。`;
      case 'cancelled': return `${head}已取消。如已付款，款项将原路退回。`;
    }
  }
  const head = `Your order ${no} of ${placed}, for ${amount},`;
  switch (o.status) {
    case 'pending_review': return `${head} is being reviewed and will ship as soon as it is approved.`;
    case 'confirmed': return `${head} is confirmed and being prepared in our warehouse. We will text you when it ships.`;
    case 'shipped': return `${head} has shipped with ${(o.shippingCarrier && courierInEnglish(o.shippingCarrier)) ?? 'our courier'}, tracking number ${tracking}.`;
    case 'delivered': return `${head} was delivered on ${day(o.updatedAt, language, timeZone)}.`;
    case 'cancelled': return `${head} was cancelled. Any payment will be refunded to the original account.`;
  }
}

export function describeRma(r: RmaFacts, language: Language): string {
  const no = spell(r.number, language);
  if (language === 'zh') {
    const what = r.kind === 'return' ? '退货' : '换货';
    const status = {
      requested: '已提交，等待审核',
      under_review: '正在审核中，我们会在审核完成后与您联系',
      approved: '已审核通过',
      rejected: '未通过审核，客服会向您说明原因',
      refund_pending: r.refundFen ? `已审核通过，正在办理退款${yuan(r.refundFen, language)}` : '已审核通过，正在办理退款',
      exchange_pending: '已审核通过，换货商品正在准备发出',
      refunded: r.refundFen ? `退款${yuan(r.refundFen, language)}已办理，将原路退回` : '退款已办理，将原路退回',
      replacement_shipped: '换货商品已发出',
      closed: '已完成',
    }[r.status];
    return `您的${what}申请 ${no}，${status}。`;
  }
  const what = r.kind === 'return' ? 'return' : 'exchange';
  const status = {
    requested: 'has been received and is waiting for review',
    under_review: 'is under review; we will contact you when the review is done',
    approved: 'has been approved',
    rejected: 'was not approved; an agent will explain why',
    refund_pending: r.refundFen ? `has been approved and your refund of ${yuan(r.refundFen, language)} is being processed` : 'has been approved and your refund is being processed',
    exchange_pending: 'has been approved and your replacement item is being prepared for shipping',
    refunded: r.refundFen ? `has been refunded: ${yuan(r.refundFen, language)} to your original payment account` : 'has been refunded to your original payment account',
    replacement_shipped: 'is complete: the replacement item has shipped',
    closed: 'is closed',
  }[r.status];
  return `Your ${what} request ${no} ${status}.`;
}
