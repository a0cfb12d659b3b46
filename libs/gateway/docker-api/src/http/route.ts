// The shape of one Docker API route and of what a handler answers.
import type { IncomingHttpHeaders } from 'node:http';
import type { Json } from '../convert/json';

/** HttpMethod is a method the Docker API subset uses. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'DELETE';

/** DockerRequest is one parsed request, its path without the `/v1.xx` prefix. */
export interface DockerRequest {
  readonly method: HttpMethod;
  /** The path without the version prefix, e.g. `/services/web`. */
  readonly path: string;
  /** The `1.xx` of a versioned path; undefined for an unversioned one. */
  readonly apiVersion: string | undefined;
  /** The route pattern's capture groups, URI-decoded. */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there is none. */
  readonly body: unknown;
}

/** DockerReply is a handler's answer: a status and a JSON body, text, or nothing. */
export interface DockerReply {
  readonly status: number;
  readonly json?: Json;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** RouteHandler answers one request; it throws ShoalError for expected failures. */
export type RouteHandler = (req: DockerRequest) => Promise<DockerReply>;

/** Route binds a method and an anchored path pattern (captures become `params`) to a handler. */
export interface Route {
  readonly method: HttpMethod;
  /** The path template for metrics and logs, e.g. `/services/{id}`. */
  readonly template: string;
  readonly pattern: RegExp;
  readonly handler: RouteHandler;
}

/** route builds a {@link Route}; `path` is a pattern string anchored at both ends. */
export function route(method: HttpMethod, path: string, handler: RouteHandler): Route {
  const template = path.split(ID).join('{id}').split('(.+)').join('{name}');
  return { method, template, pattern: new RegExp(`^${path}$`), handler };
}

/** json is a reply with a JSON body (status 200 unless given). */
export function json(body: Json, status = 200): DockerReply {
  return { status, json: body };
}

/** empty is a reply without a body. */
export function empty(status: number): DockerReply {
  return { status };
}

/** ID is the pattern of one path segment (an ID or a name). */
export const ID = '([^/]+)';
