// Issues the Voice SDK access tokens of the agents' browser softphones, each bound to the agent's own client identity.
import twilio from 'twilio';
import { Invalid } from '../errors/domain-errors';

const { AccessToken } = twilio.jwt;
const { VoiceGrant } = AccessToken;

/** The softphone's client name: the ACD rings an agent by dialing `client:<agentIdentity>`. */
export function agentIdentity(staff: { username: string }): string {
  return `agent-${staff.username}`;
}

/** A client identity that survives `client:<identity>` in TwiML and REST without escaping. */
const SAFE_IDENTITY = /^[A-Za-z0-9_.@-]{1,121}$/;

export interface VoiceTokenOptions {
  accountSid: string;
  /** The API key (SK…) that signs the token; Twilio checks the signature with its secret. */
  apiKeySid: string;
  apiKeySecret: string;
  /** The TwiML app whose Voice URL answers the softphone's outgoing calls. */
  twimlAppSid: string;
  /** @default 3600 (one hour; the desktop fetches a new token before it expires) */
  ttlSeconds?: number;
}

export interface VoiceToken {
  token: string;
  identity: string;
  expiresAt: Date;
}

export class VoiceTokenIssuer {
  private readonly ttlSeconds: number;

  constructor(private readonly o: VoiceTokenOptions) {
    this.ttlSeconds = o.ttlSeconds ?? 3600;
  }

  /** An issuer from the process's Twilio settings, or undefined when the API key or TwiML app is not configured. */
  static fromConfig(twilioConfig: { accountSid: string; apiKey?: string; apiSecret?: string; twimlAppSid?: string }): VoiceTokenIssuer | undefined {
    const { accountSid, apiKey, apiSecret, twimlAppSid } = twilioConfig;
    if (!apiKey || !apiSecret || !twimlAppSid) return undefined;
    return new VoiceTokenIssuer({ accountSid, apiKeySid: apiKey, apiKeySecret: apiSecret, twimlAppSid });
  }

  /** A token that lets `staff`'s softphone receive calls to its identity and place calls through the TwiML app. */
  issue(staff: { id: number; username: string }): VoiceToken {
    const identity = agentIdentity(staff);
    if (!SAFE_IDENTITY.test(identity)) throw new Invalid(`The username ${JSON.stringify(staff.username)} cannot be a softphone identity: use letters, digits, _ . @ -`);
    const token = new AccessToken(this.o.accountSid, this.o.apiKeySid, this.o.apiKeySecret, { identity, ttl: this.ttlSeconds });
    token.addGrant(new VoiceGrant({ outgoingApplicationSid: this.o.twimlAppSid, incomingAllow: true }));
    const jwt = token.toJwt();
    // The library stamps the token with the real time; report the expiry it actually wrote.
    const { exp } = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as { exp: number };
    return { token: jwt, identity, expiresAt: new Date(exp * 1000) };
  }
}
