// Public surface of @shoal/runtime.
export {};
