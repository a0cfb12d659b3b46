// Test-only fixture (not exported): a hand-built JSON service definition, so the grpc lib's
// tests need no generated code.
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/** TestMessage is the request and response of every TEST_SERVICE method. */
export interface TestMessage {
  readonly text: string;
}

const serialize = (value: TestMessage): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): TestMessage => JSON.parse(bytes.toString()) as TestMessage;

function unary(name: string): MethodDefinition<TestMessage, TestMessage> {
  return {
    path: `/shoal.test.TestService/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  };
}

/** TEST_SERVICE has unary methods Echo, Fail, Crash and Hang, all JSON over the wire. */
export const TEST_SERVICE: ServiceDefinition = {
  Echo: unary('Echo'),
  Fail: unary('Fail'),
  Crash: unary('Crash'),
  Hang: unary('Hang'),
};
