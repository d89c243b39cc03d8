// Renders a prompt in the caller's language, filling {placeholders} from the call's variables.
import type { Language, Prompt } from './flow-types';
import { variableInEnglish } from './english-names';

export function promptText(prompt: Prompt, language: Language, vars: Record<string, string | undefined>): string {
  const text = typeof prompt === 'string' ? prompt : (prompt[language] ?? prompt.zh ?? prompt.en ?? '');
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name] ?? '';
    // The en-US voice cannot read Chinese: "Dear 王芳" becomes "Dear valued customer".
    return language === 'en' ? variableInEnglish(name, value) : value;
  });
}
