// Public surface of @shoal/dispatcher-service.
export {};
