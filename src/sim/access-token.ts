// Checks a Twilio Voice access token (HS256 JWT signed with an API key secret) the way the Voice SDK's registration would.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface VoiceGrant {
  identity: string;
  incomingAllow: boolean;
  outgoingApplicationSid?: string;
}

export class AccessTokenError extends Error {}

function b64url(buf: Buffer): string {
  return buf.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

export function verifyVoiceToken(token: string, secret: string, expect: { apiKeySid?: string; accountSid?: string; nowSeconds?: number }): VoiceGrant {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AccessTokenError('access token is not a JWT');
  const [h, p, sig] = parts;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
  if (header.alg !== 'HS256') throw new AccessTokenError(`access token algorithm ${header.alg} is not HS256`);
  const good = Buffer.from(b64url(createHmac('sha256', secret).update(`${h}.${p}`).digest()));
  const given = Buffer.from(sig);
  if (good.length !== given.length || !timingSafeEqual(good, given)) throw new AccessTokenError('access token signature is invalid');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as {
    exp?: number; nbf?: number; iss?: string; sub?: string;
    grants?: { identity?: string; voice?: { incoming?: { allow?: boolean }; outgoing?: { application_sid?: string } } };
  };
  const now = expect.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== 'number' || payload.exp <= now) throw new AccessTokenError('access token has expired');
  if (payload.nbf !== undefined && payload.nbf > now) throw new AccessTokenError('access token is not valid yet');
  if (expect.apiKeySid && payload.iss !== expect.apiKeySid) throw new AccessTokenError('access token was issued by another API key');
  if (expect.accountSid && payload.sub !== expect.accountSid) throw new AccessTokenError('access token belongs to another account');
  const identity = payload.grants?.identity;
  if (!identity) throw new AccessTokenError('access token has no identity');
  if (!payload.grants?.voice) throw new AccessTokenError('access token has no voice grant');
  return {
    identity,
    incomingAllow: payload.grants.voice.incoming?.allow === true,
    outgoingApplicationSid: payload.grants.voice.outgoing?.application_sid,
  };
}
