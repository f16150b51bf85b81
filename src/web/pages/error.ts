/**
 * @module web/pages/error
 * A plain error page for the UI (the API answers JSON instead).
 */
import { html } from '../html.ts';
import { pickLang, strings } from '../i18n.ts';
import { layout } from '../layout.ts';

export function errorPage(status: number, code: string, message: string, acceptLanguage: string | undefined): string {
  const lang = pickLang(undefined, undefined, acceptLanguage);
  const t = strings(lang);
  return layout({ lang, t, q: '', here: '/' }, status === 404 ? t.notFound : t.error, html`<section class="errorpage"><h1>${status === 404 ? t.notFound : t.error}</h1><p class="error" role="alert"><code>${code}</code> ${message}</p></section>`);
}
