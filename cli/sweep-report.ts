// What a sweep leaves for people: results.csv (one row per point) and
// report.html, one self-contained page (inline CSS and SVG drawn here, no
// script, nothing fetched at view time) with
//   - cycles and utilisation per workload against each swept parameter,
//   - heat maps of cycles over two parameters, one per workload,
//   - Pareto charts of cost against cycles,
//   - the skipped and failed points with their reasons.
//
// Cost. tc has no area model of Gemmini: the look-up for published area
// breakdowns (Genc et al., "Gemmini: Enabling Systematic Deep-Learning
// Architecture Evaluation via Full-Stack Integration", DAC 2021; the 2019
// arXiv version 1911.09925) found the papers but no per-component figures
// (PE, scratchpad and accumulator area per KiB) that tc could cite. So the
// cost axis is a relative measure, labelled as such everywhere it appears:
//   relative cost = PE count (DIM²) + SRAM KiB (scratchpad + accumulator).

import type { GemminiConfig } from '../gemmini/config.js';
import type { SweepRecord } from './sweep-point.js';
import type { ParamValue, SweepSpec } from './sweep-spec.js';

export const COST_LABEL = 'relative cost = PEs + SRAM KiB (not an area)';
export const COST_NOTE =
  'Cost is a relative measure, not an area: PE count (DIM²) plus SRAM KiB (scratchpad + accumulator). ' +
  'No published per-component Gemmini area figures were found to calibrate an area model against ' +
  '(Genc et al., DAC 2021, reports whole-design results); compare points with each other, not with silicon.';

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

const METRIC_COLUMNS: readonly [string, keyof SweepRecord][] = [
  ['cycles', 'cycles'],
  ['utilization', 'utilization'],
  ['macs', 'macs'],
  ['dram_bytes_read', 'dramBytesRead'],
  ['dram_bytes_written', 'dramBytesWritten'],
  ['load_busy_cycles', 'loadBusyCycles'],
  ['execute_busy_cycles', 'executeBusyCycles'],
  ['store_busy_cycles', 'storeBusyCycles'],
  ['scratchpad_rows_used', 'scratchpadRowsUsed'],
  ['scratchpad_rows', 'scratchpadRows'],
  ['accumulator_rows_used', 'accumulatorRowsUsed'],
  ['accumulator_rows', 'accumulatorRows'],
  ['pe_count', 'peCount'],
  ['sram_kib', 'sramKiB'],
  ['relative_cost', 'relativeCost'],
  ['dataflow', 'dataflow'],
  ['compile_ms', 'compileMs'],
  ['build_ms', 'buildMs'],
  ['run_ms', 'runMs'],
  ['wall_ms', 'wallMs'],
];

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = Array.isArray(v) ? v.join(' ') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV header: fixed columns, one per swept parameter, then the measurements. */
export function csvHeader(spec: SweepSpec): string[] {
  return ['index', 'id', 'workload', ...spec.parameters.map((p) => p.name), 'runner', 'seeds', 'status', ...METRIC_COLUMNS.map(([c]) => c), 'reason'];
}

/** One row per record, in the spec's point order (RFC 4180 quoting). */
export function renderCsv(records: readonly SweepRecord[], spec: SweepSpec): string {
  const rows = [csvHeader(spec)];
  for (const r of [...records].sort((a, b) => a.index - b.index))
    rows.push([
      String(r.index),
      r.id,
      csvCell(r.workload),
      ...spec.parameters.map((p) => csvCell(r.params[p.name])),
      r.runner,
      csvCell(r.seeds),
      r.status,
      ...METRIC_COLUMNS.map(([, k]) => csvCell(r[k])),
      csvCell(r.reason),
    ]);
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An axis tick: 2M, 500k, 1.5k (no trailing zeros). */
function tickNumber(n: number): string {
  return shortNumber(n).replace(/\.0+([kMG]?)$/, '$1').replace(/(\.\d*?)0+([kMG]?)$/, '$1$2');
}

export function shortNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${(n / 1e3).toPrecision(3)}k`;
  return Number.isInteger(n) ? String(n) : n.toPrecision(3);
}

function valueText(v: ParamValue | undefined): string {
  if (v === undefined) return '–';
  return Array.isArray(v) ? v.join('+') : String(v);
}

const sameValue = (a: ParamValue | undefined, b: ParamValue): boolean => JSON.stringify(a) === JSON.stringify(b);

function paramsText(params: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${valueText(v)}`).join(', ');
}

