// Public surface of @shoal/docker-api.
export {};
