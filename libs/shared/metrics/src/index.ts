// Public surface of @shoal/metrics: one prom-client registry per process, with Shoal's
// naming rules enforced at registration.
export {
  BUILD_INFO_NAME,
  createMetrics,
  DEFAULT_SECONDS_BUCKETS,
  metricsText,
  type Metrics,
  type MetricsOptions,
  type MetricsText,
} from './metrics';
export { labelName, METRIC_PREFIX, metricName, type MetricKind } from './metric-name';
export type { Counter, Gauge, Histogram, Registry } from 'prom-client';