const pct = (u: number | undefined): string => (u === undefined ? '–' : `${(u * 100).toFixed(1)}%`);

// Tableau 10: distinct on screen and in print.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const measured = (r: SweepRecord): boolean => (r.status === 'pass' || r.status === 'estimated') && r.cycles !== undefined;

// ---------------------------------------------------------------------------
// SVG charts
// ---------------------------------------------------------------------------

interface Axis {
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
}

function niceTicks(axis: Axis): number[] {
  const { min, max, log } = axis;
  if (log) {
    const ticks: number[] = [];
    const lo = Math.floor(Math.log10(min));
    const hi = Math.ceil(Math.log10(max));
    const steps = hi - lo <= 1 ? [1, 2, 3, 5] : hi - lo <= 3 ? [1, 2, 5] : [1];
    for (let e = lo; e <= hi; e++) for (const s of steps) {
      const t = s * 10 ** e;
      if (t >= min * 0.999 && t <= max * 1.001) ticks.push(t);
    }
    return ticks.length >= 2 ? ticks : [min, max];
  }
  const span = max - min || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= 6) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** An axis covering the values, padded, log when they span more than 20×. */
function axisFor(values: readonly number[], opts: { log?: boolean; zero?: boolean; max?: number } = {}): Axis {
  const pos = values.filter((v) => Number.isFinite(v));
  let min = pos.length ? Math.min(...pos) : 0;
  let max = pos.length ? Math.max(...pos) : 1;
  const log = opts.log ?? (min > 0 && max / min > 20);
  if (log) {
    min = min / 1.25;
    max = max * 1.25;
  } else {
    if (opts.zero) min = 0;
    const pad = (max - min || Math.abs(max) || 1) * 0.08;
    if (!opts.zero) min -= pad;
    max += pad;
    if (opts.max !== undefined) max = Math.min(max, opts.max);
  }
  return { min, max, log };
}

function scale(axis: Axis, v: number, from: number, to: number): number {
  const f = axis.log ? (Math.log(v) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min)) : (v - axis.min) / (axis.max - axis.min || 1);
  return from + f * (to - from);
}

interface Dot {
  readonly x: number; // category index, or value on a numeric x axis
  readonly y: number;
  readonly tip: string;
  readonly label?: string;
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly dots: readonly Dot[];
  /** Drawn as a line through these, in order. */
  readonly line?: readonly Dot[];
  readonly step?: boolean;
  readonly faint?: boolean;
}

interface ChartSpec {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  /** Category labels (evenly spaced) or a numeric axis. */
  readonly x: { readonly categories: readonly string[] } | { readonly axis: Axis };
  readonly y: Axis;
  readonly yFormat?: (v: number) => string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
}

