// The staff WebSocket at /ws: authenticates before the upgrade, fans domain events out by role, pushes screen pops, keeps presence.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { AuthService, Principal } from '../auth/auth.service';
import type { SessionRevocations, SessionsRevoked } from '../auth/session-revocations';
import type { WsTickets } from '../auth/ws-tickets';
import { Forbidden, Unauthorized } from '../errors/domain-errors';
import { clientAddress, trustFunction, type TrustFn, type TrustProxy } from '../http/trust-proxy';
import type { DomainEvent, EventBus, EventOf } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import { emptyScreenPop, type LiveScreenPop, type ScreenPop } from '../acd/screen-pop';
import { floorScope, scopeOutput, type FloorFeed, type FloorOutput } from '../floor/floor-feed';
import { FLOOR_ROLES, channelsFor, receivesEvent } from './channels';
import { parseClientMessage, type OutgoingMessage, type PushMessage, type ScreenPopMessage } from './messages';
import { BEARER_PROTOCOL, upgradeCredentials, upgradePath } from './upgrade-token';

/** What realtime tells the presence service; the presence service implements it. */
export interface PresenceSink {
  /** The agent's desktop is alive (a heartbeat message or a WebSocket ping). */
  heartbeat(agentId: number, at: Date): void;
  /** The agent's last open socket closed (not called when the server itself shuts down). */
  connectionLost(agentId: number, at: Date): void;
}

export interface ScreenPopSource {
  forCall(callSid: string): ScreenPop;
  /** The agent's live call, re-sent when its desktop connects (a reload must not lose the pop of a ringing call). */
  forAgent?(agentId: number): LiveScreenPop | undefined;
}

export interface RealtimeOptions {
  /** The upgrade path. @default '/ws' */
  path?: string;
  /** How often the client should send `{"type":"heartbeat"}`; told to it in `hello`. @default 10 */
  heartbeatSeconds?: number;
  /** The server pings every socket this often and drops one that did not answer the previous ping. @default 30000 */
  pingIntervalMs?: number;
  /** A client further behind than this many unsent bytes is dropped rather than let memory grow. @default 1 MiB */
  maxBufferedBytes?: number;
  /**
   * A floor watcher with more unsent bytes than this misses the floor's messages (they are discarded, not queued)
   * until its buffer has drained below a quarter of it; then it gets a fresh floorSnapshot. @default 256 KiB
   */
  floorBufferBytes?: number;
  /** How often slow floor watchers are checked for having drained. @default 100 */
  drainCheckMs?: number;
  /** A watcher may ask for a floorSnapshot at most this often (more is answered with an error). @default 500 */
  snapshotRequestMs?: number;
  /** Largest message a client may send. @default 16 KiB */
  maxPayloadBytes?: number;
  /** Whose X-Forwarded-For to believe for the client address in logs (TRUST_PROXY, as for the API). @default 'loopback' */
  trustProxy?: TrustProxy;
}

export interface RealtimeDeps {
  auth: Pick<AuthService, 'authenticate'>;
  /** Redeems `?ticket=` (from POST /api/auth/ws-ticket); without it only header and subprotocol tokens are accepted. */
  tickets?: Pick<WsTickets, 'redeem'>;
  /** Revoked sessions: their sockets are closed at once (4401). */
  revocations?: Pick<SessionRevocations, 'subscribe'>;
  events: EventBus;
  presence: PresenceSink;
  screenPops: ScreenPopSource;
  /** The floor feed: a snapshot to each floor watcher on connect and on request, then its updates and alerts. */
  floor?: Pick<FloorFeed, 'snapshotText' | 'subscribe' | 'teamOf' | 'watch'>;
  clock?: Clock;
  log?: Logger;
  options?: RealtimeOptions;
}

interface Client {
  ws: WebSocket;
  staff: Principal;
  token: string;
  /** Cleared at each server ping, set again by the pong. */
  alive: boolean;
  /** A floor watcher that fell behind: its floor messages are discarded until it drains, then it gets a snapshot. */
  stale: boolean;
  /** When (ms) it last got a floorSnapshot. */
  snapshotAt: number;
  /** Set while a floor watcher is connected: the feed keeps its updates quick while someone watches. */
  unwatchFloor?: () => void;
}

