/**
 * NETWORK_LIMITS are the allocator's port and address defaults. Source: SwarmKit
 * `allocator` and `controlapi/cluster.go` (`../shared/reference/swarmkit.md` §5).
 */
export const NETWORK_LIMITS = Object.freeze({
  /** First port handed out for `published_port = 0` (SwarmKit `dynamicPortStart`). */
  dynamicPortStart: 30_000,
  /** Last port (inclusive) handed out dynamically (SwarmKit `dynamicPortEnd`). */
  dynamicPortEnd: 32_767,
  /** Lowest publishable port (SwarmKit master port space). */
  portMin: 1,
  /** Highest publishable port (SwarmKit master port space). */
  portMax: 65_535,
  /** Default address pool for overlay subnets, CIDR (SwarmKit `defaultAddressPool`). */
  defaultAddressPool: '10.0.0.0/8',
  /** Prefix length of each subnet carved from the pool (SwarmKit `subnetSize` /24). */
  defaultSubnetPrefixLength: 24,
  /** UDP port of the VXLAN data path (SwarmKit default 4789). */
  vxlanUdpPort: 4789,
});

/** NetworkLimits is the type of {@link NETWORK_LIMITS}. */
export type NetworkLimits = typeof NETWORK_LIMITS;
