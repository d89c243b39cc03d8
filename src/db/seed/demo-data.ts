// Seeds demo customers, orders and RMAs: a deterministic Chinese department-store book of business for the hotline to recognize.
import { isNotNull } from 'drizzle-orm';
import type { Db } from '../client';
import { mulberry32 } from './mulberry32';
import { callbackRequests, calls, customerPhones, customers, orders, rmas, voicemails, workOrders } from '../schema/index';

type Tier = (typeof customers.$inferInsert)['tier'] & string;
type OrderStatus = (typeof orders.$inferInsert)['status'];
type RmaStatus = (typeof rmas.$inferInsert)['status'];
type Payment = (typeof orders.$inferInsert)['payment'];
type CustomerRow = Omit<typeof customers.$inferInsert, 'id'>;
type OrderRow = Omit<typeof orders.$inferInsert, 'id' | 'customerId'>;
type RmaRow = Omit<typeof rmas.$inferInsert, 'id' | 'orderId'>;

export interface DemoCustomer {
  name: string;
  phone: string;
  accountNumber: string;
  tier: Tier;
  preferredLanguage: 'zh' | 'en';
  latestOrderNumber?: string;
  openRmaNumber?: string;
}

/** The fixed demo callers (README, tests): always seeded first, with exactly these values. */
export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  { name: '王芳', phone: '+8613800138000', accountNumber: 'YT00000001', tier: 'vip', preferredLanguage: 'zh', latestOrderNumber: 'YT202611200001' },
  { name: '李娜', phone: '+8613911112222', accountNumber: 'YT00000002', tier: 'returning', preferredLanguage: 'zh', latestOrderNumber: 'YT202611100002', openRmaNumber: 'RMA20261101' },
  { name: '张伟', phone: '+8613700001111', accountNumber: 'YT00000003', tier: 'returning', preferredLanguage: 'zh', latestOrderNumber: 'YT202611180003' },
  { name: 'Emily Chen', phone: '+8618612345678', accountNumber: 'YT00000004', tier: 'returning', preferredLanguage: 'en', latestOrderNumber: 'YT202611190004' },
  { name: '赵强', phone: '+8615900002222', accountNumber: 'YT00000005', tier: 'new', preferredLanguage: 'zh' },
];

