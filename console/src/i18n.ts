// Interface text in zh-CN and en: the browser's language by default, switchable (kept in localStorage).
import { signal } from '@preact/signals';

export type Lang = 'zh' | 'en';

const TEXT = {
  appName: { zh: '400 热线', en: '400 hotline' },
  signIn: { zh: '登录', en: 'Sign in' },
  signOut: { zh: '退出', en: 'Sign out' },
  username: { zh: '用户名', en: 'Username' },
  password: { zh: '密码', en: 'Password' },
  online: { zh: '在线', en: 'Online' },
  offline: { zh: '连接中断，正在重连…', en: 'Offline, reconnecting…' },
  notAllowed: { zh: '您的角色不能打开此页面。', en: 'Your role cannot open this page.' },
  agentDesk: { zh: '坐席工作台', en: 'Agent desktop' },
  wallboard: { zh: '现场大屏', en: 'Wallboard' },
  qa: { zh: '质检', en: 'Quality' },
  admin: { zh: '管理', en: 'Admin' },
  state: { zh: '状态', en: 'State' },
  loading: { zh: '加载中…', en: 'Loading…' },
  // --- agent desktop (c-agent) ---
  stOffline: { zh: '离线', en: 'Offline' },
  stAvailable: { zh: '就绪', en: 'Available' },
  stReserved: { zh: '振铃中', en: 'Ringing' },
  stOnCall: { zh: '通话中', en: 'On a call' },
  stWrapUp: { zh: '话后处理', en: 'Wrap-up' },
  stBreak: { zh: '小休', en: 'Break' },
  stMissed: { zh: '未接', en: 'Missed' },
  goAvailable: { zh: '就绪', en: 'Available' },
  goBreak: { zh: '小休', en: 'Break' },
  goOffline: { zh: '离线', en: 'Go offline' },
  breakReason: { zh: '小休原因', en: 'Break reason' },
  brLunch: { zh: '午餐', en: 'Lunch' },
  brRest: { zh: '休息', en: 'Rest' },
  brTraining: { zh: '培训', en: 'Training' },
  brMeeting: { zh: '会议', en: 'Meeting' },
  brCoaching: { zh: '辅导', en: 'Coaching' },
  brPersonal: { zh: '私事', en: 'Personal' },
  timeInState: { zh: '持续', en: 'for' },
  nextState: { zh: '通话结束后', en: 'After this call' },
  wrapUpLeft: { zh: '话后剩余', en: 'Wrap-up left' },
  extend: { zh: '延长 30 秒', en: 'Extend 30 s' },
  softphone: { zh: '软电话', en: 'Softphone' },
  phoneSim: { zh: '模拟软电话', en: 'Simulated softphone' },
  phoneLive: { zh: 'Twilio 软电话', en: 'Twilio softphone' },
  phoneOff: { zh: '软电话未连接', en: 'Softphone not connected' },
  phoneIdle: { zh: '空闲', en: 'Idle' },
  incoming: { zh: '来电', en: 'Incoming call' },
  answer: { zh: '接听', en: 'Answer' },
  hangUp: { zh: '挂断', en: 'Hang up' },
  mute: { zh: '静音', en: 'Mute' },
  unmute: { zh: '取消静音', en: 'Unmute' },
  hold: { zh: '保持', en: 'Hold' },
  resume: { zh: '恢复通话', en: 'Resume' },
  recPause: { zh: '暂停录音', en: 'Pause recording' },
  recResume: { zh: '继续录音', en: 'Resume recording' },
  onHold: { zh: '客户保持中', en: 'Customer on hold' },
  recPaused: { zh: '录音已暂停', en: 'Recording paused' },
  muted: { zh: '已静音', en: 'Muted' },
  screenPop: { zh: '来电信息', en: 'Caller' },
  unknownCaller: { zh: '未识别的来电', en: 'Unknown caller' },
  noCall: { zh: '暂无来电', en: 'No call' },
  tierVip: { zh: 'VIP', en: 'VIP' },
  tierReturning: { zh: '老客户', en: 'Returning' },
  tierNew: { zh: '新客户', en: 'New' },
  account: { zh: '账号', en: 'Account' },
  customerSince: { zh: '注册于', en: 'Customer since' },
  recentOrders: { zh: '近期订单', en: 'Recent orders' },
  openRmas: { zh: '处理中的退换货', en: 'Open returns/exchanges' },
  openWorkOrders: { zh: '未结工单', en: 'Open work orders' },
  ivrPath: { zh: '语音导航', en: 'IVR path' },
  queueLabel: { zh: '队列', en: 'Queue' },
  none: { zh: '无', en: 'None' },
  wrapUp: { zh: '话后处理', en: 'Wrap-up' },
  disposition: { zh: '通话结果', en: 'Disposition' },
  chooseDisposition: { zh: '请选择…', en: 'Choose…' },
  save: { zh: '保存', en: 'Save' },
  saved: { zh: '已保存', en: 'Saved' },
  workOrder: { zh: '工单', en: 'Work order' },
  newWorkOrder: { zh: '新建工单', en: 'Open a work order' },
  category: { zh: '类别', en: 'Category' },
  catInquiry: { zh: '咨询', en: 'Inquiry' },
  catComplaint: { zh: '投诉', en: 'Complaint' },
  catReturn: { zh: '退换货', en: 'Return/exchange' },
  catOther: { zh: '其他', en: 'Other' },
  complaintType: { zh: '投诉类型', en: 'Complaint type' },
  ctQuality: { zh: '产品质量', en: 'Product quality' },
  ctAttitude: { zh: '服务态度', en: 'Service attitude' },
  ctLogistics: { zh: '物流', en: 'Logistics' },
  description: { zh: '描述', en: 'Description' },
  orderNumber: { zh: '订单号', en: 'Order number' },
  woStatus: { zh: '处理方式', en: 'Handling' },
  woOpen: { zh: '待处理', en: 'Open' },
  woResolved: { zh: '已当场解决', en: 'Resolved now' },
  woForwarded: { zh: '转交部门', en: 'Forward to a department' },
  department: { zh: '部门', en: 'Department' },
  deptWarehouse: { zh: '仓储', en: 'Warehouse' },
  deptLogistics: { zh: '物流', en: 'Logistics' },
  deptFinance: { zh: '财务', en: 'Finance' },
  deptMerchandise: { zh: '商品', en: 'Merchandise' },
  woCreated: { zh: '已创建工单', en: 'Work order opened' },
  callbacks: { zh: '我的回电', en: 'My callbacks' },
  noCallbacks: { zh: '暂无回电任务', en: 'No callbacks' },
  callNow: { zh: '拨打', en: 'Call' },
  due: { zh: '到期', en: 'Due' },
  outcome: { zh: '结果', en: 'Outcome' },
  ocReached: { zh: '已联系', en: 'Reached' },
  ocWrongNumber: { zh: '号码错误', en: 'Wrong number' },
  ocRetry: { zh: '稍后再拨', en: 'Retry later' },
  outsideHours: { zh: '非拨打时段', en: 'Outside calling hours' },
  shortcuts: { zh: '快捷键', en: 'Shortcuts' },
  deskOffline: { zh: '与服务器的连接已中断：来电信息和状态可能不是最新的，正在重连…', en: 'Connection to the server lost: caller and state may be stale; reconnecting…' },
  reviews: { zh: '审核列表', en: 'Review lists' },
  orderReviews: { zh: '特殊订单审核', en: 'Special-order review' },
  rmaReviews: { zh: '退换货审核', en: 'RMA review' },
  claim: { zh: '领取', en: 'Claim' },
  release: { zh: '释放', en: 'Release' },
  approve: { zh: '通过', en: 'Approve' },
  noReviews: { zh: '暂无待审', en: 'Nothing to review' },
  refresh: { zh: '刷新', en: 'Refresh' },
  callbackOffer: { zh: '回电', en: 'Callback' },
  // --- end agent desktop ---
} as const satisfies Record<string, Record<Lang, string>>;

export type TextKey = keyof typeof TEXT;

function initialLang(): Lang {
  const saved = localStorage.getItem('hotline.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export const lang = signal<Lang>(initialLang());

export function setLang(l: Lang): void {
  lang.value = l;
  localStorage.setItem('hotline.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

/** The text for `key` in the current language (reading `lang` makes the component follow a switch). */
export function t(key: TextKey): string {
  return TEXT[key][lang.value];
}
