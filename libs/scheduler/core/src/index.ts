// Public surface of @shoal/scheduler-core.
export {};
