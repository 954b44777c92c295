import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import type * as echarts from 'echarts';
import { formatNumber } from '../../core/format.js';

/**
 * ECharts is loaded on the first chart, not at start-up: importing it costs about 60 MB of resident
 * memory in every bot and worker process, and most processes never draw a chart (measured by
 * `npm run bench -- --only memory`, see docs/performance.md).
 */
let loaded: typeof echarts | undefined;
function echartsLib(): typeof echarts {
  loaded ??= createRequire(import.meta.url)('echarts') as typeof echarts;
  return loaded;
}

/**
 * Bar charts drawn on the server: ECharts renders SVG without a browser (SSR), resvg turns it into a
 * PNG that Slack, Teams and the web chat all show. Nothing here knows about questionnaires' storage.
 *
 * Made for a phone first. A chart is laid out at the width of a chat message on a phone (360 px) with no
 * text smaller than 15 px, so that shown 390 CSS px wide (a phone's width) or 340 px (inside a message
 * bubble) its text is still at least body size (14 px). It is drawn at twice that size so it stays sharp:
 * 720 px wide, at most 1024 px high, which is also what Teams shows (at most 1024 × 1024 and under 1 MB).
 * A questionnaire's results are one image per question, not one tall poster whose labels shrink to 5 px
 * when a phone fits it to its width.
 */

/** The width a chart is laid out at; every size below is in these units. */
export const LAYOUT_WIDTH = 360;
/** Image pixels per layout pixel. */
export const PIXEL_RATIO = 2;
/** The tallest image, in layout px (1024 image px, Teams' limit). */
const MAX_HEIGHT = 512;
/** The smallest text in a chart. */
export const MIN_FONT = 15;
const TITLE_FONT = 17;
const TITLE_LINE = 22;
const TEXT_LINE = 19;
const FONT = 'DejaVu Sans, Arial, sans-serif';
/** Characters per line that fit the width at these sizes (DejaVu Sans is wide: about 0.6 em a character). */
const TITLE_CHARS = 31;
const TEXT_CHARS = 35;
/** The category labels' column and how many characters a line of it holds. */
const LABEL_WIDTH = 140;
const LABEL_CHARS = 14;
const LABEL_LINES = 2;
const BAR_COLOUR = '#3b6ea8';

/** One question's bars: the question, a line of figures under it, and a value per answer (or per cluster, or before/after). */
export interface ChartPanel {
  title: string;
  /** e.g. "Answers: 6 · mean 3.2 · median 3.5" */
  subtitle?: string;
  labels: string[];
  values: (number | null)[];
  /** The axis maximum (e.g. 5 for means on a 1–5 scale); the largest value if not given. */
  max?: number;
  /** The reader's language, for the decimal sign of the values ("3.5", "3,5"); English if not given. */
  locale?: string;
}

/** One drawn image and the text that stands for it where it cannot be seen. */
export interface ChartImage {
  png: Buffer;
  /** The SVG it was drawn from (the tests read its font sizes). */
  svg: string;
  width: number;
  height: number;
  /** Every panel's title, figures and each bar's value, for screen readers and notifications. */
  alt: string;
}

/**
 * Draws panels as phone-sized images: one image per panel, or (`group`) as many panels per image as fit
 * under the height limit. A panel taller than the limit is split over several images.
 */
export function renderCharts(panels: ChartPanel[], options: { group?: boolean } = {}): ChartImage[] {
  const pieces = panels.flatMap(splitToFit);
  const images: Laid[][] = [];
  for (const piece of pieces) {
    const last = images.at(-1);
    if (options.group && last && heightOf(last) + piece.height <= MAX_HEIGHT) last.push(piece);
    else images.push([piece]);
  }
  return images.map(draw);
}

/** The alt text of panels: each title with its figures and every bar's value. */
export function altText(panels: ChartPanel[]): string {
  return panels
    .map((p) => `${p.title}${p.subtitle ? ` (${p.subtitle})` : ''}: ${p.labels.map((l, i) => `${l} ${formatValue(p.values[i], p.locale)}`).join(', ')}.`)
    .join(' ');
}

/** A panel with its text wrapped and its height known. */
interface Laid {
  panel: ChartPanel;
  title: string[];
  subtitle: string[];
  labels: string[][];
  rows: number[];
  height: number;
}

const PADDING = 12;
const GAP = 14;

function lay(panel: ChartPanel): Laid {
  const title = wrapLines(panel.title, TITLE_CHARS, 4);
  const subtitle = panel.subtitle ? wrapLines(panel.subtitle, TEXT_CHARS, 2) : [];
  const labels = panel.labels.map((l) => wrapLines(l, LABEL_CHARS, LABEL_LINES));
  const rows = labels.map((lines) => Math.max(31, lines.length * TEXT_LINE + 11));
  const height = title.length * TITLE_LINE + (subtitle.length ? subtitle.length * TEXT_LINE + 4 : 0) + 8 + rows.reduce((a, b) => a + b, 0) + GAP;
  return { panel, title, subtitle, labels, rows, height };
}

