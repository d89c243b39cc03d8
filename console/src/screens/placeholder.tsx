// A screen still to be built (QA workspace, admin pages).
import { t } from '../i18n';

export function Placeholder({ id }: { id: string }) {
  return <section>{t(id === 'qa' ? 'qa' : 'admin')}</section>;
}
