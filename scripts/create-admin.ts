// Creates the first admin account (or sets a new password on an existing account) in DATABASE_FILE: `npm run staff:create-admin`.
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../src/config/config';
import { loadEnvFile } from '../src/config/env-file';
import { openDatabase } from '../src/db/client';
import { transactor } from '../src/db/transaction';
import { EventBus } from '../src/events/domain-events';
import { AuditRepo } from '../src/audit/audit.repo';
import { StaffRepo } from '../src/auth/staff.repo';
import { hashPassword } from '../src/auth/password';
import { passwordProblems } from '../src/auth/password-policy';
import { accountsWithDemoPassword } from '../src/auth/demo-passwords';
import { StaffAdminRepo } from '../src/staff/staff-admin.repo';
import { StaffAdminService } from '../src/staff/staff-admin.service';
import { DomainError } from '../src/errors/domain-errors';

const USAGE = `Usage: npm run staff:create-admin -- --username <name> [--display-name <name>] [--deactivate-demo]

Creates an admin account in DATABASE_FILE (migrating it first), or, when <name> exists, gives that account a new
password (its role is kept, its sessions end). The password is asked for twice on a terminal, or read from the
first line of stdin:  printf '%s\\n' "$PASSWORD" | npm run staff:create-admin -- --username alice

  --username <name>       the account (letters, digits, dot, hyphen, underscore)
  --display-name <name>   shown in the console (default: the username); only for a new account
  --deactivate-demo       also deactivate every other active account that still has the published demo password
  --help                  print this message

The password needs at least 10 characters, must not be the username nor the demo password.`;

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { username: { type: 'string' }, 'display-name': { type: 'string' }, 'deactivate-demo': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) return void console.log(USAGE);
  const username = values.username?.trim();
  if (!username || !/^[A-Za-z0-9._-]{2,64}$/.test(username)) throw new UsageError(`--username is required: 2 to 64 letters, digits, dot, hyphen or underscore\n\n${USAGE}`);

  loadEnvFile();
  const config = loadConfig();
  const password = await readPassword();
  const problems = passwordProblems(password, username);
  if (problems.length) throw new UsageError(problems.join('; '));

  const db = openDatabase(config.databaseFile);
  try {
    const transact = transactor(db);
    const audit = new AuditRepo(db);
    const adminRepo = new StaffAdminRepo(db);
    const staff = new StaffRepo(db);
    const service = new StaffAdminService({ staff: adminRepo, transact, events: new EventBus(), audit });
    const now = new Date();
    const existing = staff.byUsername(username);
    let id: number;
    if (existing) {
      const passwordHash = await hashPassword(password);
      transact(() => {
        adminRepo.setPassword(existing.id, passwordHash, false);
        adminRepo.revokeTokens(existing.id, now);
        audit.record({ at: now, actorId: null, action: 'staff.password_set', subjectType: 'staff', subjectId: existing.id, reason: 'npm run staff:create-admin' });
      });
      id = existing.id;
      console.log(`set a new password for ${username} (${existing.role}${existing.active ? '' : ', inactive'}) in ${config.databaseFile}`);
    } else {
      const created = await service.create({ username, displayName: values['display-name']?.trim() || username, role: 'admin', password });
      audit.record({ at: now, actorId: null, action: 'staff.created', subjectType: 'staff', subjectId: created.id, reason: 'npm run staff:create-admin', detail: { role: 'admin' } });
      id = created.id;
      console.log(`created admin ${username} (id ${id}) in ${config.databaseFile}`);
    }
    if (values['deactivate-demo']) {
      const demo = (await accountsWithDemoPassword(staff)).filter((u) => u !== username);
      for (const u of demo) await service.update(staff.byUsername(u)!.id, { active: false }, { id });
      console.log(demo.length ? `deactivated ${demo.length} account(s) with the demo password: ${demo.join(', ')}` : 'no other account has the demo password');
    }
  } finally {
    db.$client.close();
  }
}

/** Asks twice without echo on a terminal; otherwise the first line of stdin. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  }
  const first = await promptHidden('New password: ');
  const second = await promptHidden('Repeat it: ');
  if (first !== second) throw new UsageError('The two passwords differ');
  return first;
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stdout.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new UsageError('Cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

main().catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof DomainError) console.error(err.message);
  else if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) console.error(`${err.message}\n\n${USAGE}`);
  else console.error(err);
  process.exit(1);
});
