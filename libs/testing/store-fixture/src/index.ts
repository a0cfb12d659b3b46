// Public surface of @shoal/testing-store-fixture.
export {};
