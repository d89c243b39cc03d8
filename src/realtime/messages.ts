// The WebSocket protocol: typed messages the server sends (dates as ISO strings on the wire) and the ones it accepts.
import { z } from 'zod';
import type { Role } from '../db/schema/index';
import type { DomainEvent } from '../events/domain-events';
import type { ScreenPop } from '../acd/screen-pop';
import type { FloorMessage } from '../floor/floor-feed';

/** What a value looks like after JSON: every Date becomes its ISO string. */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** The channels a connection listens on; told to the client in `hello`. */
export type Channel = 'own' | 'screenPops' | 'floor';

/** Sent once, right after the upgrade: who the server thinks you are and how often to send heartbeats. */
export interface HelloMessage {
  type: 'hello';
  staff: { id: number; username: string; displayName: string; role: Role };
  channels: Channel[];
  heartbeatSeconds: number;
}

/** The answer to a client heartbeat. */
export interface HeartbeatMessage {
  type: 'heartbeat';
  at: Date;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

/** To the agent a call is offered to (or, after a reconnect, the agent on it): who is calling. */
export type ScreenPopMessage = {
  type: 'screenPop';
  interactionId: number;
  queue: string | null;
} & ScreenPop;

/** A domain event as it is: `{type: 'CallQueued', callSid, ..., at}`. */
export type EventMessage = DomainEvent;

/** Every message the server sends, before serialization (the floor's: floorSnapshot, floorUpdate, alertRaised, alertCleared). */
export type OutgoingMessage = HelloMessage | HeartbeatMessage | ErrorMessage | ScreenPopMessage | EventMessage | FloorMessage;

/** Every message the server sends, as the client receives it. */
export type ServerMessage = Wire<OutgoingMessage>;

/** A message another module pushes with `sendTo`: any `type` and JSON-serializable fields (Dates become ISO strings). */
export interface PushMessage {
  type: string;
  [field: string]: unknown;
}

/** `floorSnapshot` asks for the whole floor again (floor roles only). */
const clientMessage = z.discriminatedUnion('type', [z.object({ type: z.literal('heartbeat') }), z.object({ type: z.literal('floorSnapshot') })]);
export type ClientMessage = z.infer<typeof clientMessage>;
export const CLIENT_MESSAGE_TYPES = ['heartbeat', 'floorSnapshot'] as const;

/** Parses one text frame from a client; returns the message or what is wrong with it. */
export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: 'Messages must be JSON objects like {"type":"heartbeat"}' };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { ok: false, error: 'Messages must be JSON objects like {"type":"heartbeat"}' };
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, error: 'A message needs a string "type"' };
  const parsed = clientMessage.safeParse(data);
  if (!parsed.success) {
    return CLIENT_MESSAGE_TYPES.includes(type as ClientMessage['type'])
      ? { ok: false, error: `Invalid "${type}" message` }
      : { ok: false, error: `Unknown message type ${JSON.stringify(type.slice(0, 64))}; expected one of: ${CLIENT_MESSAGE_TYPES.join(', ')}` };
  }
  return { ok: true, message: parsed.data };
}