/** What the floor feed did for slow watchers since the start (for benchmarks and tests). */
export interface FloorDeliveryStats {
  /** Floor messages not sent because their watcher was behind. */
  discarded: number;
  /** Times a watcher fell behind. */
  fellBehind: number;
  /** Fresh snapshots sent to watchers that had drained. */
  resynced: number;
  /** Watchers behind right now. */
  staleNow: number;
}

/** Close codes in the private range: the browser sees why it was dropped. */
export const CLOSE_SESSION_ENDED = 4401;
const CLOSE_GOING_AWAY = 1001;
/** RFC 6455's "Service Restart": the server is restarting; a client reconnects after a short back-off. */
export const CLOSE_SERVICE_RESTART = 1012;

export class RealtimeServer {
  private readonly o: Required<RealtimeOptions>;
  private readonly clock: Clock;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly byStaff = new Map<number, Set<Client>>();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeRevocations: () => void;
  private readonly trust: TrustFn;
  private readonly pinger: NodeJS.Timeout;
  private readonly drainCheck?: NodeJS.Timeout;
  private readonly unsubscribeFloor: () => void;
  private readonly stale = new Set<Client>();
  private readonly floorStats = { discarded: 0, fellBehind: 0, resynced: 0 };
  private readonly attached: { server: Server; listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void }[] = [];
  private closing = false;
  /** Clients dropped because they could not keep up (for /metrics). */
  droppedSlowClients = 0;

  /** Open WebSocket connections (for /metrics). */
  get clientCount(): number {
    return this.clients.size;
  }

