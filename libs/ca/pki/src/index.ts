// Public surface of @shoal/pki.
export {};