function chart(c: ChartSpec): string {
  const W = c.width ?? 640;
  const H = c.height ?? 320;
  const named = c.series.filter((s) => s.name !== '');
  const m = { l: 64, r: 16, t: named.length ? 50 : 34, b: 52 };
  const x0 = m.l;
  const x1 = W - m.r;
  const y0 = H - m.b;
  const y1 = m.t;
  const fmtY = c.yFormat ?? tickNumber;
  const px = (x: number): number => {
    if ('categories' in c.x) {
      const n = c.x.categories.length;
      return n === 1 ? (x0 + x1) / 2 : x0 + 24 + (x / (n - 1)) * (x1 - x0 - 48);
    }
    return scale(c.x.axis, x, x0, x1);
  };
  const py = (y: number): number => scale(c.y, y, y0, y1);
  const out: string[] = [];
  out.push(`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(c.title)}">`);
  out.push(`<text x="${W / 2}" y="18" class="ct">${esc(c.title)}</text>`);
  for (const t of niceTicks(c.y)) {
    const y = py(t);
    out.push(`<line x1="${x0}" x2="${x1}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/><text x="${x0 - 6}" y="${(y + 4).toFixed(1)}" class="yt">${esc(fmtY(t))}</text>`);
  }
  if ('categories' in c.x) {
    const cats = c.x.categories;
    const every = Math.ceil(cats.length / 12);
    cats.forEach((label, i) => {
      if (i % every) return;
      out.push(`<text x="${px(i).toFixed(1)}" y="${y0 + 16}" class="xt">${esc(label)}</text>`);
    });
  } else {
    for (const t of niceTicks(c.x.axis)) {
      const x = px(t);
      out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y0}" y2="${y1}" class="grid"/><text x="${x.toFixed(1)}" y="${y0 + 16}" class="xt">${esc(tickNumber(t))}</text>`);
    }
  }
  out.push(`<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" class="axis"/><line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" class="axis"/>`);
  out.push(`<text x="${(x0 + x1) / 2}" y="${H - 10}" class="at">${esc(c.xTitle)}</text>`);
  out.push(`<text transform="translate(14 ${(y0 + y1) / 2}) rotate(-90)" class="at">${esc(c.yTitle)}${c.y.log ? ' (log)' : ''}</text>`);
  for (const s of c.series) {
    if (s.line && s.line.length > 1) {
      const pts = s.line.map((d) => [px(d.x), py(d.y)] as const);
      let path = `M${pts[0][0].toFixed(1)},${pts[0][1].toFixed(1)}`;
      for (let i = 1; i < pts.length; i++) path += s.step ? `H${pts[i][0].toFixed(1)}V${pts[i][1].toFixed(1)}` : `L${pts[i][0].toFixed(1)},${pts[i][1].toFixed(1)}`;
      out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    }
    for (const d of s.dots) {
      out.push(
        `<circle cx="${px(d.x).toFixed(1)}" cy="${py(d.y).toFixed(1)}" r="${s.faint ? 3 : 4.5}" fill="${s.color}" fill-opacity="${s.faint ? 0.35 : 0.95}" stroke="${s.faint ? 'none' : '#fff'}"><title>${esc(d.tip)}</title></circle>`,
      );
      if (d.label) out.push(`<text x="${(px(d.x) + 7).toFixed(1)}" y="${(py(d.y) - 6).toFixed(1)}" class="dl">${esc(d.label)}</text>`);
    }
  }
  // Legend, above the plot: one entry per named series.
  let lx = x0 + 4;
  for (const s of named) {
    out.push(`<circle cx="${lx}" cy="32" r="4.5" fill="${s.color}"/><text x="${lx + 8}" y="36" class="lg">${esc(s.name)}</text>`);
    lx += 26 + s.name.length * 6.6;
  }
  out.push('</svg>');
  return out.join('');
}

// ---------------------------------------------------------------------------
// Report sections
// ---------------------------------------------------------------------------

interface ReportInput {
  readonly spec: SweepSpec;
  readonly specPath: string;
  readonly base: GemminiConfig;
  /** The spec's records, any order. */
  readonly records: readonly SweepRecord[];
  readonly totalPoints: number;
  /** A line about the run that wrote the report (rate). */
  readonly note?: string;
  /** When the report was written (tests pass a fixed one). */
  readonly now?: Date;
}

function workloadNames(spec: SweepSpec): string[] {
  return spec.workloads.map((w) => w.name);
}

/** Cycles (best = lowest) and utilisation (best = highest) against one parameter, every workload on one chart. */
function parameterCharts(spec: SweepSpec, records: readonly SweepRecord[], param: SweepSpec['parameters'][number]): string {
  const cats = param.values.map(valueText);
  const ok = records.filter(measured);
  const cycleSeries: Series[] = [];
  const utilSeries: Series[] = [];
  workloadNames(spec).forEach((w, wi) => {
    const color = PALETTE[wi % PALETTE.length];
    const mine = ok.filter((r) => r.workload === w);
    const dots = (metric: (r: SweepRecord) => number | undefined) =>
      mine.flatMap((r) => {
        const x = param.values.findIndex((v) => sameValue(r.params[param.name], v));
        const y = metric(r);
        return x < 0 || y === undefined ? [] : [{ x, y, tip: `${w}: ${paramsText(r.params)} → ${shortNumber(r.cycles!)} cycles, ${pct(r.utilization)}` }];
      });
    const best = (ds: Dot[], better: (a: number, b: number) => boolean): Dot[] =>
      param.values.flatMap((_, x) => {
        const at = ds.filter((d) => d.x === x);
        if (!at.length) return [];
        return [at.reduce((a, b) => (better(b.y, a.y) ? b : a))];
      });
    const cyc = dots((r) => r.cycles);
    const utl = dots((r) => (r.utilization === undefined ? undefined : r.utilization * 100));
    const multi = spec.parameters.length > 1;
    cycleSeries.push({ name: '', color, dots: multi ? cyc : [], faint: true });
    cycleSeries.push({ name: w, color, dots: best(cyc, (a, b) => a < b), line: best(cyc, (a, b) => a < b) });
    utilSeries.push({ name: '', color, dots: multi ? utl : [], faint: true });
    utilSeries.push({ name: w, color, dots: best(utl, (a, b) => a > b), line: best(utl, (a, b) => a > b) });
  });
  const allCycles = cycleSeries.flatMap((s) => s.dots.map((d) => d.y));
  const allUtil = utilSeries.flatMap((s) => s.dots.map((d) => d.y));
  if (!allCycles.length) return `<p class="muted">No measured points for ${esc(param.name)} yet.</p>`;
  const others = spec.parameters.length > 1 ? 'Lines: the best cycles (left) and the best utilisation (right) at each value, over the other parameters; faint dots: every point' : 'Every point';
  return `<div class="pair">${chart({
    title: `cycles vs ${param.name}`,
    xTitle: param.name,
    yTitle: 'cycles',
    x: { categories: cats },
    y: axisFor(allCycles),
    series: cycleSeries,
  })}${chart({
    title: `utilisation vs ${param.name}`,
    xTitle: param.name,
    yTitle: 'utilisation %',
    x: { categories: cats },
    y: axisFor(allUtil, { zero: true, log: false, max: 105 }),
    yFormat: (v) => `${Number(v.toFixed(1))}%`,
    series: utilSeries,
  })}</div><p class="cap">${others}. Hover a dot for its point.</p>`;
}

