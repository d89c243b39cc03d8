// The disposition codes (GET /api/dispositions), read once per page and shared by the agent's wrap-up and the QA
// player; the label follows the console's language.
import { useEffect, useState } from 'preact/hooks';
import type { DISPOSITIONS } from '../../src/acd/dispositions';
import { lang } from './i18n';
import { api } from './session';

export type Disposition = (typeof DISPOSITIONS)[number];

let list: Promise<Disposition[]> | undefined;

export function useDispositions(): { codes: Disposition[]; error: string } {
  const [codes, setCodes] = useState<Disposition[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    list ??= api<Disposition[]>('GET', '/api/dispositions');
    list.then(setCodes, (e: Error) => {
      list = undefined;
      setError(e.message);
    });
  }, []);
  return { codes, error };
}

/** A code's label in the console's language (the code itself while the list is loading or when unknown). */
export function dispositionText(codes: readonly Disposition[], code: string): string {
  const d = codes.find((x) => x.code === code);
  return d ? (lang.value === 'zh' ? d.label : d.description) : code;
}
