/** DEFAULT_ENV_PREFIX is the prefix of every Shoal environment variable. */
export const DEFAULT_ENV_PREFIX = 'SHOAL_';

/** flagName turns a camelCase config key into its flag name: `grpcPort` → `grpc-port`. */
export function flagName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** envName turns a camelCase key into its variable: `grpcPort` → `SHOAL_GRPC_PORT`. */
export function envName(key: string, prefix = DEFAULT_ENV_PREFIX): string {
  return prefix + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** keyForFlag turns a flag name back into a camelCase key: `grpc-port` → `grpcPort`. */
export function keyForFlag(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
