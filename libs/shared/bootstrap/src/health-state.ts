/** ServingStatus mirrors grpc.health.v1's statuses that a Shoal app reports. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/**
 * HealthState is one process's health, read by `/healthz` and by the gRPC health service.
 * Listeners are told of every change (the gRPC Watch stream uses that).
 */
export class HealthState {
  private status: ServingStatus = 'NOT_SERVING';
  private readonly listeners = new Set<(status: ServingStatus) => void>();

  /** get returns the current status. */
  get(): ServingStatus {
    return this.status;
  }

  /** set changes the status and tells every listener, once per actual change. */
  set(status: ServingStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }

  /** subscribe registers a listener; the returned function unregisters it. */
  subscribe(listener: (status: ServingStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
