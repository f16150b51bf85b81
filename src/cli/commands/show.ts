/**
 * @module cli/commands/show
 * `trove show ID`: one message, its sources, attachments and evidence; `--report html|md|json`
 * writes the self-contained authenticity report (src/report) to stdout or `--out FILE`.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
import { buildReport, renderReport, REPORT_FORMATS, type ReportFormat } from '../../report/index.ts';
import { blob, findMessage, messageBody, type ExportRecord } from '../../store/queries.ts';
import { globals, openCase, out } from '../context.ts';

function addr(list: { name: string; address: string }[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

export function showText(r: ExportRecord, body: { text: string; html: string }, maxBody = 4000): string {
  const lines = [
    `id:         ${r.id}`,
    `verdict:    ${r.verdict}`,
    `message-id: ${r.message_id ?? '(none)'}`,
    `date:       ${r.date ?? '(unreadable)'}${r.date_raw && r.date ? `  [${r.date_raw}]` : r.date_raw ? `  raw: ${r.date_raw}` : ''}`,
    `from:       ${addr(r.from)}`,
    `to:         ${addr(r.to)}`,
  ];
  if (r.cc.length) lines.push(`cc:         ${addr(r.cc)}`);
  lines.push(`subject:    ${r.subject}`, `size:       ${r.size} bytes (${r.origin})`, 'sources:');
  for (const s of r.sources) lines.push(`  ${s.locator}`);
  if (r.attachments.length) {
    lines.push('attachments:');
    for (const a of r.attachments) lines.push(`  ${a.filename ?? '(no name)'}  ${a.content_type}  ${a.size} bytes  sha256:${a.sha256}`);
  }
  if (r.evidence.length) {
    lines.push('evidence:');
    for (const e of r.evidence) lines.push(`  [${e.severity}] ${e.code}: ${e.detail}`);
  }
  const text = body.text || body.html.replace(/<[^>]*>/g, ' ');
  lines.push('', text.length > maxBody ? text.slice(0, maxBody) + `\n[… ${text.length - maxBody} more characters]` : text);
  return lines.join('\n');
}

export function registerShow(program: Command): void {
  program
    .command('show')
    .description('one message with its sources, attachments and evidence (ID = sha256, a prefix of 8+ hex digits, or a Message-ID)')
    .argument('<id>')
    .option('--report <format>', 'write a self-contained authenticity report: html, md or json')
    .option('--out <file>', 'write the report to FILE instead of stdout')
    .option('--raw', 'write the exact stored bytes of the message (as found) to stdout')
    .action((id: string, o: { report?: string; out?: string; raw?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      if (o.report !== undefined && !(REPORT_FORMATS as readonly string[]).includes(o.report)) throw new TroveError('usage', `--report must be one of ${REPORT_FORMATS.join(', ')}`);
      if (o.out !== undefined && o.report === undefined) throw new TroveError('usage', '--out needs --report html|md|json');
      const db = openCase(g, false);
      try {
        if (o.report !== undefined) {
          const rep = buildReport(db, id);
          if (!rep) throw new TroveError('not-found', `no single message matches ${id}`);
          const text = renderReport(rep, o.report as ReportFormat);
          if (o.out) {
            writeFileSync(o.out, text);
            if (g.json) out(JSON.stringify({ id: rep.message.sha256, report: o.report, out: o.out, verdict: rep.verdict }));
          } else process.stdout.write(text);
          return;
        }
        const r = findMessage(db, id);
        if (!r) throw new TroveError('not-found', `no single message matches ${id}`);
        if (o.raw) {
          process.stdout.write(blob(db, r.id) ?? new Uint8Array());
          return;
        }
        const body = messageBody(db, r.id);
        out(g.json ? JSON.stringify({ ...r, body }) : showText(r, body));
      } finally {
        db.close();
      }
    });
}
