// Public surface of @shoal/metrics.
export {};
