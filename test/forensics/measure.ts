/**
 * False-alarm measurement: runs the forensic pass over an ingested case and prints, per
 * evidence code, how many messages it flagged (any severity, and with a finding that
 * contradicts the message: warning or critical) and the share turned `suspicious`.
 * Usage: npx node test/forensics/measure.ts CASE_DIR [--now ISO]
 */
import { runForensics } from '../../src/forensics/index.ts';
import { CaseDb } from '../../src/store/sqlite.ts';

const dir = process.argv[2];
const nowArg = process.argv.indexOf('--now');
const db = new CaseDb(dir, { create: false });
const s = runForensics(db, { now: nowArg > 0 ? Date.parse(process.argv[nowArg + 1]) : undefined });
const pct = (n: number) => `${((100 * n) / s.messages).toFixed(3)}%`;
console.log(`${s.messages} messages, ${s.attachmentsWithMetadata} attachments with metadata, ${s.seconds.toFixed(1)} s`);
console.log(`${'code'.padEnd(30)} ${'any'.padStart(6)}  ${'share'.padEnd(7)}  ${'warn+'.padStart(6)}  share`);
for (const [code, n] of Object.entries(s.flagged).sort()) {
  const c = s.contradicting[code] ?? 0;
  console.log(`${code.padEnd(30)} ${String(n).padStart(6)}  ${pct(n).padEnd(7)}  ${String(c).padStart(6)}  ${pct(c)}`);
}
console.log(`${'suspicious'.padEnd(30)} ${String(s.suspicious).padStart(6)}  ${pct(s.suspicious)}`);
console.log(`${'  by forensic findings'.padEnd(30)} ${String(s.suspiciousFromForensics).padStart(6)}  ${pct(s.suspiciousFromForensics)}`);
db.close();
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
