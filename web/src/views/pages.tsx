/**
 * @module web/views/pages
 * The smaller views: a thread in time order, the ingest status, the forensics summary
 * (document authors, companies, software, devices) and the login form.
 */
import { useState } from 'preact/hooks';
import { api, login, type ForensicsSummary, type Status, type SummaryEntry, type ThreadRow, type SessionUser } from '../api.ts';
import { Badge, ErrorBox, fmtBytes, fmtDate, Loading, useLoad, useT } from '../ui.tsx';

export function ThreadView({ id, selected }: { id: string; selected: number }) {
  const t = useT();
  const [res] = useLoad((signal) => api<{ id: string; messages: ThreadRow[] }>(`/api/threads/${encodeURIComponent(id)}`, { signal }), [id]);
  if (res.state === 'loading') return <Loading />;
  if (res.state === 'error') return <ErrorBox error={res.error} />;
  const rows = res.data.messages;
  return (
    <section class="thread">
      <p class="crumbs"><a href="/" class="back">{t.backToResults}</a> · <a href={`/?q=${encodeURIComponent(`thread:${id}`)}`}>thread:{id}</a></p>
      <h1>{t.thread}: {rows[0]?.subject || id}</h1>
      <p class="help">{t.threadHelp}</p>
      <ol class="hits" id="list">{rows.map((r, i) => (
        <li class={`hit${i === selected ? ' selected' : ''}`} data-href={`/messages/${r.id}`} aria-selected={i === selected}>
          <div class="line1"><Badge verdict={r.verdict} /> <a class="subject" href={`/messages/${r.id}`}>{r.subject || t.noSubject}</a></div>
          <div class="line2"><span class="from">{r.from ?? ''}</span> · <time>{fmtDate(r.date, t)}</time></div>
        </li>
      ))}</ol>
    </section>
  );
}

export function StatusView() {
  const t = useT();
  const [res] = useLoad((signal) => api<Status>('/api/status', { signal }), []);
  if (res.state === 'loading') return <Loading />;
  if (res.state === 'error') return <ErrorBox error={res.error} />;
  const s = res.data;
  const counts: [string, string | number][] = [
    [t.messages, s.messages], [t.unique, s.unique], [t.duplicates, s.duplicates], [t.containers, s.containers],
    [t.files, s.files], [t.skipped, s.skipped.length], [t.errors, s.errors.length], [t.parseErrors, s.parse_errors], [t.bytes, fmtBytes(s.bytes)],
  ];
  const rows = (list: { locator: string; code: string; reason?: string; message?: string }[]) => list.length
    ? <table class="items"><tbody>{list.map((r) => <tr><td><code>{r.code}</code></td><td><code>{r.locator}</code></td><td>{r.reason ?? r.message ?? ''}</td></tr>)}</tbody></table>
    : <p>{t.none}</p>;
  return (
    <section class="status">
      <h1>{t.status}</h1>
      <dl class="counts">{counts.map(([k, v]) => <div><dt>{k}</dt><dd>{v}</dd></div>)}</dl>
      <h2>{t.skipped}</h2>{rows(s.skipped)}
      <h2>{t.errors}</h2>{rows(s.errors)}
      <h2>{t.warnings}</h2>{rows(s.warnings)}
      {s.incomplete.length > 0 && <><h2>{t.incomplete}</h2><ul>{s.incomplete.map((l) => <li><code>{l}</code></li>)}</ul></>}
      <h2>{t.runs}</h2>
      <table class="items"><tbody>{s.runs.map((r) => <tr><td>#{r.id}</td><td>{r.started_at}</td><td>{r.finished_at ?? '…'}</td><td>{r.status}</td></tr>)}</tbody></table>
      {s.queue && (
        <>
          <h2>{t.queue}</h2>
          <dl class="counts queue">{([[t.queueJobs, s.queue.jobs], [t.queueDone, s.queue.done], [t.queueRunning, s.queue.running], [t.queueWaiting, s.queue.queued]] as [string, number][]).map(([k, v]) => <div><dt>{k}</dt><dd>{v}</dd></div>)}</dl>
        </>
      )}
      {s.workers && s.workers.length > 0 && (
        <>
          <h2>{t.workersTitle}</h2>
          <table class="items workers">
            <thead><tr><th>{t.workerCol}</th><th>{t.queueJobs}</th><th>{t.messages}</th><th>msg/s</th><th>MB/s</th><th>{t.workerSeen}</th><th>{t.workerJob}</th></tr></thead>
            <tbody>{s.workers.map((w) => <tr><td><code>{w.host}:{w.pid}</code></td><td>{w.jobs}</td><td>{w.messages}</td><td>{w.msg_per_s.toFixed(0)}</td><td>{w.mb_per_s.toFixed(2)}</td><td>{w.last_seen}</td><td>{w.current_job ?? '–'}</td></tr>)}</tbody>
          </table>
        </>
      )}
    </section>
  );
}

function SummaryTable({ title, entries }: { title: string; entries: SummaryEntry[] }) {
  const t = useT();
  return (
    <section class="panel">
      <h2>{title} <span class="n">({entries.length})</span></h2>
      {entries.length ? (
        <div class="scroll"><table class="items summary-table">
          <thead><tr><th></th><th>{t.filesCol}</th><th>{t.messagesCol}</th><th>{t.firstSeen}</th><th>{t.lastSeen}</th><th>{t.scriptCol}</th></tr></thead>
          <tbody>{entries.map((e) => (
            <tr><td>{e.value}</td><td>{e.files}</td><td>{e.messages}</td><td>{fmtDate(e.first_seen, t)}</td><td>{fmtDate(e.last_seen, t)}</td><td>{e.script ?? ''}</td></tr>
          ))}</tbody>
        </table></div>
      ) : <p>{t.none}</p>}
    </section>
  );
}

export function ForensicsView() {
  const t = useT();
  const [res] = useLoad((signal) => api<ForensicsSummary>('/api/forensics/summary', { signal }), []);
  return (
    <section class="forensics">
      <h1>{t.forensics}</h1>
      <p class="help">{t.forensicsHelp}</p>
      {res.state === 'loading' ? <Loading /> : res.state === 'error' ? <ErrorBox error={res.error} /> : (
        <div class="grid2">
          <SummaryTable title={t.authors} entries={res.data.authors} />
          <SummaryTable title={t.companies} entries={res.data.companies} />
          <SummaryTable title={t.software} entries={res.data.software} />
          <SummaryTable title={t.devices} entries={res.data.devices} />
        </div>
      )}
    </section>
  );
}

export function LoginForm({ onDone }: { onDone: (u: SessionUser | null) => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [err, setErr] = useState<string | null>(null);
  return (
    <section class="login panel">
      <h1>{t.login}</h1>
      <p>{t.loginNeeded}</p>
      <form class="stack" onSubmit={(e) => {
        e.preventDefault();
        login(name, password).then(onDone, (x: Error & { code?: string }) => setErr(x.code === 'bad-credentials' ? t.badCredentials : x.message));
      }}>
        <label>{t.userName}<input name="name" autocomplete="username" value={name} onInput={(e) => setName(e.currentTarget.value)} required /></label>
        <label>{t.password}<input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required /></label>
        <button type="submit">{t.login}</button>
        {err && <p class="error" role="alert">{err}</p>}
      </form>
    </section>
  );
}
