// Goal: parseConstraints accepts and rejects exactly what SwarmKit's constraint.Parse does,
// with the same error wording, and constraintsMatchNode matches as constraint.NodeMatches:
// case-insensitive full-string values, case-sensitive label keys, "" for missing attributes,
// IP and CIDR for node.ip, unknown keys never matching.
// Method: tables of expressions (parse) and of (node, constraints, expected match).
import { NodeRole, type Node } from '@shoal/proto';
import { constraintsMatchNode, parseConstraints, type Constraint } from './constraint';
import { parseIp } from './ip';
import { makeNode } from './testdata/fixtures';

function parsed(exprs: string[]): readonly Constraint[] {
  const result = parseConstraints(exprs);
  if (!result.ok) throw new Error(result.error);
  return result.constraints;
}

function matches(node: Node, exprs: string[]): boolean {
  return constraintsMatchNode(parsed(exprs), node, parseIp(node.status?.addr ?? ''));
}

describe('parseConstraints', () => {
  it.each([
    ['node.hostname==foo', 'node.hostname', '==', 'foo'],
    ['  node.role  !=  manager ', 'node.role', '!=', 'manager'],
    ['node.labels.Zone==eu-west-1a', 'node.labels.Zone', '==', 'eu-west-1a'],
    ['engine.labels.os.version==10.0 (x)', 'engine.labels.os.version', '==', '10.0 (x)'],
    ['node.ip==10.0.0.0/8', 'node.ip', '==', '10.0.0.0/8'],
    ['node.ip!=2001:db8::1', 'node.ip', '!=', '2001:db8::1'],
    ['whatever.key==v', 'whatever.key', '==', 'v'], // unknown keys parse; they never match
    ['node.labels.x==a.*[b]^$|/+?\\', 'node.labels.x', '==', 'a.*[b]^$|/+?\\'],
  ])('parses %j', (expr, key, operator, value) => {
    const [c] = parsed([expr]);
    expect(c).toMatchObject({ key, operator, value });
  });

  it.each([
    ['node.hostname=foo', 'constraint expected one operator from ==, !='],
    ['node.hostname>foo', 'constraint expected one operator from ==, !='],
    ['==foo', "key '' is invalid"],
    ['1node==foo', "key '1node' is invalid"],
    ['n==foo', "key 'n' is invalid"], // keys have at least two characters
    ['node hostname==foo', "key 'node hostname' is invalid"],
    ['node.hostname==', "value '' is invalid"],
    ['node.hostname==a<b', "value 'a<b' is invalid"],
    ['node.hostname==a==b', "value 'a==b' is invalid"],
    ['node.hostname==fo~o', "value 'fo~o' is invalid"],
  ])('rejects %j with %j', (expr, error) => {
    expect(parseConstraints([expr])).toEqual({ ok: false, error });
  });

  it('stops at the first bad expression of a list', () => {
    expect(parseConstraints(['node.role==worker', 'bad'])).toEqual({
      ok: false,
      error: 'constraint expected one operator from ==, !=',
    });
  });

  it('accepts an empty list', () => {
    expect(parseConstraints([])).toEqual({ ok: true, constraints: [] });
  });
});

describe('constraintsMatchNode', () => {
  const node = makeNode('node-A1', {
    hostname: 'Web-01',
    addr: '10.1.2.3',
    role: NodeRole.MANAGER,
    os: 'linux',
    arch: 'x86_64',
    labels: { zone: 'EU-1', Disk: 'ssd' },
    engineLabels: { gpu: 'yes' },
  });

  it.each([
    [['node.id==node-A1'], true],
    [['node.id==NODE-a1'], true], // values match case-insensitively
    [['node.id==node-A'], false], // full-string match, not a prefix
    [['NODE.ID==node-A1'], true], // well-known keys are case-insensitive
    [['node.hostname==web-01'], true],
    [['node.hostname!=web-01'], false],
    [['node.role==manager'], true],
    [['node.role!=worker'], true],
    [['node.platform.os==Linux'], true],
    [['node.platform.arch==x86_64'], true], // constraints do not normalise architectures
    [['node.platform.arch==amd64'], false],
    [['node.labels.zone==eu-1'], true],
    [['node.labels.Zone==eu-1'], false], // label keys are case-sensitive: missing → ""
    [['node.labels.Zone!=eu-1'], true],
    [['NODE.LABELS.zone==eu-1'], true], // the prefix is case-insensitive
    [['node.labels.Disk==SSD'], true],
    [['node.labels.missing!=x'], true],
    [['engine.labels.gpu==YES'], true],
    [['engine.labels.gpu!=yes'], false],
    [['node.ip==10.1.2.3'], true],
    [['node.ip==::ffff:10.1.2.3'], true],
    [['node.ip!=10.1.2.3'], false],
    [['node.ip==10.1.0.0/16'], true],
    [['node.ip!=10.1.0.0/16'], false],
    [['node.ip==10.2.0.0/16'], false],
    [['node.ip!=10.2.0.0/16'], true],
    [['node.ip==not-an-ip'], false], // malformed address never matches…
    [['node.ip!=not-an-ip'], false], // …whatever the operator
    [['node.unknown==x'], false], // unknown keys never match
    [['node.unknown!=x'], false],
    [['node.labels.==x'], false], // a bare prefix is an unknown key
    [['node.role==manager', 'node.labels.zone==eu-1'], true], // ANDed
    [['node.role==manager', 'node.labels.zone==us-1'], false],
  ])('%j → %s', (exprs, expected) => {
    expect(matches(node, exprs)).toBe(expected);
  });

  it('matches missing attributes as the empty string', () => {
    const bare = makeNode('bare', { noDescription: true });
    expect(matches(bare, ['node.hostname!=web'])).toBe(true);
    expect(matches(bare, ['node.hostname==web'])).toBe(false);
    expect(matches(bare, ['node.platform.os!=linux'])).toBe(true);
    expect(matches(bare, ['engine.labels.gpu!=yes'])).toBe(true);
    expect(matches(bare, ['node.ip==10.0.0.0/8'])).toBe(false); // no address
    expect(matches(bare, ['node.ip!=10.0.0.0/8'])).toBe(true);
  });
});
