// npm run import: CSV files of orders and RMAs go through the intake service, with a summary and a rejects file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client';
import { customerPhones, customers, orders, reviewHistory, rmas } from '../../src/db/schema/index';
import { ORDER_COLUMNS, RMA_COLUMNS } from '../../src/intake/csv-records';
import { transactor } from '../../src/db/transaction';
import { importCsv } from '../../src/intake/csv-import';
import { IntakeRepo } from '../../src/intake/intake.repo';
import { IntakeService } from '../../src/intake/intake.service';

function runImport(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const ORDERS_CSV = [
  ORDER_COLUMNS.join(','),
  // line 2: clean, auto-approved
  'CSV-1,1,CSVC-1,张三,+8613500000001,,,,prepaid,199.00,199.00,TEA-01:1:199.00:龙井茶,上海市黄浦区 1 号,+8613500000001,,,,2026-11-23T10:00:00+08:00',
  // line 3: bad phone, bad amount, bad item quantity
  'CSV-2,1,CSVC-2,李四,13500000002,,,,prepaid,12.345,,TEA-01:x:10.00,上海,+8613500000002,,,,2026-11-23T10:00:00+08:00',
  // line 4: over 2,000 yuan and an invoice without a tax number, cash on delivery; two items, a quoted address with a comma
  'CSV-3,2,CSVC-3,王五,+8613500000003,vip,Asia/Shanghai,zh,cod,2500.00,,"TV-55:1:2400.00:电视;CUP-02:2:50.00","北京市朝阳区, 建国路 8 号",+8613500000003,true,某某公司,,2026-11-23T10:00:00+08:00',
  // line 5: a header column missing a value (placed_at blank)
  'CSV-4,1,CSVC-4,赵六,+8613500000004,,,,prepaid,10,10,PEN-10:1:10,上海,+8613500000004,,,,',
].join('\n');

const RMAS_CSV = [
  RMA_COLUMNS.join(','),
  'RMA-CSV-1,1,CSV-1,return,TEA-01,龙井茶,1,199.00,2026-11-24T10:00:00+08:00,true,完好,,不喜欢,2026-11-25T10:00:00+08:00',
  'RMA-CSV-2,1,NO-SUCH-ORDER,return,TEA-01,,1,199.00,,,,,,2026-11-25T10:00:00+08:00',
  'RMA-CSV-3,1,CSV-1,exchange,TEA-01,,1,199.00,,false,,,,2026-11-25T10:00:00+08:00',
].join('\n');

describe('npm run import (CSV orders and RMAs)', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-test-'));
    env = { DATABASE_FILE: path.join(dir, 'hotline.db'), LOG_LEVEL: 'error' };
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports the good rows through the intake rules, lists the bad ones by line with reasons, and writes them to <file>.rejected.csv', async () => {
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, ORDERS_CSV);
    const r = await runImport([file], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`imported ${file} (orders): 4 rows`);
    expect(r.stdout).to.include('accepted 2: created 2, updated 0, unchanged 0');
    expect(r.stdout).to.include(`rejected 2 (all of them in ${file}.rejected.csv)`);
    expect(r.stdout).to.match(/line 3 CSV-2: customer_phone: .*E\.164.*; amount: .*; items\[1\]\.quantity: /);
    expect(r.stdout).to.match(/line 5 CSV-4: placed_at: /);

    const rejected = fs.readFileSync(`${file}.rejected.csv`, 'utf8').trim().split('\n');
    expect(rejected).to.have.length(3);
    expect(rejected[0]).to.equal(['line', 'errors', ...ORDER_COLUMNS].join(','));
    expect(rejected[1]).to.match(/^3,".*customer_phone.*",CSV-2,1,CSVC-2,/);

    const db = openDatabase(env.DATABASE_FILE);
    try {
      const clean = db.select().from(orders).where(eq(orders.number, 'CSV-1')).get()!;
      expect(clean).to.include({ status: 'confirmed', review: 'auto_approved', amountFen: 19_900, paidFen: 19_900, version: 1 });
      const held = db.select().from(orders).where(eq(orders.number, 'CSV-3')).get()!;
      expect(held).to.include({ status: 'pending_review', review: 'held', amountFen: 250_000, address: '北京市朝阳区, 建国路 8 号', invoiceRequested: true, invoiceTitle: '某某公司', invoiceTaxId: null });
      expect(JSON.parse(held.items)).to.deep.equal([
        { sku: 'TV-55', name: '电视', quantity: 1, priceFen: 240_000 },
        { sku: 'CUP-02', name: 'CUP-02', quantity: 2, priceFen: 5_000 },
      ]);
      expect(JSON.parse(held.holdReasons!).map((x: { rule: string }) => x.rule)).to.deep.equal(['amount', 'missing_info']);
      expect(JSON.parse(held.checklist!)[0].item).to.match(/^customer confirmed by phone before shipping/);
      const wang = db.select().from(customers).where(eq(customers.accountNumber, 'CSVC-3')).get()!;
      expect(wang).to.include({ tier: 'vip', timeZone: 'Asia/Shanghai' });
      expect(db.select().from(customerPhones).where(eq(customerPhones.customerId, wang.id)).all().map((p) => p.phone)).to.deep.equal(['+8613500000003']);
      expect(db.select().from(orders).where(eq(orders.number, 'CSV-2')).get()).to.equal(undefined);
      expect(db.select().from(reviewHistory).where(eq(reviewHistory.subjectId, held.id)).all().map((h) => h.action)).to.deep.equal(['received', 'held']);
    } finally {
      db.$client.close();
    }

    // The same file again: nothing changes (idempotent by number and version).
    const again = await runImport([file, '--type', 'orders', '--rejects', path.join(dir, 'again.csv')], env);
    expect(again.stdout).to.include('accepted 2: created 0, updated 0, unchanged 2');
    expect(fs.existsSync(path.join(dir, 'again.csv'))).to.equal(true);

    // Each run from the shell is one row of the audit trail, with the file, the OS user and the counts.
    const audit = openDatabase(env.DATABASE_FILE);
    try {
      const runs = audit.$client.prepare("SELECT * FROM audit_log WHERE action = 'intake.csv_imported' ORDER BY id").all() as Record<string, any>[];
      expect(runs).to.have.length(2);
      expect(runs[0]).to.include({ actor_id: null, subject_type: 'intake', subject_id: 'orders', outcome: 'success', reason: 'npm run import' });
      expect(JSON.parse(runs[0].detail)).to.include({ file: 'orders.csv', rows: 4, created: 2, rejected: 2, osUser: os.userInfo().username });
      expect(JSON.parse(runs[1].detail)).to.include({ created: 0, unchanged: 2 });
    } finally {
      audit.$client.close();
    }
  });

  it('imports RMAs (type from the file name), refusing one for an unknown order and an exchange without a replacement', async () => {
    const ordersFile = path.join(dir, 'orders.csv');
    fs.writeFileSync(ordersFile, ORDERS_CSV);
    await runImport([ordersFile], env);
    const file = path.join(dir, 'rmas-2026-11.csv');
    fs.writeFileSync(file, RMAS_CSV);
    const r = await runImport([file], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('(rmas): 3 rows');
    expect(r.stdout).to.include('accepted 1: created 1');
    expect(r.stdout).to.include('line 3 RMA-CSV-2: order_number: no order NO-SUCH-ORDER');
    expect(r.stdout).to.include('line 4 RMA-CSV-3: replacement_sku: replacementSku is required for an exchange');
    const db = openDatabase(env.DATABASE_FILE);
    try {
      expect(db.select().from(rmas).where(eq(rmas.number, 'RMA-CSV-1')).get()).to.include({ status: 'requested', paidFen: 19_900, qcPassed: true, qcNote: '完好', quantity: 1 });
    } finally {
      db.$client.close();
    }
  });

  it('refuses a file whose header lacks a required column, importing nothing', async () => {
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, 'number,version\nX-1,1\n');
    const r = await runImport([file], env);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('the header lacks column(s): customer_account, customer_name, customer_phone, payment, amount, items, placed_at');
    const db = openDatabase(env.DATABASE_FILE);
    try {
      const run = db.$client.prepare("SELECT * FROM audit_log WHERE action = 'intake.csv_imported'").get() as Record<string, any>;
      expect(run, 'a refused import is written down too').to.include({ outcome: 'failed', subject_id: 'orders' });
      expect(JSON.parse(run.detail).error).to.include('the header lacks column(s)');
    } finally {
      db.$client.close();
    }
  });

  it('asks for --type when the file name says neither', async () => {
    const file = path.join(dir, 'export.csv');
    fs.writeFileSync(file, ORDERS_CSV);
    const r = await runImport([file], env);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('--type orders or --type rmas is required');
  });
});

