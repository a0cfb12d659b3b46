// Public surface of @shoal/bootstrap: the one process shell every Shoal app runs in.
export type {
  AppContext,
  AppName,
  AppSpec,
  BaseAppConfig,
  GrpcBinding,
  GrpcSecurity,
  Stoppable,
} from './app-spec';
export { bootstrapApp, runMain, type BootstrapOptions, type RunningApp } from './bootstrap';
export { HealthState, type ServingStatus } from './health-state';
export { SHOAL_VERSION } from './version';
