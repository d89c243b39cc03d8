// Renders the IVR's instructions, queue announcements and the safe fallback as TwiML.
import twilio from 'twilio';
import type { Instruction, Language } from '../ivr/flow-types';
import type { Flow } from '../ivr/flow-schema';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type Voices = Flow['voices'];

/** The voices for prompts outside a flow (queue announcements, the fallback). */
export const DEFAULT_VOICES: Voices = {
  zh: { voice: 'Polly.Zhiyu', language: 'cmn-CN' },
  en: { voice: 'Polly.Joanna', language: 'en-US' },
};

/**
 * <Say> and <Gather> name Mandarin differently: `cmn-CN` is a Say language only, and Twilio's Gather (speech
 * recognition) list has `cmn-Hans-CN` (twilio-node's GatherLanguage; an invalid value is warning 13331 and the gather
 * fails). Flows name their Say language; this is the Gather language for it.
 */
const GATHER_LANGUAGE: Record<string, string> = {
  'cmn-CN': 'cmn-Hans-CN',
  'zh-CN': 'cmn-Hans-CN',
  'cmn-TW': 'cmn-Hant-TW',
  'zh-TW': 'cmn-Hant-TW',
  'yue-HK': 'yue-Hant-HK',
  'zh-HK': 'yue-Hant-HK',
};

export function gatherLanguage(sayLanguage: string): string {
  return GATHER_LANGUAGE[sayLanguage] ?? sayLanguage;
}

export interface TwimlUrls {
  /** Absolute base of this server as the carrier reaches it. */
  base: string;
}

export class TwimlRenderer {
  readonly fallbackTwiml: string;
  /** The attributes of every <Enqueue>: the wait loop and the result come back here. */
  private readonly enqueueAttrs: string;

  constructor(private readonly urls: TwimlUrls) {
    this.fallbackTwiml = this.buildFallback();
    this.enqueueAttrs =
      attr('waitUrl', `${urls.base}/twilio/queue/wait`) + ' waitUrlMethod="POST"' + attr('action', `${urls.base}/twilio/queue/result`) + ' method="POST"';
  }

  /** The IVR's next instructions; actions come back to /twilio/ivr carrying the step. */
  ivr(instructions: Instruction[], at: { step: number; flow: Flow }): string {
    const action = `${this.urls.base}/twilio/ivr?s=${at.step}`;
    let body = '';
    for (const i of instructions) body += this.verb(i, at.flow.voices, action);
    return document(body);
  }

  /** Puts the caller (back) into a queue, with this server's wait loop and result URLs. */
  enqueue(queue: string): string {
    return document(element('Enqueue', this.enqueueAttrs, queue));
  }

  hangup(): string {
    return HANGUP;
  }

  empty(): string {
    return EMPTY;
  }

  /** One verb as TwiML text: the same bytes twilio's VoiceResponse builder writes for it. */
  private verb(i: Instruction, voices: Voices, action: string): string {
    switch (i.kind) {
      case 'say':
        return sayVerb(i.text, i.language, voices);
      case 'play':
        return element('Play', attr('loop', i.loop), i.url);
      case 'pause':
        return element('Pause', attr('length', i.seconds));
      case 'gather': {
        let prompts = '';
        for (const p of i.prompts) {
          if (p.kind === 'say') prompts += sayVerb(p.text, p.language, voices);
          else if (p.kind === 'play') prompts += element('Play', attr('loop', p.loop), p.url);
          else if (p.kind === 'pause') prompts += element('Pause', attr('length', p.seconds));
        }
        const attrs =
          attr('input', i.input === 'dtmf' ? 'dtmf' : 'dtmf speech') +
          attr('numDigits', i.numDigits) +
          attr('finishOnKey', i.finishOnKey) +
          attr('timeout', i.timeout) +
          attr('hints', i.hints?.join(',')) +
          attr('language', gatherLanguage(voices[i.language].language)) +
          attr('action', action) +
          ' method="POST" actionOnEmptyResult="true"';
        return prompts ? `<Gather${attrs}>${prompts}</Gather>` : `<Gather${attrs}/>`;
      }
      case 'enqueue':
        return element('Enqueue', this.enqueueAttrs, i.queue);
      case 'record':
        // Without a recording the carrier falls through to the next verb: come back all the same.
        return (
          element(
            'Record',
            attr('action', `${action}&in=record`) +
              ' method="POST"' +
              attr('maxLength', i.maxLength) +
              attr('finishOnKey', i.finishOnKey) +
              ' playBeep="true"' +
              attr('recordingStatusCallback', `${this.urls.base}/twilio/recording/status`),
          ) + element('Redirect', ' method="POST"', `${action}&in=record`)
        );
      case 'dial':
        return element('Dial', attr('action', `${action}&in=dial`) + ' method="POST"' + attr('timeout', i.timeout), i.number);
      case 'hangup':
        return '<Hangup/>';
    }
  }

  private say(r: VoiceResponse, text: string, language: Language, voices: Voices): void {
    r.say({ voice: voices[language].voice as never, language: voices[language].language as never }, text);
  }

  /** Apology, then the general front-desk queue: what a caller hears when anything inside fails. */
  private buildFallback(): string {
    const r = new twilio.twiml.VoiceResponse();
    this.say(r, '非常抱歉，系统暂时无法处理您的请求，正在为您转接人工客服。', 'zh', DEFAULT_VOICES);
    this.say(r, 'We are sorry, something went wrong. Connecting you to an agent.', 'en', DEFAULT_VOICES);
    r.enqueue(
      { waitUrl: `${this.urls.base}/twilio/queue/wait`, waitUrlMethod: 'POST', action: `${this.urls.base}/twilio/queue/result`, method: 'POST' },
      FALLBACK_QUEUE,
    );
    return r.toString();
  }
}

export const FALLBACK_QUEUE = 'front-general';

// A small TwiML writer. twilio's VoiceResponse builds an xmlbuilder document per verb (~25 µs a response); these
// write the same bytes directly: attributes in the order given, values escaped as xmlbuilder's attEscape (what
// VoiceResponse uses), text escaped as its textEscape and refused as its assertLegalChar refuses, an element without
// text or children self-closed.

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const HANGUP = `${DECLARATION}<Response><Hangup/></Response>`;
const EMPTY = `${DECLARATION}<Response/>`;

function document(body: string): string {
  return body ? `${DECLARATION}<Response>${body}</Response>` : EMPTY;
}

function sayVerb(text: string, language: Language, voices: Voices): string {
  return element('Say', attr('voice', voices[language].voice) + attr('language', voices[language].language), text);
}

/** `<Name attrs>text</Name>`, or `<Name attrs/>` when there is no text (or it is empty). */
function element(name: string, attrs: string, text?: string | number): string {
  if (text === undefined || text === null) return `<${name}${attrs}/>`;
  const t = escapeText(String(text));
  return t ? `<${name}${attrs}>${t}</${name}>` : `<${name}${attrs}/>`;
}

/** ` name="value"`, nothing when the value is undefined or null. */
function attr(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  return ` ${name}="${escapeAttr(String(value))}"`;
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
