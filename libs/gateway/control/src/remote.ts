// The Control API seen from a client: the same ControlApi type, each method one gRPC call
// with a deadline, errors back as ShoalErrors (precise code from the server's metadata).
import { Metadata, type ChannelCredentials, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { createClient, fromGrpcError } from '@shoal/grpc';
import { GRPC_LIMITS } from '@shoal/limits';
import { ControlClient, ControlService } from '@shoal/proto-grpc';
import type { ControlApi } from './control-api';

/** ConnectControlOptions say where the Control service is and how to reach it. */
export interface ConnectControlOptions {
  /** host:port of an api-gateway's gRPC port. */
  readonly address: string;
  readonly credentials: ChannelCredentials;
  /** Extra channel options, e.g. the server-name override of @shoal/pki channelCredentials. */
  readonly channelOptions?: Partial<ChannelOptions>;
  /** Deadline of each call, ms (default GRPC_LIMITS.unaryDeadlineMs). */
  readonly deadlineMs?: number;
  /** Metadata sent with every call (e.g. a test identity header). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** RemoteControl is a ControlApi over gRPC; `close` releases the channel. */
export type RemoteControl = ControlApi & { close(): void };

type Callback = (err: ServiceError | null, response: unknown) => void;
type RawMethod = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: Callback) => void;

/** connectControl returns a {@link RemoteControl} that connects lazily. */
export function connectControl(options: ConnectControlOptions): RemoteControl {
  const client = createClient(ControlClient, options.address, options.credentials,
    { options: options.channelOptions ?? {}, defaultDeadlineMs: options.deadlineMs });
  const deadlineMs = options.deadlineMs ?? GRPC_LIMITS.unaryDeadlineMs;
  const api: Record<string, unknown> = { close: () => client.close() };
  for (const method of Object.keys(ControlService)) {
    const raw = (client as unknown as Record<string, RawMethod>)[method] as RawMethod;
    api[method] = (request: unknown) => new Promise((resolve, reject) => {
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
      raw.call(client, request, metadata, { deadline: Date.now() + deadlineMs },
        (err, response) => (err === null ? resolve(response) : reject(fromGrpcError(err))));
    });
  }
  return api as RemoteControl;
}
