// Owns how Chinese data (courier names, customer names) is said by the English voice, which cannot read Chinese characters.

/** The couriers' own English names (the demo data's and the other common ones). */
const COURIERS: Record<string, string> = {
  顺丰速运: 'SF Express',
  顺丰: 'SF Express',
  京东物流: 'JD Logistics',
  京东快递: 'JD Logistics',
  中通快递: 'ZTO Express',
  圆通速递: 'YTO Express',
  申通快递: 'STO Express',
  韵达快递: 'Yunda Express',
  百世快递: 'Best Express',
  极兔速递: 'J&T Express',
  德邦快递: 'Deppon Express',
  中国邮政: 'China Post',
  邮政快递包裹: 'China Post',
  EMS: 'EMS',
};

const HAN = /\p{Script=Han}/u;

/** Whether the English voice would stumble on it (any Chinese character). */
export function hasChinese(text: string): boolean {
  return HAN.test(text);
}

/** A courier's name for English speech; undefined for a Chinese name we have no English for (say "our courier"). */
export function courierInEnglish(name: string): string | undefined {
  const known = COURIERS[name.trim()];
  if (known) return known;
  return hasChinese(name) ? undefined : name;
}

/** What the English voice says instead of a call variable in Chinese (a customer's name is "valued customer"). */
const STAND_INS: Record<string, string> = { name: 'valued customer' };

/** A call variable as the English voice may say it: Chinese text is replaced by a stand-in (or nothing). */
export function variableInEnglish(variable: string, value: string): string {
  return hasChinese(value) ? (STAND_INS[variable] ?? '') : value;
}
