// The request pipeline: version prefix, routing, body, deadline, errors as `{"message": ...}`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isShoalError, ShoalError } from '@shoal/errors';
import { DOCKER_API_LIMITS } from '@shoal/limits';
import type { Logger } from '@shoal/logging';
import { httpStatusFor } from './status';
import type { DockerReply, DockerRequest, HttpMethod, Route } from './route';
import { API_VERSION, checkVersion, splitVersion } from './versions';

/** DispatchOptions configure {@link createDispatcher}. */
export interface DispatchOptions {
  readonly routes: readonly Route[];
  readonly logger: Logger;
  /** Server header value, e.g. `Shoal/0.1.0 (linux)`. */
  readonly server: string;
  /** authorize throws (PERMISSION_DENIED / UNAUTHENTICATED) when the caller may not call. */
  readonly authorize?: (req: IncomingMessage) => void;
  readonly requestDeadlineMs?: number;
  /** observe records one answered request (its route template, or `unknown`). */
  readonly observe?: (method: string, template: string, status: number, seconds: number) => void;
}

const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'DELETE'];

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DOCKER_API_LIMITS.maxRequestBodyBytes) {
        reject(ShoalError.resourceExhausted(`request body exceeds ${DOCKER_API_LIMITS.maxRequestBodyBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(ShoalError.invalidArgument(`invalid JSON: ${(err as Error).message}`));
      }
    });
  });
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(ShoalError.deadlineExceeded(
      `the cluster did not answer within ${ms} ms (is a raft-store leader reachable?)`)), ms);
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function find(routes: readonly Route[], method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m !== null) return { route: r, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}

function send(res: ServerResponse, reply: DockerReply, opts: DispatchOptions, method: string): void {
  const headers: Record<string, string> = {
    'Api-Version': API_VERSION, 'Docker-Experimental': 'false', Ostype: 'linux', Server: opts.server, ...reply.headers,
  };
  let body = '';
  if (reply.json !== undefined) {
    body = `${JSON.stringify(reply.json)}\n`;
    headers['Content-Type'] = 'application/json';
  } else if (reply.text !== undefined) {
    body = reply.text;
    headers['Content-Type'] = 'text/plain; charset=utf-8';
  }
  headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  res.end(method === 'HEAD' ? undefined : body);
}

/**
 * userMessage is the text the CLI prints for `err`: its message, with the cause named when the
 * cluster could not be reached (gRPC's trailing "Resolution note:" dropped).
 */
export function userMessage(err: ShoalError): string {
  const message = err.message.replace(/\s*Resolution note:\s*$/, '');
  if (err.code !== 'UNAVAILABLE' && err.code !== 'NOT_LEADER') return message;
  return `the cluster is unavailable (no raft-store leader reachable): ${message}`;
}

function errorReply(err: unknown, logger: Logger, what: string): DockerReply {
  if (isShoalError(err)) {
    const status = httpStatusFor(err.code);
    if (status >= 500) logger.warn({ err, code: err.code }, `${what} failed`);
    return { status, json: { message: userMessage(err) } };
  }
  logger.error({ err }, `${what} failed unexpectedly`);
  return { status: 500, json: { message: 'internal error in the Shoal gateway (see its log)' } };
}

async function answer(req: IncomingMessage, opts: DispatchOptions, seen: { template: string }): Promise<DockerReply> {
  const url = new URL(req.url ?? '/', 'http://docker');
  const { version, rest } = splitVersion(url.pathname);
  checkVersion(version);
  opts.authorize?.(req);
  const method = req.method ?? 'GET';
  const found = METHODS.includes(method) ? find(opts.routes, method, rest) : undefined;
  if (found === undefined) {
    throw new ShoalError('NOT_FOUND',
      `page not found: ${method} ${rest} is not part of the swarm subset of the Docker Engine API that Shoal serves`);
  }
  seen.template = found.route.template;
  const body = method === 'POST' ? await readBody(req) : undefined;
  const request: DockerRequest = {
    method: method as HttpMethod, path: rest, apiVersion: version, params: found.params,
    query: url.searchParams, headers: req.headers, body,
  };
  return withDeadline(found.route.handler(request), opts.requestDeadlineMs ?? DOCKER_API_LIMITS.requestDeadlineMs);
}

/**
 * createDispatcher returns the request listener of the Docker API: it strips `/v1.xx`, checks
 * the version and the caller, routes, reads a JSON body, runs the handler under the request
 * deadline and writes the reply with dockerd's headers (`Api-Version`, `Ostype`, ...).
 * Failures become `{"message": ...}` with dockerd's status; nothing else reaches the client.
 */
export function createDispatcher(opts: DispatchOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const what = `${req.method ?? '?'} ${req.url ?? '?'}`;
    const seen = { template: 'unknown' };
    answer(req, opts, seen)
      .catch((err: unknown) => errorReply(err, opts.logger, what))
      .then((reply) => {
        send(res, reply, opts, req.method ?? 'GET');
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        opts.observe?.(req.method ?? '?', seen.template, reply.status, ms / 1000);
        opts.logger.debug({ method: req.method, url: req.url, status: reply.status, ms }, 'docker api request');
      })
      .catch((err: unknown) => opts.logger.error({ err }, `writing the reply to ${what} failed`));
  };
}
