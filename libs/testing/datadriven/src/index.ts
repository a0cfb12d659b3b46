// Public surface of @shoal/testing-datadriven.
export {};
