/**
 * @module web/views/charts
 * The timeline (bars per day, or per month over long ranges) and the correspondent graph
 * (addresses on a circle, one line per pair, thicker for more messages) of the current query.
 * Plain SVG drawn here: two small charts do not need a chart library.
 */
import type { Edge } from '../api.ts';
import { navigate, searchUrl } from '../router.ts';
import { refine, useT } from '../ui.tsx';

function lastDay(ym: string): string {
  const [y, m] = ym.split('-').map(Number);
  return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

export type Bucket = { key: string; count: number; range: string; unit: 'day' | 'month' | 'year' };

/**
 * Continuous buckets over the whole range (empty ones included, so gaps show): days up to
 * 62 days, months up to 60 months, years beyond.
 */
export function bucketDays(days: { day: string; count: number }[]): Bucket[] {
  if (!days.length) return [];
  const sorted = [...days].sort((a, b) => a.day.localeCompare(b.day));
  const first = sorted[0].day;
  const last = sorted[sorted.length - 1].day;
  const spanDays = (Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000;
  const months = (Number(last.slice(0, 4)) - Number(first.slice(0, 4))) * 12 + Number(last.slice(5, 7)) - Number(first.slice(5, 7));
  const unit: Bucket['unit'] = spanDays <= 62 ? 'day' : months < 60 ? 'month' : 'year';
  const keyOf = (d: string) => (unit === 'day' ? d : unit === 'month' ? d.slice(0, 7) : d.slice(0, 4));
  const counts = new Map<string, number>();
  for (const d of sorted) counts.set(keyOf(d.day), (counts.get(keyOf(d.day)) ?? 0) + d.count);
  const out: Bucket[] = [];
  const cur = new Date(`${first}T00:00:00Z`);
  if (unit !== 'day') cur.setUTCDate(1);
  if (unit === 'year') cur.setUTCMonth(0);
  for (;;) {
    const iso = cur.toISOString().slice(0, 10);
    const key = keyOf(iso);
    if (key > keyOf(last)) break;
    const range = unit === 'day' ? `${key}..${key}` : unit === 'month' ? `${key}-01..${lastDay(key)}` : `${key}-01-01..${key}-12-31`;
    out.push({ key, count: counts.get(key) ?? 0, range, unit });
    if (unit === 'day') cur.setUTCDate(cur.getUTCDate() + 1);
    else if (unit === 'month') cur.setUTCMonth(cur.getUTCMonth() + 1);
    else cur.setUTCFullYear(cur.getUTCFullYear() + 1);
  }
  return out;
}

export function Timeline({ q, days }: { q: string; days: { day: string; count: number }[] }) {
  const t = useT();
  if (!days.length) return null;
  const buckets = bucketDays(days);
  const W = 300;
  const H = 90;
  const max = Math.max(...buckets.map((b) => b.count));
  const bw = W / buckets.length;
  return (
    <section class="facet">
      <h3>{t.timeline} <small>({buckets[0].unit === 'day' ? t.perDay : buckets[0].unit === 'month' ? t.perMonth : t.perYear})</small></h3>
      <svg class="timeline" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t.timeline}>
        {buckets.map((b, i) => {
          if (!b.count) return null;
          const h = Math.max(1, (b.count / max) * (H - 16));
          return (
            <a href={searchUrl(refine(q, 'date', b.range))} onClick={(e) => { e.preventDefault(); navigate(searchUrl(refine(q, 'date', b.range))); }}>
              <rect x={(i * bw).toFixed(1)} y={(H - 13 - h).toFixed(1)} width={Math.max(1, bw - 1).toFixed(1)} height={h.toFixed(1)}>
                <title>{`${b.key}: ${b.count}`}</title>
              </rect>
            </a>
          );
        })}
        <text x="0" y={H - 1}>{buckets[0].key}</text>
        <text x={W} y={H - 1} text-anchor="end">{buckets[buckets.length - 1].key}</text>
      </svg>
    </section>
  );
}

/** Nodes on a circle, ordered by how much they write, so the busiest sit together. */
export function circleLayout(edges: Edge[], size: number): Map<string, { x: number; y: number; weight: number }> {
  const weight = new Map<string, number>();
  for (const e of edges) for (const a of [e.from, e.to]) weight.set(a, (weight.get(a) ?? 0) + e.count);
  const nodes = [...weight].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const r = size / 2 - 16;
  const out = new Map<string, { x: number; y: number; weight: number }>();
  nodes.forEach(([name, w], i) => {
    const a = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
    out.set(name, { x: size / 2 + r * Math.cos(a), y: size / 2 + r * Math.sin(a), weight: w });
  });
  return out;
}

export function Graph({ q, edges }: { q: string; edges: Edge[] }) {
  const t = useT();
  if (!edges.length) return null;
  const top = edges.slice(0, 30);
  const S = 300;
  const pos = circleLayout(top, S);
  const max = Math.max(...top.map((e) => e.count));
  const maxW = Math.max(...[...pos.values()].map((p) => p.weight));
  const go = (url: string) => (e: Event) => { e.preventDefault(); navigate(url); };
  return (
    <section class="facet graph">
      <h3>{t.correspondents}</h3>
      <svg class="graph" viewBox={`-115 -8 ${S + 230} ${S + 16}`} role="img" aria-label={t.correspondents}>
        {top.map((e) => {
          const a = pos.get(e.from)!;
          const b = pos.get(e.to)!;
          const url = searchUrl(refine(refine(q, 'from', e.from), 'to', e.to));
          return (
            <a href={url} onClick={go(url)}>
              <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke-width={1 + (4 * e.count) / max}><title>{`${e.from} → ${e.to}: ${e.count}`}</title></line>
            </a>
          );
        })}
        {[...pos].map(([name, p]) => {
          const url = searchUrl(refine(q, 'from', name));
          const right = p.x >= S / 2;
          return (
            <a href={url} onClick={go(url)} class="node">
              <circle cx={p.x} cy={p.y} r={3 + (5 * p.weight) / maxW}><title>{`${name}: ${p.weight}`}</title></circle>
              <text x={p.x + (right ? 8 : -8)} y={p.y + 3} text-anchor={right ? 'start' : 'end'}>{name.length > 22 ? `${name.slice(0, 20)}…` : name}</text>
            </a>
          );
        })}
      </svg>
      <p class="help">{t.graphHelp}</p>
    </section>
  );
}
