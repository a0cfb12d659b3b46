// Public surface of @shoal/scheduler-loop.
export {};