/** A colour from fast (0) to slow (1): green, yellow, red. */
function ramp(f: number): string {
  const stops = [
    [26, 150, 65],
    [166, 217, 106],
    [255, 255, 191],
    [253, 174, 97],
    [215, 25, 28],
  ];
  const x = Math.max(0, Math.min(1, f)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const t = x - i;
  const c = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * t));
  return `rgb(${c.join(',')})`;
}

function heatmaps(spec: SweepSpec, records: readonly SweepRecord[]): string {
  if (spec.parameters.length < 2) return '<p class="muted">A heat map needs two swept parameters; this sweep has one.</p>';
  const [an, bn] = spec.heatmap ?? [spec.parameters[0].name, spec.parameters[1].name];
  const a = spec.parameters.find((p) => p.name === an)!;
  const b = spec.parameters.find((p) => p.name === bn)!;
  const rest = spec.parameters.filter((p) => p !== a && p !== b).map((p) => p.name);
  const parts: string[] = [];
  for (const w of workloadNames(spec)) {
    const mine = records.filter((r) => r.workload === w);
    const cell = (va: ParamValue, vb: ParamValue) => {
      const here = mine.filter((r) => sameValue(r.params[a.name], va) && sameValue(r.params[b.name], vb));
      const ok = here.filter(measured);
      const best = ok.length ? ok.reduce((x, y) => (y.cycles! < x.cycles! ? y : x)) : undefined;
      return { here, best };
    };
    const bests = a.values.flatMap((va) => b.values.map((vb) => cell(va, vb).best?.cycles)).filter((c): c is number => c !== undefined);
    const lo = Math.log(Math.min(...bests));
    const hi = Math.log(Math.max(...bests));
    const rows = a.values.map((va) => {
      const tds = b.values.map((vb) => {
        const { here, best } = cell(va, vb);
        if (!best) {
          const status = here.length === 0 ? 'not run' : here.every((r) => r.status === 'skipped') ? 'skipped' : here.some((r) => r.status === 'fail') ? 'FAIL' : here[0].status;
          const why = here.map((r) => r.reason).filter(Boolean)[0] ?? '';
          return `<td class="empty" title="${esc(why)}">${esc(status)}</td>`;
        }
        const f = hi > lo ? (Math.log(best.cycles!) - lo) / (hi - lo) : 0;
        const speed = Math.exp(lo) / best.cycles!;
        return `<td style="background:${ramp(f)}${f > 0.8 ? ';color:#fff' : ''}" title="${esc(`${paramsText(best.params)}: ${best.cycles} cycles, ${pct(best.utilization)}`)}"><b>${shortNumber(best.cycles!)}</b><br><span>${pct(best.utilization)} · ${speed.toFixed(2)}×</span></td>`;
      });
      return `<tr><th>${esc(valueText(va))}</th>${tds.join('')}</tr>`;
    });
    parts.push(
      `<div class="hm"><h3>${esc(w)}</h3><table class="heat"><thead><tr><th class="corner">${esc(a.name)} ↓ / ${esc(b.name)} →</th>${b.values.map((v) => `<th>${esc(valueText(v))}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
    );
  }
  const note = rest.length ? ` Each cell is the best over ${rest.join(', ')}.` : '';
  return `<div class="hms">${parts.join('')}</div><p class="cap">Cycles (bold), utilisation and speed relative to the workload's fastest cell (1.00×); green is fast, red slow.${note} Hover a cell for its point or for why it was skipped.</p>`;
}

