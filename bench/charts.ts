/**
 * Compliance charts (docs/benchmarks.md, "Charts"): for one vendor, calls per second over time for each documented
 * scope against that scope's limit line, naive beside queued. Drawn with vega-lite, compiled to a vega view and rendered
 * to SVG headlessly in Node.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { RatePoint, ScopeLimit } from './flows.ts';

/** One configuration's series for the chart. */
export interface ChartSeries {
  readonly config: string;
  readonly points: readonly RatePoint[];
}

/** The vega-lite spec: one column per configuration, one row per scope, calls/s as a line, the limit as a rule. */
export function complianceSpec(vendor: string, scopes: readonly ScopeLimit[], series: readonly ChartSeries[]) {
  const values = series.flatMap((s) => s.points.map((p) => ({ config: s.config, ...p })));
  const limits = series.flatMap((s) =>
    scopes.map((scope) => ({ config: s.config, scope: scope.name, limitPerSecond: scope.limit / scope.windowSeconds })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${vendor}: calls per second by scope against its documented limit`,
    data: { values },
    facet: {
      column: { field: 'config', type: 'nominal', title: null, sort: series.map((s) => s.config) },
      row: { field: 'scope', type: 'nominal', title: 'scope', sort: scopes.map((s) => s.name) },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 360,
      height: 110,
      layer: [
        {
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1 },
          encoding: {
            x: { field: 'second', type: 'quantitative', title: 'seconds since the first call (real time)' },
            y: { field: 'calls', type: 'quantitative', title: 'calls/s' },
          },
        },
        {
          data: { values: limits },
          transform: [],
          mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] },
          encoding: { y: { field: 'limitPerSecond', type: 'quantitative' } },
        },
      ],
    },
  } as const;
}

/** The chart as an SVG document. */
export async function renderComplianceSvg(
  vendor: string,
  scopes: readonly ScopeLimit[],
  series: readonly ChartSeries[],
): Promise<string> {
  const compiled = vl.compile(complianceSpec(vendor, scopes, series) as unknown as vl.TopLevelSpec);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
