// Public surface of @shoal/gateway-spec.
export {};
