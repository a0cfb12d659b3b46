// Public surface of @shoal/bootstrap.
export {};
