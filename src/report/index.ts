/**
 * @module report
 * Authenticity reports (`trove show ID --report html|md|json`).
 */
import { renderHtml } from './html.ts';
import { renderMarkdown } from './md.ts';
import type { AuthenticityReport } from './model.ts';

export { buildReport, REPORT_FORMAT, type AuthenticityReport, type ReportOptions } from './model.ts';
export { renderHtml, esc } from './html.ts';
export { renderMarkdown } from './md.ts';

export type ReportFormat = 'html' | 'md' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'md', 'json'];

export function renderReport(r: AuthenticityReport, format: ReportFormat): string {
  if (format === 'html') return renderHtml(r);
  if (format === 'md') return renderMarkdown(r);
  return JSON.stringify(r, null, 2) + '\n';
}
