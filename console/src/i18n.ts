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
  // wallboard (c-wall)
  wbWaiting: { zh: '排队', en: 'Waiting' },
  wbLongest: { zh: '最长等待', en: 'Longest wait' },
  wbEstimated: { zh: '预计等待', en: 'Est. wait' },
  wbSlToday: { zh: '今日服务水平', en: 'Service level today' },
  wbSl30: { zh: '30分钟服务水平', en: 'Service level 30 min' },
  wbAbandoned: { zh: '今日放弃', en: 'Abandoned today' },
  wbCallbacksDue: { zh: '待回拨', en: 'Callbacks due' },
  wbNoCallers: { zh: '无人排队', en: 'Nobody waiting' },
  wbMore: { zh: '更多', en: 'more' },
  wbLess: { zh: '收起', en: 'Show less' },
  wbRinging: { zh: '振铃', en: 'ringing' },
  wbPriority: { zh: '优先级', en: 'Priority' },
  wbAgentsAvailable: { zh: '空闲坐席', en: 'Agents available' },
  wbAlerts: { zh: '告警', en: 'Alerts' },
  wbRecentActions: { zh: '最近调度', en: 'Recent floor actions' },
  wbChart: { zh: '今日排队与服务水平', en: 'Waiting callers and service level today' },
  wbServiceLevel: { zh: '服务水平', en: 'Service level' },
  wbReason: { zh: '原因（将被审计）', en: 'Reason (audited)' },
  wbMoveTo: { zh: '调到', en: 'Move to' },
  wbInsteadOf: { zh: '替换', en: 'Instead of' },
  wbAllDesks: { zh: '全部岗位', en: 'all desks' },
  wbMove: { zh: '调岗', en: 'Move' },
  wbEndBreak: { zh: '结束小休', en: 'End break' },
  wbLogOut: { zh: '强制签出', en: 'Log out' },
  wbSetPriority: { zh: '调整优先级', en: 'Set priority' },
  wbAssign: { zh: '指派给坐席', en: 'Assign to agent' },
  wbCancel: { zh: '取消', en: 'Cancel' },
  wbDone: { zh: '已完成', en: 'Done' },
  wbNobodyHere: { zh: '无人在岗', en: 'Nobody signed in' },
  wbMonitored: { zh: '被监听', en: 'monitored' },
  wbReloading: { zh: '正在刷新现场数据…', en: 'Refreshing the floor…' },
  wbDesk_front: { zh: '前台', en: 'Front desk' },
  wbDesk_middle: { zh: '中台', en: 'Middle office' },
  wbDesk_back: { zh: '后台', en: 'Back office' },
  wbState_available: { zh: '空闲', en: 'Available' },
  wbState_reserved: { zh: '振铃中', en: 'Ringing' },
  wbState_on_call: { zh: '通话中', en: 'On a call' },
  wbState_wrap_up: { zh: '话后处理', en: 'Wrap-up' },
  wbState_missed: { zh: '未接', en: 'Missed' },
  wbState_break: { zh: '小休', en: 'Break' },
  wbState_offline: { zh: '离线', en: 'Offline' },
  // end wallboard (c-wall)
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
