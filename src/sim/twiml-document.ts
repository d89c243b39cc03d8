// Parses and checks the TwiML a webhook returned, the way Twilio rejects documents it cannot run.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SAY_LANGUAGES, knownVoice } from './twilio-vocabulary';

export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  children: TwimlNode[];
  /** All text inside the node, SSML tags flattened. */
  text: string;
}

/** Twilio error 12100 (document parse failure) or 12200 (schema validation). */
export class TwimlError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const VERBS = ['Say', 'Play', 'Pause', 'Gather', 'Enqueue', 'Leave', 'Redirect', 'Dial', 'Record', 'Hangup', 'Reject'];
const NESTED: Record<string, string[]> = {
  Gather: ['Say', 'Play', 'Pause'],
  Dial: ['Number', 'Client', 'Conference', 'Queue', 'Sip'],
  Client: ['Identity', 'Parameter'],
};
/** Verbs allowed in an <Enqueue> waitUrl document. */
export const WAIT_URL_VERBS = ['Play', 'Say', 'Pause', 'Gather', 'Hangup', 'Redirect', 'Leave'];

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

type Raw = Record<string, unknown>;

function toNode(raw: Raw): TwimlNode | string {
  const name = Object.keys(raw).find((k) => k !== ':@')!;
  if (name === '#text') return String(raw['#text']);
  const parts = (raw[name] as Raw[]).map(toNode);
  const children = parts.filter((p): p is TwimlNode => typeof p !== 'string');
  const text = parts.map((p) => (typeof p === 'string' ? p : p.text)).filter(Boolean).join(' ');
  return { name, attrs: { ...((raw[':@'] as Record<string, string>) ?? {}) }, children, text };
}

/** Integer attributes and the ranges Twilio takes for them ([min, max]). */
const INTEGER_ATTRS: Record<string, Record<string, [number, number]>> = {
  Gather: { timeout: [1, 600], numDigits: [1, 256] },
  Pause: { length: [0, 600] },
  Play: { loop: [0, 1000] },
  Say: { loop: [0, 1000] },
  Dial: { timeout: [1, 600], timeLimit: [1, 86400] },
  Record: { timeout: [0, 600], maxLength: [1, 14400] },
  Conference: { maxParticipants: [2, 250] },
};

/** Attribute values Twilio would refuse: unknown voices and languages for <Say>, numbers out of range. */
function checkAttributes(node: TwimlNode) {
  const bad = (what: string) => new TwimlError(12200, `Schema validation warning: <${node.name}> ${what}`);
  for (const [name, [min, max]] of Object.entries(INTEGER_ATTRS[node.name] ?? {})) {
    const v = node.attrs[name];
    if (v === undefined) continue;
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw bad(`${name}="${v}" is not an integer from ${min} to ${max}`);
  }
  if (node.name === 'Gather' && node.attrs.speechTimeout !== undefined && node.attrs.speechTimeout !== 'auto' && !(Number(node.attrs.speechTimeout) >= 0)) {
    throw bad(`speechTimeout="${node.attrs.speechTimeout}" is neither a number of seconds nor auto`);
  }
  if (node.name === 'Say') {
    if (node.attrs.voice !== undefined && !knownVoice(node.attrs.voice)) throw bad(`voice="${node.attrs.voice}" is not a Twilio voice`);
    if (node.attrs.language !== undefined && !SAY_LANGUAGES.has(node.attrs.language)) throw bad(`language="${node.attrs.language}" is not a Say language`);
  }
}

function check(node: TwimlNode, allowed: string[], where: string) {
  if (!allowed.includes(node.name)) throw new TwimlError(12200, `<${node.name}> is not allowed in ${where}`);
  checkAttributes(node);
  if (node.name === 'Say') return;
  const nested = NESTED[node.name] ?? [];
  for (const child of node.children) check(child, nested, `<${node.name}>`);
}

/** Returns the verbs of a `<Response>` document, or throws TwimlError. */
export function parseTwiml(xml: string, allowed: string[] = VERBS): TwimlNode[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new TwimlError(12100, `Document parse failure: ${valid.err.msg}`);
  const roots = (parser.parse(xml) as Raw[]).map(toNode).filter((n): n is TwimlNode => typeof n !== 'string' && n.name !== '?xml');
  if (roots.length !== 1 || roots[0].name !== 'Response') throw new TwimlError(12100, 'The root element must be <Response>');
  for (const verb of roots[0].children) check(verb, allowed, '<Response>');
  return roots[0].children;
}

export function boolAttr(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt;
  return v.toLowerCase() === 'true';
}

export function numAttr(v: string | undefined, dflt: number): number {
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) ? n : dflt;
}