interface ConfigPoint {
  readonly configId: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly cost: number;
  readonly cycles: number;
  readonly peCount: number;
  readonly sramKiB: number;
}

/** Configurations on the cost/cycles front: no other is both cheaper-or-equal and faster. */
export function paretoFront<T extends { cost: number; cycles: number }>(points: readonly T[]): T[] {
  const sorted = [...points].sort((p, q) => p.cost - q.cost || p.cycles - q.cycles);
  const front: T[] = [];
  for (const p of sorted) if (!front.length || p.cycles < front[front.length - 1].cycles) front.push(p);
  return front;
}

function configPoints(records: readonly SweepRecord[], workloads: readonly string[]): ConfigPoint[] {
  const byConfig = new Map<string, SweepRecord[]>();
  for (const r of records) {
    if (!workloads.includes(r.workload)) continue;
    const list = byConfig.get(r.configId) ?? [];
    list.push(r);
    byConfig.set(r.configId, list);
  }
  const out: ConfigPoint[] = [];
  for (const [configId, rs] of byConfig) {
    const ok = rs.filter(measured);
    if (ok.length !== workloads.length || rs[0].relativeCost === undefined) continue;
    out.push({ configId, params: rs[0].params, cost: rs[0].relativeCost, cycles: ok.reduce((n, r) => n + r.cycles!, 0), peCount: rs[0].peCount!, sramKiB: rs[0].sramKiB! });
  }
  return out;
}

function paretoChart(title: string, points: readonly ConfigPoint[], color: string, width = 640): string {
  if (!points.length) return `<p class="muted">${esc(title)}: no configuration has every workload measured yet.</p>`;
  const front = paretoFront(points);
  const tip = (p: ConfigPoint) => `${paramsText(p.params)}: ${shortNumber(p.cycles)} cycles, cost ${p.cost} (${p.peCount} PEs + ${p.sramKiB} KiB)`;
  return chart({
    title,
    xTitle: COST_LABEL,
    yTitle: 'cycles',
    x: { axis: axisFor(points.map((p) => p.cost)) },
    y: axisFor(points.map((p) => p.cycles)),
    width,
    series: [
      { name: '', color: '#9aa3ad', dots: points.filter((p) => !front.includes(p)).map((p) => ({ x: p.cost, y: p.cycles, tip: tip(p) })), faint: true },
      {
        name: 'Pareto front',
        color,
        step: true,
        dots: front.map((p) => ({ x: p.cost, y: p.cycles, tip: tip(p), label: front.length <= 8 ? Object.values(p.params).map(valueText).join('/') : undefined })),
        line: front.map((p) => ({ x: p.cost, y: p.cycles, tip: '' })),
      },
    ],
  });
}

