// Public surface of @shoal/gateway-control.
export type { ControlApi, ControlMethodName } from './control-api';
