// Public surface of @shoal/random.
export {};
