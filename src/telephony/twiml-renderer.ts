// Renders the IVR's instructions, queue announcements and the safe fallback as TwiML.
import type { Instruction, Language } from '../ivr/flow-types';
import type { Flow } from '../ivr/flow-schema';
import { attr, element, parent, twimlDocument } from './twiml-writer';

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
  /** What a new caller hears while the server sheds load: a short notice, then the general queue (built once). */
  readonly shedTwiml: string;
  /** The attributes of every <Enqueue>: the wait loop and the result come back here. */
  private readonly enqueueAttrs: string;

  constructor(private readonly urls: TwimlUrls) {
    this.enqueueAttrs =
      attr('waitUrl', `${urls.base}/twilio/queue/wait`) + ' waitUrlMethod="POST"' + attr('action', `${urls.base}/twilio/queue/result`) + ' method="POST"';
    this.fallbackTwiml = this.buildFallback();
    this.shedTwiml = twimlDocument(
      sayVerb('您好，现在来电较多，请您稍候，我们将尽快为您接通。如需回电，请随时按1。', 'zh', DEFAULT_VOICES),
      sayVerb('All our agents are busy. Please hold, or press 1 at any time to be called back.', 'en', DEFAULT_VOICES),
      element('Enqueue', this.enqueueAttrs, FALLBACK_QUEUE),
    );
  }

  /** The IVR's next instructions; actions come back to /twilio/ivr carrying the step. */
  ivr(instructions: Instruction[], at: { step: number; flow: Flow }): string {
    const action = `${this.urls.base}/twilio/ivr?s=${at.step}`;
    let body = '';
    for (const i of instructions) body += this.verb(i, at.flow.voices, action);
    return twimlDocument(body);
  }

  /** Puts the caller (back) into a queue, with this server's wait loop and result URLs. */
  enqueue(queue: string): string {
    return twimlDocument(element('Enqueue', this.enqueueAttrs, queue));
  }

  hangup(): string {
    return HANGUP;
  }

  empty(): string {
    return EMPTY;
  }

  /** Words in one of the default voices (queue announcements, outside a flow). */
  say(text: string, language: Language): string {
    return sayVerb(text, language, DEFAULT_VOICES);
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
        const prompts: string[] = [];
        for (const p of i.prompts) {
          if (p.kind === 'say') prompts.push(sayVerb(p.text, p.language, voices));
          else if (p.kind === 'play') prompts.push(element('Play', attr('loop', p.loop), p.url));
          else if (p.kind === 'pause') prompts.push(element('Pause', attr('length', p.seconds)));
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
        return parent('Gather', attrs, prompts);
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

  /** Apology, then the general front-desk queue: what a caller hears when anything inside fails. */
  private buildFallback(): string {
    return twimlDocument(
      sayVerb('非常抱歉，系统暂时无法处理您的请求，正在为您转接人工客服。', 'zh', DEFAULT_VOICES),
      sayVerb('We are sorry, something went wrong. Connecting you to an agent.', 'en', DEFAULT_VOICES),
      element('Enqueue', this.enqueueAttrs, FALLBACK_QUEUE),
    );
  }
}

export const FALLBACK_QUEUE = 'front-general';

const HANGUP = twimlDocument('<Hangup/>');
const EMPTY = twimlDocument();

function sayVerb(text: string, language: Language, voices: Voices): string {
  return element('Say', attr('voice', voices[language].voice) + attr('language', voices[language].language), text);
}
