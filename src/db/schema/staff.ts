// Staff accounts, teams, login sessions, and the agents' presence, desks and state history.
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

export const ROLES = ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor', 'admin', 'department'] as const;

/** The departments a work order can be forwarded to; a `department` account answers for one of them. */
export const DEPARTMENTS = ['warehouse', 'logistics', 'finance', 'merchandise'] as const;
export type Department = (typeof DEPARTMENTS)[number];
export type Role = (typeof ROLES)[number];

export const AGENT_STATES = ['offline', 'available', 'reserved', 'on_call', 'wrap_up', 'break', 'missed'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

export const teams = sqliteTable('teams', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  leadId: integer('lead_id'),
});

export const staff = sqliteTable('staff', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  teamId: integer('team_id').references(() => teams.id),
  /** For `department` accounts: which department they answer work orders for. */
  department: text('department', { enum: DEPARTMENTS }),
  /** scrypt$N$salt$hash */
  passwordHash: text('password_hash').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  /** Set by an admin's password reset: the person must choose a new password at the next sign-in. */
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
  /** True while the password is the published demo one; null for accounts from before this column (checked at start). */
  demoPassword: integer('demo_password', { mode: 'boolean' }),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

export const authTokens = sqliteTable(
  'auth_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** sha256 of the bearer token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('auth_tokens_hash').on(t.tokenHash)],
);

export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    ip: text('ip').notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('login_failures_username_at').on(t.username, t.at), index('login_failures_ip_at').on(t.ip, t.at)],
);

export const agentPresence = sqliteTable('agent_presence', {
  staffId: integer('staff_id').primaryKey().references(() => staff.id),
  state: text('state', { enum: AGENT_STATES }).notNull().default('offline'),
  reason: text('reason'),
  since: integer('since', { mode: 'timestamp_ms' }).notNull(),
  /** The state the agent asked for once the current call is over (e.g. break after this call). */
  nextState: text('next_state', { enum: AGENT_STATES }),
  nextReason: text('next_reason'),
  wrapUpUntil: integer('wrap_up_until', { mode: 'timestamp_ms' }),
  lastHeartbeat: integer('last_heartbeat', { mode: 'timestamp_ms' }),
  /** When the agent last finished a call or became available: the longest idle agent is offered first. */
  idleSince: integer('idle_since', { mode: 'timestamp_ms' }),
}, (t) => [index('agent_presence_state_idle').on(t.state, t.idleSince)]);

export const agentStateLog = sqliteTable(
  'agent_state_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    staffId: integer('staff_id').notNull().references(() => staff.id),
    from: text('from_state').notNull(),
    to: text('to_state').notNull(),
    reason: text('reason'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('agent_state_log_staff_at').on(t.staffId, t.at), index('agent_state_log_at').on(t.at)],
);

export const agentDesks = sqliteTable(
  'agent_desks',
  {
    staffId: integer('staff_id').notNull().references(() => staff.id),
    desk: text('desk', { enum: ['front', 'middle', 'back'] }).notNull(),
    /** 1 (learning) to 5 (expert). */
    skill: integer('skill').notNull().default(3),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.desk] }), index('agent_desks_desk').on(t.desk, t.staffId)],
);
