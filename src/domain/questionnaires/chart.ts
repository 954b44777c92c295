import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import type * as echarts from 'echarts';

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
 */

/** Narrow enough to stay legible on a phone; drawn at twice the size so it stays sharp there. */
const WIDTH = 640;
const PIXEL_RATIO = 2;
const FONT = 'DejaVu Sans, Arial, sans-serif';

/** One small bar chart: a question and the count of each answer. */
export interface DistributionPanel {
  title: string;
  /** e.g. "mean 3.8, median 4" */
  subtitle?: string;
  labels: string[];
  counts: number[];
}

/** One PNG with a horizontal bar chart per question, stacked vertically, so a coordinator sees the run at a glance. */
export function renderDistributionChart(heading: string, panels: DistributionPanel[]): Buffer {
  const panelHeight = (p: DistributionPanel) => 70 + p.labels.length * 26;
  const tops: number[] = [];
  let y = 60;
  for (const p of panels) {
    tops.push(y);
    y += panelHeight(p);
  }
  const height = Math.max(y + 20, 160);
  const option: echarts.EChartsOption = {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT },
    title: [
      { text: heading, left: 20, top: 15, textStyle: { fontSize: 18, fontFamily: FONT } },
      ...panels.map((p, i) => ({ text: wrap(p.title, 70), subtext: p.subtitle, left: 20, top: tops[i], textStyle: { fontSize: 13, fontFamily: FONT }, subtextStyle: { fontFamily: FONT } })),
    ],
    grid: panels.map((p, i) => ({ left: 200, right: 40, top: tops[i] + 45, height: p.labels.length * 26 - 6 })),
    xAxis: panels.map((_, i) => ({ type: 'value' as const, gridIndex: i, minInterval: 1, axisLabel: { show: i === panels.length - 1 }, splitLine: { show: true } })),
    yAxis: panels.map((p, i) => ({ type: 'category' as const, gridIndex: i, data: p.labels.map((l) => truncate(l, 30)), inverse: true, axisLabel: { fontFamily: FONT } })),
    series: panels.map((p, i) => ({
      type: 'bar' as const,
      xAxisIndex: i,
      yAxisIndex: i,
      data: p.counts,
      barMaxWidth: 18,
      itemStyle: { color: '#3b6ea8' },
      label: { show: true, position: 'right' as const, fontFamily: FONT },
    })),
  };
  return toPng(option, WIDTH, height);
}

/** Grouped bars (clusters side by side, or before and after) over the same categories. */
export function renderGroupedBarChart(heading: string, categories: string[], series: { name: string; values: (number | null)[] }[], max?: number): Buffer {
  const height = 140 + categories.length * (20 + series.length * 16);
  const option: echarts.EChartsOption = {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT },
    title: { text: heading, left: 20, top: 15, textStyle: { fontSize: 18, fontFamily: FONT } },
    legend: { top: 50, left: 20, textStyle: { fontFamily: FONT } },
    grid: { left: 200, right: 40, top: 90, bottom: 40 },
    xAxis: { type: 'value', max },
    yAxis: { type: 'category', data: categories.map((c) => truncate(c, 30)), inverse: true },
    series: series.map((s) => ({
      type: 'bar' as const,
      name: s.name,
      data: s.values.map((v) => (v === null ? null : Math.round(v * 100) / 100)),
      barMaxWidth: 14,
      label: { show: true, position: 'right' as const, fontFamily: FONT, fontSize: 10 },
    })),
  };
  return toPng(option, WIDTH, height);
}

function toPng(option: echarts.EChartsOption, width: number, height: number): Buffer {
  const chart = echartsLib().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    const svg = chart.renderToSVGString();
    const png = new Resvg(svg, { fitTo: { mode: 'width', value: width * PIXEL_RATIO }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
    return Buffer.from(png);
  } finally {
    chart.dispose();
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function wrap(text: string, max: number): string {
  return truncate(text, max * 2).replace(new RegExp(`(.{1,${max}})(\\s+|$)`, 'g'), '$1\n').trim();
}
