// Interface text in zh-CN and en: the browser's language by default, switchable (kept in localStorage).
import { signal } from '@preact/signals';
import { QA_ADMIN_TEXT } from './screens/qa-admin-text';

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
  // QA workspace and admin pages (c-qa): their own table
  ...QA_ADMIN_TEXT,
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
