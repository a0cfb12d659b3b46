// Public surface of @shoal/errors.
export {};
