import { assert } from '@shoal/assert';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type Metric,
} from 'prom-client';
import { labelName, metricName, METRIC_PREFIX } from './metric-name';

/**
 * MetricsOptions configure {@link createMetrics}: the app name and version (exported as
 * `shoal_build_info`), optional labels put on every series (keep them low-cardinality, e.g.
 * `{ node_id }`), and whether to collect the default process metrics (default true).
 */
export interface MetricsOptions {
  readonly app: string;
  readonly version: string;
  readonly defaultLabels?: Readonly<Record<string, string>>;
  readonly collectDefaults?: boolean;
}

/**
 * Metrics is one process's metric registry plus typed factories that enforce naming.
 *
 * Contract: factories validate names (see `metricName`) and label names, and are idempotent:
 * asking again for an existing name of the same type and labels returns the same metric; a
 * different type or label set fails an assert.
 */
export interface Metrics {
  readonly app: string;
  readonly registry: Registry;
  counter<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
  ): Counter<L>;
  gauge<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
  ): Gauge<L>;
  histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L>;
}

/** DEFAULT_SECONDS_BUCKETS are prom-client's default latency buckets, in seconds. */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

type MetricClass = typeof Counter | typeof Gauge | typeof Histogram;

/** Returns the metric already registered under `name`, checking its type and labels. */
function existing<T>(
  registry: Registry,
  name: string,
  cls: MetricClass,
  labelNames: readonly string[],
): T | undefined {
  const found: Metric | undefined = registry.getSingleMetric(name);
  if (found === undefined) return undefined;
  assert(found instanceof cls, `metric ${name} is re-registered with the same type`);
  const had = (found as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
  assert(
    [...had].sort().join(',') === [...labelNames].sort().join(','),
    `metric ${name} is re-registered with the same labels`,
  );
  return found as unknown as T;
}

/**
 * createMetrics returns a fresh {@link Metrics} on its own registry (never prom-client's
 * global one), with Node's default process metrics and `shoal_build_info{app,version} 1`.
 */
export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.defaultLabels !== undefined) {
    Object.keys(opts.defaultLabels).forEach(labelName);
    registry.setDefaultLabels({ ...opts.defaultLabels });
  }
  if (opts.collectDefaults ?? true) collectDefaultMetrics({ register: registry });
  const metrics: Metrics = {
    app: opts.app,
    registry,
    counter: (name, help, labelNames = []) => {
      const full = metricName(name, 'counter');
      const labels = labelNames.map((l) => labelName(l));
      return (
        existing(registry, full, Counter, labels) ??
        new Counter({ name: full, help, labelNames: labels, registers: [registry] })
      );
    },
    gauge: (name, help, labelNames = []) => {
      const full = metricName(name, 'gauge');
      const labels = labelNames.map((l) => labelName(l));
      return (
        existing(registry, full, Gauge, labels) ??
        new Gauge({ name: full, help, labelNames: labels, registers: [registry] })
      );
    },
    histogram: (name, help, labelNames = [], buckets = DEFAULT_SECONDS_BUCKETS) => {
      const full = metricName(name, 'histogram');
      const labels = labelNames.map((l) => labelName(l));
      const config = { name: full, help, labelNames: labels, buckets: [...buckets] };
      return (
        existing(registry, full, Histogram, labels) ??
        new Histogram({ ...config, registers: [registry] })
      );
    },
  };
  const buildInfo = metrics.gauge('build_info', 'Shoal build: always 1', ['app', 'version']);
  buildInfo.set({ app: opts.app, version: opts.version }, 1);
  return metrics;
}

/** MetricsText is the body and content type of a Prometheus scrape response. */
export interface MetricsText {
  readonly contentType: string;
  readonly body: string;
}

/** metricsText renders every metric in the registry in the Prometheus text format. */
export async function metricsText(metrics: Metrics): Promise<MetricsText> {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}

/** BUILD_INFO_NAME is the full name of the build-info gauge every registry carries. */
export const BUILD_INFO_NAME = `${METRIC_PREFIX}build_info`;
