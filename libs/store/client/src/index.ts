// Public surface of @shoal/store-client.
export {};
