import { MIB, SECOND_MS } from './units';

/**
 * DOCKER_API_LIMITS bound the api-gateway's Docker Engine API front end (`@shoal/docker-api`).
 * Source: dockerd's API server (`api/server`) for what the docker CLI expects.
 */
export const DOCKER_API_LIMITS = Object.freeze({
  /** Largest request body read, bytes: a 500 KiB secret is about 683 KiB in base64 JSON. */
  maxRequestBodyBytes: 2 * MIB,
  /** Deadline of one Docker API request's Control calls together, ms. */
  requestDeadlineMs: 15 * SECOND_MS,
  /** Idle keep-alive connections are closed after this long, ms (dockerd keeps them open). */
  keepAliveTimeoutMs: 60 * SECOND_MS,
  /** Largest number of objects a name resolution may match before it is "ambiguous". */
  maxAmbiguousMatchesShown: 10,
  /** Simultaneous Docker API connections; more are refused until one closes. */
  maxConnections: 1024,
  /**
   * Ms a service update waits, at most, for the orchestrator to mark the update started before
   * it answers (Shoal). dockerd's control API writes the update status itself; in Shoal the
   * orchestrator owns it, and a docker CLI that reads the previous "completed" status first
   * stops following the update at once.
   */
  updateStartWaitMs: 2 * SECOND_MS,
  /** Ms between two looks at the service during that wait (Shoal). */
  updateStartPollMs: 25,
});

/** DockerApiLimits is the type of {@link DOCKER_API_LIMITS}. */
export type DockerApiLimits = typeof DOCKER_API_LIMITS;
