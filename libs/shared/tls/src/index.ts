// Public surface of @shoal/tls.
export {};
