// Public surface of @shoal/limits.
export {};
