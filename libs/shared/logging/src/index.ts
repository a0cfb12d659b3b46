// Public surface of @shoal/logging.
export {};