export interface SeedCounts {
  customers: number;
  orders: number;
  rmas: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RANDOM_CUSTOMERS = 115;
const RMA_TARGET = 40;

/** [sku, name, price in yuan] */
const CATALOG: readonly (readonly [string, string, number])[] = [
  ['CS-LC-0050', '兰蔻小黑瓶精华肌底液 50ml', 1080],
  ['CS-EL-0050', '雅诗兰黛特润修护肌活精华露（小棕瓶）50ml', 1050],
  ['CS-CH-0050', '香奈儿可可小姐淡香水 50ml', 1150],
  ['CS-CL-0050', '娇韵诗双萃赋活修护精华露 50ml', 780],
  ['CS-SK-0230', 'SK-II 护肤精华露（神仙水）230ml', 1690],
  ['CS-LM-0060', '海蓝之谜精华面霜 60ml', 3400],
  ['CS-DR-0999', '迪奥烈艳蓝金唇膏 #999', 350],
  ['CS-SS-0050', '资生堂红妍肌活精华露（红腰子）50ml', 790],
  ['CS-AR-0030', '阿玛尼权力粉底液 30ml', 560],
  ['CS-HR-0050', '赫莲娜绿宝瓶悦活新生精华 50ml', 2280],
  ['CS-KH-0125', '科颜氏高保湿面霜 125ml', 450],
  ['CS-EL-0030', '雅诗兰黛沁水持妆粉底液 DW 30ml', 420],
  ['CS-OR-0200', '悦木之源灵芝焕能精华水（菌菇水）200ml', 380],
  ['CS-MA-0316', 'MAC 魅可子弹头口红 #316', 230],
  ['CS-LO-0030', '欧舒丹乳木果护手霜三支装', 298],
  ['BG-CO-0026', '蔻驰 Tabby 26 号牛皮手袋', 4200],
  ['BG-MK-0101', '迈克高仕 Jet Set 托特包 中号', 2680],
  ['BG-LO-1899', '珑骧 Le Pliage 中号长柄手提包', 1150],
  ['BG-TB-0207', '托里伯奇 Fleming 羊皮单肩包', 4390],
  ['BG-MC-0310', 'MCM Stark 印花双肩包 中号', 6900],
  ['WT-TS-0060', '天梭力洛克系列自动机械男表', 5450],
  ['WT-LG-0420', '浪琴名匠系列自动机械表 38.5mm', 16800],
  ['WT-MD-0060', '美度贝伦赛丽系列自动机械表', 7600],
  ['WT-CA-2100', '卡西欧 G-SHOCK GA-2100 运动手表', 899],
  ['WT-DW-0032', '丹尼尔惠灵顿 Petite 系列女表 32mm', 1290],
  ['AP-BB-0180', '博柏利经典格纹羊绒围巾', 4500],
  ['AP-RL-0010', '拉夫劳伦经典款网眼 Polo 衫', 1090],
  ['AP-BS-2023', '波司登极寒系列鹅绒羽绒服', 2499],
  ['AP-MM-0301', 'Max Mara 双面羊毛大衣', 12900],
  ['AP-EC-0520', '欧时力真丝印花连衣裙', 1299],
  ['AP-LC-1212', '拉科斯特鳄鱼刺绣纯棉 T 恤', 690],
  ['SH-NK-0270', '耐克 Air Max 270 运动鞋', 1099],
  ['SH-AD-0022', '阿迪达斯 Ultraboost Light 跑鞋', 1499],
  ['SH-TB-6001', '添柏岚经典 6 英寸黄靴', 1699],
  ['SH-BL-0807', '百丽羊皮尖头细跟高跟鞋', 899],
  ['SH-CV-1970', '匡威 Chuck 70 高帮帆布鞋', 569],
  ['SH-SW-5050', '斯图尔特·韦茨曼 5050 弹力长靴', 6200],
  ['EL-AP-0002', 'Apple AirPods Pro（第二代）', 1899],
  ['EL-SN-1000', '索尼 WH-1000XM5 无线降噪耳机', 2499],
  ['EL-DY-0015', '戴森 Supersonic 吹风机 HD15', 3199],
  ['EL-PH-9996', '飞利浦钻石亮白智能声波电动牙刷 HX9996', 1999],
  ['EL-HW-0046', '华为 WATCH GT 4 46mm', 1488],
  ['JW-SW-5512', '施华洛世奇 Iconic Swan 天鹅项链', 1090],
  ['JW-CF-0088', '周大福足金转运珠手链', 2680],
  ['JW-PD-0592', '潘多拉闪耀心形手链', 799],
];
const BY_SKU = new Map(CATALOG.map((p) => [p[0], p]));

// Most common surnames first: picks are skewed toward the front of the list.
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN_NAMES = (
  '静 敏 丽 强 磊 洋 艳 勇 军 杰 娟 涛 明 超 霞 平 刚 鹏 辉 玲 婷 颖 倩 琳 秀英 桂英 晓东 子涵 欣怡 梓萱 浩然 宇轩 思远 雨桐 嘉怡 一诺 俊杰 ' +
  '婷婷 佳琪 文博 晨阳 志强 建华 海燕 雪梅 丽娟 晓红 玉兰 晓燕 建国 春梅 文静 思琪 梦瑶 子轩 博文 天宇 诗涵 若曦 家豪 明轩 雅琴 慧敏 立新 红霞'
).split(' ');
const MOBILE_PREFIXES = '130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 180 181 182 183 184 185 186 187 188 189'.split(' ');
const PLACES: readonly (readonly [string, string, string[]])[] = [
  ['北京市', '北京市', ['朝阳区', '海淀区', '东城区', '西城区']],
  ['上海市', '上海市', ['浦东新区', '徐汇区', '静安区', '长宁区']],
  ['广东省', '广州市', ['天河区', '越秀区', '海珠区']],
  ['广东省', '深圳市', ['南山区', '福田区', '罗湖区']],
  ['浙江省', '杭州市', ['西湖区', '上城区', '滨江区']],
  ['江苏省', '南京市', ['鼓楼区', '玄武区', '建邺区']],
  ['江苏省', '苏州市', ['姑苏区', '吴中区']],
  ['四川省', '成都市', ['锦江区', '武侯区', '青羊区']],
  ['湖北省', '武汉市', ['江汉区', '武昌区', '洪山区']],
  ['天津市', '天津市', ['和平区', '南开区']],
  ['重庆市', '重庆市', ['渝中区', '江北区']],
  ['陕西省', '西安市', ['雁塔区', '碑林区']],
  ['山东省', '青岛市', ['市南区', '崂山区']],
  ['福建省', '厦门市', ['思明区', '湖里区']],
  ['湖南省', '长沙市', ['岳麓区', '芙蓉区']],
];
const STREETS = '建国路 中山路 人民路 解放路 南京西路 淮海中路 天河路 深南大道 延安路 长江路 中关村大街 滨江大道 体育西路 文三路 东风路 友谊路'.split(' ');
const ESTATES = '阳光花园 世纪城 金地名京 万科城市花园 保利天悦 华润二十四城 绿城桂花园 中海紫御 融创壹号院 招商雍景湾'.split(' ');
const COMPANIES = [
  ['北京华信科技有限公司', '110105'],
  ['上海卓远贸易有限公司', '310115'],
  ['深圳市鹏程电子有限公司', '440305'],
  ['杭州云栖网络科技有限公司', '330106'],
  ['广州恒达物流有限公司', '440106'],
  ['成都锦程文化传媒有限公司', '510104'],
  ['南京金陵商务咨询有限公司', '320106'],
  ['武汉光谷信息技术有限公司', '420111'],
] as const;
const CARRIERS = ['顺丰速运', '京东物流', '中通快递', 'EMS'] as const;
type Carrier = (typeof CARRIERS)[number];
const RETURN_REASONS = ['七天无理由退货', '商品与页面描述不符', '尺码不合适，申请退货', '收到时外包装破损', '颜色与图片色差较大', '使用后皮肤过敏', '商品表面有明显划痕', '功能故障，无法正常使用', '重复下单，申请退货'];
const EXCHANGE_REASONS = ['尺码偏小，换大一码', '尺码偏大，换小一码', '想换其他颜色', '表带扣件松动，申请换新', '鞋面有瑕疵，申请换货', '耳机左耳无声，申请换新'];

/** Seeded helpers, so the same seed and `now` always give the same data. */
function makeRng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)],
    digits: (n: number) => Array.from({ length: n }, () => int(10)).join(''),
    between: (lo: number, hi: number) => lo + next() * (hi - lo),
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** yyyymmdd in Shanghai time (UTC+8, no daylight saving), whatever the machine's zone. */
const shanghaiYmd = (d: Date) => new Date(d.getTime() + 8 * HOUR).toISOString().slice(0, 10).replace(/-/g, '');

