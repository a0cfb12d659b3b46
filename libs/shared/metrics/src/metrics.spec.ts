// Goal: createMetrics gives each process its own registry with build info and default
// process metrics, enforces metric naming, and renders the Prometheus text format.
// Method: register metrics on fresh registries and inspect the scrape text; table-driven
// naming cases.
import { register as globalRegistry } from 'prom-client';
import { createMetrics, metricsText } from './metrics';
import { labelName, metricName } from './metric-name';

describe('metricName', () => {
  it.each([
    ['tasks_total', 'counter', 'shoal_tasks_total'],
    ['shoal_tasks_total', 'counter', 'shoal_tasks_total'],
    ['raft_term', 'gauge', 'shoal_raft_term'],
    ['manager_services_total', 'gauge', 'shoal_manager_services_total'],
    ['grpc_server_handling_seconds', 'histogram', 'shoal_grpc_server_handling_seconds'],
  ] as const)('%s as a %s → %s', (name, kind, expected) => {
    expect(metricName(name, kind)).toBe(expected);
  });

  it.each([
    ['tasks', 'counter', 'ends in _total'],
    ['Tasks_total', 'counter', 'snake_case'],
    ['tasks-total', 'counter', 'snake_case'],
    ['tasks__total', 'counter', 'snake_case'],
    ['heartbeat_age_ms', 'gauge', 'base units'],
    ['wal_size_mb', 'gauge', 'base units'],
    ['latency_milliseconds', 'histogram', 'base units'],
    ['requests_total', 'histogram', 'no _total'],
  ] as const)('rejects %s as a %s (%s)', (name, kind, why) => {
    expect(() => metricName(name, kind)).toThrow(why);
  });

  it.each(['le', 'quantile', 'Code', '__name'])('rejects label %s', (label) => {
    expect(() => labelName(label)).toThrow();
  });
});

describe('createMetrics', () => {
  it('exports build info, default process metrics and registered metrics', async () => {
    const metrics = createMetrics({ app: 'scheduler', version: '1.2.3' });
    const counter = metrics.counter('schedule_attempts_total', 'Attempts', ['result']);
    counter.inc({ result: 'scheduled' });
    metrics.gauge('pending_tasks', 'Pending tasks').set(4);
    metrics.histogram('attempt_duration_seconds', 'Attempt time', [], [0.1, 1]).observe(0.5);
    const { contentType, body } = await metricsText(metrics);
    expect(contentType).toContain('text/plain');
    expect(body).toContain('shoal_build_info{app="scheduler",version="1.2.3"} 1');
    expect(body).toContain('process_cpu_seconds_total');
    expect(body).toContain('shoal_schedule_attempts_total{result="scheduled"} 1');
    expect(body).toContain('shoal_pending_tasks 4');
    expect(body).toContain('shoal_attempt_duration_seconds_bucket{le="1"} 1');
  });

  it('keeps registries separate from each other and from the global one', async () => {
    const a = createMetrics({ app: 'a', version: '1', collectDefaults: false });
    const b = createMetrics({ app: 'b', version: '1', collectDefaults: false });
    a.counter('only_in_a_total', 'x').inc();
    expect((await metricsText(b)).body).not.toContain('only_in_a_total');
    expect(globalRegistry.getSingleMetric('shoal_only_in_a_total')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('shoal_build_info')).toBeUndefined();
  });

  it('applies default labels to every series', async () => {
    const metrics = createMetrics({
      app: 'agent',
      version: '1',
      defaultLabels: { node_id: 'n1' },
      collectDefaults: false,
    });
    metrics.gauge('up', 'Up').set(1);
    expect((await metricsText(metrics)).body).toContain('shoal_up{node_id="n1"} 1');
  });

  it('returns the same metric when asked twice, and refuses a clash', () => {
    const metrics = createMetrics({ app: 'x', version: '1', collectDefaults: false });
    const first = metrics.counter('calls_total', 'Calls', ['code']);
    expect(metrics.counter('calls_total', 'Calls', ['code'])).toBe(first);
    expect(() => metrics.gauge('calls_total', 'Calls')).toThrow('same type');
    expect(() => metrics.counter('calls_total', 'Calls', ['method'])).toThrow('same labels');
  });

  it('validates names at registration', () => {
    const metrics = createMetrics({ app: 'x', version: '1', collectDefaults: false });
    expect(() => metrics.counter('calls', 'Calls')).toThrow('_total');
    expect(() => metrics.gauge('lag_ms', 'Lag')).toThrow('base units');
    expect(() => metrics.gauge('ok', 'Ok', ['le'])).toThrow('reserved');
  });
});
