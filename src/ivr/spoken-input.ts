// What a caller said, as text a menu can match: a recognizer adds punctuation and capitals, writes numbers as digits,
// and may return full-width characters; keywords and speech are compared after the same normalisation.

const ZH_DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 幺: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ZH_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const EN_NUMBER: Record<string, string> = { zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9' };
const EN_NUMBERS = new RegExp(`\\b(${Object.keys(EN_NUMBER).join('|')})\\b`, 'g');

/** 十五 → 15, 一二三 → 123, 一 → 1. */
function chineseNumerals(text: string): string {
  return text.replace(/[零〇一幺二两三四五六七八九十百千]+/g, (run) => {
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

/** Full-width to ASCII, lower case, numbers as digits, no punctuation, symbols or spaces. */
export function normalizeSpoken(text: string): string {
  const t = chineseNumerals(text.normalize('NFKC').toLowerCase()).replace(EN_NUMBERS, (w) => EN_NUMBER[w]);
  return t.replace(/[\p{P}\p{S}\s]+/gu, '');
}

/** The key a caller said instead of pressing it ("一", "按2", "press three"), if that is all they said. */
export function spokenKey(normalized: string): string | undefined {
  return /^(?:按|选|press|option)?([0-9])(?:号|键)?$/.exec(normalized)?.[1];
}