interface GenCustomer {
  row: CustomerRow;
  phones: { phone: string; label: 'mobile' | 'work' }[];
  address: string;
  company?: { title: string; taxId: string };
}
interface GenOrder {
  account: string;
  row: OrderRow;
}
interface GenRma {
  orderNumber: string;
  row: RmaRow;
}

/** Builds every row in memory; the PRNG is consumed in a fixed order so the result depends only on `now` and `seed`. */
function generate(now: Date, seed: number): { customers: GenCustomer[]; orders: GenOrder[]; rmas: GenRma[] } {
  const rng = makeRng(seed);
  const t0 = now.getTime();
  const at = (ms: number) => new Date(Math.min(ms, t0));
  const usedPhones = new Set(DEMO_CUSTOMERS.map((c) => c.phone));
  const usedAccounts = new Set(DEMO_CUSTOMERS.map((c) => c.accountNumber));
  const usedNames = new Set(DEMO_CUSTOMERS.map((c) => c.name));
  const usedOrders = new Set(DEMO_CUSTOMERS.map((c) => c.latestOrderNumber).filter(Boolean));
  const unique = (used: Set<unknown>, make: () => string) => {
    for (;;) {
      const v = make();
      if (!used.has(v)) return used.add(v), v;
    }
  };
  const mobile = () => unique(usedPhones, () => `+86${rng.pick(MOBILE_PREFIXES)}${rng.digits(8)}`);
  const address = () => {
    const [province, city, districts] = rng.pick(PLACES);
    const room = `${1 + rng.int(20)}栋${1 + rng.int(3)}单元${1 + rng.int(32)}${pad(1 + rng.int(4))}室`;
    return `${province}${city === province ? '' : city}${rng.pick(districts)}${rng.pick(STREETS)}${1 + rng.int(600)}号${rng.pick(ESTATES)}${room}`;
  };
  const tracking = (carrier: Carrier) =>
    carrier === '顺丰速运' ? `SF${rng.digits(12)}` : carrier === '京东物流' ? `JD${rng.digits(10)}` : carrier === '中通快递' ? `7${rng.digits(11)}` : `E${'ABCDFGHJKLMN'[rng.int(12)]}${rng.digits(9)}CN`;
  const carrierFor = (amountFen: number): Carrier => (amountFen > 500_000 || rng.chance(0.4) ? '顺丰速运' : rng.pick(CARRIERS));

  // Customers: the fixed demo callers first, then the random book.
  const gen: GenCustomer[] = DEMO_CUSTOMERS.map((c, i) => ({
    row: { accountNumber: c.accountNumber, name: c.name, tier: c.tier, preferredLanguage: c.preferredLanguage, createdAt: new Date(t0 - (i === 4 ? 20 : 900 + 200 * i) * DAY) },
    phones: [{ phone: c.phone, label: 'mobile' }],
    address: address(),
  }));
  const taxIds = COMPANIES.map(([, region]) => `91${region}${Array.from({ length: 10 }, () => '0123456789ABCDEFGHJKLMNPQRTUWXY'[rng.int(31)]).join('')}`);
  for (let i = 0; i < RANDOM_CUSTOMERS; i++) {
    const r = rng.next();
    const tier: Tier = r < 0.15 ? 'vip' : r < 0.65 ? 'returning' : 'new';
    const name = unique(usedNames, () => SURNAMES[Math.floor(rng.next() ** 1.6 * SURNAMES.length)] + rng.pick(GIVEN_NAMES));
    const ageDays = tier === 'new' ? rng.between(3, 100) : tier === 'vip' ? rng.between(365, 2200) : rng.between(100, 1500);
    const phones: GenCustomer['phones'] = [{ phone: mobile(), label: 'mobile' }];
    if (rng.chance(0.15)) phones.push({ phone: mobile(), label: 'work' });
    const companyIndex = rng.chance(0.15) ? rng.int(COMPANIES.length) : -1;
    gen.push({
      row: {
        accountNumber: unique(usedAccounts, () => `YT${1 + rng.int(9)}${rng.digits(7)}`),
        name,
        tier,
        preferredLanguage: rng.chance(0.04) ? 'en' : 'zh',
        createdAt: new Date(t0 - ageDays * DAY - rng.int(DAY)),
      },
      phones,
      address: address(),
      company: companyIndex < 0 ? undefined : { title: COMPANIES[companyIndex][0], taxId: taxIds[companyIndex] },
    });
  }

  const items = (lines: (readonly [string, number])[]) => {
    const list = lines.map(([sku, quantity]) => ({ sku, name: BY_SKU.get(sku)![1], quantity, priceFen: BY_SKU.get(sku)![2] * 100 }));
    return { items: JSON.stringify(list), amountFen: list.reduce((s, l) => s + l.quantity * l.priceFen, 0) };
  };
  const orderNumber = (placedAt: Date) => unique(usedOrders, () => `YT${shanghaiYmd(placedAt)}${pad(100 + rng.int(9900), 4)}`);
  /** When the order last changed: confirmed a few hours, shipped about a day, delivered two to four days after it was placed. */
  const progressed = (placed: number, status: OrderStatus) =>
    at(placed + { pending_review: 0, confirmed: rng.between(0.5, 4) * HOUR, cancelled: rng.between(1, 20) * HOUR, shipped: rng.between(14, 30) * HOUR, delivered: rng.between(2, 4) * DAY }[status]);
  const out: GenOrder[] = [];

  // The fixed customers' orders, oldest first per customer; the named ones are their latest.
  const fixed: [number, string | null, number, OrderStatus, Payment, Carrier | null, string | null, [string, number][]][] = [
    [0, null, 63, 'delivered', 'prepaid', '顺丰速运', null, [['CS-LM-0060', 1]]],
    [0, null, 31, 'delivered', 'prepaid', '顺丰速运', null, [['BG-TB-0207', 1], ['CS-DR-0999', 1]]],
    [0, 'YT202611200001', 2, 'shipped', 'prepaid', '顺丰速运', 'SF1234567890', [['CS-LC-0050', 1], ['CS-EL-0050', 1], ['CS-CH-0050', 1]]],
    [1, null, 47, 'delivered', 'cod', '中通快递', null, [['SH-TB-6001', 1]]],
    [1, 'YT202611100002', 12, 'delivered', 'prepaid', '京东物流', 'JD0098765432', [['BG-MK-0101', 1]]],
    [2, null, 38, 'delivered', 'cod', '中通快递', null, [['SH-NK-0270', 1]]],
    [2, 'YT202611180003', 1, 'confirmed', 'cod', null, null, [['WT-CA-2100', 1]]],
    [3, null, 55, 'delivered', 'prepaid', 'EMS', null, [['CS-DR-0999', 2]]],
    [3, 'YT202611190004', 3, 'shipped', 'prepaid', 'EMS', 'EA123456789CN', [['CS-CL-0050', 2]]],
  ];
  for (const [ci, number, ageDays, status, payment, carrier, trackingNumber, lines] of fixed) {
    const placed = t0 - ageDays * DAY;
    out.push({
      account: gen[ci].row.accountNumber,
      row: {
        number: number ?? orderNumber(new Date(placed)),
        ...items(lines),
        payment,
        status,
        shippingCarrier: carrier,
        trackingNumber: carrier ? (trackingNumber ?? tracking(carrier)) : null,
        address: gen[ci].address,
        placedAt: new Date(placed),
        updatedAt: status === 'shipped' ? at(placed + 20 * HOUR) : progressed(placed, status),
      },
    });
  }

  // Random orders over the last 90 days; status follows age, and the middle office's review queue holds recent special orders.
  for (const c of gen.slice(DEMO_CUSTOMERS.length)) {
    const count = c.row.tier === 'vip' ? 3 + rng.int(5) : c.row.tier === 'returning' ? 2 + rng.int(4) : rng.int(3);
    const from = Math.max(c.row.createdAt.getTime() + HOUR, t0 - 89 * DAY);
    for (let k = 0; k < count; k++) {
      let placed = rng.between(from, t0);
      const hour = new Date(placed + 8 * HOUR).getUTCHours();
      if (hour < 8 && placed - (hour + 1) * HOUR > from) placed -= (hour + 1) * HOUR; // few shop at 3 a.m.: move to the evening before
      const age = (t0 - placed) / DAY;
      const n = rng.chance(0.65) ? 1 : rng.chance(0.75) ? 2 : 3;
      const lines = Array.from({ length: n }, () => {
        let p = rng.pick(CATALOG);
        if (p[2] > 2000 && rng.chance(0.7)) p = rng.pick(CATALOG); // everyday purchases outnumber the big-ticket ones
        return [p[0], p[0].startsWith('CS') && rng.chance(0.3) ? 2 : 1] as [string, number];
      }).filter((l, i, all) => all.findIndex((m) => m[0] === l[0]) === i);
      const { items: itemsJson, amountFen } = items(lines);
      const payment: Payment = rng.chance(amountFen > 1_000_000 ? 0.1 : 0.28) ? 'cod' : 'prepaid';
      let invoiceTitle: string | null = null;
      let invoiceTaxId: string | null = null;
      if (c.company && rng.chance(0.6)) [invoiceTitle, invoiceTaxId] = [c.company.title, c.company.taxId];
      else if (rng.chance(0.1)) invoiceTitle = c.row.name;
      let orderAddress: string | null = c.address;
      const missing = age < 4 && rng.chance(0.3);
      if (missing) {
        if (invoiceTaxId && rng.chance(0.5)) invoiceTaxId = null;
        else orderAddress = null;
      }
      // Now and then the same basket is ordered twice within minutes: both are held as suspected duplicates.
      const twin = age < 2 && rng.chance(0.08);
      let status: OrderStatus;
      if (twin) status = 'pending_review';
      else if (rng.chance(0.05)) status = 'cancelled';
      else if (missing || (age < 1.5 && (amountFen > 200_000 || payment === 'cod'))) status = 'pending_review';
      else if (age < 1) status = 'confirmed';
      else if (age < 2.5) status = rng.chance(0.5) ? 'confirmed' : 'shipped';
      else if (age < 6) status = rng.chance(0.3) ? 'delivered' : 'shipped';
      else status = 'delivered';
      const shipped = status === 'shipped' || status === 'delivered';
      const carrier = shipped ? carrierFor(amountFen) : null;
      const row: OrderRow = {
        number: orderNumber(new Date(placed)),
        amountFen,
        payment,
        status,
        shippingCarrier: carrier,
        trackingNumber: carrier ? tracking(carrier) : null,
        items: itemsJson,
        address: orderAddress,
        invoiceTitle,
        invoiceTaxId,
        placedAt: new Date(placed),
        updatedAt: progressed(placed, status),
      };
      out.push({ account: c.row.accountNumber, row });
      if (twin) {
        const again = new Date(Math.min(placed + rng.between(2, 6) * 60_000, t0));
        out.push({ account: c.row.accountNumber, row: { ...row, number: orderNumber(again), placedAt: again, updatedAt: again } });
      }
    }
  }
  out.sort((a, b) => a.row.placedAt.getTime() - b.row.placedAt.getTime());

  // RMAs: 李娜's open return, then returns and exchanges on random delivered orders.
  const rmaOut: GenRma[] = [
    {
      orderNumber: 'YT202611100002',
      row: { number: 'RMA20261101', kind: 'return', status: 'under_review', reason: '手袋五金件有划痕，申请退货', createdAt: new Date(t0 - 3 * DAY), updatedAt: new Date(t0 - 2 * DAY) },
    },
  ];
  const fixedAccounts = new Set(DEMO_CUSTOMERS.map((c) => c.accountNumber));
  const candidates = out.filter((o) => o.row.status === 'delivered' && !fixedAccounts.has(o.account));
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  for (const o of candidates.slice(0, RMA_TARGET - 1)) {
    const delivered = o.row.updatedAt!.getTime();
    const created = Math.min(rng.between(delivered + HOUR, delivered + 7 * DAY), t0);
    const age = (t0 - created) / DAY;
    const kind = rng.chance(0.65) ? 'return' : 'exchange';
    const done: RmaStatus[] = kind === 'return' ? ['refunded', 'refunded', 'closed', 'rejected', 'approved', 'under_review'] : ['replacement_shipped', 'replacement_shipped', 'closed', 'rejected', 'approved'];
    const status: RmaStatus = age < 1 ? 'requested' : age < 3 ? rng.pick<RmaStatus>(['requested', 'under_review', 'approved']) : rng.pick(done);
    const hoursOn = status === 'requested' ? 0 : status === 'under_review' ? rng.between(1, 12) : rng.between(12, 72);
    rmaOut.push({
      orderNumber: o.row.number,
      row: { number: '', kind, status, reason: rng.pick(kind === 'return' ? RETURN_REASONS : EXCHANGE_REASONS), createdAt: new Date(created), updatedAt: at(created + hoursOn * HOUR) },
    });
  }
  // Numbers: RMA + yyyymm + a per-month sequence, in order of creation, stepping over the fixed RMA20261101.
  const usedRmas = new Set(['RMA20261101']);
  const perMonth = new Map<string, number>();
  for (const r of [...rmaOut].sort((a, b) => a.row.createdAt.getTime() - b.row.createdAt.getTime())) {
    if (r.row.number) continue;
    const month = shanghaiYmd(r.row.createdAt).slice(0, 6);
    r.row.number = unique(usedRmas, () => {
      const seq = (perMonth.get(month) ?? 0) + 1;
      perMonth.set(month, seq);
      return `RMA${month}${pad(seq)}`;
    });
  }
  return { customers: gen, orders: out, rmas: rmaOut };
}