  constructor(private readonly d: RealtimeDeps) {
    this.o = {
      path: '/ws',
      heartbeatSeconds: 10,
      pingIntervalMs: 30_000,
      maxBufferedBytes: 1 << 20,
      floorBufferBytes: 256 << 10,
      drainCheckMs: 100,
      snapshotRequestMs: 500,
      maxPayloadBytes: 16 << 10,
      trustProxy: ['loopback'],
      ...d.options,
    };
    this.trust = trustFunction(this.o.trustProxy);
    this.clock = d.clock ?? { now: () => new Date() };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.o.maxPayloadBytes,
      clientTracking: false,
      // Echo `bearer` so a browser that sent its token as a subprotocol accepts the connection.
      handleProtocols: (protocols) => (protocols.has(BEARER_PROTOCOL) ? BEARER_PROTOCOL : false),
    });
    this.unsubscribe = d.events.subscribe((e) => this.onEvent(e));
    this.unsubscribeRevocations = d.revocations?.subscribe((r) => this.endSessions(r)) ?? (() => {});
    this.pinger = setInterval(() => this.pingAll(), this.o.pingIntervalMs);
    this.pinger.unref();
    this.unsubscribeFloor = d.floor?.subscribe((out, gone) => this.onFloor(out, gone), { passive: true }) ?? (() => {});
    if (d.floor) {
      this.drainCheck = setInterval(() => this.resyncDrained(), this.o.drainCheckMs);
      this.drainCheck.unref();
    }
  }

  /** Bytes queued in user space for every open socket (what slow clients cost this process). */
  bufferedBytes(): number {
    let n = 0;
    for (const c of this.clients) n += c.ws.bufferedAmount;
    return n;
  }

  /** Slow floor watchers so far. */
  floorDelivery(): FloorDeliveryStats {
    return { ...this.floorStats, staleNow: this.stale.size };
  }

  /** Listens for upgrades on `server`; requests for other paths are left to other listeners (or refused with 404 if there are none). */
  attach(server: Server): void {
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.handleUpgrade(req, socket, head)) return;
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'No WebSocket here');
    };
    server.on('upgrade', listener);
    this.attached.push({ server, listener });
  }

  /** Handles an upgrade for our path (returns true), authenticating before the handshake completes; false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (upgradePath(req) !== this.o.path) return false;
    socket.on('error', (err) => this.d.log?.debug('websocket upgrade socket error', { err: err.message }));
    if (this.closing) {
      refuse(socket, 503, 'The server is shutting down');
      return true;
    }
    const now = this.clock.now();
    const credentials = upgradeCredentials(req);
    if (credentials.kind === 'token-in-url') {
      this.d.log?.info('websocket refused: token in the URL', { ip: clientAddress(req, this.trust) });
      refuse(socket, 400, 'Tokens are not accepted in URLs: send the subprotocols `bearer, <token>` or a ?ticket= from POST /api/auth/ws-ticket');
      return true;
    }
    let token: string | undefined;
    if (credentials.kind === 'token') token = credentials.token;
    else if (credentials.kind === 'ticket') {
      token = this.d.tickets?.redeem(credentials.ticket, now);
      if (!token) {
        refuse(socket, 401, 'The ticket is unknown, used or expired: get a new one from POST /api/auth/ws-ticket');
        return true;
      }
    }
    let staff: Principal;
    try {
      staff = this.d.auth.authenticate(token, now);
    } catch (err) {
      if (err instanceof Unauthorized) refuse(socket, 401, err.message);
      else if (err instanceof Forbidden) refuse(socket, 403, err.message);
      else {
        this.d.log?.error('websocket authentication failed', { ip: clientAddress(req, this.trust), err: err instanceof Error ? err.message : String(err) });
        refuse(socket, 500, 'Something went wrong; it has been logged');
      }
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, staff, token!));
    return true;
  }

  /** Closes (4401) the sockets of revoked sessions: every one of the staff member's, or those of one token. */
  endSessions(r: SessionsRevoked): number {
    let ended = 0;
    for (const c of this.byStaff.get(r.staffId) ?? []) {
      if (r.token !== undefined && c.token !== r.token) continue;
      this.endSession(c, `Your session ended (${r.reason}); sign in again`);
      ended++;
    }
    return ended;
  }

  /** Pushes a message to every open socket of one staff member; returns how many sockets it went to. */
  sendTo(staffId: number, message: OutgoingMessage | PushMessage): number {
    const sockets = this.byStaff.get(staffId);
    if (!sockets) return 0;
    const text = JSON.stringify(message);
    let sent = 0;
    for (const c of sockets) if (this.sendText(c, text)) sent++;
    return sent;
  }

  /** The staff ids with at least one open socket. */
  connectedStaff(): number[] {
    return [...this.byStaff.keys()];
  }

  /**
   * Stops listening, closes every socket and waits for them; presence is left as it is for the next start. With
   * `restart` the close code is 1012 (Service Restart, "server restarting"): the desktop reconnects, and its agent
   * is not put offline while the server is away for less than the heartbeat timeout.
   */
  async close(timeoutMs = 2000, o: { restart?: boolean } = {}): Promise<void> {
    const [code, reason] = o.restart ? [CLOSE_SERVICE_RESTART, 'server restarting'] : [CLOSE_GOING_AWAY, 'server shutting down'];
    if (this.closing) return;
    this.closing = true;
    this.unsubscribe();
    this.unsubscribeRevocations();
    this.unsubscribeFloor();
    clearInterval(this.pinger);
    clearInterval(this.drainCheck);
    for (const { server, listener } of this.attached.splice(0)) server.off('upgrade', listener);
    const closed = [...this.clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.ws.readyState === WebSocket.CLOSED) return resolve();
          c.ws.once('close', () => resolve());
          c.ws.close(code, reason);
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    if ((await Promise.race([Promise.all(closed), timedOut])) === 'timeout') for (const c of this.clients) c.ws.terminate();
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket, staff: Principal, token: string): void {
    const client: Client = { ws, staff, token, alive: true, stale: false, snapshotAt: 0 };
    if (this.closing) {
      ws.close(CLOSE_GOING_AWAY, 'server shutting down');
      return;
    }
    this.clients.add(client);
    let mine = this.byStaff.get(staff.id);
    if (!mine) this.byStaff.set(staff.id, (mine = new Set()));
    mine.add(client);

    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    ws.on('ping', () => this.onHeartbeat(client, false));
    ws.on('pong', () => {
      client.alive = true;
      this.recheck(client);
    });
    ws.on('error', (err) => this.d.log?.warn('websocket error', { staffId: staff.id, err: err.message }));
    ws.on('close', () => this.onClose(client));

    const { id, username, displayName, role } = staff;
    this.send(client, { type: 'hello', staff: { id, username, displayName, role }, channels: channelsFor(role), heartbeatSeconds: this.o.heartbeatSeconds });
    if (role === 'agent') {
      this.beat(client);
      this.resendLivePop(client);
    }
    this.sendFloorSnapshot(client);
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    if (isBinary) return void this.send(client, { type: 'error', message: 'Binary messages are not accepted; send JSON text' });
    const parsed = parseClientMessage(rawText(data));
    if (!parsed.ok) return void this.send(client, { type: 'error', message: parsed.error });
    switch (parsed.message.type) {
      case 'heartbeat':
        this.onHeartbeat(client, true);
        break;
      case 'floorSnapshot':
        if (!this.d.floor || !FLOOR_ROLES.includes(client.staff.role)) this.send(client, { type: 'error', message: 'The floor is for dispatchers, team leads and supervisors' });
        else if (Date.now() - client.snapshotAt < this.o.snapshotRequestMs) {
          this.send(client, { type: 'error', message: `At most one floorSnapshot every ${this.o.snapshotRequestMs} ms; the floorUpdates that follow a snapshot keep it current` });
        }
        // A watcher behind on its reading gets its snapshot once it has drained, not one more on top.
        else if (this.keepsUp(client)) this.sendFloorSnapshot(client);
        break;
    }
  }

  /** A heartbeat also re-checks the session, so a logout or an expired token ends the socket too. */
  private onHeartbeat(client: Client, reply: boolean): void {
    const now = this.clock.now();
    if (!this.recheck(client, now)) return;
    this.beat(client, now);
    if (reply) this.send(client, { type: 'heartbeat', at: now });
  }

  /**
   * Re-reads the session (at each heartbeat and pong): the role comes from the database, not from connect time,
   * and a session that ended closes the socket. False when the socket was closed.
   */
  private recheck(client: Client, now = this.clock.now()): boolean {
    try {
      client.staff = this.d.auth.authenticate(client.token, now);
      return true;
    } catch (err) {
      if (err instanceof Unauthorized || err instanceof Forbidden) {
        this.endSession(client, err.message);
        return false;
      }
      this.d.log?.error('websocket session check failed', { staffId: client.staff.id, err: err instanceof Error ? err.message : String(err) });
      return true;
    }
  }

  private endSession(client: Client, message: string): void {
    this.send(client, { type: 'error', message });
    client.ws.close(CLOSE_SESSION_ENDED, 'session ended');
  }

  private beat(client: Client, now = this.clock.now()): void {
    if (client.staff.role !== 'agent') return;
    try {
      this.d.presence.heartbeat(client.staff.id, now);
    } catch (err) {
      this.d.log?.error('presence heartbeat failed', { agentId: client.staff.id, err: err instanceof Error ? err.message : String(err) });
    }
  }

  private onClose(client: Client): void {
    this.stale.delete(client);
    client.unwatchFloor?.();
    if (!this.clients.delete(client)) return;
    const mine = this.byStaff.get(client.staff.id);
    mine?.delete(client);
    if (mine && mine.size > 0) return;
    this.byStaff.delete(client.staff.id);
    if (this.closing || client.staff.role !== 'agent') return;
    try {
      this.d.presence.connectionLost(client.staff.id, this.clock.now());
    } catch (err) {
      this.d.log?.error('presence connectionLost failed', { agentId: client.staff.id, err: err instanceof Error ? err.message : String(err) });
    }
  }

  private onEvent(e: DomainEvent): void {
    if (e.type === 'CallOffered') this.pushScreenPop(e);
    // Encoded once (UTF-8) for every receiver, not once per socket.
    let text: Buffer | undefined;
    const teamOf = this.d.floor ? (id: number) => this.d.floor!.teamOf(id) : undefined;
    for (const c of this.clients) {
      if (!receivesEvent(c.staff, e, teamOf)) continue;
      text ??= Buffer.from(JSON.stringify(e satisfies OutgoingMessage));
      if (FLOOR_ROLES.includes(c.staff.role)) this.sendFloorText(c, text);
      else this.sendText(c, text);
    }
  }

  /** One round of the floor feed: serialized once per scope (the whole floor, or one team), sent to each watcher. */
  private onFloor(out: FloorOutput, gone: ReadonlyMap<number, number | null>): void {
    const texts = new Map<string, Buffer[]>();
    for (const c of this.clients) {
      if (!FLOOR_ROLES.includes(c.staff.role)) continue;
      const scope = floorScope(c.staff);
      let mine = texts.get(scope);
      if (!mine) texts.set(scope, (mine = this.floorTexts(out, scope, gone)));
      for (const t of mine) this.sendFloorText(c, t);
    }
  }

  private floorTexts(out: FloorOutput, scope: string, gone: ReadonlyMap<number, number | null>): Buffer[] {
    return scopeOutput(out, scope, gone).map((m) => Buffer.from(JSON.stringify(m satisfies OutgoingMessage)));
  }

  private sendFloorSnapshot(client: Client): void {
    if (!this.d.floor || !FLOOR_ROLES.includes(client.staff.role)) return;
    try {
      client.snapshotAt = Date.now();
      client.unwatchFloor ??= this.d.floor.watch();
      this.sendText(client, this.d.floor.snapshotText(client.staff));
    } catch (err) {
      this.d.log?.error('floor snapshot failed', { staffId: client.staff.id, err: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * A floor message goes only to a watcher that keeps up: one with more than floorBufferBytes unsent is marked
   * behind, and its floor messages are discarded (never queued) until it drains; then it gets a fresh snapshot.
   */
  private sendFloorText(client: Client, text: Buffer): boolean {
    return this.keepsUp(client) && this.sendText(client, text);
  }

  /** False (and the message counted as discarded) for a watcher behind on its reading; marks one that just fell behind. */
  private keepsUp(client: Client): boolean {
    if (client.stale) {
      this.floorStats.discarded++;
      return false;
    }
    if (client.ws.readyState === WebSocket.OPEN && client.ws.bufferedAmount > this.o.floorBufferBytes) {
      client.stale = true;
      this.stale.add(client);
      this.floorStats.fellBehind++;
      this.floorStats.discarded++;
      this.d.log?.info('floor watcher behind; its updates are discarded until it catches up', { staffId: client.staff.id, buffered: client.ws.bufferedAmount });
      return false;
    }
    return true;
  }

  private resyncDrained(): void {
    for (const c of this.stale) {
      if (c.ws.readyState !== WebSocket.OPEN) {
        this.stale.delete(c);
        continue;
      }
      if (c.ws.bufferedAmount > this.o.floorBufferBytes / 4) continue;
      c.stale = false;
      this.stale.delete(c);
      this.floorStats.resynced++;
      this.sendFloorSnapshot(c);
    }
  }

  /** The pop goes to the offered agent's sockets only; a failed lookup still tells the agent which call rings. */
  private pushScreenPop(e: EventOf<'CallOffered'>): void {
    if (!this.byStaff.has(e.agentId)) return;
    this.sendTo(e.agentId, screenPopMessage(e.interactionId, e.queue, this.lookup(e.callSid)));
  }

  private resendLivePop(client: Client): void {
    let live: LiveScreenPop | undefined;
    try {
      live = this.d.screenPops.forAgent?.(client.staff.id);
    } catch (err) {
      this.d.log?.error('screen pop lookup failed', { agentId: client.staff.id, err: err instanceof Error ? err.message : String(err) });
    }
    if (live) this.send(client, screenPopMessage(live.interactionId, live.queue, live.pop));
  }

  private lookup(callSid: string): ScreenPop {
    try {
      return this.d.screenPops.forCall(callSid);
    } catch (err) {
      this.d.log?.error('screen pop lookup failed', { callSid, err: err instanceof Error ? err.message : String(err) });
      return emptyScreenPop(callSid);
    }
  }

  private pingAll(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  private send(client: Client, message: OutgoingMessage): boolean {
    return this.sendText(client, JSON.stringify(message));
  }

  /** `text` is a JSON string, or its UTF-8 bytes (sent as a text frame all the same). */
  private sendText(client: Client, text: string | Buffer): boolean {
    if (client.ws.readyState !== WebSocket.OPEN) return false;
    if (client.ws.bufferedAmount > this.o.maxBufferedBytes) {
      this.d.log?.warn('websocket client too slow; dropped', { staffId: client.staff.id, buffered: client.ws.bufferedAmount });
      client.ws.terminate();
      this.droppedSlowClients++;
      return false;
    }
    client.ws.send(text, { binary: false });
    return true;
  }
}

function screenPopMessage(interactionId: number, queue: string | null, pop: ScreenPop): ScreenPopMessage {
  return { type: 'screenPop', interactionId, queue, ...pop };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

const ERROR_CODES: Record<number, string> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 503: 'unavailable' };

/** Answers an upgrade with a plain HTTP error and closes the socket: no handshake happens. */
function refuse(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify({ error: ERROR_CODES[status] ?? 'internal', message });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      (status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '') +
      '\r\n' +
      body,
  );
}