function paretoSection(spec: SweepSpec, records: readonly SweepRecord[]): string {
  const names = workloadNames(spec);
  const all = configPoints(records, names);
  const front = paretoFront(all);
  const label = spec.parameters.map((p) => p.name).join('/');
  const charts = [paretoChart(names.length > 1 ? `all workloads: total cycles vs cost (labels: ${label})` : `${names[0]}: cycles vs cost (labels: ${label})`, all, '#e15759', names.length > 1 ? 640 : 900)];
  if (names.length > 1) names.forEach((w, i) => charts.push(paretoChart(`${w}: cycles vs cost`, configPoints(records, [w]), PALETTE[i % PALETTE.length])));
  const rows = front.map(
    (p) => `<tr>${spec.parameters.map((q) => `<td>${esc(valueText(p.params[q.name]))}</td>`).join('')}<td>${p.peCount}</td><td>${p.sramKiB}</td><td>${p.cost}</td><td>${shortNumber(p.cycles)}</td></tr>`,
  );
  const table = front.length
    ? `<table class="list"><thead><tr>${spec.parameters.map((q) => `<th>${esc(q.name)}</th>`).join('')}<th>PEs</th><th>SRAM KiB</th><th>relative cost</th><th>${names.length > 1 ? 'total cycles' : 'cycles'}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '';
  return `<div class="pair">${charts.join('')}</div><p class="cap">${esc(COST_NOTE)} Only configurations with every workload measured are shown.</p><h3>Pareto-optimal configurations (all workloads)</h3>${table}`;
}

function reasonsTable(records: readonly SweepRecord[], spec: SweepSpec, limit = 400): string {
  if (!records.length) return '<p class="muted">None.</p>';
  const sorted = [...records].sort((a, b) => a.index - b.index);
  const rows = sorted.slice(0, limit).map(
    (r) => `<tr><td>${r.index}</td><td>${esc(r.workload)}</td>${spec.parameters.map((p) => `<td>${esc(valueText(r.params[p.name]))}</td>`).join('')}<td>${esc(r.status)}</td><td class="why">${esc(r.reason ?? '')}</td></tr>`,
  );
  const more = sorted.length > limit ? `<p class="muted">… and ${sorted.length - limit} more (see results.csv).</p>` : '';
  return `<table class="list"><thead><tr><th>#</th><th>workload</th>${spec.parameters.map((p) => `<th>${esc(p.name)}</th>`).join('')}<th>status</th><th>reason</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function bestTable(spec: SweepSpec, records: readonly SweepRecord[]): string {
  const rows = workloadNames(spec).map((w) => {
    const ok = records.filter((r) => r.workload === w && measured(r));
    if (!ok.length) return `<tr><td>${esc(w)}</td><td colspan="4" class="muted">no measured point</td></tr>`;
    const best = ok.reduce((a, b) => (b.cycles! < a.cycles! ? b : a));
    const worst = ok.reduce((a, b) => (b.cycles! > a.cycles! ? b : a));
    return `<tr><td>${esc(w)}</td><td>${esc(paramsText(best.params))}</td><td>${shortNumber(best.cycles!)}</td><td>${pct(best.utilization)}</td><td>${(worst.cycles! / best.cycles!).toFixed(1)}×</td></tr>`;
  });
  return `<table class="list"><thead><tr><th>workload</th><th>fastest point</th><th>cycles</th><th>utilisation</th><th>slowest / fastest</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;margin:0;background:#f6f7f9}
main{max-width:1340px;margin:0 auto;padding:20px 28px 60px}
h1{font-size:24px;margin:4px 0 2px}h2{font-size:19px;margin:30px 0 8px;border-bottom:1px solid #d8dde3;padding-bottom:4px}h3{font-size:15px;margin:14px 0 6px}
.muted{color:#6b7580}.cap{color:#56606b;font-size:12.5px;margin:4px 0 10px}
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:14px 0}
.card{background:#fff;border:1px solid #dfe3e8;border-radius:8px;padding:10px 14px}.card b{display:block;font-size:22px}
.card.pass b{color:#2f8a3e}.card.fail b{color:#c0392b}.card.skip b{color:#8a6d00}
dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:8px 0}dt{color:#56606b}dd{margin:0}
.pair{display:flex;flex-wrap:wrap;gap:14px}.pair svg{background:#fff;border:1px solid #dfe3e8;border-radius:8px;max-width:100%;height:auto}
svg .ct{font-size:14px;font-weight:600;text-anchor:middle;fill:#1d232a}svg .yt{font-size:11px;text-anchor:end;fill:#56606b}
svg .xt{font-size:11px;text-anchor:middle;fill:#56606b}svg .at{font-size:12px;text-anchor:middle;fill:#3b444d}
svg .lg{font-size:11.5px;fill:#3b444d}svg .dl{font-size:10.5px;fill:#3b444d}svg .grid{stroke:#e8ebef}svg .axis{stroke:#9aa3ad}
table{border-collapse:collapse;background:#fff}.list{font-size:12.5px;margin:6px 0;border:1px solid #dfe3e8}
.list th,.list td{border-bottom:1px solid #eceff2;padding:4px 8px;text-align:left;vertical-align:top}.list th{background:#f0f2f5}
.list td.why{max-width:720px;color:#3b444d}
.hms{display:flex;flex-wrap:wrap;gap:18px}.heat{font-size:12px;border:1px solid #dfe3e8}
.heat th{background:#f0f2f5;padding:5px 8px;font-weight:600}.heat th.corner{font-weight:400;color:#56606b;font-size:11px}
.heat td{width:86px;height:46px;text-align:center;border:2px solid #fff;color:#1d232a}.heat td span{font-size:10.5px}
.heat td.empty{background:repeating-linear-gradient(45deg,#eef0f3,#eef0f3 6px,#e3e6ea 6px,#e3e6ea 12px);color:#6b7580}
code{background:#eef0f3;padding:1px 4px;border-radius:3px}.toc{margin:6px 0 0;font-size:13px}.toc a{color:#2b5d8a}
`;

/** The whole report: one HTML file, nothing to fetch. */
export function renderHtmlReport(input: ReportInput): string {
  const { spec, records } = input;
  const count = (s: SweepRecord['status']) => records.filter((r) => r.status === s).length;
  const host = spec.runner === 'host';
  const cards = [
    ['points', `${records.length} / ${input.totalPoints}`, ''],
    [host ? 'PASS' : 'estimated', String(count(host ? 'pass' : 'estimated')), 'pass'],
    ['FAIL', String(count('fail')), count('fail') ? 'fail' : ''],
    ['error', String(count('error')), count('error') ? 'fail' : ''],
    ['skipped', String(count('skipped')), count('skipped') ? 'skip' : ''],
  ].map(([k, v, cls]) => `<div class="card ${cls}"><span class="muted">${k}</span><b>${v}</b></div>`);
  const params = spec.parameters.map((p) => `<code>${esc(p.name)}</code>: ${p.values.map((v) => esc(valueText(v))).join(', ')}`).join('<br>');
  const fixed = Object.entries(spec.fixed).map(([k, v]) => `${esc(k)}=${esc(valueText(v))}`).join(', ');
  const workloads = spec.workloads
    .map((w) => `<code>${esc(w.name)}</code> (${esc(w.file)}${Object.keys(w.sizes).length ? `, ${Object.entries(w.sizes).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''})`)
    .join('<br>');
  const skipped = records.filter((r) => r.status === 'skipped');
  const failed = records.filter((r) => r.status === 'fail' || r.status === 'error');
  const now = (input.now ?? new Date()).toISOString().replace('T', ' ').slice(0, 19);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>tc sweep: ${esc(spec.name)}</title><style>${CSS}</style></head>
<body><main>
<h1>Sweep <code>${esc(spec.name)}</code></h1>
<div class="muted">${esc(input.specPath)} · ${host ? 'host model (every point checked against the reference interpreter)' : 'analytical cost model (estimates, not runs)'} · written ${now} UTC${input.note ? ` · ${esc(input.note)}` : ''}</div>
${spec.description ? `<p>${esc(spec.description)}</p>` : ''}
<div class="summary">${cards.join('')}</div>
<dl><dt>base</dt><dd><code>${esc(spec.base)}</code> (DIM ${input.base.dim}, ${input.base.scratchpadKiB} KiB scratchpad, ${input.base.accumulatorKiB} KiB accumulator, dataflow ${input.base.dataflow})${fixed ? `; fixed: ${fixed}` : ''}</dd>
<dt>swept</dt><dd>${params}</dd><dt>workloads</dt><dd>${workloads}</dd><dt>seeds</dt><dd>${spec.seeds.join(', ')}</dd></dl>
<nav class="toc"><a href="#best">fastest</a> · <a href="#params">against each parameter</a> · <a href="#heat">heat maps</a> · <a href="#pareto">cost/cycles Pareto</a> · <a href="#skipped">skipped (${skipped.length})</a> · <a href="#failed">failed (${failed.length})</a> · data: results.csv, results.jsonl</nav>
<h2 id="best">Fastest point per workload</h2>${bestTable(spec, records)}
<h2 id="params">Cycles and utilisation against each parameter</h2>
${spec.parameters.map((p) => `<h3>${esc(p.name)}</h3>${parameterCharts(spec, records, p)}`).join('\n')}
<h2 id="heat">Heat maps</h2>${heatmaps(spec, records)}
<h2 id="pareto">Cost against cycles (Pareto)</h2>${paretoSection(spec, records)}
<h2 id="skipped">Skipped points (${skipped.length})</h2>${reasonsTable(skipped, spec)}
<h2 id="failed">Failed and errored points (${failed.length})</h2>${reasonsTable(failed, spec)}
</main></body></html>
`;
}
