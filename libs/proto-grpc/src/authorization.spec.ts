// Goal: every RPC of every service carries the `authorization` method option, with exactly one
// of roles or insecure and no unspecified role, and the generated table says what the design
// says (docs/design/security.md): workers reach only the Dispatcher, only the store reaches
// Raft, only gateway and admin reach Control, and only the CA's three bootstrap RPCs and health
// are insecure. Method: compare AUTHORIZATION with the paths of SERVICE_DEFINITIONS (an
// independent source: ts-proto's output), then pin a per-service summary. Removing an option
// from a proto makes its entry null and fails the first test; changing roles fails the pin.
import { AUTHORIZATION, SERVICE_DEFINITIONS, type MethodAuthorizationRule } from './index';

const ALL_PATHS = Object.values(SERVICE_DEFINITIONS)
  .flatMap((def) => Object.values(def).map((method) => method.path as string))
  .sort();

/** The rule of every method of `service`, or 'mixed' when they differ. */
function serviceRule(service: string): MethodAuthorizationRule | 'mixed' {
  const rules = Object.entries(AUTHORIZATION)
    .filter(([path]) => path.startsWith(`/${service}/`))
    .map(([, rule]) => JSON.stringify(rule));
  const distinct = [...new Set(rules)];
  return distinct.length === 1 ? (JSON.parse(distinct[0] as string) as MethodAuthorizationRule)
    : 'mixed';
}

const CONTROL_LOOPS = ['orchestrator', 'scheduler', 'allocator', 'dispatcher', 'ca'];

describe('AUTHORIZATION', () => {
  it('has exactly one entry per RPC of every service', () => {
    expect(Object.keys(AUTHORIZATION).sort()).toEqual(ALL_PATHS);
    expect(ALL_PATHS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(ALL_PATHS)('%s has a valid rule (option present, roles or insecure)', (path) => {
    const rule = AUTHORIZATION[path];
    expect(rule).not.toBeNull();
    expect(rule).toBeDefined();
    if (rule !== 'insecure') {
      expect(rule?.length).toBeGreaterThan(0);
      expect(rule).not.toContain('unspecified');
      expect(new Set(rule).size).toBe(rule?.length);
    }
  });

  it('marks only the CA bootstrap RPCs and health insecure', () => {
    const insecure = Object.entries(AUTHORIZATION)
      .filter(([, rule]) => rule === 'insecure')
      .map(([path]) => path);
    expect(insecure).toEqual([
      '/grpc.health.v1.Health/Check',
      '/grpc.health.v1.Health/Watch',
      '/shoal.v1.CA/GetRootCACertificate',
      '/shoal.v1.CA/IssueNodeCertificate',
      '/shoal.v1.CA/NodeCertificateStatus',
    ]);
  });

  it('pins the per-service rules of the design', () => {
    // `store`: followers forward writes and lease calls to the leader as themselves.
    expect(serviceRule('shoal.v1.Store')).toEqual(['store', ...CONTROL_LOOPS, 'gateway']);
    expect(serviceRule('shoal.v1.Leases')).toEqual(['store', ...CONTROL_LOOPS]);
    expect(serviceRule('shoal.v1.Members')).toEqual(['store', 'gateway']);
    expect(serviceRule('shoal.v1.Raft')).toEqual(['store']);
    expect(serviceRule('shoal.v1.Control')).toEqual(['gateway', 'admin']);
    expect(serviceRule('shoal.v1.Dispatcher')).toEqual(['worker', 'manager']);
    expect(serviceRule('grpc.health.v1.Health')).toBe('insecure');
    expect(serviceRule('shoal.v1.CA')).toBe('mixed');
    expect(AUTHORIZATION['/shoal.v1.CA/GetUnlockKey']).toEqual(['manager', 'admin']);
  });

  it('never lets a worker write the store or call Control, Raft, Members or Leases', () => {
    const workerPaths = Object.entries(AUTHORIZATION)
      .filter(([, rule]) => rule !== 'insecure' && rule?.includes('worker') === true)
      .map(([path]) => path);
    expect(workerPaths.every((p) => p.startsWith('/shoal.v1.Dispatcher/'))).toBe(true);
  });
});
