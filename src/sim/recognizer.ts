// What <Gather input="speech"> hands back for what a caller said: text as a real recognizer writes it, and a confidence below 1.
import { mulberry32 } from '../db/seed/mulberry32';

export interface RecognizerOptions {
  /** Seed for confidence values and mishearing. @default 1 */
  seed?: number;
  /** Chance (0..1) that one word of an utterance comes back wrong. @default 0 */
  mishearRate?: number;
}

export interface Recognized {
  text: string;
  /** 0..1, never 1: Twilio's `Confidence`. */
  confidence: number;
}

const CJK = /[\u3400-\u9fff]/;
const ZH_DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 幺: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ZH_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const ZH_NUMERALS = /[零〇一幺二两三四五六七八九十百千]+/g;
const EN_NUMBER: Record<string, string> = {
  zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
};
const EN_NUMBERS = new RegExp(`\\b(${Object.keys(EN_NUMBER).join('|')})\\b(\\s+\\b(${Object.keys(EN_NUMBER).join('|')})\\b)*`, 'gi');
/** Characters a Mandarin recognizer confuses (same or near sound), and English words it mishears. */
const ZH_HOMOPHONES: Record<string, string> = { 投: '头', 诉: '素', 订: '定', 单: '担', 回: '会', 电: '店', 退: '推', 货: '或', 人: '任', 工: '公', 客: '课', 服: '福', 留: '流', 言: '盐' };
const EN_CONFUSIONS: Record<string, string> = { agent: 'urgent', order: 'border', return: 'retain', complaint: 'complain', callback: 'call back', delivery: 'delivered', message: 'massage' };

/** Chinese numerals as a recognizer writes them: 十五 → 15, 一二三四 → 1234, a lone numeral word only when it is all that was said. */
export function chineseNumeralsToDigits(text: string): string {
  return text.replace(ZH_NUMERALS, (run, offset: number, whole: string) => {
    if (run.length === 1 && !(ZH_UNIT[run] || whole.trim() === run)) return run;
    if (!/[十百千]/.test(run)) return [...run].map((c) => String(ZH_DIGIT[c])).join('');
    let total = 0;
    let digit = -1;
    for (const c of run) {
      if (c in ZH_UNIT) {
        total += (digit < 0 ? 1 : digit) * ZH_UNIT[c];
        digit = -1;
      } else digit = ZH_DIGIT[c];
    }
    return String(total + Math.max(0, digit));
  });
}

/** English number words as digits: "one two three" → 123, "press two" → press 2. */
export function englishNumbersToDigits(text: string): string {
  return text.replace(EN_NUMBERS, (run) => run.split(/\s+/).map((w) => EN_NUMBER[w.toLowerCase()]).join(''));
}

export class Recognizer {
  private readonly random: () => number;
  private readonly mishearRate: number;

  constructor(o: RecognizerOptions = {}) {
    this.random = mulberry32(o.seed ?? 1);
    this.mishearRate = o.mishearRate ?? 0;
  }

  /** `heardAs` (a script's forced result) replaces what was said, then it is written out like recognizer output. */
  recognize(said: string, heardAs?: string): Recognized {
    const zh = CJK.test(said);
    let text = (heardAs ?? said).trim();
    if (heardAs === undefined && this.random() < this.mishearRate) text = this.mishear(text, zh);
    text = zh ? chineseNumeralsToDigits(text) : englishNumbersToDigits(text);
    text = zh ? punctuateChinese(text) : punctuateEnglish(text);
    // Real confidences sit well below 1, often below 0.9.
    const confidence = Math.round((0.62 + this.random() * 0.33) * 1e8) / 1e8;
    return { text, confidence };
  }

  private mishear(text: string, zh: boolean): string {
    if (zh) {
      const spots = [...text].map((c, i) => (ZH_HOMOPHONES[c] ? i : -1)).filter((i) => i >= 0);
      if (!spots.length) return text;
      const at = spots[Math.floor(this.random() * spots.length)];
      return [...text].map((c, i) => (i === at ? ZH_HOMOPHONES[c] : c)).join('');
    }
    const words = text.split(/\s+/);
    const spots = words.map((w, i) => (EN_CONFUSIONS[w.toLowerCase().replace(/\W/g, '')] ? i : -1)).filter((i) => i >= 0);
    const at = spots.length ? spots[Math.floor(this.random() * spots.length)] : Math.floor(this.random() * words.length);
    words[at] = EN_CONFUSIONS[words[at].toLowerCase().replace(/\W/g, '')] ?? 'uh';
    return words.join(' ');
  }
}

function punctuateChinese(text: string): string {
  const t = text.replace(/,\s*/g, '，').replace(/\?\s*$/, '？').replace(/\s+/g, '');
  return /[。？！]$/.test(t) ? t : `${t.replace(/[.!，,]$/, '')}。`;
}

function punctuateEnglish(text: string): string {
  const t = text.replace(/\bi\b/g, 'I').replace(/\s+/g, ' ');
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.?!]$/.test(capital) ? capital : `${capital}.`;
}