/** A panel whose bars do not fit one image continues on the next, its title marked with the part. */
function splitToFit(panel: ChartPanel): Laid[] {
  const whole = lay(panel);
  if (whole.height + 2 * PADDING <= MAX_HEIGHT) return [whole];
  // The head as the parts will have it: the title with its part number may take one line more.
  const head = lay({ ...panel, title: `${panel.title} (99/99)`, labels: [], values: [] }).height;
  const room = MAX_HEIGHT - 2 * PADDING - head;
  const chunks: number[][] = [[]];
  let used = 0;
  whole.rows.forEach((row, i) => {
    if (used + row > room && chunks.at(-1)!.length) {
      chunks.push([]);
      used = 0;
    }
    chunks.at(-1)!.push(i);
    used += row;
  });
  return chunks.map((indices, part) =>
    lay({ ...panel, title: `${panel.title} (${part + 1}/${chunks.length})`, labels: indices.map((i) => panel.labels[i]), values: indices.map((i) => panel.values[i]), max: panel.max ?? Math.max(0, ...panel.values.map((v) => v ?? 0)) }),
  );
}

function heightOf(laid: Laid[]): number {
  return laid.reduce((sum, l) => sum + l.height, 0) + 2 * PADDING;
}

function draw(laid: Laid[]): ChartImage {
  const height = heightOf(laid);
  const titles: echarts.TitleComponentOption[] = [];
  const grids: echarts.GridComponentOption[] = [];
  const xAxes: echarts.XAXisComponentOption[] = [];
  const yAxes: echarts.YAXisComponentOption[] = [];
  const series: echarts.BarSeriesOption[] = [];
  let y = PADDING;
  laid.forEach((l, i) => {
    // Title and figures are placed by their measured lines, so they never run into the bars below.
    titles.push({ text: l.title.join('\n'), left: PADDING, top: y, textStyle: { fontSize: TITLE_FONT, fontWeight: 'bold', lineHeight: TITLE_LINE, fontFamily: FONT, color: '#1f2328' } });
    y += l.title.length * TITLE_LINE;
    if (l.subtitle.length) {
      titles.push({ text: l.subtitle.join('\n'), left: PADDING, top: y + 2, textStyle: { fontSize: MIN_FONT, fontWeight: 'normal', lineHeight: TEXT_LINE, fontFamily: FONT, color: '#57606a' } });
      y += l.subtitle.length * TEXT_LINE + 4;
    }
    y += 8;
    const rowsHeight = l.rows.reduce((a, b) => a + b, 0);
    // The label column is as wide as its longest line needs (about 9.2 px a character at 15 px), so short labels leave room for the bars.
    const labelWidth = Math.min(LABEL_WIDTH, Math.max(24, Math.ceil(Math.max(...l.labels.flat().map((line) => line.length)) * 9.2) + 10));
    grids.push({ left: labelWidth + PADDING, right: 52, top: y, height: rowsHeight });
    const values = l.panel.values;
    const max = l.panel.max ?? Math.max(1, ...values.map((v) => v ?? 0));
    xAxes.push({ type: 'value', gridIndex: i, min: 0, max, show: false });
    yAxes.push({
      type: 'category',
      gridIndex: i,
      inverse: true,
      data: l.labels.map((lines) => lines.join('\n')),
      axisTick: { show: false },
      axisLine: { show: true, lineStyle: { color: '#8c959f' } },
      axisLabel: { fontSize: MIN_FONT, lineHeight: TEXT_LINE, fontFamily: FONT, color: '#1f2328', margin: 8, width: labelWidth - 8, overflow: 'none' },
    });
    series.push({
      type: 'bar',
      xAxisIndex: i,
      yAxisIndex: i,
      data: values.map((v) => (v === null ? null : Math.round(v * 100) / 100)),
      barMaxWidth: 18,
      itemStyle: { color: BAR_COLOUR },
      label: { show: true, position: 'right', fontSize: MIN_FONT, fontFamily: FONT, color: '#1f2328', formatter: (p: { value: unknown }) => formatValue(p.value as number | null, l.panel.locale) },
    });
    y += rowsHeight + GAP;
  });
  const option: echarts.EChartsOption = { animation: false, backgroundColor: '#ffffff', textStyle: { fontFamily: FONT, fontSize: MIN_FONT }, title: titles, grid: grids, xAxis: xAxes, yAxis: yAxes, series };
  const chart = echartsLib().init(null, null, { renderer: 'svg', ssr: true, width: LAYOUT_WIDTH, height });
  try {
    chart.setOption(option);
    const svg = chart.renderToSVGString();
    const png = Buffer.from(new Resvg(svg, { fitTo: { mode: 'width', value: LAYOUT_WIDTH * PIXEL_RATIO }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng());
    return { png, svg, width: LAYOUT_WIDTH * PIXEL_RATIO, height: height * PIXEL_RATIO, alt: altText(laid.map((l) => l.panel)) };
  } finally {
    chart.dispose();
  }
}

function formatValue(value: number | null | undefined, locale = 'en'): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return formatNumber(Math.round(value * 100) / 100, locale, { maximumFractionDigits: 2, useGrouping: false });
}

/** Words wrapped into at most `lines` lines of `max` characters; what does not fit ends in "…". */
export function wrapLines(text: string, max: number, lines: number): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const out: string[] = [];
  let line = '';
  for (let word of words) {
    while (word.length > max) {
      // A word longer than a line (a URL, a long compound) is cut rather than overflowing the image.
      if (line) out.push(line);
      out.push(word.slice(0, max - 1) + '-');
      word = word.slice(max - 1);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= max) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line) out.push(line);
  if (out.length <= lines) return out;
  const kept = out.slice(0, lines);
  const last = kept[lines - 1];
  kept[lines - 1] = `${last.length >= max ? last.slice(0, max - 1) : last}…`;
  return kept;
}
