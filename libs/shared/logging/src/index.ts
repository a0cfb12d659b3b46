// Public surface of @shoal/logging: pino JSON-line loggers with Shoal's common fields.
export {
  childLogger,
  createLogger,
  REDACTED_PATHS,
  silentLogger,
  type LogDestination,
  type Logger,
  type LoggerOptions,
} from './logger';
