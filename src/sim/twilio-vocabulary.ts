// Which attribute values Twilio accepts on the verbs the simulator runs: Gather languages, Say voices and languages, numeric ranges.
//
// The lists are Twilio's own, as generated into twilio-node 6.2 (lib/twiml/VoiceResponse.d.ts: GatherLanguage,
// SayLanguage, SayVoice). Mandarin for <Gather> is `cmn-Hans-CN` (or the legacy `zh`); `cmn-CN` and `zh-CN` are
// <Say> languages only. Twilio docs, warning 13331 "Gather: Invalid language value": "when the selected language and
// model aren't supported, Twilio generates an error notification and the gather fails".

/** Twilio's Gather speech-recognition languages. */
export const GATHER_LANGUAGES: ReadonlySet<string> = new Set([
  'af-ZA', 'am-ET', 'ar-AE', 'ar-BH', 'ar-DZ', 'ar-EG', 'ar-IL', 'ar-IQ', 'ar-JO', 'ar-KW', 'ar-LB', 'ar-MA',
  'ar-OM', 'ar-PS', 'ar-QA', 'ar-SA', 'ar-TN', 'az-AZ', 'bg-BG', 'bn-BD', 'bn-IN', 'ca-ES', 'cs-CZ', 'da-DK',
  'de-DE', 'el-GR', 'en-AU', 'en-CA', 'en-GB', 'en-GH', 'en-IE', 'en-IN', 'en-KE', 'en-NG', 'en-NZ', 'en-PH',
  'en-SG', 'en-TZ', 'en-US', 'en-ZA', 'es-AR', 'es-BO', 'es-CL', 'es-CO', 'es-CR', 'es-DO', 'es-EC', 'es-ES',
  'es-GT', 'es-HN', 'es-MX', 'es-NI', 'es-PA', 'es-PE', 'es-PR', 'es-PY', 'es-SV', 'es-US', 'es-UY', 'es-VE',
  'et-EE', 'eu-ES', 'fa-IR', 'fi-FI', 'fil-PH', 'fr-CA', 'fr-FR', 'gl-ES', 'gu-IN', 'he-IL', 'hi-IN', 'hr-HR',
  'hu-HU', 'hy-AM', 'id-ID', 'is-IS', 'it-IT', 'ja-JP', 'jv-ID', 'ka-GE', 'km-KH', 'kn-IN', 'ko-KR', 'lo-LA',
  'lt-LT', 'lv-LV', 'mk-MK', 'ml-IN', 'mn-MN', 'mr-IN', 'ms-MY', 'my-MM', 'nar-IQ', 'nb-NO', 'ne-NP', 'nl-BE',
  'nl-NL', 'pa-guru-IN', 'pl-PL', 'pt-BR', 'pt-PT', 'ro-RO', 'ru-RU', 'si-LK', 'sk-SK', 'sl-SI', 'sq-AL', 'sr-RS',
  'su-ID', 'sv-SE', 'sw-KE', 'sw-TZ', 'ta-IN', 'ta-LK', 'ta-MY', 'ta-SG', 'te-IN', 'th-TH', 'tr-TR', 'uk-UA',
  'ur-IN', 'ur-PK', 'uz-UZ', 'vi-VN', 'yue-Hant-HK', 'zh', 'cmn-Hans-CN', 'zh-TW', 'cmn-Hant-TW', 'zu-ZA',
]);

/** Twilio's Say languages. */
export const SAY_LANGUAGES: ReadonlySet<string> = new Set([
  'af-ZA', 'am-ET', 'ar-AE', 'ar-XA', 'arb', 'bg-BG', 'bn-IN', 'ca-ES', 'cmn-CN', 'cmn-TW', 'cs-CZ', 'cy-GB',
  'da-DK', 'de-AT', 'de-DE', 'el-GR', 'en-AU', 'en-CA', 'en-GB', 'en-GB-WLS', 'en-IE', 'en-IN', 'en-NZ', 'en-US',
  'en-ZA', 'es-ES', 'es-MX', 'es-US', 'fi-FI', 'fil-PH', 'fr-CA', 'fr-FR', 'fr-BE', 'gu-IN', 'he-IL', 'hi-IN',
  'hu-HU', 'id-ID', 'is-IS', 'it-IT', 'ja-JP', 'kn-IN', 'ko-KR', 'lv-LV', 'ml-IN', 'mr-IN', 'ms-MY', 'nb-NO',
  'nl-BE', 'nl-NL', 'pa-IN', 'pl-PL', 'pt-BR', 'pt-PT', 'ro-RO', 'ru-RU', 'sk-SK', 'sr-RS', 'sv-SE', 'ta-IN',
  'te-IN', 'th-TH', 'tr-TR', 'uk-UA', 'vi-VN', 'yue-HK', 'zh-CN', 'zh-HK', 'zh-TW',
]);

