// Test fixture: a tiny gRPC service, without protos, whose one method returns the caller's
// identity as the server reads it from the TLS connection, for the mTLS and rotation specs.
import * as grpc from '@grpc/grpc-js';
import { isShoalError } from '@shoal/errors';
import { peerIdentity } from '../grpc-credentials';
import type { Identity } from '../identity';

/** WhoAmIReply is what the server saw: the caller's identity, or why it has none. */
export interface WhoAmIReply {
  readonly identity?: Identity;
  readonly error?: string;
}

const json = {
  serialize: (value: object): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): WhoAmIReply => JSON.parse(bytes.toString('utf8')) as WhoAmIReply,
};

/** ECHO_SERVICE has one unary method, WhoAmI, taking and returning JSON. */
export const ECHO_SERVICE = {
  whoAmI: {
    path: '/shoal.test.Echo/WhoAmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies grpc.ServiceDefinition;

/** EchoClient calls WhoAmI. */
export const EchoClient = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');

/** RunningServer is a started server and the address it listens on. */
export interface RunningServer {
  readonly server: grpc.Server;
  readonly address: string;
}

/** startEchoServer serves ECHO_SERVICE on 127.0.0.1 at a free port with `credentials`. */
export async function startEchoServer(credentials: grpc.ServerCredentials): Promise<RunningServer> {
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, {
    whoAmI: (
      call: grpc.ServerUnaryCall<object, WhoAmIReply>,
      callback: grpc.sendUnaryData<WhoAmIReply>,
    ) => {
      try {
        callback(null, { identity: peerIdentity(call) });
      } catch (err) {
        if (!isShoalError(err)) throw err;
        callback(null, { error: `${err.code}: ${err.message}` });
      }
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  return { server, address: `127.0.0.1:${port}` };
}

/** WhoAmIResult is a call's outcome on the client side. */
export interface WhoAmIResult {
  readonly reply?: WhoAmIReply;
  readonly code?: number;
  readonly details?: string;
  /** Serial of the server certificate this call's connection saw. */
  readonly serverSerial?: string;
}

type WhoAmIMethod = (
  request: object,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, reply?: WhoAmIReply) => void,
) => grpc.ClientUnaryCall;

/** whoAmI makes one call with a deadline and reports its outcome without throwing. */
export function whoAmI(client: grpc.Client, deadlineMs = 5000): Promise<WhoAmIResult> {
  return new Promise((resolve) => {
    const deadline = Date.now() + deadlineMs;
    const method = (client as unknown as { whoAmI: WhoAmIMethod }).whoAmI.bind(client);
    const call = method({}, { deadline }, (err, reply) => {
      const peer = call.getAuthContext()?.sslPeerCertificate;
      const serverSerial = peer?.serialNumber?.toLowerCase();
      if (err) resolve({ code: err.code, details: err.details });
      else resolve({ reply, serverSerial });
    });
  });
}

/** stopServer shuts `server` down at once. */
export function stopServer(server: grpc.Server): void {
  server.forceShutdown();
}
