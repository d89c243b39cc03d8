// Validates the simulator's JSON against Twilio's own OpenAPI description (../shared/twilio-oai) with ajv.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';

export const OAI_FILE = process.env.TWILIO_OAI_FILE ?? path.resolve(process.cwd(), '../shared/twilio-oai/twilio_api_v2010.json');

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

/** OpenAPI 3.0 `nullable` without `type` is not JSON Schema: drop it (such fields accept anything anyway). */
function clean(node: unknown, formats: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => clean(n, formats));
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (o.nullable === true && o.type === undefined) delete o.nullable;
  if (typeof o.format === 'string') formats.add(o.format);
  for (const v of Object.values(o)) clean(v, formats);
}

export type OaiValidator = (schema: string, value: unknown) => void;

export function oaiValidator(): OaiValidator | undefined {
  if (!existsSync(OAI_FILE)) return undefined;
  const doc = JSON.parse(readFileSync(OAI_FILE, 'utf8')) as { components: object };
  const formats = new Set<string>();
  clean(doc.components, formats);
  // Twilio answers reason_conference_ended: null while a conference runs; the description forgets that its enum is nullable.
  const conference = (doc.components as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas['api.v2010.account.conference'];
  conference.properties.reason_conference_ended = { anyOf: [conference.properties.reason_conference_ended, { type: 'null' }] };
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of formats) ajv.addFormat(f, true);
  ajv.addFormat('date-time-rfc-2822', RFC2822);
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addSchema({ $id: 'oai', components: doc.components });
  return (schema, value) => {
    const validate = ajv.getSchema(`oai#/components/schemas/${schema}`);
    if (!validate) throw new Error(`no schema ${schema}`);
    if (!validate(value)) throw new Error(`${schema}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value, null, 1)}`);
  };
}
