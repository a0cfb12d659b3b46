// Public surface of @shoal/config: typed process configuration from flags, environment and
// zod defaults, with readable errors and generated help text.
export {
  appBaseConfig,
  durationMsSchema,
  LOG_LEVELS,
  logLevelSchema,
  portSchema,
  type AppBaseConfig,
  type LogLevel,
} from './base-config';
export { wantsHelp } from './argv';
export { describeConfig, type DescribeOptions } from './describe-config';
export { ConfigError, loadConfig, type ConfigOptions } from './load-config';
export { DEFAULT_ENV_PREFIX, envName, flagName } from './names';
