// Goal: IP and CIDR parsing follow Go's net.ParseIP / net.ParseCIDR closely enough for the
// `node.ip` constraint, and containment treats IPv4 and IPv4-mapped IPv6 alike.
// Method: tables of accepted and rejected texts, and of (network, address, contained).
import { ipEqual, networkContains, parseCidr, parseIp } from './ip';
import { must } from './testdata/fixtures';

describe('parseIp', () => {
  it.each([
    '192.168.1.1', '0.0.0.0', '255.255.255.255', '::1', '::', '2001:db8::2',
    'fe80::1:2:3:4', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4',
  ])('accepts %s', (text) => {
    expect(parseIp(text)).toBeDefined();
  });

  it.each([
    '', 'host', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1:2:3:4:5:6:7:8:9', ':::1',
    '1::2::3', 'fe80::1%eth0', '[::1]', '12345::1', '1:2:3:4:5:6:7:8::', '10.0.0.1/24', 'g::1',
  ])('rejects %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('treats an IPv4 address and its mapped IPv6 form as equal', () => {
    expect(ipEqual(must(parseIp('10.0.0.1')), must(parseIp('::ffff:10.0.0.1')))).toBe(true);
    expect(ipEqual(must(parseIp('10.0.0.1')), must(parseIp('10.0.0.2')))).toBe(false);
    expect(ipEqual(must(parseIp('2001:db8::2')), must(parseIp('2001:0db8:0:0:0:0:0:2')))).toBe(true);
  });
});

describe('parseCidr and networkContains', () => {
  it.each([
    ['10.0.0.0/8', '10.200.3.4', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.77/24', '192.168.1.1', true], // host bits are masked off
    ['192.168.1.0/32', '192.168.1.0', true],
    ['192.168.1.0/32', '192.168.1.1', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['0.0.0.0/0', '2001:db8::1', false], // an IPv4 block holds only IPv4
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '10.0.0.1', true], // IPv4-mapped addresses lie in ::/0
    ['10.1.0.0/16', '::ffff:10.1.2.3', true],
  ])('%s contains %s: %s', (cidr, ip, contained) => {
    const network = parseCidr(cidr);
    const address = parseIp(ip);
    expect(network).toBeDefined();
    expect(address).toBeDefined();
    expect(networkContains(must(network), must(address))).toBe(contained);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/-1', '10.0.0.0/', 'x/8', '10.0.0.0/8/8'])(
    'rejects %j',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );
});
