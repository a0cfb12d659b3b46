// Public surface of @shoal/ca-service.
export {};
