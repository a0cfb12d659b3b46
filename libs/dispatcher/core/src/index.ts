// Public surface of @shoal/dispatcher-core.
export {};
