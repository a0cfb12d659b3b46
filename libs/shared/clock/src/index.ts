// Public surface of @shoal/clock.
export {};