/** True when any customer exists: the demo data (or real data) is already there. */
export function isSeeded(db: Db): boolean {
  return Boolean(db.select({ id: customers.id }).from(customers).limit(1).get());
}

const chunks = <T>(rows: T[], size = 100): T[][] => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

/** Does nothing (zeros) when any customer exists; otherwise writes the demo customers, orders and RMAs in one transaction. */
export function seedDemoData(db: Db, opts: { now?: Date; seed?: number } = {}): SeedCounts {
  return db.transaction(
    (tx) => {
      if (isSeeded(db)) return { customers: 0, orders: 0, rmas: 0 };
      const data = generate(opts.now ?? new Date(), opts.seed ?? 400);
      const customerIds = new Map<string, number>();
      for (const part of chunks(data.customers)) {
        const ids = tx.insert(customers).values(part.map((c) => c.row)).returning({ id: customers.id, account: customers.accountNumber }).all();
        for (const r of ids) customerIds.set(r.account, r.id);
      }
      const phones = data.customers.flatMap((c) => c.phones.map((p) => ({ customerId: customerIds.get(c.row.accountNumber)!, ...p })));
      for (const part of chunks(phones)) tx.insert(customerPhones).values(part).run();
      const orderIds = new Map<string, number>();
      for (const part of chunks(data.orders)) {
        const ids = tx.insert(orders).values(part.map((o) => ({ ...o.row, customerId: customerIds.get(o.account)! }))).returning({ id: orders.id, number: orders.number }).all();
        for (const r of ids) orderIds.set(r.number, r.id);
      }
      tx.insert(rmas).values(data.rmas.map((r) => ({ ...r.row, orderId: orderIds.get(r.orderNumber)! }))).run();
      return { customers: data.customers.length, orders: data.orders.length, rmas: data.rmas.length };
    },
    { behavior: 'immediate' },
  );
}

/**
 * Deletes every customer, phone, order and RMA (for `npm run seed -- --reset`). Calls, callback requests, voicemails
 * and work orders are kept; their customer references are set to null first.
 */
export function resetCustomerData(db: Db): void {
  db.transaction((tx) => {
    tx.update(calls).set({ customerId: null }).where(isNotNull(calls.customerId)).run();
    tx.update(callbackRequests).set({ customerId: null }).where(isNotNull(callbackRequests.customerId)).run();
    tx.update(voicemails).set({ customerId: null }).where(isNotNull(voicemails.customerId)).run();
    tx.update(workOrders).set({ customerId: null }).where(isNotNull(workOrders.customerId)).run();
    tx.delete(rmas).run();
    tx.delete(orders).run();
    tx.delete(customerPhones).run();
    tx.delete(customers).run();
  });
}
