// The one way telephony/ writes TwiML: a small string writer that produces the same bytes as twilio's VoiceResponse
// (checked by test/unit/twiml-writer.test.ts on random documents). VoiceResponse builds an xmlbuilder document per
// verb (~25 µs a response); this writes the text directly: attributes in the order given (arrays joined by spaces, as
// VoiceResponse does), values escaped as xmlbuilder's attEscape, text escaped as its textEscape and refused as its
// assertLegalChar refuses, an element without text or children self-closed.

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export type AttrValue = string | number | boolean | string[] | undefined | null;

/** A whole document: `<Response>` around the verbs, or `<Response/>` when there are none. */
export function twimlDocument(...verbs: string[]): string {
  const body = verbs.join('');
  return body ? `${DECLARATION}<Response>${body}</Response>` : `${DECLARATION}<Response/>`;
}

/** `<Name attrs>text</Name>`, or `<Name attrs/>` when there is no text (or it is empty). */
export function element(name: string, attrs: string, text?: string | number): string {
  if (text === undefined || text === null) return `<${name}${attrs}/>`;
  const t = escapeText(String(text));
  return t ? `<${name}${attrs}>${t}</${name}>` : `<${name}${attrs}/>`;
}

/** `<Name attrs>children</Name>` for already written child elements, self-closed without any. */
export function parent(name: string, attrs: string, children: string[]): string {
  const inner = children.join('');
  return inner ? `<${name}${attrs}>${inner}</${name}>` : `<${name}${attrs}/>`;
}

/** ` name="value"`, nothing when the value is undefined or null. */
export function attr(name: string, value: AttrValue): string {
  if (value === undefined || value === null) return '';
  return ` ${name}="${escapeAttr(Array.isArray(value) ? value.join(' ') : String(value))}"`;
}

/** Attributes from an object, in its key order. */
export function attrs(values: Record<string, AttrValue>): string {
  let out = '';
  for (const [k, v] of Object.entries(values)) out += attr(k, v);
  return out;
}

const ATTR_SPECIAL = /[&<"\t\n\r]/;
const TEXT_SPECIAL = /[&<>\r]/;
/** Characters XML 1.0 does not allow: xmlbuilder throws on them in text, and so the webhook answers the fallback. */
const ILLEGAL_CHAR = /[\0-\x08\x0B\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

function escapeAttr(s: string): string {
  if (!ATTR_SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}

function escapeText(s: string): string {
  const escaped = TEXT_SPECIAL.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;') : s;
  const bad = escaped.match(ILLEGAL_CHAR);
  if (bad) throw new Error(`Invalid character in string: ${escaped} at index ${bad.index}`);
  return escaped;
}