/** Amazon Polly voices Twilio offers (`Polly.<name>`). */
const POLLY_VOICES: ReadonlySet<string> = new Set([
  'Aditi', 'Amy', 'Astrid', 'Bianca', 'Brian', 'Camila', 'Carla', 'Carmen', 'Celine', 'Chantal', 'Conchita',
  'Cristiano', 'Dora', 'Emma', 'Enrique', 'Ewa', 'Filiz', 'Geraint', 'Giorgio', 'Gwyneth', 'Hans', 'Ines', 'Ivy',
  'Jacek', 'Jan', 'Joanna', 'Joey', 'Justin', 'Karl', 'Kendra', 'Kevin', 'Kimberly', 'Lea', 'Liv', 'Lotte', 'Lucia',
  'Lupe', 'Mads', 'Maja', 'Marlene', 'Mathieu', 'Matthew', 'Maxim', 'Mia', 'Miguel', 'Mizuki', 'Naja', 'Nicole',
  'Penelope', 'Raveena', 'Ricardo', 'Ruben', 'Russell', 'Salli', 'Seoyeon', 'Takumi', 'Tatyana', 'Vicki', 'Vitoria',
  'Zeina', 'Zhiyu', 'Adriano-Neural', 'Amy-Neural', 'Andres-Neural', 'Aria-Neural', 'Arlet-Neural', 'Arthur-Neural',
  'Ayanda-Neural', 'Bianca-Neural', 'Brian-Neural', 'Burcu-Neural', 'Camila-Neural', 'Daniel-Neural',
  'Danielle-Neural', 'Elin-Neural', 'Emma-Neural', 'Gabrielle-Neural', 'Gregory-Neural', 'Hala-Neural',
  'Hannah-Neural', 'Hiujin-Neural', 'Ida-Neural', 'Ines-Neural', 'Isabelle-Neural', 'Ivy-Neural', 'Joanna-Neural',
  'Joey-Neural', 'Justin-Neural', 'Kajal-Neural', 'Kazuha-Neural', 'Kendra-Neural', 'Kevin-Neural',
  'Kimberly-Neural', 'Laura-Neural', 'Lea-Neural', 'Liam-Neural', 'Lisa-Neural', 'Lucia-Neural', 'Lupe-Neural',
  'Matthew-Neural', 'Mia-Neural', 'Niamh-Neural', 'Ola-Neural', 'Olivia-Neural', 'Pedro-Neural', 'Remi-Neural',
  'Ruth-Neural', 'Salli-Neural', 'Seoyeon-Neural', 'Sergio-Neural', 'Sofie-Neural', 'Stephen-Neural', 'Suvi-Neural',
  'Takumi-Neural', 'Thiago-Neural', 'Tomoko-Neural', 'Vicki-Neural', 'Vitoria-Neural', 'Zayd-Neural', 'Zhiyu-Neural',
  'Amy-Generative', 'Andres-Generative', 'Ayanda-Generative', 'Bianca-Generative', 'Daniel-Generative',
  'Danielle-Generative', 'Joanna-Generative', 'Kajal-Generative', 'Lea-Generative', 'Lucia-Generative',
  'Lupe-Generative', 'Matthew-Generative', 'Mía-Generative', 'Olivia-Generative', 'Pedro-Generative',
  'Rémi-Generative', 'Ruth-Generative', 'Sergio-Generative', 'Stephen-Generative', 'Vicki-Generative',
]);

/** Google voices are named by language and family (`Google.cmn-CN-Wavenet-A`). */
const GOOGLE_VOICE = /^Google\.[a-z]{2,3}-[A-Za-z]{2,4}-(Standard|Wavenet|Neural2|Chirp3-HD)-[A-Za-z]+$/;

export function knownVoice(voice: string): boolean {
  if (voice === 'man' || voice === 'woman' || voice === 'alice') return true;
  if (voice.startsWith('Polly.')) return POLLY_VOICES.has(voice.slice('Polly.'.length));
  return GOOGLE_VOICE.test(voice);
}
