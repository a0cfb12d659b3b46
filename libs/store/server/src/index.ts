// Public surface of @shoal/store-server.
export {};