describe('importCsv (the reader in a worker thread or in line, the customer cache)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-paths-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function importInto(dbFile: string, file: string, worker: boolean, batchSize: number) {
    const db = openDatabase(dbFile);
    try {
      const intake = new IntakeService({ repo: new IntakeRepo(db), transact: transactor(db), clock: { now: () => new Date('2026-11-23T03:00:00Z') }, settings: { reviewAmountFen: 200_000, duplicateWindowMinutes: 10 } });
      const report = await importCsv({ file, kind: 'orders', intake, worker, batchSize, rejectsFile: `${dbFile}.rejected.csv` });
      const stored = db.select({ number: orders.number, status: orders.status, review: orders.review, customerId: orders.customerId, holdReasons: orders.holdReasons }).from(orders).orderBy(orders.number).all();
      const history = db.select({ subjectId: reviewHistory.subjectId, action: reviewHistory.action }).from(reviewHistory).orderBy(reviewHistory.id).all();
      const phones = db.select({ customerId: customerPhones.customerId, phone: customerPhones.phone }).from(customerPhones).orderBy(customerPhones.phone).all();
      return { report: { ...report, seconds: 0, rejectsFile: undefined }, stored, history, phones, rejects: fs.readFileSync(`${dbFile}.rejected.csv`, 'utf8') };
    } finally {
      db.$client.close();
    }
  }

  it('gives the same rows, history, phones, summary and rejects both ways, across batches that revisit customers', async () => {
    // A customer's second order within 10 minutes in a later batch is a duplicate: the cached customer must be found.
    const lines = [ORDER_COLUMNS.join(',')];
    for (let i = 0; i < 30; i++) {
      const c = i % 7;
      const phone = i === 13 ? 'bad-phone' : `+86135000001${String(c).padStart(2, '0')}`;
      lines.push(`P-${i},1,PC-${c},客户${c},${phone},,,,prepaid,${100 + i}.00,${100 + i}.00,TEA-01:1:${100 + i}.00,上海 ${i} 号,+8613500000${String(c).padStart(3, '0')},,,,2026-11-23T10:0${i % 10}:00+08:00`);
    }
    lines.push(lines[3]); // a repeat of P-2: unchanged
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, lines.join('\n'));
    const inLine = await importInto(path.join(dir, 'a.db'), file, false, 4);
    const threaded = await importInto(path.join(dir, 'b.db'), file, true, 4);
    expect(threaded).to.deep.equal(inLine);
    expect(inLine.report).to.include({ rows: 31, created: 29, unchanged: 1, rejected: 1 });
    expect(inLine.rejects.split('\n')[1]).to.match(/^15,"?customer_phone: /);
    expect(inLine.phones).to.have.length(7);
    expect(inLine.stored.filter((o) => o.holdReasons?.includes('duplicate'))).to.not.be.empty;
    expect(inLine.history).to.have.length(29 * 2);
  });
});
