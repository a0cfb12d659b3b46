/**
 * IpAddress is an IPv4 or IPv6 address as 16 bytes. IPv4 addresses are held IPv4-mapped
 * (::ffff:a.b.c.d), so an IPv4 address and its mapped IPv6 form are equal, as in Go's `net.IP`.
 */
export type IpAddress = Uint8Array;

/**
 * IpNetwork is a CIDR block. Invariant: `prefixBits` counts bits of the 16-byte form (an IPv4
 * /24 is 96 + 24 = 120), and every bit of `base` past the prefix is zero.
 */
export interface IpNetwork {
  readonly base: IpAddress;
  readonly prefixBits: number;
}

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX_LENGTH = /^[0-9]{1,3}$/;
const V4_MAPPED_PREFIX_BITS = 96;

function parseIpv4Into(text: string, out: Uint8Array, offset: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!IPV4_PART.test(part)) return false;
    const value = Number(part);
    if (value > 255) return false;
    out[offset + i] = value;
  }
  return true;
}

function parseIpv4(text: string): IpAddress | undefined {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  return parseIpv4Into(text, out, 12) ? out : undefined;
}

/** Parses hex groups (and an optional trailing dotted IPv4) into bytes; undefined if bad. */
function parseIpv6Groups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups = text.split(':');
  const bytes: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] as string;
    if (i === groups.length - 1 && group.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!parseIpv4Into(group, v4, 0)) return undefined;
      bytes.push(...v4);
      continue;
    }
    if (!IPV6_GROUP.test(group)) return undefined;
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return bytes;
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseIpv6Groups(halves[0] as string);
  if (head === undefined) return undefined;
  const out = new Uint8Array(16);
  if (halves.length === 1) {
    if (head.length !== 16) return undefined;
    out.set(head);
    return out;
  }
  const tail = parseIpv6Groups(halves[1] as string);
  if (tail === undefined) return undefined;
  // "::" stands for at least one zero group.
  if (head.length + tail.length > 14) return undefined;
  if ((halves[1] as string).includes('.') && tail.length < 4) return undefined;
  out.set(head, 0);
  out.set(tail, 16 - tail.length);
  return out;
}

/**
 * parseIp parses a textual IPv4 (dotted decimal, no leading zeros) or IPv6 address (with at
 * most one `::` and an optional trailing dotted IPv4), like Go's `net.ParseIP`. It returns
 * undefined for anything else, including zones (`%eth0`) and surrounding brackets.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) return parseIpv6(text);
  if (text.includes('.')) return parseIpv4(text);
  return undefined;
}

/**
 * parseCidr parses `address/prefix` like Go's `net.ParseCIDR`: the prefix is at most 32 for an
 * IPv4 address and 128 for IPv6, and the host bits are masked off. Undefined if malformed.
 */
export function parseCidr(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!PREFIX_LENGTH.test(prefixText)) return undefined;
  const address = parseIp(addressText);
  if (address === undefined) return undefined;
  const isV4 = !addressText.includes(':');
  const prefix = Number(prefixText);
  if (prefix > (isV4 ? 32 : 128)) return undefined;
  const prefixBits = isV4 ? V4_MAPPED_PREFIX_BITS + prefix : prefix;
  const base = new Uint8Array(16);
  for (let bit = 0; bit < prefixBits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    base[byte] = (base[byte] as number) | ((address[byte] as number) & mask);
  }
  return { base, prefixBits };
}

/** ipEqual reports whether two addresses are the same (IPv4 equals its IPv4-mapped form). */
export function ipEqual(a: IpAddress, b: IpAddress): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** networkContains reports whether `ip` lies in `network` (an IPv4 block holds only IPv4). */
export function networkContains(network: IpNetwork, ip: IpAddress): boolean {
  for (let bit = 0; bit < network.prefixBits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((ip[byte] as number) & mask) !== ((network.base[byte] as number) & mask)) return false;
  }
  return true;
}
