// Public surface of @shoal/config.
export {};
