// A fake agent for dispatcher tests: a real grpc-js DispatcherClient on an insecure channel
// that names its node with the test header, plus helpers to read the first message of a
// session and to collect an assignments stream.
import { credentials, Metadata, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { AssignmentsResponse, SessionResponse, TaskStatus } from '@shoal/proto';
import { DispatcherClient } from '@shoal/proto-grpc';
import { TEST_NODE_HEADER } from '../identity';

/** FakeAgent is one node's client of the dispatcher. */
export class FakeAgent {
  readonly client: DispatcherClient;
  sessionId = '';
  session: ClientReadableStream<SessionResponse> | undefined;
  readonly assignments: AssignmentsResponse[] = [];
  assignmentsError: ServiceError | undefined;

  constructor(address: string, readonly nodeId: string, private readonly header = true) {
    this.client = new DispatcherClient(address, credentials.createInsecure());
  }

  metadata(): Metadata {
    const md = new Metadata();
    if (this.header) md.set(TEST_NODE_HEADER, this.nodeId);
    return md;
  }

  /** open opens a session and resolves with its first message (rejects with its error). */
  open(sessionId = ''): Promise<SessionResponse> {
    const stream = this.client.session({ sessionId, description: { hostname: `host-${this.nodeId}`, fips: false } },
      this.metadata());
    this.session = stream;
    return new Promise((resolve, reject) => {
      stream.once('data', (m: SessionResponse) => {
        this.sessionId = m.sessionId;
        resolve(m);
      });
      stream.once('error', reject);
    });
  }

  heartbeat(sessionId = this.sessionId): Promise<number> {
    return new Promise((resolve, reject) => {
      this.client.heartbeat({ sessionId }, this.metadata(), (err, res) => {
        if (err !== null) reject(err);
        else resolve((res?.period?.seconds ?? 0) * 1000 + (res?.period?.nanos ?? 0) / 1e6);
      });
    });
  }

  report(updates: { taskId: string; status: Partial<TaskStatus> }[]): Promise<void> {
    const request = { sessionId: this.sessionId, updates: updates.map((u) => ({ taskId: u.taskId,
      status: { state: 0, message: '', err: '', appliedBy: '', ...u.status } })) };
    return new Promise((resolve, reject) => {
      this.client.updateTaskStatus(request, this.metadata(), (err) => (err === null ? resolve() : reject(err)));
    });
  }

  /** watchAssignments opens the stream; messages collect in `assignments`. */
  watchAssignments(): ClientReadableStream<AssignmentsResponse> {
    const stream = this.client.assignments({ sessionId: this.sessionId }, this.metadata());
    stream.on('data', (m: AssignmentsResponse) => this.assignments.push(m));
    stream.on('error', (err: ServiceError) => {
      this.assignmentsError = err;
    });
    return stream;
  }

  close(): void {
    this.session?.cancel();
    this.client.close();
  }
}
